"""Seconds nistrng takes for the five tests of nistrng_pvalues.py on one file, median of REPS
runs (audit/examples/audit_bench.rs calls this: usage FILE REPS)."""
import statistics
import sys
import time

import nistrng_pvalues

path, reps = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    nistrng_pvalues.pvalues(path)
    times.append(time.perf_counter() - t0)
print(statistics.median(times))
