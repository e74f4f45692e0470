//! Journals → parquet: what a rotation, a clean exit, the next start and `speckle telemetry recover
//! DIR` all do, through [`convert`]. A journal `speckle-seqNNNNNNNNNNNN-MS.journal` becomes
//! `speckle-seqNNNNNNNNNNNN-MS.parquet` (same stem: NNNNNNNNNNNN is the `seq` of its first row), and
//! the journal is removed only after the parquet file is published, so a kill at any point leaves
//! either the journal (converted again next time) or the finished file, or both (the journal is then
//! removed without a second conversion): no row is lost and none is written twice.
//!
//! The parquet files are hive-partitioned, `DIR/source=<escaped source>/date=YYYY-MM-DD/STEM.parquet`
//! (UTC date of the row), so DuckDB, Spark or Trino read a fleet's directories as one table and
//! prune by source and day (docs/fleet.md). A journal holds every source's rows of its rotation
//! period, so its conversion writes one file per partition it touches, all under the journal's
//! stem; a file already published is not written again, so a kill between two of them loses and
//! repeats nothing either. Journals, the lock and `.tmp` files of older layouts stay at the top.
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

/// Hive's escaping of a partition value (Hive `FileUtils.escapePathName`, which Spark and Trino
/// share): `%XX` for `/`, `:`, `=`, `%` and the other characters a path or a partition spec
/// cannot hold, so `serial:/dev/ttyUSB0@1000000` is one directory, `serial%3A%2Fdev%2FttyUSB0@1000000`.
/// An empty value is Hive's `__HIVE_DEFAULT_PARTITION__`.
pub fn escape_partition_value(v: &str) -> String {
    if v.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if c.is_ascii_control() || "\"#%'*/:=?\\{[]^".contains(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `YYYY-MM-DD` (UTC) of a Unix time in milliseconds (days to civil date, H. Hinnant's algorithm).
pub fn utc_date(time_ms: i64) -> String {
    let z = time_ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The partition directory of a row, relative to the telemetry directory.
pub fn partition(row: &crate::row::Row) -> PathBuf {
    PathBuf::from(format!("source={}", escape_partition_value(&row.source)))
        .join(format!("date={}", utc_date(row.time_ms)))
}

/// Creates a partition directory and makes its entries durable (each new level is fsynced in its
/// parent), so a published file is never found under a directory a power loss forgot.
fn create_partition(dir: &Path, rel: &Path) -> Result<PathBuf, String> {
    let mut at = dir.to_path_buf();
    for part in rel.components() {
        at.push(part);
        if !at.is_dir() {
            std::fs::create_dir(&at).map_err(|e| format!("cannot create {}: {e}", at.display()))?;
            sync_dir(&at)?;
        }
    }
    Ok(at)
}

/// Turns one journal that nobody writes any more into its parquet files, one per partition its
/// rows fall in, and removes it.
pub fn convert(journal: &Path) -> Result<Recovered, String> {
    let dir = journal.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = journal.with_extension("parquet");
    let name = name.file_name().expect("a journal has a file name");
    let mut done = Recovered { journals: 1, ..Recovered::default() };
    let file =
        File::open(journal).map_err(|e| format!("cannot open {}: {e}", journal.display()))?;
    let mut reader = Reader::new(std::io::BufReader::new(file));
    // Per partition: its writer, or None when a run killed after publishing it left it whole.
    let mut outs: std::collections::BTreeMap<PathBuf, Option<ParquetOut>> = Default::default();
    let mut fill = || -> Result<(), String> {
        for row in reader.by_ref() {
            let row = row.map_err(|e| format!("reading {}: {e}", journal.display()))?;
            let rel = partition(&row);
            if !outs.contains_key(&rel) {
                let dest = dir.join(&rel).join(name);
                let out = if dest.exists() {
                    None
                } else {
                    create_partition(dir, &rel)?;
                    Some(ParquetOut::create(&dest)?)
                };
                outs.insert(rel.clone(), out);
            }
            if let Some(out) = outs.get_mut(&rel).expect("inserted above") {
                out.push(&row)?;
            }
        }
        Ok(())
    };
    if let Err(e) = fill() {
        // Nothing is published from a journal that did not read to its end; it is kept.
        outs.into_values().flatten().for_each(ParquetOut::discard);
        return Err(e);
    }
    done.damage = reader.damage;
    for out in outs.into_values().flatten() {
        done.rows += out.rows();
        done.files.push(out.publish()?);
    }
    std::fs::remove_file(journal)
        .map_err(|e| format!("cannot remove {}: {e}", journal.display()))?;
    sync_dir(journal)?;
    Ok(done)
}

/// Every file under `dir` (the top and the `source=…/date=…` partitions below it).
fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let list =
            std::fs::read_dir(&d).map_err(|e| format!("cannot list {}: {e}", d.display()))?;
        for e in list.flatten() {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && e.file_name().to_string_lossy().contains('=') {
                dirs.push(e.path());
            } else if !is_dir {
                files.push(e.path());
            }
        }
    }
    Ok(files)
}

/// Every parquet file of the directory, partitions included, sorted by path.
pub fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> =
        walk(dir)?.into_iter().filter(|p| p.extension().is_some_and(|x| x == "parquet")).collect();
    v.sort();
    Ok(v)
}

/// Every journal in `dir` into parquet, oldest first, and unfinished `.tmp` files removed (in the
/// partitions too). The caller holds the directory's [`DirLock`].
pub fn recover_dir(dir: &Path) -> Result<Recovered, String> {
    let mut journals = Vec::new();
    let mut total = Recovered::default();
    for path in walk(dir)? {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with(".speckle-") && name.ends_with(".parquet.tmp") {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            total.stale_tmp += 1;
        } else if path.parent() == Some(dir) && path.extension().is_some_and(|x| x == JOURNAL_EXT) {
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
/// by the first `seq` of the journal they came from, and the files of one journal (one per
/// partition) share it, so only the newest journal's footers are read, whatever the number of
/// files.
pub fn last_seq(dir: &Path) -> Result<u64, String> {
    let mut files: Vec<(u64, PathBuf)> =
        parquet_files(dir)?.into_iter().filter_map(|p| Some((first_seq_of_name(&p)?, p))).collect();
    files.sort();
    let mut newest: Option<(u64, u64)> = None;
    for (first, p) in files.iter().rev() {
        if newest.is_some_and(|(f, _)| f != *first) {
            break;
        }
        if let Some(last) = last_seq_of(p) {
            newest = Some((*first, newest.map_or(last, |(_, l)| l.max(last))));
        }
    }
    Ok(newest.map_or(0, |(_, l)| l))
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
