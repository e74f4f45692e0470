//! Crash-safe telemetry, one row per source per STATUS interval (design and schema:
//! docs/telemetry.md).
//!
//! Rows are appended to a journal (journal.rs), one checksummed record per row written with one
//! `write`: a SIGKILL loses no row that [`Telemetry::push`] took. A worker thread `fdatasync`s the
//! journal at most `flush` after a row was written (power loss loses at most that much) and turns
//! each journal into a parquet file when it rotates (recover.rs); a start of the daemon, or
//! `speckle telemetry recover DIR`, converts what a killed daemon left. Every row carries `seq`,
//! one more than the row before it in the directory, across restarts.

mod columns;
pub mod journal;
pub mod recover;

pub use columns::{last_seq_of, schema_text, ROWS_PER_GROUP};
pub use recover::{last_seq, parquet_files, recover_dir, DirLock};

use crate::row::Row;
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The default of `--telemetry-flush`: the most seconds a written row waits for `fdatasync`.
pub const DEFAULT_FLUSH_S: f64 = 10.0;

struct Current {
    file: Arc<File>,
    path: PathBuf,
    started: Instant,
}

/// What the writer and its worker share.
#[derive(Default)]
struct State {
    /// The journal being written, and when its oldest unsynced row was written.
    journal: Option<Arc<File>>,
    dirty_since: Option<Instant>,
    /// The journal's directory entry is not synced yet.
    new_entry: Option<PathBuf>,
    /// Rotated journals waiting to become parquet.
    queue: VecDeque<PathBuf>,
    stop: bool,
    errors: Vec<String>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    flush: Duration,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Telemetry {
    dir: PathBuf,
    rotate: Duration,
    next_seq: u64,
    current: Option<Current>,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    _lock: DirLock,
}

impl Telemetry {
    /// Creates and locks the directory, converts the journals a killed run left, and continues
    /// `seq` after the newest row found.
    pub fn new(dir: &Path, rotate: Duration, flush: Duration) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create telemetry directory {}: {e}", dir.display()))?;
        let lock = DirLock::acquire(dir)?;
        let found = recover_dir(dir)?;
        if !found.is_empty() {
            tracing::warn!("telemetry: {} (a previous run was killed)", found.summary(dir));
        }
        let next_seq = last_seq(dir)? + 1;
        let shared = Arc::new(Shared { state: Mutex::default(), wake: Condvar::new(), flush });
        let w = shared.clone();
        let worker = std::thread::Builder::new()
            .name("telemetry".into())
            .spawn(move || worker(&w))
            .map_err(|e| format!("cannot start the telemetry thread: {e}"))?;
        Ok(Telemetry {
            dir: dir.to_path_buf(),
            rotate,
            next_seq,
            current: None,
            shared,
            worker: Some(worker),
            _lock: lock,
        })
    }

    /// The `seq` the next row gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Numbers the row (`row.seq`) and appends it to the journal; rotates when the journal is
    /// older than the rotation period.
    pub fn push(&mut self, row: &mut Row) -> Result<(), String> {
        if self.current.is_none() {
            self.current = Some(self.open_journal()?);
        }
        let cur = self.current.as_ref().expect("opened above");
        row.seq = self.next_seq;
        (&*cur.file)
            .write_all(&journal::encode(row))
            .map_err(|e| format!("writing {}: {e}", cur.path.display()))?;
        self.next_seq += 1;
        let rotate = cur.started.elapsed() >= self.rotate;
        {
            let mut st = self.shared.lock();
            if st.dirty_since.is_none() {
                st.dirty_since = Some(Instant::now());
                self.shared.wake.notify_all();
            }
        }
        if rotate {
            self.rotate();
        }
        Ok(())
    }

    fn open_journal(&mut self) -> Result<Current, String> {
        let path =
            self.dir.join(format!("{}.{}", recover::stem(self.next_seq), recover::JOURNAL_EXT));
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        let file = Arc::new(file);
        let mut st = self.shared.lock();
        st.journal = Some(file.clone());
        st.new_entry = Some(path.clone());
        Ok(Current { file, path, started: Instant::now() })
    }

    /// Hands the journal to the worker for conversion; the next row opens a new one.
    fn rotate(&mut self) {
        let Some(cur) = self.current.take() else { return };
        let mut st = self.shared.lock();
        st.journal = None;
        st.dirty_since = None;
        st.new_entry = None;
        st.queue.push_back(cur.path);
        self.shared.wake.notify_all();
    }

    /// Converts the journal in progress and waits for every conversion (a clean exit).
    pub fn finish(&mut self) -> Result<(), String> {
        self.rotate();
        let Some(worker) = self.worker.take() else { return Ok(()) };
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        let _ = worker.join();
        let errors = std::mem::take(&mut self.shared.lock().errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("telemetry: {}", errors.join("; ")))
        }
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Err(e) = self.finish() {
            tracing::warn!("{e}");
        }
    }
}

/// Syncs the journal when its oldest unsynced row is `flush` old, and converts rotated journals.
/// A conversion that fails leaves its journal for the next start (the error is logged).
fn worker(sh: &Shared) {
    let mut st = sh.lock();
    loop {
        if let Some(j) = st.queue.pop_front() {
            drop(st);
            // Its last rows may be unsynced: durable before anything depends on the conversion.
            let r = File::open(&j)
                .and_then(|f| f.sync_data())
                .map_err(|e| format!("fdatasync of {}: {e}", j.display()))
                .and_then(|()| recover::convert(&j));
            st = sh.lock();
            if let Err(e) = r {
                tracing::warn!("telemetry: {e} (the journal is kept for the next start)");
                st.errors.push(e);
            }
            continue;
        }
        if let (Some(since), Some(f)) = (st.dirty_since, st.journal.clone()) {
            let now = Instant::now();
            let due = since + sh.flush;
            if now < due {
                st = sh.wake.wait_timeout(st, due - now).unwrap_or_else(|p| p.into_inner()).0;
                continue;
            }
            st.dirty_since = None;
            let entry = st.new_entry.take();
            drop(st);
            let r = f.sync_data().map_err(|e| format!("fdatasync of the journal: {e}"));
            let r = r.and(entry.map_or(Ok(()), |p| columns::sync_dir(&p)));
            if let Err(e) = r {
                tracing::warn!("telemetry: {e}");
            }
            st = sh.lock();
            continue;
        }
        if st.stop {
            return;
        }
        st = sh.wake.wait(st).unwrap_or_else(|p| p.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// File names ending in `ext`: parquet files in their partitions, the rest at the top.
    fn names(dir: &Path, ext: &str) -> Vec<String> {
        let files = if ext == ".parquet" {
            parquet_files(dir).unwrap()
        } else {
            std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect()
        };
        let mut v: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(ext))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn rows_are_numbered_across_restarts_and_each_rotation_makes_a_parquet_file() {
        let dir = std::env::temp_dir().join(format!("speckle-telemetry-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (hour, ms) = (Duration::from_secs(3600), Duration::from_millis(20));
        let mut t = Telemetry::new(&dir, hour, ms).unwrap();
        for want in 1..=5 {
            let mut row = Row::default();
            t.push(&mut row).unwrap();
            assert_eq!(row.seq, want);
        }
        assert_eq!((names(&dir, ".journal").len(), names(&dir, ".parquet").len()), (1, 0));
        let e = Telemetry::new(&dir, hour, ms).err().unwrap();
        assert!(e.contains("in use by another speckle process"), "{e}");
        t.finish().unwrap();
        drop(t);
        assert_eq!((names(&dir, ".journal").len(), names(&dir, ".parquet").len()), (0, 1));
        assert_eq!(last_seq(&dir).unwrap(), 5);

        // A restart continues at 6; a zero rotation period makes one file per row.
        let mut t = Telemetry::new(&dir, Duration::ZERO, ms).unwrap();
        assert_eq!(t.next_seq(), 6);
        for _ in 0..3 {
            t.push(&mut Row::default()).unwrap();
        }
        t.finish().unwrap();
        let files = names(&dir, ".parquet");
        assert_eq!(files.len(), 4, "{files:?}");
        assert!(files[1].starts_with("speckle-seq000000000006-"), "{files:?}");
        assert_eq!(last_seq(&dir).unwrap(), 8);
        assert!(names(&dir, ".journal").is_empty() && names(&dir, ".tmp").is_empty());
        drop(t);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
