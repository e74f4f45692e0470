#!/usr/bin/env bash
# Builds the daemon's image (packaging/container/Containerfile) and runs it; mk/container.mk calls
# it with the environment below.
#
#   check.sh build FEATURES GPU TAG BIN   one image, localhost/speckle:TAG, with BIN as the binary
#   check.sh smoke                        build localhost/speckle:test (FEATURES=default) from
#                                         $SPECKLE_HOST_BIN; `--version`, then `run --source
#                                         sim:optimal --output stdout` (512 bytes, at most 60 s, so
#                                         that a loaded machine does not fail it): bytes arrive on
#                                         stdout and the summary says they are not entropy
#   check.sh all                          smoke, and:
#     - the production image (FEATURES="", $SPECKLE_LEAN_BIN): `speckle sim` refused naming the
#       feature; a board simulated on the host (`speckle sim`, on a pty) read in the container as
#       serial:/dev/ttyUSB0 by the packaged config with --output stdout, as an unprivileged user
#       let in by --group-add (the device's group); `--output kernel` refused without
#       CAP_SYS_ADMIN, naming it
#     - GPU=mesa: `--mode raw --whiten gpu` runs on Mesa's lavapipe in the image, where GPU=none
#       falls back to the CPU backend and says so
#     - refusals of the build: FEATURES naming sim for a binary without it, GPU=bogus
#
# Environment: CONTAINERS_CONF and CONTAINERS_STORAGE_CONF (podman's private configuration),
# BASE (the base image), BUILD_CTX (a directory for build contexts), APT_CACHE (apt's lists and
# downloads, kept between builds), SPECKLE_HOST_BIN (a binary with the default features),
# SPECKLE_LEAN_BIN (the production binary; `all` only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${CONTAINERS_CONF:?}" "${CONTAINERS_STORAGE_CONF:?}" "${BASE:?}" "${BUILD_CTX:?}"
: "${APT_CACHE:?}"
work=$(mktemp -d)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "container-check: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root: podman is configured here for root (rootful, vfs, runc)"
# The store is this check's alone: a container that a killed run left behind (its state outlives a
# reboot, nothing here being on tmpfs) would keep its image from being pruned.
podman rm --all --force > /dev/null

# Every run is as documented: no network, no capabilities unless the case adds one.
run() { podman run --rm --network none --cap-drop all "$@"; }

# packages BIN: the Debian packages of BIN's shared libraries, as this machine's dpkg knows them
# (a library may be registered under /lib or /usr/lib, or as the file a soname link points to).
packages() {
    local lib real c p pkgs=()
    for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
        real=$(readlink -f "$lib") p=
        for c in "$lib" "$real" "/usr${lib#/usr}" "${lib#/usr}" "${real#/usr}"; do
            p=$(dpkg -S "$c" 2> /dev/null | head -1 | cut -d: -f1) && [ -n "$p" ] && break
        done
        [ -n "$p" ] || fail "$1 needs $lib, which no Debian package installed here provides"
        pkgs+=("$p")
    done
    printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd ' '
}

# build FEATURES GPU TAG BIN [LOG]: the image, or a non-zero exit with podman's output in LOG.
build() {
    local features=$1 gpu=$2 tag=$3 bin=$4 log=${5:-$work/build-$3.log} ctx=$BUILD_CTX/$3 pkgs
    [ -x "$bin" ] || fail "no binary at $bin"
    pkgs=$(packages "$bin")
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$here/Containerfile" "$here/../speckle.toml" "$ctx/"
    cp "$bin" "$ctx/speckle"
    mkdir -p "$APT_CACHE"
    if ! podman build --layers=false --isolation chroot --pull=never -v "$APT_CACHE:/apt-cache" \
        --build-arg "BASE=$BASE" \
        --build-arg "FEATURES=$features" --build-arg "GPU=$gpu" --build-arg "PACKAGES=$pkgs" \
        -t "localhost/speckle:$tag" \
        "$ctx" > "$log" 2>&1; then
        podman image prune -f > /dev/null
        return 1
    fi
    podman image prune -f > /dev/null
    echo "container-check: built localhost/speckle:$tag (FEATURES='$features', GPU=$gpu," \
        "PACKAGES=$pkgs)"
}

# expect FILE PATTERN WHAT: FILE holds a line matching PATTERN, or the check fails showing FILE.
expect() {
    grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "$3: no line matching '$2' (above)"; }
}

smoke() {
    : "${SPECKLE_HOST_BIN:?}"
    build default none test "$SPECKLE_HOST_BIN" ||
        { cat "$work/build-test.log" >&2; fail "building localhost/speckle:test failed"; }
    run localhost/speckle:test --version > "$work/version" || fail "speckle --version failed"
    expect "$work/version" "^speckle [0-9]+\.[0-9]+\.[0-9]+" "speckle --version in the image"
    run localhost/speckle:test run --source sim:optimal --bytes 512 --duration 60 --output stdout \
        > "$work/sim.bin" 2> "$work/sim.err" ||
        { cat "$work/sim.err" >&2; fail "simulated run failed"; }
    local n
    n=$(stat -c %s "$work/sim.bin")
    [ "$n" -gt 0 ] || { cat "$work/sim.err" >&2; fail "simulated run wrote no bytes to stdout"; }
    expect "$work/sim.err" \
        "^speckle: wrote $n bytes in .*\(not entropy: sim:optimal is simulated\)" \
        "summary of the simulated run"
    echo "container-check: localhost/speckle:test: $(head -1 "$work/version");" \
        "sim:optimal gave $n bytes on stdout, summary: not entropy"
}

production() {
    : "${SPECKLE_LEAN_BIN:?}" "${SPECKLE_HOST_BIN:?}"
    build "" none latest "$SPECKLE_LEAN_BIN" ||
        { cat "$work/build-latest.log" >&2; fail "building localhost/speckle:latest failed"; }
    run localhost/speckle:latest sim --list > "$work/lean-sim" 2>&1 &&
        fail "the production image ran 'speckle sim'"
    expect "$work/lean-sim" "built without the .sim. feature" "speckle sim in the production image"

    # The board: `speckle sim` on the host prints its pty. A pty cannot be passed with --device (a
    # pts node opened outside its devpts instance gives EIO), so it is bind-mounted, with the
    # device-cgroup rule --device would have added. Its group is one the image does not know, as
    # a udev rule's group on a real host would be: only --group-add lets the daemon open it.
    "$SPECKLE_HOST_BIN" sim --scenario optimal --duration 300 > "$work/pty" 2> "$work/board.err" &
    sim_pid=$!
    for _ in $(seq 100); do [ -s "$work/pty" ] && break; sleep 0.1; done
    local pty major gid=4242
    pty=$(head -1 "$work/pty")
    [ -c "$pty" ] || { cat "$work/board.err" >&2; fail "the simulated board gave no pty"; }
    chgrp "$gid" "$pty" && chmod 0660 "$pty"
    major=$((0x$(stat -c %t "$pty")))
    local dev=(-v "$pty:/dev/ttyUSB0" --device-cgroup-rule "c $major:* rw")

    run "${dev[@]}" localhost/speckle:latest run --config /etc/speckle/speckle.toml \
        --output stdout --duration 2 > /dev/null 2> "$work/nogroup.err" &&
        fail "the daemon opened a device of a group it was not given"
    expect "$work/nogroup.err" "cannot open serial device /dev/ttyUSB0" "without --group-add"

    run "${dev[@]}" --group-add "$gid" localhost/speckle:latest run \
        --config /etc/speckle/speckle.toml --output stdout --bytes 512 --duration 60 \
        > "$work/serial.bin" 2> "$work/serial.err" ||
        { cat "$work/serial.err" >&2; fail "the production image could not read the board"; }
    local n
    n=$(stat -c %s "$work/serial.bin")
    [ "$n" -gt 0 ] || { cat "$work/serial.err" >&2; fail "the board's run wrote no bytes"; }
    expect "$work/serial.err" "^speckle: serial:/dev/ttyUSB0@6000000: board attests" \
        "board attestation"
    expect "$work/serial.err" "^speckle: wrote $n bytes in " "summary of the board's run"

    # The packaged config's output is "kernel": without CAP_SYS_ADMIN it must stop at start.
    run "${dev[@]}" --group-add "$gid" localhost/speckle:latest \
        > /dev/null 2> "$work/kernel.err" && fail "the kernel sink started without CAP_SYS_ADMIN"
    expect "$work/kernel.err" "kernel sink needs CAP_SYS_ADMIN" \
        "--output kernel without the capability"
    kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; sim_pid=
    echo "container-check: localhost/speckle:latest: no sim; a board simulated on the host read" \
        "as serial:/dev/ttyUSB0 ($n bytes), only with --group-add; kernel sink refused" \
        "without CAP_SYS_ADMIN"
}

gpu() {
    local raw=(run --mode raw --whiten gpu --source sim:optimal --bytes 32 --duration 60
        --output stdout)
    run localhost/speckle:test "${raw[@]}" > /dev/null 2> "$work/gpu-none.err" ||
        { cat "$work/gpu-none.err" >&2; fail "raw run with --whiten gpu failed (GPU=none)"; }
    expect "$work/gpu-none.err" "whiten: no GPU adapter: .*using the CPU backend" "GPU=none"
    build default mesa test-mesa "$SPECKLE_HOST_BIN" ||
        { cat "$work/build-test-mesa.log" >&2; fail "building GPU=mesa failed"; }
    run localhost/speckle:test-mesa "${raw[@]}" > "$work/gpu.bin" 2> "$work/gpu-mesa.err" ||
        { cat "$work/gpu-mesa.err" >&2; fail "raw run with --whiten gpu failed (GPU=mesa)"; }
    [ -s "$work/gpu.bin" ] || { cat "$work/gpu-mesa.err" >&2; fail "GPU=mesa run wrote no bytes"; }
    expect "$work/gpu-mesa.err" "whiten: GPU backend on llvmpipe" "GPU=mesa"
    echo "container-check: GPU=none falls back to the CPU whitener;" \
        "GPU=mesa whitens on llvmpipe (lavapipe)"
}

refusals() {
    build default none refused-features "$SPECKLE_LEAN_BIN" "$work/refused-features.log" &&
        fail "FEATURES=default was accepted for the production binary"
    expect "$work/refused-features.log" \
        "build: FEATURES='default' but the binary's sim feature is present=no" \
        "FEATURES check of the build stage"
    build "" bogus refused-gpu "$SPECKLE_LEAN_BIN" "$work/refused-gpu.log" &&
        fail "GPU=bogus was accepted"
    expect "$work/refused-gpu.log" "GPU='bogus': expected none, mesa or nvidia" "GPU check"
    echo "container-check: the build refuses FEATURES that do not match the binary, and GPU=bogus"
}

case "${1:-}" in
build) [ $# -eq 5 ] || fail "usage: check.sh build FEATURES GPU TAG BIN"
    build "$2" "$3" "$4" "$5" ||
        { cat "$work/build-$4.log" >&2; fail "building localhost/speckle:$4 failed"; } ;;
smoke) smoke ;;
all) smoke; production; gpu; refusals ;;
*) fail "usage: check.sh build FEATURES GPU TAG BIN | smoke | all" ;;
esac
