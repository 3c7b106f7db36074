# xl-create: `colorcom = [...]` in a domain config, honoured by plain xl (issue #13
# item 1).  xl 4.17 keeps no config text of the domains it creates (userdata "xl"
# only after `xl config-update`; checked below), so colorcomd reads the config of each
# new domain from the command line of the `xl create` that makes it (back/xlcfg.c).
#   a: plain `xl create /etc/xen/a.cfg`;
#   b: `cd /etc/xen && xl create b.cfg 'colorcom = [...]'`: a relative path and an
#      override that replaces the file's list, as xl applies it;
#   c: one good entry, one whose MAC a already has, one with a misspelt key: c runs,
#      its good NIC attaches, the two others are in colorcomd's log and colorcomctl list;
#   all three ping each other over colorcom, both ways;
#   `xl config-update a` with a second NIC, then `xl reboot a`: the new list (xl reboots
#      a from the updated text, which gives it a new UUID: colorcomd knows the new domain
#      by its xl process); b <-> c lose nothing meanwhile;
#   `colorcomctl create` (now: waits for colorcomd, all or nothing) of d, and of e with
#      a bad entry (refused before xl runs: no domain);
#   afterwards colorcomd's marks of gone domains are removed and no zombie is left.
LAB_GUEST_MEM=128
DLOG=$LAB_LOGDIR/colorcomd.log
UD=/var/lib/xen
XC=/local/domain/0/colorcom/config
declare -A MAC=([a]=00:16:3e:1c:00:0a [b]=00:16:3e:1c:00:0b [c]=00:16:3e:1c:00:0c [d]=00:16:3e:1c:00:0d)
declare -A IP=([a]=10.1.0.1 [b]=10.1.0.2 [c]=10.1.0.3 [d]=10.1.0.4)
MA2=00:16:3e:1c:01:0a
both_ways() { g "$1" "ping -c 2 -W 5 ${IP[$2]}" >/dev/null && g "$2" "ping -c 2 -W 5 ${IP[$1]}" >/dev/null; }
# nic_of NAME DEVID: the backend MAC of that NIC ("" if none).
nic_mac() { xenstore-read "/local/domain/0/backend/colorcom/$(domid "$1")/$2/mac" 2>/dev/null; }
nic_is() { [ "$(nic_mac "$1" "$2")" = "$3" ]; }
nic_net_is() { [ "$(xenstore-read "/local/domain/0/backend/colorcom/$(domid "$1")/$2/network" 2>/dev/null)" = "$3" ]; }
no_nic() { ! xenstore-exists "/local/domain/0/backend/colorcom/$(domid "$1")/$2"; }
has_key() { [ -e "$(ls -d "$UD"/userdata-d."$1".*."$2" 2>/dev/null | head -n1)" ]; }
# up NAME: load the driver, find the interface with NAME's MAC, address it.
up() {
	local i
	g "$1" "lsmod | grep -q '^colorcom' || insmod /lib/colorcom/colorcom.ko" >/dev/null
	for i in $(seq 50); do CC_IF[$1]=$(cc_ifname "$1" "${MAC[$1]}"); [ -n "${CC_IF[$1]}" ] && break; sleep 0.2; done
	[ -n "${CC_IF[$1]}" ] && g "$1" "ip addr add ${IP[$1]}/24 dev ${CC_IF[$1]} && ip link set ${CC_IF[$1]} up" >/dev/null
}

cc_daemon_check colorcomd-starts
# Configs as lab_guest_start writes them (xl shadowed while writing b's and c's).
lab_guest_start a "colorcom = [ 'network=blue,mac=${MAC[a]}' ]" & pa=$!
xl() { :; }
lab_guest_start b "colorcom = [ 'network=red,mac=00:16:3e:1c:02:0b' ]"
lab_guest_start c "colorcom = [ 'network=blue,mac=${MAC[c]}', 'network=blue,mac=${MAC[a]}', 'netwrk=blue' ]"
unset -f xl
(cd /etc/xen && xl create b.cfg "colorcom = [ 'network=blue,mac=${MAC[b]}' ]") >"$LAB_LOGDIR/xl-create-b.log" 2>&1 & pb=$!
wait $pa
# c after a has its NIC: c's second entry must find a's MAC taken.
wait_until 30 nic_is a 0 "${MAC[a]}" >/dev/null
xl create /etc/xen/c.cfg >"$LAB_LOGDIR/xl-create-c.log" 2>&1 & pc=$!
wait $pb $pc
for n in a b c; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
A=$(domid a) B=$(domid b) C=$(domid c)
xenstore-ls -fp "$XC" >"$LAB_LOGDIR/xs-config-marks.log" 2>&1

# The fact the design rests on: xl stored no config text for a.
result userdata_keys_a "[$(ls "$UD" | sed -n "s/^userdata-d\.$A\.[^.]*\.//p" | sort | tr '\n' ' ')]"
check create-stores-no-xl-userdata not has_key "$A" xl
check nic-a-from-config wait_until 20 nic_is a 0 "${MAC[a]}"
check nic-a-reboot-record sh -c "xenstore-exists /local/domain/0/colorcom/persist/\$(xenstore-read /local/domain/$A/vm | cut -d/ -f3)/0"
check nic-b-override-relative wait_until 20 nic_is b 0 "${MAC[b]}"
check nic-b-on-blue nic_net_is b 0 blue
check nic-c-good-entry wait_until 20 nic_is c 0 "${MAC[c]}"
check nic-c-bad-entries-absent sh -c "! xenstore-exists /local/domain/0/backend/colorcom/$C/1 && ! xenstore-exists /local/domain/0/backend/colorcom/$C/2"
# Running or runnable: not paused, not shut down, not crashed.
unpaused() { xl list "$1" | awk 'NR == 2 {exit !($5 !~ /[pscd]/)}'; }
check c-runs unpaused c
check source-names-xl-create sh -c "xenstore-read $XC/$A/source | grep -q '^xl create /etc/xen/a.cfg'"
check source-b-relative sh -c "xenstore-read $XC/$B/source | grep -q '^xl create b.cfg'"
colorcomctl list >"$LAB_LOGDIR/list.log" 2>&1
colorcomctl list --json >"$LAB_LOGDIR/list.json" 2>&1
check list-shows-mac-clash grep -q "^$C .*error: colorcom\[1\]: MAC ${MAC[a]} is already used on network blue by domain $A devid 0" "$LAB_LOGDIR/list.log"
check list-shows-bad-key grep -q "^$C .*error: colorcom\[2\]: .*netwrk" "$LAB_LOGDIR/list.log"
check list-json-error-key jq -e --argjson d "$C" '[.[] | select(.domid == $d and .devid == null and (.error | startswith("colorcom[1]: MAC")))] | length == 1' "$LAB_LOGDIR/list.json"
check log-names-bad-entries sh -c "grep -q 'domain $C (c): colorcom\[1\]: MAC' '$DLOG' && grep -q 'domain $C (c): 1 of 3 colorcom NICs of its config attached' '$DLOG'"
check list-clean-for-a not grep -q "^$A .*error" "$LAB_LOGDIR/list.log"

for n in a b c; do if up $n; then pass up-$n; else fail up-$n "no colorcom interface in $n"; fi; done
for n in a b c; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 2; done
all_pairs() { both_ways a b && both_ways a c && both_ways b c; }
check ping-all-pairs all_pairs

# --- xl config-update + xl reboot a ----------------------------------------------------
sed "s/^colorcom = .*/colorcom = [ 'network=blue,mac=${MAC[a]}', 'network=red,mac=$MA2' ]/" /etc/xen/a.cfg >/etc/xen/a2.cfg
xl config-update a /etc/xen/a2.cfg >"$LAB_LOGDIR/xl-config-update.out" 2>&1
check config-update-seen wait_until 10 grep -q "domain $A (a): xl config-update: 2 colorcom NICs from its next reboot" "$DLOG"
check config-update-xl-pid sh -c "kill -0 \$(xenstore-read $XC/$A/xl-pid)"
check config-update-record sh -c "xenstore-read /local/domain/0/colorcom/persist/\$(xenstore-read /local/domain/$A/vm | cut -d/ -f3)/1/mac | grep -qx $MA2"
check config-update-not-now no_nic a 1
pinger_start b bc ${IP[c]}
g a 'rm -f /sbin/reboot && printf "#!/bin/sh\nexec busybox reboot -f\n" >/sbin/reboot && chmod 755 /sbin/reboot' >/dev/null
xl reboot a >>"$LAB_LOGDIR/xl-reboot.log" 2>&1
new_a() { local d; d=$(domid a) && [ -n "$d" ] && [ "$d" != "$A" ]; }
check reboot-new-domain wait_until 120 new_a
check reboot-guest-up wait_until 300 sh -c "[ \$(grep -ac '@@CCG READY' /var/log/xen/console/guest-a.log) -ge 2 ]"
A2=$(domid a)
check reboot-nic0 wait_until 30 nic_is a 0 "${MAC[a]}"
check reboot-nic1-from-update wait_until 30 nic_is a 1 "$MA2"
check reboot-nic1-red nic_net_is a 1 red
check reboot-source-config-update sh -c "xenstore-read $XC/$A2/source | grep -q '^xl config-update of domain $A'"
up a
check reboot-links-a cc_wait_links a "${CC_IF[a]}" 2
check reboot-ping-a-b both_ways a b
no_loss reboot-b-c-lost-nothing "$(pinger_stop b bc)"

# --- colorcomctl create: all or nothing ------------------------------------------------
xl destroy c
check mark-of-gone-domain-removed wait_until 20 not xenstore-exists "$XC/$C"
xl() { :; }
lab_guest_start d "colorcom = [ 'network=blue,mac=${MAC[d]}' ]"
lab_guest_start e "colorcom = [ 'network=blue', 'network=blue,ring=3' ]"
unset -f xl
if colorcomctl create /etc/xen/d.cfg >"$LAB_LOGDIR/create-d.log" 2>&1; then pass create-d; else fail create-d "$(tail -n1 "$LAB_LOGDIR/create-d.log")"; fi
check create-d-reports-nic grep -q "attached colorcom NIC $(domid d)/0 (network blue, mac ${MAC[d]})" "$LAB_LOGDIR/create-d.log"
check create-d-unpaused unpaused d
if lab_guest_wait d && up d; then pass up-d; else fail up-d "d did not come up"; fi
check ping-d-b both_ways d b
check create-e-refused not colorcomctl create /etc/xen/e.cfg
check create-e-no-domain not xl domid e

# --- afterwards ------------------------------------------------------------------------
for n in a b d; do xl destroy $n; done
gone() { [ -z "$(xenstore-list "$XC" 2>/dev/null)" ]; }
check marks-all-removed wait_until 20 gone
check no-zombie wait_until 20 xl_no_dying
check daemon-alive kill -0 "$CC_DAEMON_PID"
