#!/usr/bin/env bash
# Checks of the .rpm (mk/packages.mk, packages-check), by querying the package file: exactly the
# expected files with owner, group and mode; the configuration file marked noreplace; the
# scriptlets (the user made in %pre from the sysusers lines, directories in %post, the unit
# stopped on erase); the requirements; the binary byte for byte the staged one. Then %pre, the
# payload and %post in that order in a fresh copy of a Debian tree with systemd (no rpm database
# there: the scriptlets are run as rpm would run them): the user and the directories must result.
#   check-rpm.sh RPM STAGE ROOTFS_TREE WORKDIR
set -euo pipefail
[ $# = 4 ] || { echo "usage: check-rpm.sh RPM STAGE ROOTFS_TREE WORKDIR" >&2; exit 2; }
rpm=$1 stage=$2 tree=$3 work=$4
fail() { echo "check-rpm: $*" >&2; exit 1; }
[ -f "$rpm" ] || fail "no package at $rpm"
stage=$(realpath "$stage")
sysusers=$(dirname "$0")/speckle.sysusers
q() { rpm -qp --nosignature "$@" "$rpm"; }
. "$(dirname "$0")/fresh-root.sh"

# Files: `rpm -qlp` with owner, group and permissions.
expected=$(
    cat <<'LIST'
/etc/speckle root root drwxr-xr-x
/etc/speckle/speckle.toml root root -rw-r--r--
/run/speckle speckle speckle drwxr-x---
/usr/bin/speckle root root -rwxr-xr-x
/usr/lib/systemd/system/speckle.service root root -rw-r--r--
/usr/lib/sysusers.d/speckle.conf root root -rw-r--r--
/usr/lib/tmpfiles.d/speckle.conf root root -rw-r--r--
/usr/lib/udev/rules.d/60-speckle.rules root root -rw-r--r--
/usr/share/bash-completion/completions/speckle root root -rw-r--r--
/usr/share/fish/vendor_completions.d/speckle.fish root root -rw-r--r--
/usr/share/zsh/site-functions/_speckle root root -rw-r--r--
/var/lib/speckle speckle speckle drwxr-x---
/var/lib/speckle/telemetry speckle speckle drwxr-x---
/var/log/speckle speckle speckle drwxr-x---
LIST
    for m in $(cd "$stage/man1" && ls); do echo "/usr/share/man/man1/$m root root -rw-r--r--"; done
)
actual=$(q --qf '[%{FILENAMES} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEMODES:perms}\n]')
diff <(sort <<<"$expected") <(sort <<<"$actual") >&2 ||
    fail "the package's files differ from the expected list (< expected, > in the package)"
[ "$(q -l | sort)" = "$(cut -d' ' -f1 <<<"$expected" | sort)" ] || fail "rpm -qlp disagrees with the file query"
[ "$(q -c)" = /etc/speckle/speckle.toml ] || fail "config files: $(q -c | paste -sd' ')"
q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' | grep -qx 'cn /etc/speckle/speckle.toml' ||
    fail "/etc/speckle/speckle.toml is not %config(noreplace)"
q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' | grep -qx 'g /run/speckle' || fail "/run/speckle is not %ghost"

# Scriptlets, each in its section of `rpm -qp --scripts`.
scripts=$(q --scripts)
section() { awk -v s="$1" '/scriptlet \(using/ { on = index($0, s) == 1 } on' <<<"$scripts"; }
section preinstall | grep -q 'systemd-sysusers --replace=/usr/lib/sysusers.d/speckle.conf -' ||
    fail "%pre does not run systemd-sysusers on the sysusers file"
section preinstall | grep -qxF "$(grep '^u ' "$sysusers")" ||
    fail "%pre does not carry packaging/speckle.sysusers' user line"
section postinstall | grep -q 'systemd-tmpfiles --create speckle.conf' || fail "%post does not create the directories"
section postinstall | grep -q 'systemctl daemon-reload' || fail "%post does not reload systemd"
section postinstall | grep -Eq '^[^#]*systemctl.*\b(enable|preset)\b' && fail "%post enables the unit (it must not: docs/install.md)"
section preuninstall | grep -q 'disable --now speckle.service' || fail "%preun does not stop the unit on erase"
section postuninstall | grep -q 'try-restart speckle.service' || fail "%postun does not restart the unit on upgrade"

# Requirements: systemd for the scriptlets and the unit; the C library the binary links.
requires=$(q --requires)
for r in systemd 'libc.so.6()(64bit)'; do grep -qxF "$r" <<<"$requires" || fail "Requires lacks $r"; done
grep -qF 'config(speckle)' <<<"$requires" || fail "Requires lacks config(speckle)"

# The payload's binary is the staged one.
rpm2cpio "$rpm" | cpio -i --quiet --to-stdout ./usr/bin/speckle | cmp - "$stage/speckle" ||
    fail "the packaged /usr/bin/speckle differs from $stage/speckle"

# The scriptlets at work: %pre on a tree without the user, the payload, then %post.
[ -x "$tree/usr/bin/systemd-sysusers" ] || fail "no Debian tree with systemd at $tree (make rootfs-test)"
rpm=$(realpath "$rpm")
fresh_root "$work" "$tree"
q --qf '%{PREIN}\n' > "$root/tmp/pre.sh"
q --qf '%{POSTIN}\n' > "$root/tmp/post.sh"
in_root sh -e /tmp/pre.sh 1 || fail "%pre failed"
in_root getent passwd speckle | grep -q ':/var/lib/speckle:/usr/sbin/nologin$' || fail "%pre made no speckle user"
(cd "$root" && rpm2cpio "$rpm" | cpio -idm --quiet) || fail "payload did not unpack"
in_root sh -e /tmp/post.sh 1 || fail "%post failed"
check_dirs "after %post"
in_root speckle --version >/dev/null || fail "the unpacked binary does not run"
drop_root

echo "check-rpm: $(basename "$rpm"): $(wc -l <<<"$expected") files with owners and modes, noreplace config, %pre/%post/%preun/%postun, requires systemd and libc; %pre, payload, %post in a fresh bookworm root give the user and its directories"
