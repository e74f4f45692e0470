"""p-values of pip's nistrng (SAILab, 1.2.3) for the SP 800-22 tests it implements as the spec
writes them, on binary files of one sequence each (bits most significant first), as JSON:
{"FILE": {"Frequency": [p], ...}}. Called by audit/tests/nistrng_crosscheck.rs.

Only five of nistrng's fifteen tests follow the spec; the others deviate (docs/audit.md lists
how) and are compared with NIST's STS instead. Block frequency is run with the spec's default
M = 128: nistrng picks its own block length unless its two fields below are set.
"""
import json
import sys

import numpy
from nistrng import SP800_22R1A_BATTERY

TESTS = {
    "monobit": "Frequency",
    "frequency_within_block": "BlockFrequency",
    "runs": "Runs",
    "binary_matrix_rank": "Rank",
    "dft": "FFT",
}


def pvalues(path):
    bits = numpy.unpackbits(numpy.fromfile(path, dtype=numpy.uint8)).astype(numpy.int64)
    out = {}
    for key, name in TESTS.items():
        test = SP800_22R1A_BATTERY[key]
        if key == "frequency_within_block":
            test._default_block_size = 128
            test._blocks_number_max = bits.size + 1
            test._last_bits_size = -1
        out[name] = [float(x) for x in numpy.atleast_1d(test._execute(bits.copy()).score)]
    return out


if __name__ == "__main__":
    print(json.dumps({path: pvalues(path) for path in sys.argv[1:]}))
