#!/usr/bin/env bash
# Build one cached Debian root file system with debootstrap (mk/rootfs.mk says which and where).
#   mkrootfs.sh DIR SUITE MIRROR VARIANT ARCH [INCLUDE]
# Writes DIR/root (the tree) and DIR/rootfs.tar (the same tree for `podman import`), then
# DIR/.complete last: a directory without it is a build that died and is made again. Two callers at
# once (two engineers, two make lanes) take turns on DIR.lock; the second finds the first's result.
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: mkrootfs.sh DIR SUITE MIRROR VARIANT ARCH [INCLUDE]" >&2; exit 2; }
dir=$1 suite=$2 mirror=$3 variant=$4 arch=$5 include=${6:-}
[ "$(id -u)" = 0 ] || { echo "rootfs: debootstrap needs root (chroot, device nodes, file owners)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "rootfs: debootstrap not found (Debian package debootstrap, .ci/apt-packages)" >&2; exit 1; }

mkdir -p "$(dirname "$dir")"
exec 8>"$dir.lock"
flock 8
[ -f "$dir/.complete" ] && exit 0

rm -rf "$dir"
mkdir -p "$dir"
echo "rootfs: debootstrap --variant=$variant $suite ($arch${include:+, with $include}) into $dir/root"
start=$(date +%s)
debootstrap --variant="$variant" --arch="$arch" ${include:+--include="$include"} \
    "$suite" "$dir/root" "$mirror" > "$dir/debootstrap.log" 2>&1 ||
    { tail -20 "$dir/debootstrap.log" >&2; echo "rootfs: debootstrap failed; log: $dir/debootstrap.log" >&2; exit 1; }

# Leave out what differs between two builds of the same archive snapshot and what a user of the
# tree must not inherit: downloaded package files, apt's binary caches, logs, the debootstrap
# host's resolver configuration.
rm -rf "$dir/root/var/cache/apt/archives/"*.deb "$dir/root/var/cache/apt/"*.bin \
    "$dir/root/var/log/"* "$dir/root/var/cache/ldconfig/aux-cache"
: > "$dir/root/etc/resolv.conf"
echo speckle > "$dir/root/etc/hostname"  # debootstrap copies the build host's name

# The tarball: sorted names, numeric owners, no atime/ctime, every mtime clamped to the Date of the
# suite's Release file (what this tree is a snapshot of), so two builds of the same snapshot give
# the same bytes. /dev, /proc and /sys are left empty: a container runtime mounts its own.
release=$(ls "$dir/root/var/lib/apt/lists/"*_dists_"${suite}"_*Release 2>/dev/null | head -1)
[ -n "$release" ] || { echo "rootfs: no Release file of $suite under $dir/root/var/lib/apt/lists" >&2; exit 1; }
epoch=$(date -d "$(sed -n 's/^Date: //p' "$release" | head -1)" +%s)
tar --sort=name --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --mtime="@$epoch" --clamp-mtime \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -C "$dir/root" -cf "$dir/rootfs.tar" .
echo "$epoch" > "$dir/epoch"
touch "$dir/.complete"
echo "rootfs: $dir ready ($(du -sh "$dir/root" | cut -f1) tree, $(( $(date +%s) - start )) s)"
