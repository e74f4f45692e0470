"""The independent reader of host/tests/telemetry_kill.rs: every *.parquet file under DIR (its hive
partitions source=.../date=.../ included) read whole
with pyarrow (Apache Arrow's C++ parquet implementation, not the Rust crate that wrote the files),
one line per row: `row FILE SEQ TIME_MS`, then `files N`. A file that does not read ends the script
with an error naming it."""

import pathlib
import sys

import pyarrow as pa
import pyarrow.parquet as pq

files = sorted(pathlib.Path(sys.argv[1]).rglob("*.parquet"))
for f in files:
    try:
        # every column, so every page is decoded; the file alone (its partition path adds nothing)
        table = pq.read_table(f, partitioning=None)
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        sys.exit(f"{f.name}: not a readable parquet file: {e}")
    seqs = table.column("seq").to_pylist()
    times = table.column("time_ms").cast(pa.int64()).to_pylist()
    for seq, t in zip(seqs, times):
        print("row", f.name, seq, t)
print("files", len(files))
