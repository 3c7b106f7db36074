# daemon-smoke: colorcomd and colorcomctl on a real Xen host.
#   a, b  load colorcom.ko and get a real link on network "blue";
#   c, d  never load it: dom0 plays their frontends (writes their NIC `state`), so
#         the daemon's side is tested whatever front/ does, on network "green".
# Checks the xenstore tree (keys, permissions), policy (duplicate MAC, isolation,
# invalid keys), restart safety, garbage from guests, detach, and @releaseDomain
# cleanup after `xl destroy`.
MA=00:16:3e:dd:00:0a MB=00:16:3e:dd:00:0b MC=00:16:3e:dd:00:0c MD=00:16:3e:dd:00:0d
XS=/local/domain
BE=/local/domain/0/backend/colorcom
DLOG=$LAB_LOGDIR/colorcomd.log

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local t=$1 i
	shift
	for i in $(seq 1 $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "timed out after ${t}s: $*"
	return 1
}
is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ] || { echo "$1 is '$(xenstore-read "$1" 2>&1)', want '$2'"; return 1; }; }
gone() { ! xenstore-exists "$1"; }
# perms_of PATH: "n1,r2" as xenstore-ls -p shows it.
perms_of() {
	xenstore-ls -fp "$(dirname "$1")" 2>/dev/null | grep -F "$1 = " | head -n1 | sed 's/.*(\([^()]*\))$/\1/'
}
has_perms() { local p; p=$(perms_of "$1"); [ "$p" = "$2" ] || { echo "$1 perms '$p', want '$2'"; return 1; }; }
# links_of DOMID: every cclink node in that domain's tree (for before/after diffs).
links_of() {
	xenstore-ls -f "$XS/$1/device/cclink" 2>/dev/null
	xenstore-ls -f "$XS/$1/backend/cclink" 2>/dev/null
}
daemon_alive() { [ -n "${DPID:-}" ] && kill -0 "$DPID" 2>/dev/null; }
# start_daemon CHECK: run colorcomd here (not inside `check`, whose $(...)
# subshell would lose the pid).
start_daemon() {
	colorcomd -f -v -p /run/colorcomd.pid >>"$DLOG" 2>&1 &
	DPID=$!
	sleep 0.5
	if daemon_alive && [ "$(cat /run/colorcomd.pid 2>/dev/null)" = "$DPID" ]; then
		pass "$1"
	else
		fail "$1" "colorcomd exited: $(tail -n1 "$DLOG")"
	fi
}

start_daemon colorcomd-starts
for n in a b c d; do lab_guest_start $n; done
if lab_guest_wait a && lab_guest_wait b && lab_guest_wait c && lab_guest_wait d; then
	pass guests-up
else
	fail guests-up "a guest did not boot"
	exit 1
fi
A=$(domid a) B=$(domid b) C=$(domid c) D=$(domid d)
log "domids a=$A b=$B c=$C d=$D"

# --- 1. dry run: JSON, nothing written -----------------------------------------
# (a numeric dry run reads xenstore as the real run does: the NIC's 13 writes plus,
# when the domain has a UUID, its reboot record)
check dry-run-json sh -c "colorcomctl -N attach $A network=blue,mac=$MA | jq -e '[.transaction[] | select(.path | startswith(\"/local/domain/0/colorcom/persist\") | not)] | length == 13' >/dev/null"
check dry-run-by-name sh -c "colorcomctl -N attach a network=blue,mac=$MA | jq -e '.domid == $A' >/dev/null"
check dry-run-writes-nothing gone $BE/$A

# --- 2. attach with no driver loaded anywhere: validated -> InitWait, no link ----
check attach-a colorcomctl attach a network=blue,mac=$MA
check attach-b colorcomctl attach b network=blue,mac=$MB
check attach-c colorcomctl attach c network=green,mac=$MC
check attach-d colorcomctl attach $D network=green,mac=$MD,mtu=9000,ring=1M
check nic-front-perms has_perms $XS/$A/device/colorcom/0 "n$A,r0"
check nic-front-key-perms has_perms $XS/$A/device/colorcom/0/state "n$A,r0"
check nic-back-perms has_perms $BE/$A/0 "n0,r$A"
check nic-back-keys sh -c "[ \"\$(xenstore-read $BE/$D/0/mtu $BE/$D/0/ring-page-order $BE/$D/0/network)\" = \"\$(printf '9000\n8\ngreen')\" ]"
check initwait-a wait_for 10 is $BE/$A/0/state 2
check initwait-b wait_for 10 is $BE/$B/0/state 2
check initwait-c wait_for 10 is $BE/$C/0/state 2
check initwait-d wait_for 10 is $BE/$D/0/state 2
check no-link-while-initwait sh -c "sleep 1; ! xenstore-exists $XS/$C/device/cclink && ! xenstore-exists $XS/$D/backend/cclink"

# --- 3. refusals (toolstack) and policy (daemon) --------------------------------
check refuse-dup-mac not colorcomctl attach c network=blue,mac=$MA
check refuse-dup-mac-case not colorcomctl attach d network=blue,mac=00:16:3E:DD:00:0A
check allow-same-mac-other-network colorcomctl -N attach c network=red,mac=$MA
check dry-run-refuses-dup-mac not colorcomctl -N attach $C network=blue,mac=$MA
check refuse-unknown-domain not colorcomctl attach nosuch network=blue,mac=00:16:3e:dd:00:99
check refuse-multicast not colorcomctl attach a network=blue,mac=01:00:5e:00:00:01
check refuse-detach-missing not colorcomctl detach a 7
# NICs written behind colorcomctl's back: the daemon must refuse them itself.
raw_nic() {	# DOMID DEVID MAC NETWORK MTU
	local fe=$XS/$1/device/colorcom/$2 be=$BE/$1/$2
	xenstore-write "$fe" "" "$be" ""
	xenstore-chmod "$fe" "n$1" r0
	xenstore-chmod "$be" n0 "r$1"
	xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 \
		"$be/frontend" "$fe" "$be/frontend-id" "$1" "$be/mac" "$3" \
		"$be/network" "$4" "$be/mtu" "$5" "$be/online" 1 "$be/state" 1
}
# (not one transaction: the daemon must wait for `state`, then judge)
raw_nic $C 5 $MA blue 1500
raw_nic $C 6 00:16:3e:dd:00:66 blue 5
check policy-dup-mac-closed wait_for 10 is $BE/$C/5/state 6
check policy-dup-mac-error sh -c "xenstore-read $BE/$C/5/error | grep -q 'duplicate mac $MA on network blue'"
check policy-bad-mtu-closed wait_for 10 is $BE/$C/6/state 6
check policy-bad-mtu-error is $BE/$C/6/error "bad mtu '5'"
check detach-invalid-nic colorcomctl detach c 5
check detach-invalid-nic-by-mac colorcomctl detach c 00:16:3e:dd:00:66
check invalid-nics-gone sh -c "! xenstore-exists $BE/$C/5 && ! xenstore-exists $BE/$C/6 && ! xenstore-exists $XS/$C/device/colorcom/6"

# --- 4. green: c and d, frontends played by dom0 --------------------------------
xenstore-write $XS/$C/device/colorcom/0/state 4
xenstore-write $XS/$D/device/colorcom/0/state 4
if [ "$C" -lt "$D" ]; then GLO=$C GHI=$D; else GLO=$D GHI=$C; fi
LG=$((GHI << 8))
GF=$XS/$GLO/device/cclink/$LG
GB=$XS/$GHI/backend/cclink/$GLO/$LG
check green-backends-connected wait_for 10 sh -c "[ \$(xenstore-read $BE/$C/0/state) = 4 ] && [ \$(xenstore-read $BE/$D/0/state) = 4 ]"
check green-link-created wait_for 10 sh -c "xenstore-exists $GF/state && xenstore-exists $GB/state"
xenstore-ls -fp $XS/$GLO/device/cclink >"$LAB_LOGDIR/daemon-smoke-green-front.log" 2>&1
xenstore-ls -fp $XS/$GHI/backend >"$LAB_LOGDIR/daemon-smoke-green-back.log" 2>&1
check green-link-front-perms has_perms $GF "n0,b$GLO,r$GHI"
check green-link-front-key-perms has_perms $GF/peer-mac "n0,b$GLO,r$GHI"
check green-link-back-perms has_perms $GB "n0,b$GHI,r$GLO"
check green-link-back-key-perms has_perms $GB/state "n0,b$GHI,r$GLO"
check green-link-parents-dom0s-b-reads has_perms $XS/$GHI/backend/cclink "n0,r$GHI"
check green-link-parent-a-dom0s-b-reads has_perms $XS/$GHI/backend/cclink/$GLO "n0,r$GHI"
check green-link-front-keys sh -c "[ \"\$(xenstore-read $GF/backend $GF/backend-id $GF/nic $GF/network $GF/state)\" = \"\$(printf '%s\n%s\n0\ngreen\n1' $GB $GHI)\" ]"
check green-link-back-keys sh -c "[ \"\$(xenstore-read $GB/frontend $GB/frontend-id $GB/nic $GB/network $GB/state)\" = \"\$(printf '%s\n%s\n0\ngreen\n1' $GF $GLO)\" ]"
if [ "$GHI" = "$D" ]; then OB=8 OF=6 PF=$MD PB=$MC; else OB=6 OF=8 PF=$MC PB=$MD; fi
check green-link-ring-orders sh -c "[ \$(xenstore-read $GF/ring-page-order) = $OF ] && [ \$(xenstore-read $GB/ring-page-order) = $OB ]"
check green-link-peer-macs sh -c "[ \$(xenstore-read $GF/peer-mac) = $PF ] && [ \$(xenstore-read $GB/peer-mac) = $PB ]"
check green-link-logged grep -q "link $GLO<->$GHI on green created (L=0x$(printf %x $LG))" "$DLOG"

# --- 5. blue: a and b with the real driver ----------------------------------------
if [ "$A" -lt "$B" ]; then BLO=$A BHI=$B; else BLO=$B BHI=$A; fi
LB=$((BHI << 8))
BF=$XS/$BLO/device/cclink/$LB
BBK=$XS/$BHI/backend/cclink/$BLO/$LB
check isolation-no-blue-green-link sh -c "! xenstore-exists $XS/$A/device/cclink && ! xenstore-exists $XS/$B/backend/cclink && [ \$(xenstore-list $XS/$GLO/device/cclink | wc -l) = 1 ]"
check module-loads-a cc_load a
check module-loads-b cc_load b
check blue-backends-connected wait_for 30 sh -c "[ \$(xenstore-read $BE/$A/0/state) = 4 ] && [ \$(xenstore-read $BE/$B/0/state) = 4 ]"
check blue-link-front-connected wait_for 30 is $BF/state 4
check blue-link-back-connected wait_for 30 is $BBK/state 4
IA=$(cc_ifname a $MA) IB=$(cc_ifname b $MB)
g a "ip addr add 10.7.0.1/24 dev ${IA:-none} && ip link set ${IA:-none} up" >/dev/null
g b "ip addr add 10.7.0.2/24 dev ${IB:-none} && ip link set ${IB:-none} up" >/dev/null
check blue-ping g a 'ping -c 3 -W 10 10.7.0.2'

colorcomctl list >"$LAB_LOGDIR/daemon-smoke-list.txt" 2>&1
check list-a sh -c "grep -E '^$A +a +0 +blue +$MA +Connected +Connected +1\$' $LAB_LOGDIR/daemon-smoke-list.txt"
check list-d sh -c "grep -E '^$D +d +0 +green +$MD +Connected +Connected +1\$' $LAB_LOGDIR/daemon-smoke-list.txt"

# --- 6. restart safety: a new daemon leaves live links alone ------------------------
before=$( (links_of $A; links_of $B; links_of $C; links_of $D) | md5sum)
kill "$DPID"
wait "$DPID"
drc=$?
if [ "$drc" = 0 ] && ! [ -e /run/colorcomd.pid ]; then pass daemon-stops-cleanly; else fail daemon-stops-cleanly "exit status $drc"; fi
check once-pass-changes-nothing sh -c "colorcomd --once -f >>$DLOG 2>&1 && [ \"\$( (for d in $A $B $C $D; do xenstore-ls -f $XS/\$d/device/cclink; xenstore-ls -f $XS/\$d/backend/cclink; done) 2>/dev/null | md5sum)\" = '$before' ]"
start_daemon colorcomd-restarts
sleep 3
after=$( (links_of $A; links_of $B; links_of $C; links_of $D) | md5sum)
if [ "$before" = "$after" ]; then pass restart-links-untouched; else fail restart-links-untouched "link nodes changed across a daemon restart"; fi
check restart-blue-still-connected is $BF/state 4
check restart-blue-ping g a 'ping -c 2 -W 10 10.7.0.2'

# --- 7. garbage written into guest-owned nodes ------------------------------------
xenstore-write $XS/$D/backend/cclink/junk x
xenstore-write $GF/broken "$(head -c 3000 /dev/zero | tr '\0' x)"
xenstore-write $XS/$C/device/colorcom/0/state "4 and garbage"
sleep 2
check garbage-daemon-alive daemon_alive
check garbage-state-unlinks wait_for 10 gone $GF
check garbage-state-back-to-initwait wait_for 10 is $BE/$C/0/state 2
check garbage-logged grep -q "ignoring bad state at $XS/$C/device/colorcom/0/state" "$DLOG"
check garbage-junk-left-alone xenstore-exists $XS/$D/backend/cclink/junk
xenstore-write $XS/$C/device/colorcom/0/state 4
check garbage-recovers wait_for 10 sh -c "xenstore-exists $GF/state && xenstore-exists $GB/state"

# --- 8. @releaseDomain: xl destroy c -------------------------------------------------
xl destroy c
check destroy-c-nic-dirs-removed wait_for 15 gone $BE/$C
if [ "$GHI" = "$D" ]; then
	check destroy-c-peer-half-removed wait_for 15 gone $XS/$D/backend/cclink/$C
else
	check destroy-c-peer-half-removed wait_for 15 gone $XS/$D/device/cclink/$LG
fi
check destroy-c-logged grep -q "nic $C/0 removed (domain $C gone)" "$DLOG"
check destroy-c-d-nic-kept is $BE/$D/0/state 4

# --- 9. detach d (frontend played by dom0) ------------------------------------------
check detach-d-no-wait colorcomctl detach --no-wait d 0
check detach-d-closing wait_for 10 is $BE/$D/0/state 5
xenstore-write $XS/$D/device/colorcom/0/state 6
check detach-d-removed wait_for 10 sh -c "! xenstore-exists $BE/$D && ! xenstore-exists $XS/$D/device/colorcom/0"

# --- 10. detach b (real driver), waiting for the daemon ----------------------------
check detach-b colorcomctl detach b 0
check detach-b-link-gone sh -c "! xenstore-exists $BF && ! xenstore-exists $BBK"
check detach-b-dirs-gone sh -c "! xenstore-exists $BE/$B && ! xenstore-exists $XS/$B/device/colorcom/0"
check detach-b-logged grep -q "removed: nic $B/0 detached" "$DLOG"
check detach-b-a-back-to-connected is $BE/$A/0/state 4

# --- 11. a dies with a NIC attached: its dirs go, b is untouched -------------------
check reattach-b colorcomctl attach b network=blue,mac=$MB
check reattach-b-link wait_for 30 is $BF/state 4
xl destroy a
check destroy-a-nic-removed wait_for 15 gone $BE/$A
if [ "$BHI" = "$B" ]; then
	check destroy-a-b-half-removed wait_for 15 gone $XS/$B/backend/cclink/$A
else
	check destroy-a-b-half-removed wait_for 15 gone $XS/$B/device/cclink/$LB
fi
no_zombie() { ! xl list | grep -q -e '(null)' -e '^a '; }
check destroy-a-no-zombie wait_for 20 no_zombie

check daemon-alive-at-end daemon_alive
check daemon-no-failed-actions not grep -q "failed (" "$DLOG"
colorcomctl list >>"$LAB_LOGDIR/daemon-smoke-list.txt" 2>&1
check list-only-b-at-end sh -c "colorcomctl list | awk 'NR > 1' | grep -c . | grep -qx 1 && colorcomctl list | grep -qE '^$B +b +0 +blue'"
kill "$DPID"
wait "$DPID"
