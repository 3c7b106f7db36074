#!/bin/sh
# golden.sh BINARY - run colorcomctl on every tests/golden/NAME.args (one
# argument per line) and compare stdout, stderr and exit status with
# NAME.out, NAME.err, NAME.rc.  One "PASS golden.NAME" / "FAIL ..." line each.
# UPDATE=1 rewrites the expected files from the current output.
# Only cases that need no xenstore belong here (dry runs with numeric domids,
# argument errors); tests/test_cmds.c covers the rest.
set -u
bin=$1
dir=$(dirname "$0")/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
# Never reach a real xenstored from here, even in dom0.
export XENSTORED_PATH=/nonexistent/colorcom-golden
# No host MAC seed: the auto MACs below must not depend on the build host.
export COLORCOM_MACHINE_ID=/nonexistent/colorcom-golden-machine-id
for a in "$dir"/*.args; do
	name=$(basename "$a" .args)
	set --
	while IFS= read -r line || [ -n "$line" ]; do
		set -- "$@" "$line"
	done <"$a"
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/out" "$dir/$name.out"
		cp "$tmp/err" "$dir/$name.err"
		cp "$tmp/rc" "$dir/$name.rc"
	fi
	why=""
	for k in rc out err; do
		if ! cmp -s "$tmp/$k" "$dir/$name.$k"; then
			why="$why $k differs ($(diff "$dir/$name.$k" "$tmp/$k" 2>&1 | sed -n 2p | cut -c1-80))"
		fi
	done
	if [ -z "$why" ]; then
		echo "PASS golden.$name"
	else
		echo "FAIL golden.$name:$why"
		rc=1
	fi
done
exit $rc
