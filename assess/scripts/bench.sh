#!/usr/bin/env bash
# make assess-bench: speckle-assess (release build of the assess_file example: the library behind
# `speckle assess`, without the daemon) against NIST's ea_non_iid on the same files in the same
# run, alternating, ASSESS_BENCH_REPS times each; medians of wall-clock time into the table between
# <!-- assess-bench:begin --> and <!-- assess-bench:end --> of docs/assess.md. Both tools' final
# estimates are compared as a sanity check (0.001 bit).
# Usage: bench.sh EXAMPLES_DIR NIST_CPP REPS DOC
set -euo pipefail
ex=$1 nist=$2 reps=$3 doc=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=(fair_bits_1m intensity_u8)
for name in "${inputs[@]}"; do "$ex/fixture_input" "$name" "$work/$name.bin" > "$work/$name.meta"; done
command -v /usr/bin/time > /dev/null || { echo "assess-bench: /usr/bin/time is needed (Debian package time)" >&2; exit 1; }
for name in "${inputs[@]}"; do
  read -r _ bits n < "$work/$name.meta"
  for ((r = 0; r < reps; r++)); do
    # wall, user and system seconds, one line per run
    /usr/bin/time -a -o "$work/$name.ours.t" -f "%e %U %S" "$ex/assess_file" "$work/$name.bin" "$bits" > "$work/$name.ours.json"
    (cd "$work" && /usr/bin/time -a -o "$name.nist.t" -f "%e %U %S" "$nist/ea_non_iid" -i -a -q -o "$name.nist.json" "$name.bin" "$bits" > /dev/null)
  done
  echo "assess-bench: $name done" >&2
done
python3 - "$work" "$doc" "$reps" "$(git -C "$nist" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(rustc --version)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "${inputs[@]}" <<'PY'
import json, re, statistics, sys
work, doc, reps, commit, rustc, cpuname, cores, load, *inputs = sys.argv[1:]
desc = {"fair_bits_1m": "1 000 000 binary samples (fair coin)", "intensity_u8": "100 000 8-bit samples (H_original and H_bitstring over 800 000 bits)"}
rows = ["| input | speckle-assess wall (s) | ea_non_iid wall (s) | speed-up (wall) | speckle-assess CPU (s) | ea_non_iid CPU (s) | H speckle-assess | H ea_non_iid |",
        "|---|---|---|---|---|---|---|---|"]
for name in inputs:
    runs = lambda who: [list(map(float, l.split())) for l in open(f"{work}/{name}.{who}.t") if l.strip()]
    med = lambda who: statistics.median(r[0] for r in runs(who))
    cpu = lambda who: statistics.median(r[1] + r[2] for r in runs(who))
    ours, nist = med("ours"), med("nist")
    h_ours = json.load(open(f"{work}/{name}.ours.json"))["h_assessed"]
    h_nist = [t for t in json.load(open(f"{work}/{name}.nist.json"))["testCases"] if t["testCaseDesc"] == "Overall"][0]["hAssessed"]
    if abs(h_ours - h_nist) > 0.001:
        sys.exit(f"assess-bench: {name}: the tools disagree: {h_ours} vs {h_nist}")
    rows.append(f"| {desc.get(name, name)} | {ours:.3f} | {nist:.3f} | {nist / ours:.1f}× | {cpu('ours'):.3f} | {cpu('nist'):.3f} | {h_ours:.6f} | {h_nist:.6f} |")
body = "\n".join(rows) + (f"\n\nMedians of {reps} runs each, alternating; CPU = user + system time. speckle-assess "
       f"runs its estimators in parallel threads, ea_non_iid on one core. {cpuname}, {cores} cores "
       f"(load average at the end {load}: a shared machine); {rustc}; ea_non_iid at commit {commit} built with "
       f"its own Makefile (-O2 -march=native). Regenerate with `make assess-bench`.")
text = open(doc).read()
text, n = re.subn(r"(<!-- assess-bench:begin -->\n).*?(<!-- assess-bench:end -->)", lambda m: m.group(1) + body + "\n" + m.group(2), text, flags=re.S)
if n != 1:
    sys.exit(f"assess-bench: {doc} needs one <!-- assess-bench:begin --> ... <!-- assess-bench:end --> pair")
open(doc, "w").write(text)
print(body)
PY
