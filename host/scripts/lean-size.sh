#!/usr/bin/env bash
# `make lean-size`: the production build (`--no-default-features`) beside the full build, measured:
# a cold `cargo build --release` of each in its own target directory (sources already downloaded),
# its wall time, the binary's size unstripped and stripped, and the crates in its normal dependency
# tree. Writes the table between the lean-size markers of DOC (docs/host.md).
set -euo pipefail
doc=${1:?usage: lean-size.sh DOC}
cargo=${CARGO:-cargo}
work=${LEAN_SIZE_DIR:-target/lean-size}
grep -q '^<!-- lean-size:begin -->$' "$doc" && grep -q '^<!-- lean-size:end -->$' "$doc" ||
  { echo "lean-size: $doc has no <!-- lean-size:begin/end --> markers" >&2; exit 1; }

rows=""
measure() { # LABEL FEATURE-ARGS...
  local label=$1; shift
  local dir=$work/$label
  rm -rf "$dir" # cold: the time covers every crate, Verilator's models and all
  local t0 t
  t0=$(date +%s)
  CARGO_TARGET_DIR=$dir $cargo build --locked --release -p speckle "$@" >&2
  t=$(($(date +%s) - t0))
  local bin=$dir/release/speckle
  strip -o "$dir/speckle.stripped" "$bin"
  local full stripped crates
  full=$(stat -c %s "$bin")
  stripped=$(stat -c %s "$dir/speckle.stripped")
  crates=$($cargo tree --locked -p speckle "$@" -e normal --prefix none --format '{p}' |
    sed 's/ (.*//' | sort -u | wc -l)
  "$dir/release/speckle" --version >/dev/null
  rows+=$(printf '| %s | `%s` | %d | %.1f MiB | %.1f MiB | %dm%02ds |' "$label" \
    "cargo build --release -p speckle${*:+ $*}" "$crates" \
    "$(awk "BEGIN { print $full / 1048576 }")" "$(awk "BEGIN { print $stripped / 1048576 }")" \
    $((t / 60)) $((t % 60)))
  rows+=$'\n'
  rm -rf "$dir/release/build" "$dir/release/deps" "$dir/release/incremental" # keep only the binaries
}
measure production --no-default-features
measure full

table=$(
  echo "Measured by \`make lean-size\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(rustc --version | cut -d' ' -f1-2):"
  echo
  echo '| build | command | crates (`cargo tree -e normal`) | binary | stripped | cold build, wall time |'
  echo '|---|---|---|---|---|---|'
  printf '%s' "$rows"
)
awk -v table="$table" '
  /^<!-- lean-size:begin -->$/ { print; print table; skip = 1; next }
  /^<!-- lean-size:end -->$/ { skip = 0 }
  !skip { print }' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
echo "lean-size: wrote the table into $doc"
