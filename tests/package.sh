#!/bin/sh
# tests/package.sh - build the two .debs from the tracked files (no tests
# inside the build: run-all runs them) and hold them to what a Debian admin
# expects: lintian reports no error and no warning, colorcomd.conf is a
# conffile, the unit and man pages are in.  One "PASS package.NAME" line each.
CHECK_PREFIX=package
. "$(dirname "$0")/shcheck.sh"

mkdir "$d/colorcom"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$d/colorcom"
if (cd "$d/colorcom" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$d/build.log" 2>&1; then
	pass build
else
	tail -n 20 "$d/build.log"
	fail build "dpkg-buildpackage failed"
	exit 1
fi
lint=$(lintian --tag-display-limit 0 "$d"/colorcom_*.changes 2>&1 | grep -E '^[EW]: ')
[ -z "$lint" ] && pass lintian-no-errors-or-warnings || fail lintian-no-errors-or-warnings "$(echo "$lint" | head -n 5)"
utils=$(ls "$d"/colorcom-utils_*.deb)
dpkg-deb --ctrl-tarfile "$utils" | tar -xOf - ./conffiles 2>/dev/null | grep -qx /etc/colorcom/colorcomd.conf &&
	pass conffile || fail conffile "colorcomd.conf is not a conffile"
files=$(dpkg-deb -c "$utils" | awk '{print $6}')
for f in ./usr/sbin/colorcomd ./usr/sbin/colorcomctl ./lib/systemd/system/colorcomd.service \
	./usr/share/man/man8/colorcomd.8.gz ./usr/share/man/man8/colorcomctl.8.gz \
	./usr/share/man/man5/colorcomd.conf.5.gz ./usr/share/doc/colorcom-utils/copyright; do
	echo "$files" | grep -qx "$f" || fail "utils-has-$f" missing
done
dpkg-deb -c "$d"/colorcom-dkms_*.deb | awk '{print $6}' | grep -q '^./usr/src/colorcom-.*/dkms.conf$' &&
	pass dkms-sources || fail dkms-sources "no dkms.conf under /usr/src"
exit $rc
