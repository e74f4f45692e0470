#!/usr/bin/env bash
# Regenerates audit/tests/fixtures/sts/*.txt: NIST STS 2.1.2's p-values on the cross-check inputs.
# CI reaches no source host, so STS's outputs are committed and this is how they were made:
#
#   audit/crosscheck/run-sts.sh /path/to/NIST-Statistical-Test-Suite/sts
#
# STS_DIR is STS 2.1.2's `sts` directory (terrillmoore/NIST-Statistical-Test-Suite, commit
# 07cd577), built with its makefile (`mkdir -p obj && make`). Each input is one sequence of
# 10^6 bits, all 15 tests with STS's default parameters (answers: 0 = input file, 1 = all
# tests, 0 = keep the parameters, 1 stream, 1 = binary / 0 = ASCII). assess exits 1 even when it
# succeeds (main falls off its end), so its status is ignored and the results files are read.
set -euo pipefail
sts=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/tests/fixtures/sts
in=$(mktemp -d)
trap 'rm -rf "$in"' EXIT
mkdir -p "$out"
(cd "$here/.." && cargo run -q -p speckle-audit --example crosscheck_inputs "$in")
tests="Frequency BlockFrequency CumulativeSums Runs LongestRun Rank FFT NonOverlappingTemplate
       OverlappingTemplate Universal ApproximateEntropy RandomExcursions RandomExcursionsVariant
       Serial LinearComplexity"
for f in "$in"/*.bin "$in"/e.txt; do
    name=$(basename "${f%.*}")
    mode=1; [ "${f##*.}" = txt ] && mode=0
    (cd "$sts" && for d in $tests; do mkdir -p experiments/AlgorithmTesting/$d; done &&
        { printf '0\n%s\n1\n0\n1\n%s\n' "$f" "$mode" | ./assess 1000000 >/dev/null || true; })
    { echo "# NIST STS 2.1.2, ./assess 1000000, one stream, input: $name (audit/crosscheck/run-sts.sh)"
      for t in $tests; do echo "$t $(tr -s ' \n' ' ' < "$sts/experiments/AlgorithmTesting/$t/results.txt")"; done
    } > "$out/$name.txt"
    echo "wrote $out/$name.txt"
done
