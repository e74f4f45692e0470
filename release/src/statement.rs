//! in-toto Statement v1 with an SLSA v1 provenance predicate for one artifact (docs/release.md,
//! "Statement format"), and its checks. The JSON is built from sorted maps and printed the same
//! way every time, so one build's facts always give the same bytes (and the same signature input).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// How a Speckle artifact is built: a make target of this repository at one commit, with the
/// parameters in `externalParameters` (docs/release.md defines it).
pub const BUILD_TYPE: &str = "urn:speckle:release:make:v1";
pub const DEFAULT_BUILDER: &str = "urn:speckle:builder:local-make";

/// The facts a statement records about one build.
#[derive(Debug, Clone, Default)]
pub struct BuildFacts {
    /// Subject name: the artifact's file name.
    pub name: String,
    /// Hex SHA-256 of the artifact.
    pub sha256: String,
    /// `externalParameters`: the make command and target, the board, features, ...
    pub params: Vec<(String, String)>,
    /// The source commit (40 hex digits).
    pub commit: String,
    /// Where the source lives (`git remote get-url origin`), if known.
    pub source_uri: Option<String>,
    /// Tools and their version lines (yosys, nextpnr, rustc, cargo, ...).
    pub tools: Vec<(String, String)>,
    /// SOURCE_DATE_EPOCH: the time recorded as the build's start and end.
    pub epoch: i64,
    pub builder_id: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The statement as pretty-printed JSON with a final newline.
pub fn render(f: &BuildFacts) -> Result<String, String> {
    if !is_hex(&f.sha256, 64) {
        return Err(format!("artifact sha256 is not 64 hex digits: {:?}", f.sha256));
    }
    if !is_hex(&f.commit, 40) {
        return Err(format!("source commit is not 40 hex digits: {:?}", f.commit));
    }
    let time = chrono::DateTime::from_timestamp(f.epoch, 0)
        .ok_or_else(|| format!("SOURCE_DATE_EPOCH out of range: {}", f.epoch))?
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let params: Map<String, Value> =
        f.params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let mut source = json!({ "name": "source", "digest": { "gitCommit": f.commit } });
    if let Some(uri) = &f.source_uri {
        source["uri"] = Value::String(uri.clone());
    }
    let mut deps = vec![source];
    deps.extend(f.tools.iter().map(|(n, v)| json!({ "name": n, "annotations": { "version": v } })));
    let statement = json!({
        "_type": STATEMENT_TYPE,
        "subject": [{ "name": f.name, "digest": { "sha256": f.sha256 } }],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": params,
                "internalParameters": { "SOURCE_DATE_EPOCH": f.epoch.to_string() },
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": { "id": f.builder_id },
                "metadata": { "startedOn": time, "finishedOn": time },
            },
        },
    });
    let mut text = serde_json::to_string_pretty(&statement).expect("a JSON value prints");
    text.push('\n');
    Ok(text)
}

/// What a checked statement says about its subject.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub sha256: String,
    pub commit: String,
}

/// Checks a statement's shape and that its one subject is `artifact_name` with `artifact_sha256`.
/// (The signature over the statement's bytes is checked separately, before this, by crate::ssh.)
pub fn check(text: &str, artifact_name: &str, artifact_sha256: &str) -> Result<Checked, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("statement is not JSON: {e}"))?;
    let field = |ptr: &str| {
        v.pointer(ptr).and_then(Value::as_str).ok_or_else(|| format!("statement lacks {ptr}"))
    };
    if field("/_type")? != STATEMENT_TYPE {
        return Err(format!("statement _type is not {STATEMENT_TYPE}"));
    }
    if field("/predicateType")? != PREDICATE_TYPE {
        return Err(format!("statement predicateType is not {PREDICATE_TYPE}"));
    }
    let subjects = v.pointer("/subject").and_then(Value::as_array).map_or(0, Vec::len);
    if subjects != 1 {
        return Err(format!("statement has {subjects} subjects, expected 1"));
    }
    let name = field("/subject/0/name")?;
    let digest = field("/subject/0/digest/sha256")?;
    if name != artifact_name {
        return Err(format!("statement is for {name:?}, not {artifact_name:?}"));
    }
    if !digest.eq_ignore_ascii_case(artifact_sha256) {
        return Err(format!(
            "{artifact_name}: sha256 {artifact_sha256} does not match the statement's {digest}"
        ));
    }
    let commit = v
        .pointer("/predicate/buildDefinition/resolvedDependencies")
        .and_then(Value::as_array)
        .and_then(|deps| deps.iter().find_map(|d| d.pointer("/digest/gitCommit")?.as_str()))
        .ok_or("statement names no source commit (resolvedDependencies digest gitCommit)")?;
    Ok(Checked { name: name.into(), sha256: digest.to_lowercase(), commit: commit.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> BuildFacts {
        BuildFacts {
            name: "icebreaker.bin".into(),
            sha256: sha256_hex(b"bitstream"),
            params: vec![("board".into(), "icebreaker".into())],
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            source_uri: None,
            tools: vec![("yosys".into(), "Yosys 0.23".into())],
            epoch: 1_700_000_000,
            builder_id: DEFAULT_BUILDER.into(),
        }
    }

    #[test]
    fn rendered_statement_checks_and_is_stable() {
        let f = facts();
        let text = render(&f).unwrap();
        assert_eq!(text, render(&f).unwrap());
        assert!(text.contains("\"startedOn\": \"2023-11-14T22:13:20Z\""), "{text}");
        let c = check(&text, "icebreaker.bin", &f.sha256).unwrap();
        assert_eq!(c.commit, f.commit);
    }

    #[test]
    fn wrong_digest_name_or_type_is_refused() {
        let f = facts();
        let text = render(&f).unwrap();
        let other = sha256_hex(b"bitstreaM");
        let e = check(&text, "icebreaker.bin", &other).unwrap_err();
        assert!(e.contains("does not match the statement's"), "{e}");
        let e = check(&text, "ulx3s.bit", &f.sha256).unwrap_err();
        assert!(e.contains("not \"ulx3s.bit\""), "{e}");
        let e = check(&text.replace("Statement/v1", "Statement/v0"), "icebreaker.bin", &f.sha256)
            .unwrap_err();
        assert!(e.contains("_type"), "{e}");
    }

    #[test]
    fn bad_facts_are_refused() {
        let e = render(&BuildFacts { commit: "unknown".into(), ..facts() }).unwrap_err();
        assert!(e.contains("source commit"), "{e}");
        let e = render(&BuildFacts { sha256: "zz".into(), ..facts() }).unwrap_err();
        assert!(e.contains("artifact sha256"), "{e}");
    }
}
