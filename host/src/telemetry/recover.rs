//! Journals → parquet: what a rotation, a clean exit, the next start and `speckle telemetry recover
//! DIR` all do, through [`convert`]. A journal `speckle-seqNNNNNNNNNNNN-MS.journal` becomes
//! `speckle-seqNNNNNNNNNNNN-MS.parquet` (same stem: NNNNNNNNNNNN is the `seq` of its first row), and
//! the journal is removed only after the parquet file is published, so a kill at any point leaves
//! either the journal (converted again next time) or the finished file, or both (the journal is then
//! removed without a second conversion): no row is lost and none is written twice.
//!
//! The directory is held by one process at a time through an advisory lock ([`DirLock`]); the kernel
//! drops it when its holder dies, SIGKILL included, so a journal found by the holder is never one
//! another process is still writing.

use super::columns::{last_seq_of, sync_dir, ParquetOut};
use super::journal::{Damage, Reader};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

const PREFIX: &str = "speckle-seq";
pub const JOURNAL_EXT: &str = "journal";
const LOCK_NAME: &str = ".speckle-telemetry.lock";

/// The stem of the journal (and later parquet file) whose first row is `first_seq`.
pub fn stem(first_seq: u64) -> String {
    format!("{PREFIX}{first_seq:012}-{}", crate::ingest::unix_ms())
}

/// The first `seq` a file name of this scheme carries (`None` for other files, such as the
/// `speckle-<ms>-<pid>-<n>.parquet` files of daemons before the journal).
fn first_seq_of_name(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    name.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
}

/// The directory's lock, held while the daemon runs or a recovery works.
pub struct DirLock {
    _file: File,
}

impl DirLock {
    pub fn acquire(dir: &Path) -> Result<Self, String> {
        let path = dir.join(LOCK_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            return Err(format!(
                "telemetry directory {} is in use by another speckle process (pid {}): one process per directory",
                dir.display(),
                pid.trim()
            ));
        }
        // The holder's pid, for the message above; the lock itself is the flock.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        Ok(DirLock { _file: file })
    }
}

/// What one conversion or recovery did.
#[derive(Debug, Default, PartialEq)]
pub struct Recovered {
    pub journals: usize,
    pub files: Vec<PathBuf>,
    pub rows: u64,
    pub damage: Damage,
    /// Unfinished `.tmp` parquet files of a conversion cut short (their rows are still in the
    /// journal), removed.
    pub stale_tmp: usize,
}

impl Recovered {
    pub fn is_empty(&self) -> bool {
        self.journals == 0 && self.stale_tmp == 0
    }

    /// One line for the log.
    pub fn summary(&self, dir: &Path) -> String {
        let d = &self.damage;
        let mut s = format!(
            "{}: recovered {} rows from {} journal(s) into {} parquet file(s)",
            dir.display(),
            self.rows,
            self.journals,
            self.files.len()
        );
        if d.torn_tail_bytes > 0 {
            s += &format!("; dropped {} bytes of torn tail (a write cut short)", d.torn_tail_bytes);
        }
        if d.corrupt_spans > 0 {
            s += &format!(
                "; CORRUPT: skipped {} bad stretch(es), {} bytes, rows lost there",
                d.corrupt_spans, d.corrupt_bytes
            );
        }
        if self.stale_tmp > 0 {
            s += &format!("; removed {} unfinished .tmp file(s)", self.stale_tmp);
        }
        s
    }
}

/// Turns one journal that nobody writes any more into its parquet file and removes it.
pub fn convert(journal: &Path) -> Result<Recovered, String> {
    let dest = journal.with_extension("parquet");
    let mut done = Recovered { journals: 1, ..Recovered::default() };
    // Published before a kill took the journal's removal: the file holds every row already.
    if !dest.exists() {
        let file =
            File::open(journal).map_err(|e| format!("cannot open {}: {e}", journal.display()))?;
        let mut reader = Reader::new(std::io::BufReader::new(file));
        let mut out = ParquetOut::create(&dest)?;
        for row in reader.by_ref() {
            let row = row.map_err(|e| format!("reading {}: {e}", journal.display()))?;
            out.push(&row)?;
        }
        done.rows = out.rows();
        done.damage = reader.damage;
        if done.rows == 0 {
            out.discard();
        } else {
            done.files.push(out.publish()?);
        }
    }
    std::fs::remove_file(journal)
        .map_err(|e| format!("cannot remove {}: {e}", journal.display()))?;
    sync_dir(journal)?;
    Ok(done)
}

/// Every journal in `dir` into parquet, oldest first, and unfinished `.tmp` files removed. The
/// caller holds the directory's [`DirLock`].
pub fn recover_dir(dir: &Path) -> Result<Recovered, String> {
    let mut journals = Vec::new();
    let mut total = Recovered::default();
    for e in
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?.flatten()
    {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".speckle-") && name.ends_with(".parquet.tmp") {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            total.stale_tmp += 1;
        } else if path.extension().is_some_and(|x| x == JOURNAL_EXT) {
            journals.push(path);
        }
    }
    journals.sort_by_key(|p| (first_seq_of_name(p), p.clone()));
    for j in &journals {
        let r = convert(j)?;
        total.journals += r.journals;
        total.files.extend(r.files);
        total.rows += r.rows;
        total.damage += r.damage;
    }
    Ok(total)
}

/// The `seq` of the newest row in the directory's parquet files (0: none). Names order the files
/// by their first `seq`, so only the newest footers are read, whatever the number of files.
pub fn last_seq(dir: &Path) -> Result<u64, String> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .filter_map(|p| Some((first_seq_of_name(&p)?, p)))
        .collect();
    files.sort();
    Ok(files.iter().rev().find_map(|(_, p)| last_seq_of(p)).unwrap_or(0))
}

/// `speckle telemetry recover DIR`.
pub fn run(dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let _lock = DirLock::acquire(dir).map_err(|e| {
        format!("{e}; a running daemon recovers its directory when it starts, so there is nothing to do while it runs")
    })?;
    let r = recover_dir(dir)?;
    if r.is_empty() {
        tracing::info!("telemetry: {}: nothing to recover", dir.display());
    } else {
        tracing::info!("telemetry: {}", r.summary(dir));
    }
    tracing::info!("telemetry: last seq in {}: {}", dir.display(), last_seq(dir)?);
    Ok(())
}

#[cfg(test)]
#[path = "recover_tests.rs"]
mod tests;
