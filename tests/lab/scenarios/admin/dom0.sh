# admin: colorcom as a Xen admin drives it.
#   a  is created from an xl config with `colorcom = [...]` (colorcomctl create);
#   b  and c are plain guests given NICs with colorcomctl attach;
#   all three share network "blue" (max-peers 3 in /etc/colorcom/colorcomd.conf).
# Checks: the NIC is there from first boot; list/networks/channels --json against raw
# xenstore and the guests' own view; a runtime detach+attach of c while a pings b
# (no loss); every bad input refused with one line and no xenstore change; `xl reboot a`
# brings its NICs back (colorcomd, by UUID) and the channels re-form; a shut-down
# domain is refused.
MA=00:16:3e:ad:00:0a MB=00:16:3e:ad:00:0b MC=00:16:3e:ad:00:0c
XS=/local/domain
BE=/local/domain/0/backend/colorcom
PERSIST=/local/domain/0/colorcom/persist
DLOG=$LAB_LOGDIR/colorcomd.log
CONF=/etc/colorcom/colorcomd.conf
T0=$(date +%s)

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
# lab_guest_cfg NAME [LINE...]: write /etc/xen/NAME.cfg exactly as lab_guest_start
# does, without creating the domain (xl shadowed for the call).
lab_guest_cfg() {
	xl() { :; }
	lab_guest_start "$@"
	unset -f xl
}
# ready_count NAME: how many times the guest's agent came up (one per boot).
ready_count() { grep -ac "@@CCG READY" "/var/log/xen/console/guest-$1.log" 2>/dev/null || echo 0; }
wait_ready() { local n=$1 c=$2; wait_for 600 sh -c "[ \$(grep -ac '@@CCG READY' /var/log/xen/console/guest-$n.log) -ge $c ]"; }
# dump: every node colorcom owns or writes, with permissions.
dump() {
	local d
	{
		xenstore-ls -fp $BE
		xenstore-ls -fp /local/domain/0/colorcom
		for d in $(xenstore-list $XS); do
			[ "$d" = 0 ] && continue
			xenstore-ls -fp $XS/$d/device
			xenstore-ls -fp $XS/$d/backend
		done
	} 2>/dev/null | sort
}
# refuse CHECK WANT CMD...: CMD fails, prints nothing on stdout and exactly one line on
# stderr that contains WANT, and xenstore is the same before and after.
refuse() {
	local name=$1 want=$2 before after rc
	shift 2
	before=$(dump | md5sum)
	"$@" >/tmp/refuse.out 2>/tmp/refuse.err
	rc=$?
	sleep 0.3
	after=$(dump | md5sum)
	echo "$name: rc=$rc err=$(cat /tmp/refuse.err)" >>"$LAB_LOGDIR/admin-refusals.log"
	if [ $rc = 0 ]; then
		fail "$name" "accepted: $*"
	elif [ -s /tmp/refuse.out ]; then
		fail "$name" "printed on stdout: $(head -c 100 /tmp/refuse.out)"
	elif [ "$(wc -l </tmp/refuse.err)" != 1 ]; then
		fail "$name" "want one error line, got $(wc -l </tmp/refuse.err): $(head -c 160 /tmp/refuse.err | tr '\n' '|')"
	elif ! grep -qF -- "$want" /tmp/refuse.err; then
		fail "$name" "error '$(cat /tmp/refuse.err)' lacks '$want'"
	elif [ "$before" != "$after" ]; then
		fail "$name" "xenstore changed"
	else
		pass "$name"
	fi
}
# chan_json: colorcomctl links blue --json, saved for the artifacts too.
chan_json() { colorcomctl links blue --json | tee -a "$LAB_LOGDIR/admin-channels.json"; }
# all_blue_connected N: N channels on blue, every one connected.
all_blue_connected() { chan_json | jq -e "length == $1 and all(.[]; .state == \"connected\")"; }
# channels_match_xenstore: every channel's states and ring sizes as colorcomctl
# reports them equal what the link halves in xenstore say.
channels_match_xenstore() {
	local j n i a b l fs bs oa ob
	j=$(colorcomctl links --json) || return 1
	n=$(echo "$j" | jq length)
	[ "$n" -gt 0 ] || { echo "no channels"; return 1; }
	for i in $(seq 0 $((n - 1))); do
		read -r a b l < <(echo "$j" | jq -r ".[$i] | \"\(.a.domid) \(.b.domid) \(.link)\"")
		fs=$(xenstore-read $XS/$a/device/cclink/$l/state)
		bs=$(xenstore-read $XS/$b/backend/cclink/$a/$l/state)
		oa=$(xenstore-read $XS/$a/device/cclink/$l/ring-page-order)
		ob=$(xenstore-read $XS/$b/backend/cclink/$a/$l/ring-page-order)
		echo "$j" | jq -e ".[$i] | .a.ring == (4096 * pow(2; $oa)) and .b.ring == (4096 * pow(2; $ob))
			and .a.state == \"$(state_name $fs)\" and .b.state == \"$(state_name $bs)\"" >/dev/null ||
			{ echo "channel $i ($a-$b L=$l): json $(echo "$j" | jq -c ".[$i]") vs xenstore $fs/$bs rings $oa/$ob"; return 1; }
	done
}
state_name() {
	case $1 in 1) echo Initialising ;; 2) echo InitWait ;; 3) echo Initialised ;; 4) echo Connected ;;
	5) echo Closing ;; 6) echo Closed ;; *) echo "?" ;; esac
}
# nic_json DOMID DEVID: that NIC's object from list --json.
nic_json() { colorcomctl list --json | jq -c ".[] | select(.domid == $1 and .devid == $2)"; }
# wait_if NAME MAC: the guest interface with MAC, once the driver made it.
wait_if() {
	local i n
	for i in $(seq 1 100); do
		n=$(cc_ifname "$1" "$2")
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.3
	done
	echo none
}
# guest_mac_is NAME IFACE MAC
guest_mac_is() { [ "$(g "$1" "cat /sys/class/net/$2/address")" = "$3" ]; }

# --- 0. configuration ---------------------------------------------------------------
mkdir -p /etc/colorcom
cat >$CONF <<CONF
# colorcomd.conf for the admin scenario
ring = 512K
mac-prefix = 00:16:3e:ad
reboot-grace = 600
network.blue.max-peers = 3
CONF
check daemon-refuses-bad-config sh -c "printf 'ring = 512K\nmac-prefix = 01:00\n' >/tmp/bad.conf; ! colorcomd -f --once -c /tmp/bad.conf 2>/tmp/bad.err; grep -qx \"colorcomd: /tmp/bad.conf:2: MAC prefix '01:00' is multicast (the first octet must be even)\" /tmp/bad.err"
check daemon-check-config sh -c "colorcomd --check -c $CONF && ! colorcomd --check -c /tmp/bad.conf"
# Start-up truth: without -f the command returns once the daemon runs (its pid in the
# pidfile, alive) and exits non-zero, with no pidfile, when it cannot start; the
# pidfile goes with the daemon.
check daemon-background-start sh -c "colorcomd -p /run/ccd-bg.pid -c $CONF && kill -0 \$(cat /run/ccd-bg.pid) && kill \$(cat /run/ccd-bg.pid) && for i in \$(seq 50); do [ -e /run/ccd-bg.pid ] || exit 0; sleep 0.1; done; exit 1"
check daemon-background-fails-loudly sh -c "! XENSTORED_PATH=/nonexistent/xs colorcomd -p /run/ccd-bad.pid -c $CONF 2>/tmp/ccd-bad.err && grep -q 'cannot open xenstore' /tmp/ccd-bad.err && [ ! -e /run/ccd-bad.pid ]"
# (not inside `check`: its subshell would lose CC_DAEMON_PID)
if cc_daemon; then pass colorcomd-starts; else fail colorcomd-starts "colorcomd exited: $(tail -n1 "$DLOG")"; fi
check daemon-reads-config wait_for 10 grep -q "config $CONF, MAC seed" "$DLOG"

# --- 1. a from an xl config with colorcom = [...] -----------------------------------
lab_guest_cfg a "colorcom = [ 'network=blue,mac=$MA', 'network=green' ]"
lab_guest_start b
lab_guest_start c 'on_poweroff = "preserve"'
check create-dry-run sh -c "colorcomctl -N create /etc/xen/a.cfg | tee $LAB_LOGDIR/admin-create-dry.json | jq -e '.name == \"a\" and (.attach | length) == 2 and .xl[2] == \"-p\" and .attach[0].transaction[6].value == \"$MA\"' && ! xl domid a"
check create-dry-run-wrote-nothing sh -c "! xenstore-exists $BE && ! xenstore-exists $PERSIST"
t=$(date +%s)
colorcomctl -v create /etc/xen/a.cfg >"$LAB_LOGDIR/admin-create.out" 2>"$LAB_LOGDIR/admin-create.err"
rc=$?
result create_seconds $(( $(date +%s) - t ))
if [ $rc = 0 ]; then pass create-a; else fail create-a "rc $rc: $(tail -n1 $LAB_LOGDIR/admin-create.err)"; fi
# -v shows the order: xl create -p, the attach writes, then xl unpause.
check create-paused-attach-unpause awk '/running xl create -p/ {c=NR} /"command": "attach"/ && !a {a=NR} /running xl unpause/ {u=NR} END {exit !(c && a > c && u > a)}' "$LAB_LOGDIR/admin-create.err"
A=$(domid a)
check create-nic-blue sh -c "[ \"\$(xenstore-read $BE/$A/0/mac $BE/$A/0/network $BE/$A/0/ring-page-order)\" = \"\$(printf '$MA\nblue\n7')\" ]"
check create-nic-green-auto-mac sh -c "xenstore-read $BE/$A/1/mac | grep -qE '^00:16:3e:ad:[0-9a-f]{2}:[0-9a-f]{2}\$' && [ \$(xenstore-read $BE/$A/1/network) = green ]"
MAG=$(xenstore-read $BE/$A/1/mac)
UUID=$(xenstore-read $XS/$A/vm | sed 's,^/vm/,,')
check create-reboot-record sh -c "[ \$(xenstore-read $PERSIST/$UUID/0/mac) = $MA ] && [ \$(xenstore-read $PERSIST/$UUID/1/domid) = $A ]"
log "a: domid $A uuid $UUID green mac $MAG"
if lab_guest_wait a && lab_guest_wait b && lab_guest_wait c; then pass guests-up; else fail guests-up "a guest did not boot"; exit 1; fi
B=$(domid b) C=$(domid c)
check a-boots-with-nic sh -c "[ \$(xenstore-read $XS/$A/device/colorcom/0/state) = 1 ] && xenstore-exists $XS/$A/device/colorcom/1"

check module-loads-a cc_load a
check module-loads-b cc_load b
check module-loads-c cc_load c
check attach-b colorcomctl attach b network=blue,mac=$MB
check attach-c colorcomctl attach c network=blue,mac=$MC,ring=1M
IA=$(wait_if a $MA) IB=$(wait_if b $MB) IC=$(wait_if c $MC) IAG=$(wait_if a $MAG)
log "interfaces: a=$IA (green $IAG) b=$IB c=$IC"
g a "ip addr add 10.9.0.1/24 dev ${IA:-none} && ip link set ${IA:-none} up" >/dev/null
g b "ip addr add 10.9.0.2/24 dev ${IB:-none} && ip link set ${IB:-none} up" >/dev/null
g c "ip addr add 10.9.0.3/24 dev ${IC:-none} && ip link set ${IC:-none} up" >/dev/null
check blue-channels-connected wait_for 60 all_blue_connected 3
check ping-a-b g a 'ping -c 2 -W 10 10.9.0.2'

# --- 2. the reports tell what is really there ----------------------------------------
colorcomctl list >"$LAB_LOGDIR/admin-list.txt" 2>&1
colorcomctl list --json >"$LAB_LOGDIR/admin-list.json" 2>&1
check list-json-valid jq -e 'length == 4' "$LAB_LOGDIR/admin-list.json"
for x in "a $A 0 $MA ${IA:-none}" "b $B 0 $MB ${IB:-none}" "c $C 0 $MC ${IC:-none}" "a $A 1 $MAG ${IAG:-none}"; do
	set -- $x
	check "list-json-$1-$3" sh -c "nic_json() { colorcomctl list --json | jq -c '.[] | select(.domid == $2 and .devid == $3)'; }; nic_json | jq -e '.mac == \"$4\" and .backend == \"Connected\" and .frontend == \"Connected\" and .name == \"$1\"' >/dev/null && [ \"\$(xenstore-read $XS/$2/device/colorcom/$3/state)\" = 4 ]"
	check "guest-has-mac-$1-$3" guest_mac_is "$1" "$5" "$4"
done
check list-json-links sh -c "colorcomctl list --json | jq -e '[.[] | select(.network == \"blue\") | .links] == [2, 2, 2] and ([.[] | select(.network == \"green\")][0].links == 0)'"
check list-json-rings sh -c "colorcomctl list --json | jq -e '[.[] | select(.network == \"blue\") | .ring] | sort == [524288, 524288, 1048576]'"
check channels-json-match-xenstore channels_match_xenstore
check channels-json-ring-sizes sh -c "colorcomctl links --json | jq -e '[.[] | select(.a.domid == $C or .b.domid == $C) | (if .a.domid == $C then .a.ring else .b.ring end)] == [1048576, 1048576]'"
now=$(date +%s)
check channels-json-since sh -c "colorcomctl links --json | jq -e 'all(.[]; .since != null and (.since | fromdateiso8601) >= $T0 and (.since | fromdateiso8601) <= $now)'"
check networks-json sh -c "colorcomctl networks --json | tee $LAB_LOGDIR/admin-networks.json | jq -e '.[] | select(.network == \"blue\") | .nics == 3 and .connected == 3 and .links == 3 and .max_peers == 3'"
colorcomctl show a >"$LAB_LOGDIR/admin-show-a.txt" 2>&1
check show-a sh -c "grep -q '^Domain:    $A (a)' $LAB_LOGDIR/admin-show-a.txt && grep -q '^UUID:      $UUID' $LAB_LOGDIR/admin-show-a.txt && grep -q '^NIC 0:     network blue, mac $MA, mtu 1500, ring 512K, backend Connected, frontend Connected, 2 links' $LAB_LOGDIR/admin-show-a.txt && grep -q 'NICs 0 1 re-attached' $LAB_LOGDIR/admin-show-a.txt"

# --- 3. detach and attach c while a pings b ------------------------------------------
g a "rm -f /tmp/ping.log; (ping -i 0.2 -c 300 -W 2 10.9.0.2 >/tmp/ping.log 2>&1 &)" >/dev/null
sleep 3
t=$(date +%s)
check detach-c colorcomctl detach c $MC
result detach_seconds $(( $(date +%s) - t ))
check detach-c-channels-gone sh -c "colorcomctl links --json | jq -e 'all(.[]; .a.domid != $C and .b.domid != $C) and length == 1'"
check detach-c-record-gone sh -c "! xenstore-exists $PERSIST/\$(xenstore-read $XS/$C/vm | sed 's,^/vm/,,')"
t=$(date +%s)
check reattach-c colorcomctl attach c network=blue,mac=$MC,ring=1M
check reattach-c-channels wait_for 60 all_blue_connected 3
result reattach_to_connected_seconds $(( $(date +%s) - t ))
ping_running() { ! g a 'grep -q "packet loss" /tmp/ping.log'; }
check ping-spans-detach-attach ping_running
G_TIMEOUT=120 g a 'while ! grep -q "packet loss" /tmp/ping.log; do sleep 1; done' >/dev/null
g a 'tail -n 3 /tmp/ping.log' >"$LAB_LOGDIR/admin-ping-during-churn.log"
check ping-a-b-no-loss-during-churn grep -q "300 packets transmitted, 300 packets received, 0% packet loss" "$LAB_LOGDIR/admin-ping-during-churn.log"
IC=$(wait_if c $MC)
g c "ip addr add 10.9.0.3/24 dev ${IC:-none} 2>/dev/null; ip link set ${IC:-none} up" >/dev/null
check ping-a-c-after-reattach g a 'ping -c 2 -W 10 10.9.0.3'

# --- 4. bad input against the live system: one line, nothing written -------------------
refuse refuse-unknown-domain "unknown domain 'nosuch'" colorcomctl attach nosuch network=blue
refuse refuse-unknown-domid "unknown domain 4321" colorcomctl attach 4321 network=blue
refuse refuse-malformed-mac "malformed MAC '00:16:3e:ad:00:zz'" colorcomctl attach b network=blue,mac=00:16:3e:ad:00:zz
refuse refuse-multicast-mac "is multicast" colorcomctl attach b network=red,mac=01:00:5e:00:00:01
refuse refuse-duplicate-mac "MAC $MC is already used on network blue by domain $C devid 0" colorcomctl attach b network=blue,mac=$MC
refuse refuse-duplicate-mac-case "is already used on network blue" colorcomctl attach b network=blue,mac=00:16:3E:AD:00:0A
refuse refuse-bad-network "bad network name 'Blue'" colorcomctl attach b network=Blue
refuse refuse-bad-network-slash "bad network name" colorcomctl attach b network=a/b
refuse refuse-ring-not-power-of-two "is not a power of two" colorcomctl attach b network=red,ring=768K
refuse refuse-ring-too-big "is out of range" colorcomctl attach b network=red,ring=4M
refuse refuse-ring-order "ring order 10 is out of range" colorcomctl attach b network=red,ring=10
refuse refuse-network-full "network blue is full (max-peers 3 in $CONF)" colorcomctl attach b network=blue,mac=00:16:3e:ad:00:99
refuse refuse-unknown-key "unknown key 'bridge'" colorcomctl attach b network=red,bridge=xenbr0
refuse refuse-detach-absent-devid "domain $B has no colorcom NIC 7" colorcomctl detach b 7
refuse refuse-detach-absent-mac "has no colorcom NIC with MAC 00:16:3e:ad:00:99" colorcomctl detach b 00:16:3e:ad:00:99
refuse refuse-detach-unknown-domain "unknown domain 'nosuch'" colorcomctl detach nosuch 0
refuse refuse-create-bad-config "colorcom[1]: malformed MAC" colorcomctl create /lab/scenario/bad.cfg
check refuse-create-made-no-domain not xl domid bad
refuse refuse-bad-conf-file "/tmp/bad.conf:2:" colorcomctl -c /tmp/bad.conf attach b network=red
# The daemon keeps its settings when a reload finds a bad file.
cp $CONF /tmp/good.conf
echo "network.red.max-peers = lots" >>$CONF
kill -HUP "$CC_DAEMON_PID"
check daemon-reload-bad-keeps-settings wait_for 10 grep -q "$CONF:6: bad max-peers 'lots' (want 0..4096); keeping the previous settings" "$DLOG"
cp /tmp/good.conf $CONF
kill -HUP "$CC_DAEMON_PID"
check daemon-reload-good wait_for 10 grep -q "reloaded $CONF" "$DLOG"
check daemon-alive-after-reloads kill -0 "$CC_DAEMON_PID"

# --- 5. xl reboot a: the NICs come back, channels re-form --------------------------------
# The guest's /init is a shell that ignores the SIGTERM busybox `reboot` sends; give
# the kernel's orderly_reboot() a /sbin/reboot that reboots, as a real init would.
g a 'rm -f /sbin/reboot && printf "#!/bin/sh\nexec busybox reboot -f\n" >/sbin/reboot && chmod 755 /sbin/reboot' >/dev/null
t=$(date +%s)
xl reboot a >>"$LAB_LOGDIR/xl-reboot.log" 2>&1
new_a() { local d; d=$(domid a) && [ -n "$d" ] && [ "$d" != "$A" ]; }
check reboot-new-domain wait_for 120 new_a
A2=$(domid a)
log "a rebooted: domid $A -> $A2"
check reboot-same-uuid sh -c "[ \"\$(xenstore-read $XS/$A2/vm)\" = /vm/$UUID ]"
check reboot-nics-reattached wait_for 30 sh -c "[ \"\$(xenstore-read $BE/$A2/0/mac)\" = $MA ] && [ \"\$(xenstore-read $BE/$A2/1/mac)\" = $MAG ] && [ \"\$(xenstore-read $BE/$A2/0/ring-page-order)\" = 7 ]"
result reboot_to_reattach_seconds $(( $(date +%s) - t ))
check reboot-old-dirs-gone wait_for 30 sh -c "! xenstore-exists $BE/$A"
check reboot-record-moved sh -c "[ \$(xenstore-read $PERSIST/$UUID/0/domid) = $A2 ]"
check reboot-logged grep -q "re-attached nic $A2/0 (network blue, mac $MA) of rebooted domain a (was domain $A)" "$DLOG"
check reboot-guest-up wait_ready a 2
check module-loads-a-again cc_load a
IA=$(wait_if a $MA)
g a "ip addr add 10.9.0.1/24 dev ${IA:-none} && ip link set ${IA:-none} up" >/dev/null
check reboot-channels-reform wait_for 90 all_blue_connected 3
check reboot-channels-new-domid sh -c "colorcomctl links blue --json | jq -e '[.[] | select(.a.domid == $A2 or .b.domid == $A2)] | length == 2'"
result reboot_to_channels_seconds $(( $(date +%s) - t ))
check reboot-ping-a-b g a 'ping -c 2 -W 10 10.9.0.2'
check reboot-ping-a-c g a 'ping -c 2 -W 10 10.9.0.3'
check reboot-channels-match-xenstore channels_match_xenstore

# --- 6. a shut-down domain is refused ---------------------------------------------------
g c 'poweroff -f' >/dev/null 2>&1 &
c_down() { xl list c 2>/dev/null | awk 'NR == 2 {s = $5} END {exit !(s ~ /s/)}'; }
check c-shut-down wait_for 60 c_down
check c-nic-removed-by-daemon wait_for 30 sh -c "! xenstore-exists $BE/$C"
sleep 2         # the daemon's removal of c's links settles
refuse refuse-shut-down-domain "domain $C (c) is dying or has shut down" colorcomctl attach c network=red

check daemon-alive-at-end kill -0 "$CC_DAEMON_PID"
check daemon-no-failed-actions not grep -q "failed (" "$DLOG"
colorcomctl list >>"$LAB_LOGDIR/admin-list.txt" 2>&1
xl destroy c
kill "$CC_DAEMON_PID"
wait "$CC_DAEMON_PID" 2>/dev/null
true
