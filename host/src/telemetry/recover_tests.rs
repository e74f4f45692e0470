//! Recovery of journals into parquet: torn tails, corrupt records, kills between the steps of a
//! conversion, and running it twice.

use super::*;
use crate::row::Row;
use crate::telemetry::journal::{encode, Damage};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("speckle-recover-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn row(seq: u64) -> Row {
    Row { seq, time_ms: 1_700_000_000_000 + 250 * seq as i64, ..Row::default() }
}

/// Writes a journal of rows `seqs` named as the daemon names it; returns its path.
fn journal(dir: &Path, seqs: std::ops::Range<u64>, tail: &[u8]) -> PathBuf {
    let p = dir.join(format!("{PREFIX}{:012}-1700000000000.{JOURNAL_EXT}", seqs.start));
    let mut bytes: Vec<u8> = seqs.flat_map(|s| encode(&row(s))).collect();
    bytes.extend_from_slice(tail);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Every `seq` in the directory's parquet files, in file-name order, and the names.
fn seqs(dir: &Path) -> (Vec<u64>, Vec<String>) {
    let files = parquet_files(dir).unwrap();
    let mut out = Vec::new();
    for f in &files {
        let r = SerializedFileReader::new(File::open(f).unwrap()).unwrap();
        for row in r.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            let (_, seq) = row.get_column_iter().find(|(k, _)| *k == "seq").unwrap();
            let Field::Long(s) = seq else { panic!("seq is {seq:?}") };
            out.push(*s as u64);
        }
    }
    let names = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into()).collect();
    (out, names)
}

/// Every file under `dir`, partitions included, as a path relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn journals_become_parquet_and_seq_continues_after_the_newest_row() {
    let dir = tmpdir("basic");
    assert_eq!(last_seq(&dir).unwrap(), 0, "an empty directory starts at seq 1");
    // Out of order on purpose, with an empty journal (a kill right after it was created).
    journal(&dir, 200..230, &[]);
    journal(&dir, 1..200, &[]);
    journal(&dir, 230..230, &[]);
    let r = recover_dir(&dir).unwrap();
    assert_eq!((r.journals, r.files.len(), r.rows), (3, 2, 229));
    assert_eq!(r.damage, Damage::default());
    let (s, names) = seqs(&dir);
    assert_eq!(s, (1..230).collect::<Vec<_>>());
    assert_eq!(names[0], format!("{PREFIX}000000000001-1700000000000.parquet"));
    assert_eq!(last_seq(&dir).unwrap(), 229);
    assert!(listing(&dir).iter().all(|n| n.ends_with(".parquet")), "{:?}", listing(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_torn_tail_is_dropped_and_reported() {
    let dir = tmpdir("torn");
    let cut = &encode(&row(11))[..40];
    journal(&dir, 1..11, cut);
    let r = recover_dir(&dir).unwrap();
    assert_eq!(r.rows, 10);
    assert_eq!(r.damage, Damage { torn_tail_bytes: 40, ..Damage::default() });
    assert!(r.summary(&dir).contains("dropped 40 bytes of torn tail"), "{}", r.summary(&dir));
    assert_eq!(seqs(&dir).0, (1..11).collect::<Vec<_>>());
    // The next start numbers on from the last whole row: seq 11 is reused, no gap.
    assert_eq!(last_seq(&dir).unwrap(), 10);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_record_loses_that_row_only_and_says_so() {
    let dir = tmpdir("corrupt");
    let j = journal(&dir, 1..21, &[]);
    let mut bytes = std::fs::read(&j).unwrap();
    let rec = encode(&row(1)).len();
    bytes[7 * rec + rec / 2] ^= 0xFF; // inside row 8's payload
    std::fs::write(&j, bytes).unwrap();
    let r = recover_dir(&dir).unwrap();
    assert_eq!(r.rows, 19);
    assert_eq!((r.damage.corrupt_spans, r.damage.corrupt_bytes), (1, rec as u64));
    assert!(r.summary(&dir).contains("CORRUPT"), "{}", r.summary(&dir));
    let want: Vec<u64> = (1..21).filter(|&s| s != 8).collect();
    assert_eq!(seqs(&dir).0, want, "the gap at 8 shows the lost row");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A kill at each step of a conversion, then recovery, then recovery again: the same rows, once.
#[test]
fn recovery_is_idempotent_whatever_step_a_kill_interrupted() {
    let dir = tmpdir("idem");
    journal(&dir, 1..100, &[]);
    let first = recover_dir(&dir).unwrap();
    let done = listing(&dir);
    let want = seqs(&dir).0;
    assert_eq!(want, (1..100).collect::<Vec<_>>());

    // Again, with nothing left to do.
    let again = recover_dir(&dir).unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!((listing(&dir), seqs(&dir).0), (done.clone(), want.clone()));

    // Killed after the rename, before the journal was removed: journal and file both there.
    journal(&dir, 1..100, &[]);
    let r = recover_dir(&dir).unwrap();
    assert_eq!((r.journals, r.rows, r.files.len()), (1, 0, 0), "not converted twice");
    assert_eq!((listing(&dir), seqs(&dir).0), (done.clone(), want.clone()));

    // Killed while writing the parquet file: a footerless .tmp beside the journal.
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let j = journal(&dir, 1..100, &[]);
    let name = j.with_extension("parquet").file_name().unwrap().to_string_lossy().into_owned();
    let part = dir.join(partition(&row(1)));
    std::fs::create_dir_all(&part).unwrap();
    std::fs::write(part.join(format!(".{name}.tmp")), b"PAR1 half a file").unwrap();
    let r = recover_dir(&dir).unwrap();
    assert_eq!((r.stale_tmp, r.rows), (1, 99));
    assert_eq!((listing(&dir), seqs(&dir).0), (done, want));
    assert_eq!(first.rows, 99);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_process_holds_a_directory_and_recover_is_refused_meanwhile() {
    let dir = tmpdir("lock");
    let held = DirLock::acquire(&dir).unwrap();
    // flock locks belong to the open file description, so a second open in this process
    // conflicts like another process would.
    let e = DirLock::acquire(&dir).err().unwrap();
    assert!(e.contains("in use by another speckle process"), "{e}");
    assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
    let e = run(&dir).unwrap_err();
    assert!(e.contains("nothing to do while it runs"), "{e}");
    drop(held);
    run(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files of daemons before the journal (no `seq`, other names) are left alone and do not count.
#[test]
fn files_of_older_daemons_are_ignored() {
    let dir = tmpdir("old");
    std::fs::write(dir.join("speckle-1700000000000-42-0001.parquet"), b"not read").unwrap();
    assert_eq!(last_seq(&dir).unwrap(), 0);
    journal(&dir, 1..4, &[]);
    recover_dir(&dir).unwrap();
    assert_eq!(last_seq(&dir).unwrap(), 3);
    assert!(dir.join("speckle-1700000000000-42-0001.parquet").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rows of two sources over a UTC midnight land in `source=<escaped>/date=YYYY-MM-DD/`, one file
/// per partition under the journal's stem; a kill after some of them were published (here: one
/// removed again, with the journal back) makes recovery write only the missing one, so every row
/// is there once.
#[test]
fn rows_are_partitioned_by_source_and_utc_date_and_a_partial_conversion_completes() {
    let dir = tmpdir("hive");
    let midnight = 1_764_979_200_000; // 2025-12-06T00:00:00Z
    let sources = ["serial:/dev/ttyUSB0@1000000", "sim:optimal"];
    let rows: Vec<Row> = (1..=40u64)
        .map(|seq| Row {
            seq,
            time_ms: midnight - 10_000 + 500 * seq as i64,
            source: sources[seq as usize % 2].into(),
            ..Row::default()
        })
        .collect();
    let write_journal = || {
        let p = dir.join(format!("{PREFIX}000000000001-1700000000000.{JOURNAL_EXT}"));
        std::fs::write(&p, rows.iter().flat_map(encode).collect::<Vec<u8>>()).unwrap();
    };
    write_journal();
    let r = recover_dir(&dir).unwrap();
    assert_eq!((r.rows, r.files.len()), (40, 4));
    let file = format!("{PREFIX}000000000001-1700000000000.parquet");
    let want: Vec<String> = [
        "source=serial%3A%2Fdev%2FttyUSB0@1000000/date=2025-12-05",
        "source=serial%3A%2Fdev%2FttyUSB0@1000000/date=2025-12-06",
        "source=sim%3Aoptimal/date=2025-12-05",
        "source=sim%3Aoptimal/date=2025-12-06",
    ]
    .iter()
    .map(|p| format!("{p}/{file}"))
    .collect();
    assert_eq!(listing(&dir), want);
    let mut all = seqs(&dir).0;
    all.sort();
    assert_eq!(all, (1..=40).collect::<Vec<_>>());
    assert_eq!(last_seq(&dir).unwrap(), 40, "the newest row of all the journal's partitions");

    // Killed after two of the four files were published: the journal is back, two files gone.
    write_journal();
    std::fs::remove_file(dir.join(&want[1])).unwrap();
    std::fs::remove_file(dir.join(&want[2])).unwrap();
    let r = recover_dir(&dir).unwrap();
    assert_eq!((r.journals, r.files.len()), (1, 2), "only the missing partitions");
    assert_eq!(listing(&dir), want);
    let mut again = seqs(&dir).0;
    again.sort();
    assert_eq!(again, all, "every row once");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn partition_values_are_escaped_as_hive_does_and_dates_are_utc() {
    assert_eq!(escape_partition_value("sim:optimal"), "sim%3Aoptimal");
    assert_eq!(escape_partition_value("file:/a b/c=d%"), "file%3A%2Fa b%2Fc%3Dd%25");
    assert_eq!(escape_partition_value(""), "__HIVE_DEFAULT_PARTITION__");
    assert_eq!(escape_partition_value("ftdi:FT1@3000000"), "ftdi%3AFT1@3000000");
    assert_eq!(utc_date(0), "1970-01-01");
    assert_eq!(utc_date(-1), "1969-12-31");
    assert_eq!(utc_date(951_782_400_000), "2000-02-29");
    assert_eq!(utc_date(1_764_979_199_999), "2025-12-05");
    assert_eq!(utc_date(1_764_979_200_000), "2025-12-06");
    assert_eq!(utc_date(4_102_444_800_000), "2100-01-01");
}
