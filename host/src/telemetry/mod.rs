//! Rolling parquet telemetry, one row per source per STATUS interval (schema: docs/telemetry.md).
//!
//! A parquet file is only readable once its footer is written, so the file being filled lives under
//! a hidden `.tmp` name and is renamed only after `close()` wrote the footer: every `*.parquet` in the
//! directory is complete even after SIGKILL, and a kill costs at most the rows of the current file
//! (one rotation period). Row groups hold at most [`ROWS_PER_GROUP`] rows, bounding memory.

use crate::row::Row;
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const ROWS_PER_GROUP: usize = 64;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
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
const COLUMNS: &[(&str, Kind)] = &[
    ("time_ms", Kind::Time),
    ("source", Kind::Str),
    ("provenance", Kind::Str),
    ("mode", Kind::Str),
    ("healthy", Kind::Bool),
    ("reason", Kind::Str),
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

struct Open {
    writer: SerializedFileWriter<File>,
    tmp: PathBuf,
    dest: PathBuf,
    started: Instant,
    rows: Vec<Value>,
}

pub struct Telemetry {
    dir: PathBuf,
    rotate: Duration,
    serial: u32,
    open: Option<Open>,
    pub files_written: Vec<PathBuf>,
}

impl Telemetry {
    /// Creates the directory; leftovers of a killed run (footerless `.tmp` files) are removed.
    pub fn new(dir: &Path, rotate: Duration) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create telemetry directory {}: {e}", dir.display()))?;
        for e in std::fs::read_dir(dir)
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".speckle-") && name.ends_with(".parquet.tmp") {
                eprintln!("speckle: removing unfinished telemetry file {name} (a previous run was killed)");
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(Telemetry {
            dir: dir.to_path_buf(),
            rotate,
            serial: 0,
            open: None,
            files_written: Vec::new(),
        })
    }

    pub fn push(&mut self, row: &Row) -> Result<(), String> {
        if self.open.is_none() {
            self.open = Some(self.start()?);
        }
        let o = self.open.as_mut().unwrap();
        o.rows.push(serde_json::to_value(row).map_err(|e| e.to_string())?);
        if o.rows.len() >= ROWS_PER_GROUP {
            write_group(o)?;
        }
        if o.started.elapsed() >= self.rotate {
            self.finish()?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<Open, String> {
        self.serial += 1;
        let stem = format!(
            "speckle-{}-{}-{:04}",
            crate::ingest::unix_ms(),
            std::process::id(),
            self.serial
        );
        let dest = self.dir.join(format!("{stem}.parquet"));
        let tmp = self.dir.join(format!(".{stem}.parquet.tmp"));
        let file =
            File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let schema = Arc::new(parse_message_type(&schema_text()).map_err(|e| e.to_string())?);
        let props = Arc::new(
            WriterProperties::builder().set_compression(Compression::UNCOMPRESSED).build(),
        );
        let writer = SerializedFileWriter::new(file, schema, props).map_err(|e| e.to_string())?;
        Ok(Open { writer, tmp, dest, started: Instant::now(), rows: Vec::new() })
    }

    /// Writes the footer and renames the file into place.
    pub fn finish(&mut self) -> Result<(), String> {
        let Some(mut o) = self.open.take() else { return Ok(()) };
        write_group(&mut o)?;
        o.writer.close().map_err(|e| format!("closing {}: {e}", o.tmp.display()))?;
        std::fs::rename(&o.tmp, &o.dest)
            .map_err(|e| format!("renaming {}: {e}", o.tmp.display()))?;
        self.files_written.push(o.dest);
        Ok(())
    }
}

fn write_group(o: &mut Open) -> Result<(), String> {
    if o.rows.is_empty() {
        return Ok(());
    }
    let err =
        |e: parquet::errors::ParquetError| format!("writing telemetry {}: {e}", o.tmp.display());
    let rows = std::mem::take(&mut o.rows);
    let mut group = o.writer.next_row_group().map_err(err)?;
    let mut i = 0;
    while let Some(mut col) = group.next_column().map_err(err)? {
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
        written.map_err(err)?;
        col.close().map_err(err)?;
    }
    group.close().map_err(err)?;
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
}
