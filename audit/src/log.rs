//! Appending completed audits to CSV and SQLite (`--log-csv`, `--log-sqlite`), for analysis
//! outside the tool. One line (one table row) per report row, so that a single test's history
//! is a plain filter. Each audit is written whole or not at all: the CSV lines in one append and
//! sync, the SQLite rows in one transaction, so a crash never leaves half an audit.

use crate::report::Report;
use rusqlite::{params, Connection};
use std::io::Write;
use std::path::Path;

/// The CSV header; one line per report row follows.
pub const CSV_HEADER: &str =
    "unix_time,input,sequences,bits,audit_passed,test,label,tested,passed,not_applicable,min_p,uniformity,fails";

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), |v| format!("{v:e}"))
}

/// Quotes a CSV field when it holds a comma, quote or newline (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Appends `report` to the CSV file at `path`, writing the header first when the file is new.
pub fn append_csv(path: &Path, report: &Report, input: &str, unix_time: f64) -> Result<(), String> {
    let err = |e: std::io::Error| format!("--log-csv {}: {e}", path.display());
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
    let mut text = String::new();
    if f.metadata().map_err(err)?.len() == 0 {
        text += CSV_HEADER;
        text += "\n";
    }
    for r in &report.rows {
        text += &format!(
            "{unix_time:.3},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            field(input),
            report.sequences,
            report.bits,
            report.passed,
            r.test,
            field(&r.label),
            r.tested,
            r.passed,
            r.not_applicable,
            opt(r.min_p),
            opt(r.uniformity),
            r.fails
        );
    }
    f.write_all(text.as_bytes()).map_err(err)?;
    f.sync_data().map_err(err)
}

/// Appends `report` to the SQLite database at `path` (tables `audits` and `audit_rows`, made on
/// first use).
pub fn append_sqlite(
    path: &Path,
    report: &Report,
    input: &str,
    unix_time: f64,
) -> Result<(), String> {
    let err = |e: rusqlite::Error| format!("--log-sqlite {}: {e}", path.display());
    let mut db = Connection::open(path).map_err(err)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS audits (
             id INTEGER PRIMARY KEY, unix_time REAL NOT NULL, input TEXT NOT NULL,
             sequences INTEGER NOT NULL, bits INTEGER NOT NULL, passed INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS audit_rows (
             audit_id INTEGER NOT NULL REFERENCES audits(id), test TEXT NOT NULL, label TEXT NOT NULL,
             tested INTEGER NOT NULL, passed INTEGER NOT NULL, not_applicable INTEGER NOT NULL,
             min_p REAL, uniformity REAL, fails INTEGER NOT NULL);",
    )
    .map_err(err)?;
    let tx = db.transaction().map_err(err)?;
    tx.execute(
        "INSERT INTO audits (unix_time, input, sequences, bits, passed) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![unix_time, input, report.sequences as i64, report.bits as i64, report.passed],
    )
    .map_err(err)?;
    let id = tx.last_insert_rowid();
    {
        let mut st = tx
            .prepare(
                "INSERT INTO audit_rows (audit_id, test, label, tested, passed, not_applicable, min_p, \
                 uniformity, fails) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(err)?;
        for r in &report.rows {
            st.execute(params![
                id,
                r.test,
                r.label,
                r.tested as i64,
                r.passed as i64,
                r.not_applicable as i64,
                r.min_p,
                r.uniformity,
                r.fails
            ])
            .map_err(err)?;
        }
    }
    tx.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{summarise, Row};
    use crate::tests::Source;

    fn report() -> Report {
        let rows = vec![
            Row {
                test: "Frequency",
                label: String::new(),
                source: Source::Sp800_22,
                p_values: vec![0.5, 0.25],
                not_applicable: 0,
                reason: None,
            },
            Row {
                test: "RandomExcursions",
                label: "x=+1".into(),
                source: Source::Sp800_22,
                p_values: vec![],
                not_applicable: 2,
                reason: Some("not applicable".into()),
            },
        ];
        summarise(&rows, 2, 1000)
    }

    fn tmp(name: &str) -> std::path::PathBuf {
        let p =
            std::env::temp_dir().join(format!("speckle-audit-log-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn csv_gets_one_header_and_a_line_per_row_per_audit() {
        let p = tmp("a.csv");
        append_csv(&p, &report(), "file,with comma", 1.5).unwrap();
        append_csv(&p, &report(), "sim:optimal", 2.5).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * 2);
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            "1.500,\"file,with comma\",2,1000,true,Frequency,,2,2,0,2.5e-1,,false"
        );
        assert!(lines[2].ends_with(",RandomExcursions,x=+1,0,0,2,,,false"), "{}", lines[2]);
        assert!(lines[3].starts_with("2.500,sim:optimal,"));
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn sqlite_keeps_every_audit_and_its_rows() {
        let p = tmp("a.sqlite");
        append_sqlite(&p, &report(), "one", 1.0).unwrap();
        append_sqlite(&p, &report(), "two", 2.0).unwrap();
        let db = Connection::open(&p).unwrap();
        let n: i64 = db.query_row("SELECT count(*) FROM audit_rows", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 4);
        let (input, min_p): (String, f64) = db
            .query_row(
                "SELECT a.input, r.min_p FROM audits a JOIN audit_rows r ON r.audit_id = a.id \
                 WHERE a.id = 2 AND r.test = 'Frequency'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((input.as_str(), min_p), ("two", 0.25));
        let na: Option<f64> = db
            .query_row(
                "SELECT min_p FROM audit_rows WHERE test = 'RandomExcursions' LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(na, None);
        std::fs::remove_file(&p).unwrap();
    }
}
