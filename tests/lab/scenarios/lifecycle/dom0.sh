# lifecycle: what xl does to a guest, and what its colorcom NICs do meanwhile.
#   a, b, c share network "blue"; a and b get their NICs from colorcomctl attach and
#   also have a vif on br0 (netfront/netback), so both paths are measured in the same
#   step.  c is made by `colorcomctl create` from a config with a colorcom line (its
#   NIC is there before the guest runs).
#   1. xl save a + xl restore: a's links close on suspend (no zombie once it is saved),
#      come back after the restore (new domid), an iperf3 TCP stream opened before the
#      save is still alive, b <-> c lost nothing; the outage is the ping gap seen by b,
#      on colorcom and on netback.
#   2. module reload in b with live links: rmmod is refused while the NIC is bound
#      (nothing changes); unbind, rmmod, insmod: links re-form, a <-> c lost nothing.
#   3. xl reboot c: its NIC comes back by UUID, links re-form, a <-> b lost nothing.
# Afterwards: the drivers' grant/map/evtchn counters and dom0's event channels are
# back at their baseline, and xl list shows no zombie.
LAB_GUEST_MEM=128
DLOG=$LAB_LOGDIR/colorcomd.log
declare -A MAC=([a]=00:16:3e:1c:00:0a [b]=00:16:3e:1c:00:0b [c]=00:16:3e:1c:00:0c)
declare -A IP=([a]=10.1.0.1 [b]=10.1.0.2 [c]=10.1.0.3)
declare -A VIP=([a]=10.0.0.1 [b]=10.0.0.2)
P=/sys/module/colorcom/parameters
# counters NAME: "grants maps evtchns pending" of the driver in that guest.
counters() { g "$1" "echo \$(cat $P/grants_active $P/maps_active $P/evtchns_active $P/grants_pending)"; }
dom0_evtchns() { lsevtchn 0 2>/dev/null | grep -c .; }
ready_count() { grep -ac "@@CCG READY" "/var/log/xen/console/guest-$1.log" 2>/dev/null || echo 0; }
# both_ways X Y: X pings Y and Y pings X over colorcom.
both_ways() { g "$1" "ping -c 2 -W 5 ${IP[$2]}" >/dev/null && g "$2" "ping -c 2 -W 5 ${IP[$1]}" >/dev/null; }

cc_daemon_check colorcomd-starts
lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:00:00:0a"]' & pa=$!
lab_guest_start b 'vif = ["bridge=br0,mac=00:16:3e:00:00:0b"]' & pb=$!
wait $pa $pb
# c's config as lab_guest_start writes it (xl shadowed: no domain yet).
xl() { :; }
lab_guest_start c "colorcom = [ 'network=blue,mac=${MAC[c]}' ]"
unset -f xl
if colorcomctl create /etc/xen/c.cfg >"$LAB_LOGDIR/create-c.log" 2>&1; then pass create-c; else fail create-c "$(tail -n1 "$LAB_LOGDIR/create-c.log")"; fi
for n in a b c; do lab_guest_wait $n || { fail guests-up "$n did not boot"; exit 1; }; done
pass guests-up
C=$(domid c)
check create-nic-and-record sh -c "xenstore-exists /local/domain/0/colorcom/persist/\$(xenstore-read /local/domain/$C/vm | cut -d/ -f3)/0 && xenstore-exists /local/domain/$C/device/colorcom/0"
for n in a b; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; fi
done
cc_load c >/dev/null
for i in $(seq 50); do CC_IF[c]=$(cc_ifname c ${MAC[c]}); [ -n "${CC_IF[c]}" ] && break; sleep 0.2; done
if g c "ip addr add ${IP[c]}/24 dev ${CC_IF[c]} && ip link set ${CC_IF[c]} up" >/dev/null; then pass nic-c; else fail nic-c "no colorcom interface in c"; fi
for n in a b; do g $n "ip addr add ${VIP[$n]}/24 dev eth0 && ip link set eth0 up" >/dev/null; done
for n in a b c; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 2; done
all_pairs() { both_ways a b && both_ways a c && both_ways b c; }
check ping-all-pairs all_pairs
check netback-a-b g b "ping -c 2 -W 5 ${VIP[a]}"
for n in a b c; do eval "K0_$n=\"\$(counters $n)\""; done
EV0=$(dom0_evtchns)
log "baseline: a=[$K0_a] b=[$K0_b] c=[$K0_c] dom0 evtchns=$EV0"

# --- 1. xl save / xl restore a ---------------------------------------------------------
A=$(domid a)
g a 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
sleep 1
# Long enough to outlast save + restore + reconnect under TCG (up to ~90 s seen).
g b "(iperf3 -c ${IP[a]} -t 150 -i 5 -b 50M -J >/tmp/iperf.json 2>&1 &)" >/dev/null
pinger_start b cc ${IP[a]}
pinger_start b nb ${VIP[a]}
pinger_start c bc ${IP[b]}
sleep 5
t0=$(now_s)
if xl save a /tmp/a.save >"$LAB_LOGDIR/xl-save.log" 2>&1; then pass xl-save; else fail xl-save "$(tail -n1 "$LAB_LOGDIR/xl-save.log")"; fi
result save_seconds "$(since_s "$t0")"
check save-no-zombie wait_until 20 xl_no_dying
bc_one_link() { links_are b 1 && links_are c 1; }
check save-peers-let-go wait_until 30 bc_one_link
xl list >"$LAB_LOGDIR/xl-list-after-save.log" 2>&1
t1=$(now_s)
if xl restore /tmp/a.save >"$LAB_LOGDIR/xl-restore.log" 2>&1; then pass xl-restore; else fail xl-restore "$(tail -n1 "$LAB_LOGDIR/xl-restore.log")"; fi
result restore_seconds "$(since_s "$t1")"
A2=$(domid a)
log "a restored: domid $A -> $A2"
check restore-new-domid sh -c "[ -n '$A2' ] && [ '$A2' != '$A' ]"
check restore-links-a cc_wait_links a "${CC_IF[a]}" 2 60
result restore_to_links_seconds "$(since_s "$t1")"
check restore-links-b cc_wait_links b "${CC_IF[b]}" 2
check restore-links-c cc_wait_links c "${CC_IF[c]}" 2
# The links a had before the save are gone from its device model, not stale devices
# that xenbus fails to resume.
# The links' devices of before the save fail their xenbus resume with ENOENT (their
# nodes were removed at suspend, on purpose) and xenbus then drops them: that line is
# expected; any other device failing to restore (the NIC) is not.
check restore-no-stale-links g a "n=\$(ls /sys/bus/xen/devices /sys/bus/xen-backend/devices | grep -c '^cclink'); [ \$n = 2 ] || { echo \$n cclink devices; exit 1; }; ! dmesg | grep 'failed to restore' | grep -v ' cclink cclink-[0-9]*: PM: failed to restore: error -2'"
check restore-ping-a-b both_ways a b
check restore-ping-a-c both_ways a c
check restore-netback g b "ping -c 2 -W 5 ${VIP[a]}"
# TCP opened before the save: iperf3 ends normally and moved data in its last interval.
G_TIMEOUT=200 g b 'while pidof iperf3 >/dev/null; do sleep 1; done' >/dev/null
g b 'cat /tmp/iperf.json' >"$LAB_LOGDIR/lifecycle-iperf.log"
check tcp-survives-restore iperf_survived "$LAB_LOGDIR/lifecycle-iperf.log" 25
read -r n lost gap < <(pinger_stop b cc)
result outage_colorcom_ping_gap_s "$gap"
log "b -> a colorcom: $n replies, $lost lost, gap ${gap}s"
read -r n lost gap < <(pinger_stop b nb)
result outage_netback_ping_gap_s "$gap"
log "b -> a netback: $n replies, $lost lost, gap ${gap}s"
no_loss save-b-c-lost-nothing "$(pinger_stop c bc)"

# --- 2. module reload in b -------------------------------------------------------------
# xenbus holds a module reference per bound device (as for netfront): a plain rmmod
# is refused and changes nothing; unbinding the NIC first closes its links.
pinger_start a ac ${IP[c]}
check rmmod-refused-while-bound g b "! rmmod colorcom 2>/dev/null && grep -q '^colorcom ' /proc/modules"
check rmmod-refused-links-intact links_are a 2
g b "echo colorcom-0 >/sys/bus/xen/drivers/colorcom/unbind" >/dev/null
ac_one_link() { links_are a 1 && links_are c 1; }
check unbind-peers-let-go wait_until 30 ac_one_link
check rmmod-after-unbind g b "for i in \$(seq 50); do rmmod colorcom 2>/dev/null && exit 0; sleep 0.2; done; cat /proc/modules; exit 1"
check insmod-again g b "insmod /lib/colorcom/colorcom.ko"
for i in $(seq 50); do CC_IF[b]=$(cc_ifname b ${MAC[b]}); [ -n "${CC_IF[b]}" ] && break; sleep 0.2; done
g b "ip addr add ${IP[b]}/24 dev ${CC_IF[b]} && ip link set ${CC_IF[b]} up" >/dev/null
check reload-links-b cc_wait_links b "${CC_IF[b]}" 2
check reload-ping-b-a both_ways b a
check reload-ping-b-c both_ways b c
no_loss reload-a-c-lost-nothing "$(pinger_stop a ac)"

# --- 3. xl reboot c --------------------------------------------------------------------
pinger_start a ab ${IP[b]}
lab_xl_reboot c "$C"
g c "insmod /lib/colorcom/colorcom.ko" >/dev/null
for i in $(seq 50); do CC_IF[c]=$(cc_ifname c ${MAC[c]}); [ -n "${CC_IF[c]}" ] && break; sleep 0.2; done
g c "ip addr add ${IP[c]}/24 dev ${CC_IF[c]} && ip link set ${CC_IF[c]} up" >/dev/null
check reboot-links-c cc_wait_links c "${CC_IF[c]}" 2
check reboot-ping-c-a both_ways c a
check reboot-ping-c-b both_ways c b
C2=$(domid c)
check reboot-reattached grep -q "re-attached nic $C2/0 (network blue, mac ${MAC[c]}) of rebooted domain c" "$DLOG"
no_loss reboot-a-b-lost-nothing "$(pinger_stop a ab)"

# --- afterwards ------------------------------------------------------------------------
for n in a b c; do
	k=$(counters $n)
	log "after: $n=[$k] (baseline [$(eval echo \"\$K0_$n\")])"
	pz() { [ "$(g "$1" "cat $P/grants_pending")" = 0 ]; }
	wait_until 10 pz $n >/dev/null
	k=$(counters $n)
	if [ "$k" = "$(eval echo \"\$K0_$n\")" ]; then pass counters-back-$n; else fail counters-back-$n "[$(eval echo \"\$K0_$n\")] -> [$k]"; fi
done
EV1=$(dom0_evtchns)
if [ "$EV1" = "$EV0" ]; then pass dom0-evtchns-back; else fail dom0-evtchns-back "$EV0 -> $EV1"; fi
check no-zombie xl_no_dying
for n in a b c; do G_TIMEOUT=10 g $n dmesg >"$LAB_LOGDIR/lifecycle-$n-dmesg.log" 2>&1; done
oops=$(grep -hE 'WARNING:|BUG:|Oops|general protection' "$LAB_LOGDIR"/lifecycle-?-dmesg.log | head -n1)
if [ -z "$oops" ]; then pass no-oops; else fail no-oops "$oops"; fi
