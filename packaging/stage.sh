#!/usr/bin/env bash
# Stage what the .deb and the .rpm install, from one built binary, in neutral names that
# host/Cargo.toml's [package.metadata.deb] assets and rpm/speckle.spec each map to their
# distribution's paths:
#   STAGE/speckle                   the binary (stripped by the cargo profile `dist`)
#   STAGE/man1/speckle*.1.gz        `speckle manpages` (clap_mangen), gzip -9n
#   STAGE/completions/speckle.bash, _speckle (zsh), speckle.fish   `speckle completions SHELL`
# Deterministic: every file's mtime is SOURCE_DATE_EPOCH (required), gzip stores no name or time.
#   stage.sh BINARY STAGE
set -euo pipefail
[ $# = 2 ] || { echo "usage: stage.sh BINARY STAGE" >&2; exit 2; }
bin=$1 stage=$2
[ -x "$bin" ] || { echo "stage: no executable at $bin" >&2; exit 1; }
[ -n "${SOURCE_DATE_EPOCH:-}" ] || { echo "stage: SOURCE_DATE_EPOCH is not set" >&2; exit 1; }

rm -rf "$stage"
mkdir -p "$stage/man1" "$stage/completions"
install -m755 "$bin" "$stage/speckle"
"$stage/speckle" manpages "$stage/man1"
ls "$stage/man1/"*.1 >/dev/null 2>&1 || { echo "stage: speckle manpages wrote no page" >&2; exit 1; }
gzip -9n "$stage/man1/"*.1
"$stage/speckle" completions bash > "$stage/completions/speckle.bash"
"$stage/speckle" completions zsh > "$stage/completions/_speckle"
"$stage/speckle" completions fish > "$stage/completions/speckle.fish"
for f in "$stage/completions/"*; do
    [ -s "$f" ] || { echo "stage: empty completion file $f" >&2; exit 1; }
done
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
echo "stage: $stage: $(ls "$stage/man1" | wc -l) man pages, 3 completion files"
