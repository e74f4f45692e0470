//! The parquet side of telemetry: the column list, the schema generated from it, and [`ParquetOut`],
//! which writes rows to a hidden `.tmp` file and publishes it atomically (fsync, rename, fsync of
//! the directory), so a reader of `*.parquet` never meets a file without its footer.

use crate::row::Row;
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError as PErr;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per row group: what a writer holds in memory.
pub const ROWS_PER_GROUP: usize = 64;
/// Footer keys: the `seq` of the file's first and last row.
pub const FIRST_SEQ_KEY: &str = "speckle.first_seq";
pub const LAST_SEQ_KEY: &str = "speckle.last_seq";

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Time,
    Str,
    Bool,
    I64,
    I32,
    F64,
    OptF64,
    OptI32,
    OptStr,
}

/// Column order of the files; names are the `Row` field names.
pub(crate) const COLUMNS: &[(&str, Kind)] = &[
    ("seq", Kind::I64),
    ("time_ms", Kind::Time),
    ("source", Kind::Str),
    ("provenance", Kind::Str),
    ("mode", Kind::Str),
    ("healthy", Kind::Bool),
    ("reason", Kind::Str),
    ("recovery", Kind::Str),
    ("bytes_in", Kind::I64),
    ("bytes_out", Kind::I64),
    ("frames_ok", Kind::I64),
    ("bad_crc", Kind::I64),
    ("lost", Kind::I64),
    ("resync_bytes", Kind::I64),
    ("unknown_type", Kind::I64),
    ("bad_payload", Kind::I64),
    ("discarded_blocks", Kind::I64),
    ("board_alarms", Kind::I32),
    ("board_state", Kind::I32),
    ("board_samples", Kind::I64),
    ("board_blocks", Kind::I64),
    ("board_dropped", Kind::I64),
    ("rct_failures", Kind::I32),
    ("apt_failures", Kind::I32),
    ("markov_failures", Kind::I32),
    ("rct_max_run", Kind::I32),
    ("apt_max_count", Kind::I32),
    ("markov_min", Kind::I32),
    ("markov_max", Kind::I32),
    ("rct_cutoff", Kind::OptI32),
    ("apt_cutoff", Kind::OptI32),
    ("markov_lo_cutoff", Kind::OptI32),
    ("markov_hi_cutoff", Kind::OptI32),
    ("window", Kind::OptI32),
    ("host_rct_failures", Kind::I64),
    ("host_apt_failures", Kind::I64),
    ("host_markov_failures", Kind::I64),
    ("sfp_temp_c", Kind::OptF64),
    ("sfp_vcc_v", Kind::OptF64),
    ("sfp_tx_bias_ma", Kind::OptF64),
    ("sfp_tx_power_mw", Kind::OptF64),
    ("sfp_rx_power_mw", Kind::OptF64),
    ("sfp_flags", Kind::OptI32),
    ("sfp_diag_hex", Kind::OptStr),
    ("in_bytes_per_s", Kind::F64),
    ("out_bytes_per_s", Kind::F64),
    ("sink_dropped_bytes", Kind::Str),
    ("kernel_credited_bits", Kind::I64),
    ("raw_min_entropy", Kind::OptF64),
    ("raw_entropy_claim", Kind::OptF64),
    ("audit", Kind::Str),
];

/// The parquet message type, generated from [`COLUMNS`] so the two cannot drift apart.
pub fn schema_text() -> String {
    let mut s = String::from("message speckle_telemetry {\n");
    for (name, kind) in COLUMNS {
        let t = match kind {
            Kind::Time => "REQUIRED INT64 %s (TIMESTAMP(MILLIS,true))",
            Kind::Str => "REQUIRED BYTE_ARRAY %s (UTF8)",
            Kind::Bool => "REQUIRED BOOLEAN %s",
            Kind::I64 => "REQUIRED INT64 %s",
            Kind::I32 => "REQUIRED INT32 %s",
            Kind::F64 => "REQUIRED DOUBLE %s",
            Kind::OptF64 => "OPTIONAL DOUBLE %s",
            Kind::OptI32 => "OPTIONAL INT32 %s",
            Kind::OptStr => "OPTIONAL BYTE_ARRAY %s (UTF8)",
        };
        s += &format!("  {};\n", t.replace("%s", name));
    }
    s + "}\n"
}

/// A parquet file being written under a hidden temporary name in its destination's directory.
pub struct ParquetOut {
    writer: SerializedFileWriter<File>,
    tmp: PathBuf,
    dest: PathBuf,
    rows: Vec<Value>,
    first_seq: Option<u64>,
    last_seq: u64,
    count: u64,
}

impl ParquetOut {
    /// `dest` must end in `.parquet`; the rows go to `.NAME.tmp` beside it until [`Self::publish`].
    pub fn create(dest: &Path) -> Result<Self, String> {
        let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("telemetry.parquet");
        let tmp = dest.with_file_name(format!(".{name}.tmp"));
        let file =
            File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let schema = Arc::new(parse_message_type(&schema_text()).map_err(|e| e.to_string())?);
        let props = Arc::new(
            WriterProperties::builder().set_compression(Compression::UNCOMPRESSED).build(),
        );
        let writer = SerializedFileWriter::new(file, schema, props).map_err(|e| e.to_string())?;
        Ok(ParquetOut {
            writer,
            tmp,
            dest: dest.to_path_buf(),
            rows: Vec::new(),
            first_seq: None,
            last_seq: 0,
            count: 0,
        })
    }

    pub fn push(&mut self, row: &Row) -> Result<(), String> {
        self.first_seq.get_or_insert(row.seq);
        self.last_seq = row.seq;
        self.count += 1;
        self.rows.push(serde_json::to_value(row).map_err(|e| e.to_string())?);
        if self.rows.len() >= ROWS_PER_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.count
    }

    fn flush_group(&mut self) -> Result<(), String> {
        let rows = std::mem::take(&mut self.rows);
        write_group(&mut self.writer, &rows)
            .map_err(|e| format!("writing telemetry {}: {e}", self.tmp.display()))
    }

    /// Footer, fsync, rename into place, fsync of the directory: after this returns the file is
    /// complete under its final name, and stays so through a power loss.
    pub fn publish(mut self) -> Result<PathBuf, String> {
        self.flush_group()?;
        for (k, v) in [(FIRST_SEQ_KEY, self.first_seq.unwrap_or(0)), (LAST_SEQ_KEY, self.last_seq)]
        {
            self.writer.append_key_value_metadata(KeyValue::new(k.into(), v.to_string()));
        }
        let tmp = self.tmp.clone();
        let file =
            self.writer.into_inner().map_err(|e| format!("closing {}: {e}", tmp.display()))?;
        file.sync_all().map_err(|e| format!("fsync {}: {e}", tmp.display()))?;
        drop(file);
        std::fs::rename(&tmp, &self.dest)
            .map_err(|e| format!("renaming {}: {e}", tmp.display()))?;
        sync_dir(&self.dest)?;
        Ok(self.dest)
    }

    /// Removes the temporary file (nothing was published).
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// fsync of the directory holding `path`, so a rename or unlink in it survives a power loss.
pub fn sync_dir(path: &Path) -> Result<(), String> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("fsync of directory {}: {e}", dir.display()))
}

/// The `seq` of a file's last row, from its footer (`None`: not written by this version, or no
/// readable footer).
pub fn last_seq_of(path: &Path) -> Option<u64> {
    let reader = SerializedFileReader::new(File::open(path).ok()?).ok()?;
    let kv = reader.metadata().file_metadata().key_value_metadata()?;
    kv.iter().find(|k| k.key == LAST_SEQ_KEY)?.value.as_deref()?.parse().ok()
}

fn write_group(w: &mut SerializedFileWriter<File>, rows: &[Value]) -> Result<(), PErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut group = w.next_row_group()?;
    let mut i = 0;
    while let Some(mut col) = group.next_column()? {
        let (name, kind) = COLUMNS[i];
        i += 1;
        let vals = rows.iter().map(|r| &r[name]);
        let present: Vec<i16> = rows.iter().map(|r| i16::from(!r[name].is_null())).collect();
        let written = match (col.untyped(), kind) {
            (ColumnWriter::Int64ColumnWriter(w), _) => {
                let v: Vec<i64> = vals.map(|v| v.as_i64().unwrap_or(0)).collect();
                w.write_batch(&v, None, None)
            }
            (ColumnWriter::Int32ColumnWriter(w), Kind::OptI32) => {
                let v: Vec<i32> = vals.filter_map(|v| v.as_i64()).map(|x| x as i32).collect();
                w.write_batch(&v, Some(&present), None)
            }
            (ColumnWriter::Int32ColumnWriter(w), _) => {
                let v: Vec<i32> = vals.map(|v| v.as_i64().unwrap_or(0) as i32).collect();
                w.write_batch(&v, None, None)
            }
            (ColumnWriter::DoubleColumnWriter(w), Kind::OptF64) => {
                let v: Vec<f64> = vals.filter_map(|v| v.as_f64()).collect();
                w.write_batch(&v, Some(&present), None)
            }
            (ColumnWriter::DoubleColumnWriter(w), _) => {
                let v: Vec<f64> = vals.map(|v| v.as_f64().unwrap_or(f64::NAN)).collect();
                w.write_batch(&v, None, None)
            }
            (ColumnWriter::BoolColumnWriter(w), _) => {
                let v: Vec<bool> = vals.map(|v| v.as_bool().unwrap_or(false)).collect();
                w.write_batch(&v, None, None)
            }
            (ColumnWriter::ByteArrayColumnWriter(w), Kind::OptStr) => {
                let v: Vec<ByteArray> =
                    vals.filter_map(|v| v.as_str()).map(ByteArray::from).collect();
                w.write_batch(&v, Some(&present), None)
            }
            (ColumnWriter::ByteArrayColumnWriter(w), _) => {
                let v: Vec<ByteArray> =
                    vals.map(|v| ByteArray::from(v.as_str().unwrap_or(""))).collect();
                w.write_batch(&v, None, None)
            }
            _ => unreachable!("schema_text() only makes the column types matched above"),
        };
        written?;
        col.close()?;
    }
    group.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field added to `Row` but not to `COLUMNS` would silently miss the files (and vice versa).
    #[test]
    fn columns_are_exactly_the_row_fields_and_the_schema_parses() {
        let v = serde_json::to_value(Row::default()).unwrap();
        let mut fields: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut cols: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        fields.sort();
        cols.sort();
        assert_eq!(fields, cols);
        let schema = parse_message_type(&schema_text()).unwrap();
        assert_eq!(schema.get_fields().len(), COLUMNS.len());
    }

    /// Nothing under the final name until the footer is written and synced; the footer carries
    /// the first and last `seq`.
    #[test]
    fn a_file_appears_only_when_published_and_carries_its_seq_range() {
        let dir = std::env::temp_dir().join(format!("speckle-pq-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("x.parquet");
        let mut out = ParquetOut::create(&dest).unwrap();
        for seq in 7..7 + 2 * ROWS_PER_GROUP as u64 + 3 {
            out.push(&Row { seq, sfp_temp_c: Some(1.5), ..Row::default() }).unwrap();
            assert!(!dest.exists());
        }
        assert!(dir.join(".x.parquet.tmp").exists());
        assert_eq!(out.publish().unwrap(), dest);
        assert!(!dir.join(".x.parquet.tmp").exists());
        assert_eq!(last_seq_of(&dest), Some(7 + 2 * ROWS_PER_GROUP as u64 + 2));
        let r = SerializedFileReader::new(File::open(&dest).unwrap()).unwrap();
        assert_eq!(r.metadata().file_metadata().num_rows(), 2 * ROWS_PER_GROUP as i64 + 3);
        assert_eq!(r.metadata().num_row_groups(), 3);
        ParquetOut::create(&dir.join("y.parquet")).unwrap().discard();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
