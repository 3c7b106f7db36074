#!/bin/sh
# tests/install.sh - `make install` / `make uninstall` into a scratch DESTDIR:
# every file lands where the docs say, an edited config survives a reinstall
# and an uninstall, the module sources go where dkms looks whatever PREFIX is,
# and uninstall leaves nothing else behind.  Also: every C file names its
# licence (SPDX).  One "PASS install.NAME" / "FAIL ..." line each.
CHECK_PREFIX=install
. "$(dirname "$0")/shcheck.sh"
mk() { make -s "$@" DESTDIR="$d" >"$d.log" 2>&1 || { cat "$d.log"; return 1; }; }
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

if mk install PREFIX=/usr/local; then pass make-install; else fail make-install "make install failed"; fi
for f in /usr/local/sbin/colorcomd /usr/local/sbin/colorcomctl \
	/usr/local/share/man/man8/colorcomd.8 /usr/local/share/man/man8/colorcomctl.8 \
	/usr/local/share/man/man5/colorcomd.conf.5 \
	/usr/local/share/man/man5/xl-colorcom-configuration.5 \
	/lib/systemd/system/colorcomd.service /etc/colorcom/colorcomd.conf \
	/usr/src/colorcom-$VER/dkms.conf /usr/src/colorcom-$VER/front/Kbuild \
	/usr/src/colorcom-$VER/common/ccring.h; do
	[ -e "$d$f" ] || fail "installed$f" "missing"
done
[ "$rc" = 0 ] && pass installed-files
grep -q '^ExecStart=/usr/local/sbin/colorcomd -f$' "$d/lib/systemd/system/colorcomd.service" &&
	grep -q '^ExecReload=/usr/local/sbin/colorcomd --check$' "$d/lib/systemd/system/colorcomd.service" &&
	pass unit-names-prefix || fail unit-names-prefix "$(grep Exec "$d/lib/systemd/system/colorcomd.service")"
[ -e "$d/usr/local/src" ] && fail dkms-where-dkms-looks "sources under PREFIX/src" || pass dkms-where-dkms-looks

# What dkms does with the installed sources: the kernel's Kbuild, from front/ alone,
# must build colorcom.ko (a source the module needs but install-dkms forgot fails here).
kdir=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n1)
if [ -z "$kdir" ]; then
	fail dkms-sources-build "no kernel headers (run: make deps)"
elif make -s -C "$kdir" M="$d/usr/src/colorcom-$VER/front" modules >"$d.kb.log" 2>&1 &&
	[ -f "$d/usr/src/colorcom-$VER/front/colorcom.ko" ]; then
	pass dkms-sources-build
else
	fail dkms-sources-build "$(grep -m1 -E 'error|No rule' "$d.kb.log")"
fi
rm -f "$d.kb.log"
make -s -C "$kdir" M="$d/usr/src/colorcom-$VER/front" clean >/dev/null 2>&1

# The admin's edit survives a reinstall and an uninstall.
echo "ring = 1M  # mine" >>"$d/etc/colorcom/colorcomd.conf"
mk install-utils PREFIX=/usr/local
grep -q '# mine' "$d/etc/colorcom/colorcomd.conf" && pass conf-kept-on-install ||
	fail conf-kept-on-install "the edited config was overwritten"
mk uninstall PREFIX=/usr/local
grep -q '# mine' "$d/etc/colorcom/colorcomd.conf" 2>/dev/null && pass conf-kept-on-uninstall ||
	fail conf-kept-on-uninstall "the edited config was removed"
left=$(cd "$d" && find . -type f ! -path ./etc/colorcom/colorcomd.conf | sort)
[ -z "$left" ] && pass uninstall-removes-the-rest || fail uninstall-removes-the-rest "left: $left"
# An unedited config goes with the rest.
rm -rf "${d:?}"/*
mk install PREFIX=/usr && mk uninstall PREFIX=/usr
left=$(cd "$d" && find . -type f | sort)
[ -z "$left" ] && pass uninstall-pristine-conf || fail uninstall-pristine-conf "left: $left"

# Every C file names its licence.
miss=$(git ls-files '*.c' '*.h' | while read -r f; do
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: ' || echo "$f"; done)
[ -z "$miss" ] && pass spdx-every-c-file || fail spdx-every-c-file "$(echo $miss)"
[ -s LICENSE ] && grep -q 'GNU GENERAL PUBLIC LICENSE' LICENSE && grep -q 'MIT License' LICENSE &&
	pass license-file || fail license-file "LICENSE missing or incomplete"
rm -f "$d.log"
exit $rc
