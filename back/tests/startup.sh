#!/bin/sh
# startup.sh COLORCOMD - the real binary's start-up contract, with no
# xenstore: it must say so with a non-zero exit in the foreground and when
# daemonizing, leave no pidfile, and --check must judge a file without
# touching xenstore.  One "PASS back.startup.NAME" / "FAIL ..." line each.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Never reach a real xenstored from here, even in dom0.
export XENSTORED_PATH=/nonexistent/colorcom-startup
rc=0
pass() { echo "PASS back.startup.$1"; }
fail() { echo "FAIL back.startup.$1: $2"; rc=1; }
# expect NAME STATUS GREP-ERE CMD... (stdout+stderr must match the ERE)
expect() {
	name=$1 want=$2 re=$3
	shift 3
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$name" "exit $got, want $want: $out"
	elif ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
		fail "$name" "output '$out' does not match '$re'"
	else
		pass "$name"
	fi
}

printf 'ring = 1M\nnetwork.blue.max-peers = 4\n' >"$tmp/good.conf"
printf 'ring = 3M\n' >"$tmp/bad.conf"
expect check_good 0 "good.conf: configuration OK" "$bin" --check -c "$tmp/good.conf"
expect check_bad 2 "bad.conf:1: " "$bin" --check -c "$tmp/bad.conf"
expect check_missing 2 "No such file" "$bin" --check -c "$tmp/nope.conf"
expect check_dir 2 "[Ii]s a directory" "$bin" --check -c "$tmp"
expect version 0 "^colorcomd [0-9]" "$bin" --version
expect check_example 0 "configuration OK" "$bin" --check -c "$(dirname "$0")/../colorcomd.conf.example"
expect help_names_check 0 "--check" "$bin" --help
expect bad_option 2 "usage: colorcomd" "$bin" --bogus

for mode in foreground daemon; do
	flag=
	[ $mode = foreground ] && flag=-f
	rm -f "$tmp/pid"
	expect no_xenstore_$mode 1 "cannot open xenstore" \
		"$bin" $flag -c "$tmp/good.conf" -p "$tmp/pid"
	if [ -e "$tmp/pid" ]; then
		fail pidfile_gone_$mode "$tmp/pid left behind"
	else
		pass pidfile_gone_$mode
	fi
done
# A bad file stops it before anything else, with the configuration's status.
expect bad_conf_exit_2 2 "bad.conf:1: " "$bin" -f -c "$tmp/bad.conf"
exit $rc
