#!/usr/bin/env bash
# Checks of the .deb (mk/packages.mk, packages-check): lintian; the control fields; an install
# with dpkg into a fresh copy of a debootstrap tree (chroot), then every file of the package with
# its owner, group and mode, the directories and the user the maintainer scripts make, the man
# pages against what the installed binary writes, `speckle --version`, udev's parse of the rule;
# then remove (the conffile stays) and purge (it goes).
#   check-deb.sh DEB ROOTFS_TREE STAGE WORKDIR
set -euo pipefail
[ $# = 4 ] || { echo "usage: check-deb.sh DEB ROOTFS_TREE STAGE WORKDIR" >&2; exit 2; }
deb=$1 tree=$2 stage=$3 work=$4
fail() { echo "check-deb: $*" >&2; exit 1; }
. "$(dirname "$0")/fresh-root.sh"
[ -f "$deb" ] || fail "no package at $deb"
deb=$(realpath "$deb")
[ -x "$tree/usr/bin/dpkg" ] || fail "no Debian tree at $tree (make rootfs-test)"
fresh_root "$work" "$tree"

# lintian: any error fails; warnings and overrides are printed.
set +e
lintian --fail-on error --display-level '>=warning' --show-overrides "$deb" > "$work/lintian.txt" 2>&1
rc=$?
set -e
cat "$work/lintian.txt"
[ $rc = 0 ] || fail "lintian reports errors (above)"
echo "check-deb: lintian: $(grep -c '^E:' "$work/lintian.txt" || true) errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings"

# Control fields.
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends == *libc6* && $depends == *systemd* ]] || fail "Depends lacks libc6 or systemd: $depends"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/speckle/speckle.toml ||
    fail "/etc/speckle/speckle.toml is not a conffile"

# Install into the fresh copy of the tree.
cp "$deb" "$root/tmp/speckle.deb"
in_root dpkg -i /tmp/speckle.deb > "$work/dpkg-install.txt" 2>&1 ||
    { cat "$work/dpkg-install.txt" >&2; fail "dpkg -i failed in the fresh root"; }

# The service user and group: a system account with no login, home the state directory.
IFS=: read -r _ _ uid gid _ home shell < <(in_root getent passwd speckle) || fail "no speckle user after install"
[ "$uid" -lt 1000 ] || fail "speckle is not a system user (uid $uid)"
[ "$(in_root getent group speckle | cut -d: -f3)" = "$gid" ] || fail "speckle's primary group is not 'speckle'"
[ "$home" = /var/lib/speckle ] && [ "$shell" = /usr/sbin/nologin ] || fail "speckle: home $home, shell $shell"

# Every file the package installed, with owner, group and mode: exactly these plus the man pages.
man_pages=$(cd "$stage/man1" && ls)
expected=$(
    cat <<'LIST'
/etc/speckle/speckle.toml root root 644
/usr/bin/speckle root root 755
/usr/lib/systemd/system/speckle.service root root 644
/usr/lib/sysusers.d/speckle.conf root root 644
/usr/lib/tmpfiles.d/speckle.conf root root 644
/usr/lib/udev/rules.d/60-speckle.rules root root 644
/usr/share/bash-completion/completions/speckle root root 644
/usr/share/doc/speckle/changelog.Debian.gz root root 644
/usr/share/doc/speckle/copyright root root 644
/usr/share/fish/vendor_completions.d/speckle.fish root root 644
/usr/share/lintian/overrides/speckle root root 644
/usr/share/zsh/vendor-completions/_speckle root root 644
LIST
    for m in $man_pages; do echo "/usr/share/man/man1/$m root root 644"; done
)
actual=$(in_root dpkg-query -L speckle | while read -r p; do
    [ -d "$root$p" ] || in_root stat -c '%n %U %G %a' "$p"; done)
diff <(sort <<<"$expected") <(sort <<<"$actual") > "$work/files.diff" ||
    { cat "$work/files.diff" >&2; fail "installed files differ from the expected list (< expected, > installed)"; }
# Each installed file has the package's bytes, and the binary is the staged one.
mkdir "$work/data" && dpkg-deb -x "$deb" "$work/data"
while read -r p _; do cmp -s "$work/data$p" "$root$p" || fail "installed $p differs from the package's"; done <<<"$expected"
cmp -s "$stage/speckle" "$root/usr/bin/speckle" || fail "installed /usr/bin/speckle is not $stage/speckle"

# Directories made by systemd-tmpfiles in postinst.
check_dirs "after install"

# The installed binary runs, and its man pages are the ones packaged.
version=$(in_root speckle --version | head -1) || fail "speckle --version failed in the fresh root"
[[ $version == *"$(dpkg-deb -f "$deb" Version | cut -d- -f1)"* ]] || fail "speckle --version says '$version'"
in_root sh -c 'mkdir /tmp/man && speckle manpages /tmp/man && cd /tmp/man && ls' > "$work/man-now.txt"
diff <(sed 's/$/.gz/' "$work/man-now.txt") <(echo "$man_pages") >&2 ||
    fail "packaged man pages differ from what the installed binary writes"
for m in $man_pages; do gzip -t "$root/usr/share/man/man1/$m" || fail "$m is not valid gzip"; done
[ -n "$(echo "$man_pages" | grep -x speckle-run.1.gz)" ] || fail "no speckle-run(1), which the unit names"

# udev parses the installed rule without a complaint (an unknown key, operator or group is
# reported with the file and line). Simulated on a tty of this machine: nothing is applied.
[ -x "$root/usr/bin/udevadm" ] || fail "no udevadm in the tree (make rootfs-test: systemd,udev)"
tty=$(ls -d /sys/class/tty/ttyS0 /sys/class/tty/console 2>/dev/null | head -1)
mount --bind /sys "$root/sys"
in_root udevadm test --action=add "$tty" > "$work/udev-test.txt" 2>&1 || true
umount "$root/sys"
grep -q 'Reading rules file: /usr/lib/udev/rules.d/60-speckle.rules' "$work/udev-test.txt" ||
    { tail -5 "$work/udev-test.txt" >&2; fail "udevadm test did not read 60-speckle.rules"; }
if grep '60-speckle.rules:[0-9]' "$work/udev-test.txt" >&2; then fail "udev reports the lines above in 60-speckle.rules"; fi

# Remove keeps the edited configuration; purge takes it; the user stays (Debian practice).
echo '# edited' >> "$root/etc/speckle/speckle.toml"
in_root dpkg -r speckle > "$work/dpkg-remove.txt" 2>&1 || { cat "$work/dpkg-remove.txt" >&2; fail "dpkg -r failed"; }
[ ! -e "$root/usr/bin/speckle" ] || fail "/usr/bin/speckle left after dpkg -r"
grep -q '# edited' "$root/etc/speckle/speckle.toml" || fail "dpkg -r did not keep the edited conffile"
in_root dpkg --purge speckle > "$work/dpkg-purge.txt" 2>&1 || { cat "$work/dpkg-purge.txt" >&2; fail "dpkg --purge failed"; }
[ ! -e "$root/etc/speckle/speckle.toml" ] || fail "the conffile is left after purge"

drop_root
echo "check-deb: $(basename "$deb"): installed into a fresh bookworm root, $(wc -l <<<"$expected") files and 4 directories as expected, user speckle (uid $uid), '$version' runs; removed and purged"
