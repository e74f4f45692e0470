# Sourced by check-deb.sh and check-rpm.sh (which define fail): a fresh copy of a Debian tree to
# install a package into, as a chroot.
#   fresh_root WORK TREE  WORK emptied (mounts a killed run left are unmounted first, and rm never
#                         crosses into another file system), then $root = WORK/root, a copy of
#                         TREE, /proc mounted (systemd-tmpfiles needs it), unmounted at exit; the
#                         copy must not have the service user yet
#   in_root CMD...        CMD in the chroot with a clean environment
#   check_dirs WHEN       the service's directories exist, each `speckle speckle 750`
#   drop_root             unmount and remove the copy

fresh_root() {
    local work=$1 tree=$2 m
    [ "$(id -u)" = 0 ] || fail "needs root (chroot)"
    for m in "$work/root/proc" "$work/root/sys"; do
        if mountpoint -q "$m" 2>/dev/null; then umount "$m"; fi
    done
    rm -rf --one-file-system "$work"
    mkdir -p "$work"
    root=$work/root
    cp -a "$tree" "$root"
    mount -t proc proc "$root/proc"
    trap 'umount "$root/sys" "$root/proc" 2>/dev/null || true' EXIT
    if in_root getent passwd speckle >/dev/null; then fail "the fresh tree already has a speckle user"; fi
}

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }

check_dirs() {
    local d got
    for d in /var/lib/speckle /var/lib/speckle/telemetry /var/log/speckle /run/speckle; do
        got=$(in_root stat -c '%U %G %a' "$d" 2>/dev/null) || fail "$d missing $1"
        [ "$got" = "speckle speckle 750" ] || fail "$d is '$got' $1, want 'speckle speckle 750'"
    done
}

drop_root() {
    umount "$root/proc"
    rm -rf --one-file-system "$root"
}
