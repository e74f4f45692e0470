//! The daemon's journal as a source of events (`speckle monitor --journal [UNIT]`): the monitor
//! runs `journalctl -u UNIT -o json -f` and shows each entry in the Events view, so an operator
//! watching a daemon over its status socket also sees why a source failed and how it recovered.
//! The daemon writes its fields with the prefix `SPECKLE_` (host/src/log.rs).

use crate::source::Update;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc::Sender;

/// Entries shown before following: enough to see the last failure and its recovery.
pub const BACKLOG: u32 = 200;

/// The `journalctl` command that follows `unit`.
pub fn follow_command(unit: &str) -> Command {
    let mut c = Command::new("journalctl");
    c.args(["-u", unit, "-o", "json", "-f", "--no-pager", "-n", &BACKLOG.to_string()]);
    c
}

/// A journal field as text: journald writes a value that is not valid UTF-8 (or holds control
/// characters) as an array of bytes.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(bytes) => {
            let b: Option<Vec<u8>> = bytes.iter().map(|x| x.as_u64().map(|n| n as u8)).collect();
            b.map(|b| String::from_utf8_lossy(&b).into_owned())
        }
        _ => None,
    }
}

/// One `journalctl -o json` line to an event: (source, text). The source is `SPECKLE_SOURCE`, or
/// `daemon` for lines about the whole run; the text drops the source prefix the message repeats,
/// and says the new state where the entry carries one. `None` for a line that is not a journal
/// entry with a message.
pub fn parse_line(line: &str) -> Option<(String, String)> {
    let e: Value = serde_json::from_str(line).ok()?;
    let message = text(&e["MESSAGE"])?;
    let source = e.get("SPECKLE_SOURCE").and_then(text).unwrap_or_else(|| "daemon".into());
    let body = message.strip_prefix(&format!("{source}: ")).map(str::to_string).unwrap_or(message);
    let state = e.get("SPECKLE_STATE").and_then(text);
    let body = match state {
        Some(s) => format!("[{s}] {body}"),
        None => body,
    };
    Some((source, body))
}

/// Reads journal lines from `r` until it ends, sending each entry as an event.
pub fn forward(r: impl Read, tx: &Sender<Update>) {
    for line in BufReader::new(r).lines() {
        let Ok(line) = line else { break };
        if let Some((source, text)) = parse_line(&line) {
            if tx.send(Update::Event { source, text: format!("journal: {text}") }).is_err() {
                break;
            }
        }
    }
}

/// Runs `cmd` (normally [`follow_command`]) on a thread and forwards its output; a command that
/// cannot start, or ends, says so in the Events view.
pub fn spawn(mut cmd: Command, tx: Sender<Update>) {
    std::thread::spawn(move || {
        let program = cmd.get_program().to_string_lossy().into_owned();
        let child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn();
        let note = match child {
            Err(e) => format!("journal: cannot run {program}: {e} (Debian package systemd)"),
            Ok(mut child) => {
                if let Some(out) = child.stdout.take() {
                    forward(out, &tx);
                }
                match child.wait() {
                    Ok(s) => format!("journal: {program} ended ({s})"),
                    Err(e) => format!("journal: {program}: {e}"),
                }
            }
        };
        let _ = tx.send(Update::Event { source: "monitor".into(), text: note });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_source_and_text_and_byte_arrays_are_decoded() {
        let line = r#"{"MESSAGE":"sim:dark: board alarm LOS: recovering in 1.000 s","SPECKLE_SOURCE":"sim:dark","SPECKLE_STATE":"failed"}"#;
        assert_eq!(
            parse_line(line),
            Some(("sim:dark".into(), "[failed] board alarm LOS: recovering in 1.000 s".into()))
        );
        let bytes = r#"{"MESSAGE":[119,114,111,116,101,32,255]}"#;
        assert_eq!(parse_line(bytes), Some(("daemon".into(), "wrote \u{fffd}".into())));
        assert_eq!(parse_line("-- No entries --"), None);
        assert_eq!(parse_line(r#"{"PRIORITY":"6"}"#), None);
    }
}
