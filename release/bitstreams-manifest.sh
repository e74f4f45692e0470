#!/usr/bin/env bash
# make bitstreams-manifest: builds each board's bitstream twice, each time in a fresh clone of HEAD
# at its own path (so neither the checkout's path nor a leftover file can leak into it), fails
# unless the two are byte-identical, and writes the manifest: `<sha256>  <file>` per board under a
# header naming the commit and the tool versions the digests hold for (docs/release.md).
# Usage: bitstreams-manifest.sh MANIFEST SPECKLE_BOARDS BOARD..., with the tools' paths in YOSYS,
# NEXTPNR_ICE40, ICEPACK, NEXTPNR_ECP5 and ECPPACK (for the header).
set -euo pipefail
: "${YOSYS:?}" "${NEXTPNR_ICE40:?}" "${ICEPACK:?}" "${NEXTPNR_ECP5:?}" "${ECPPACK:?}"
manifest=$1 boards_tool=$(realpath "$2"); shift 2
root=$(pwd)
[ -z "$(git status --porcelain --untracked-files=no -- rtl boards constraints ":!$manifest")" ] ||
  { echo "bitstreams-manifest: rtl/, boards/ or constraints/ has uncommitted changes; commit them first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/speckle-bitstreams.XXXXXX")
trap 'rm -rf "$work"' EXIT
lines=()
for b in "$@"; do
  vars=$("$boards_tool" vars "$b" | tr '\n' ' ')
  sums=()
  for i in 1 2; do
    d=$work/clone-$i-$b
    git clone -q "$root" "$d"
    echo "bitstreams-manifest: $b: build $i in $d"
    # shellcheck disable=SC2086 # $vars is NAME=VALUE words
    make -C "$d" --no-print-directory fpga-build BOARD="$b" $vars SPECKLE_BOARDS="$boards_tool" \
      >"$work/$b-$i.log" 2>&1 || { cat "$work/$b-$i.log" >&2; exit 1; }
    for f in "$d/target/fpga/$b/$b.bin" "$d/target/fpga/$b/$b.bit"; do [ -f "$f" ] && break; done
    sums+=("$(sha256sum "$f" | cut -c1-64)")
    name=$(basename "$f")
  done
  [ "${sums[0]}" = "${sums[1]}" ] ||
    { echo "bitstreams-manifest: $b: two clean builds differ (${sums[0]} vs ${sums[1]})" >&2; exit 1; }
  echo "bitstreams-manifest: $b: both builds $name ${sums[0]}"
  lines+=("${sums[0]}  $name")
done
{
  echo "# Bitstream digests: two clean builds each, byte-identical (make bitstreams-manifest, docs/release.md)."
  echo "# source commit $(git rev-parse HEAD)"
  # The tools make used (mk/release.mk passes the paths mk/fpga.mk chose).
  echo "# yosys: $($YOSYS -V 2>&1 | head -1)"
  echo "# nextpnr-ice40: $($NEXTPNR_ICE40 --version 2>&1 | head -1)"
  echo "# icepack: $(dpkg-query -W -f='fpga-icestorm ${Version}' fpga-icestorm 2>/dev/null || echo "$ICEPACK")"
  echo "# nextpnr-ecp5: $($NEXTPNR_ECP5 --version 2>&1 | head -1)"
  echo "# ecppack: $($ECPPACK --version 2>&1 | head -1)"
  printf '%s\n' "${lines[@]}"
} >"$manifest"
echo "bitstreams-manifest: wrote $manifest"
