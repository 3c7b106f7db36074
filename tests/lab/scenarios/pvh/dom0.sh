# pvh: a PV guest and a PVH guest talk over colorcom, then the PVH guest migrates live to
# this same host (localhost migration, as Xen's own test system does it) with its links
# and an open TCP connection.  qemu-cpu gives Xen HAP: PVH needs it, and so does the
# log-dirty mode of live migration (Debian's Xen has no shadow paging; docs/lab.md).
#   1. a (PV) and p (PVH) on network blue: ping both ways, 32 MiB sha256 each way, TCP
#      both ways; nothing crosses dom0 (its netdev counters stay put).
#   2. Control: xl migrate q, a PVH guest without colorcom that dirties memory meanwhile
#      (does PVH migration work in this lab at all?).
#   3. xl migrate p: an iperf3 stream a -> p opened before it is still alive afterwards;
#      p's links close on the sending side and re-form on the receiving one; the blackout
#      is the longest gap in a's 0.2 s ping; no zombie domain; dom0's event channels
#      are back at their baseline.
# qemu-accel runs QEMU's TCG single-threaded: under its default multi-threaded TCG, PVH
# guests here take minutes to boot and triple-fault or hang (docs/lab.md, PVH).
LAB_GUEST_MEM=128
# A PVH guest that faults is destroyed, not restarted (a triple fault is a reboot).
PVH_CFG=('on_reboot = "destroy"')
declare -A MAC=([a]=00:16:3e:a7:00:0a [p]=00:16:3e:a7:00:0f)
declare -A IP=([a]=10.7.0.1 [p]=10.7.0.2)
both_ways() { g a "ping -c 2 -W 5 ${IP[p]}" >/dev/null && g p "ping -c 2 -W 5 ${IP[a]}" >/dev/null; }
# rip_syms: name the kernel function of every guest RIP in Xen's crash dumps.  dom0 runs
# the same Debian kernel as a PV domain, loaded unrelocated, and a PVH guest is entered
# without the decompressor (no KASLR): dom0's /proc/kallsyms holds the guests' addresses.
rip_syms() {
	local r
	for r in $(xl dmesg | sed -n 's/.*RIP: *[0-9a-f]*:\[<\([0-9a-f]*\)>\].*/\1/p' | sort -u); do
		awk -v r="$r" '$2 ~ /^[tT]$/ && $1 <= r && $1 >= at {best = $3; at = $1} END {print r, best, at}' /proc/kallsyms
	done
}
dom0_evtchns() { lsevtchn 0 2>/dev/null | grep -c .; }

# follow_console NAME: xenconsoled names a console log after the domain's name when it
# first sees the domain; a migrated guest arrives as NAME--incoming, so its console goes
# on in guest-NAME--incoming.log, where g must read it from now on.
follow_console() {
	local d=/var/log/xen/console
	[ -e "$d/guest-$1--incoming.log" ] || return 0
	mv -f "$d/guest-$1.log" "$d/guest-$1-before-migrate.log"
	ln -s "guest-$1--incoming.log" "$d/guest-$1.log"
}

cc_daemon_check colorcomd-starts
check hap-detected sh -c "xl dmesg | grep -q 'Hardware Assisted Paging (HAP) detected'"
lab_guest_start a & pa=$!
LAB_GUEST_TYPE=pvh LAB_GUEST_MEM=256 lab_guest_start p "${PVH_CFG[@]}" & pp=$!
LAB_GUEST_TYPE=pvh LAB_GUEST_MEM=256 lab_guest_start q "${PVH_CFG[@]}" & pq=$!
wait $pa $pp $pq
# pvh_up NAME: wait for a PVH guest's agent; false as soon as the domain is gone.  Under
# TCG a PVH guest sometimes takes a triple fault early in boot (Xen's log has the dump;
# rip_syms names the function): it is then created again, at most twice, and counted.
pvh_up() {
	local n=$1 try end
	for try in 1 2 3; do
		# A deadline, not a count: each round forks grep and xl, slow under TCG (a
		# 3000-round count once outlasted the whole boot).
		end=$((EPOCHSECONDS + 400))
		while [ "$EPOCHSECONDS" -lt "$end" ]; do
			grep -aq "@@CCG READY" "/var/log/xen/console/guest-$n.log" 2>/dev/null && return 0
			domid "$n" >/dev/null || break
			sleep 1
		done
		domid "$n" >/dev/null && return 1
		log "$n died while booting (try $try)"
		BOOT_FAULTS=$((BOOT_FAULTS + 1))
		[ $try = 3 ] && return 1
		xl create "/etc/xen/$n.cfg" >>"$LAB_LOGDIR/xl-create-$n.log" 2>&1 || return 1
	done
}
BOOT_FAULTS=0
t0=$(now_s)
lab_guest_wait a || { fail guests-up "a did not boot"; exit 1; }
for n in p q; do
	pvh_up $n || { fail guests-up "$n did not boot: $(xl list $n 2>&1 | tail -n1)"; rip_syms >"$LAB_LOGDIR/guest-crash-rips.log" 2>&1; exit 1; }
done
pass guests-up
result pvh_boot_faults "$BOOT_FAULTS"
rip_syms >"$LAB_LOGDIR/guest-crash-rips-boot.log" 2>&1
result pvh_boot_seconds "$(since_s "$t0")"
P=$(domid p)
check p-is-pvh sh -c "xl list -l p | jq -e '.[0].config.c_info.type == \"pvh\"'"
check p-kernel-sees-pvh g p '[ "$(cat /sys/hypervisor/guest_type)" = PVH ]'
g p "dmesg | grep -iE 'tsc|clocksource|calibrat|kaslr|i8254|pit'" >"$LAB_LOGDIR/p-time-dmesg.log" 2>&1
for n in a p; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; exit 1; fi
done
for n in a p; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 1; done
check ping-both-ways both_ways
n0=$(dom0_netdev_snapshot)
lab_transfer sha256-32MiB-a-to-p a p ${IP[p]} $((32 * 1024 * 1024)) >/dev/null
lab_transfer sha256-32MiB-p-to-a p a ${IP[a]} $((32 * 1024 * 1024)) 5002 >/dev/null
result colorcom_tcp_mbps_a_to_p "$(lab_iperf iperf3-a-to-p a p ${IP[p]} 5 | tail -n1)"
result colorcom_tcp_mbps_p_to_a "$(lab_iperf iperf3-p-to-a p a ${IP[a]} 5 | tail -n1)"
n1=$(dom0_netdev_snapshot)
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev counters moved: $n0 -> $n1"; fi
check p-counters-move g p "ethtool -S ${CC_IF[p]} | awk '/^ *rx_packets:/ {exit !(\$2 > 1000)}'"
EV0=$(dom0_evtchns)

# --- control: live migration of q, no colorcom --------------------------------------------
Q=$(domid q)
# QEMU's -d int over this migration (qemu-log-window): a guest fault at its suspend
# (seen once before) would show its exception chain.  Not over p's: its blackout is
# measured.
# q rewrites a 16 MiB tmpfs file in a loop all through its migration, so it dirties
# memory as p's traffic does in p's: p crashed after its migration once and q (idle)
# did not; if a busy q crashes too, the restored memory is at fault, not colorcom.
g q 'rm -f /tmp/dirty.n; (while :; do dd if=/dev/zero of=/tmp/dirty bs=64k count=256 2>/dev/null; echo >>/tmp/dirty.n; done) >/dev/null 2>&1 & echo $! >/tmp/dirty.pid' >/dev/null
note "qemu-log on int"
sleep 3
t1=$(now_s)
if xl migrate -s '' q 'xl migrate-receive' >"$LAB_LOGDIR/xl-migrate-q.log" 2>&1; then
	pass control-xl-migrate-q
else
	fail control-xl-migrate-q "$(grep -a -v '^ *$' "$LAB_LOGDIR/xl-migrate-q.log" | tail -n1)"
fi
result control_migrate_seconds "$(since_s "$t1")"
note "qemu-log off"
follow_console q
check control-q-alive-after-migrate g q true
result control_q_dirty_rounds "$(G_TIMEOUT=30 g q 'kill $(cat /tmp/dirty.pid); wc -l </tmp/dirty.n' | tail -n1)"
xl dmesg >"$LAB_LOGDIR/xl-dmesg-after-q.log" 2>&1
rip_syms >"$LAB_LOGDIR/guest-crash-rips-q.log" 2>&1

# --- live migration of p ---------------------------------------------------------------
# A file migrate-idle in the folder: p migrates with its link up but no traffic, and the
# run ends once p's survival and its links are judged (does traffic matter to p's crash?).
IDLE=; [ -e /lab/scenario/migrate-idle ] && IDLE=1
if [ -z "$IDLE" ]; then
	g p 'iperf3 -s -D -1 >/dev/null 2>&1' >/dev/null
	sleep 1
	# Long enough to outlast the migration and the reconnect under TCG.
	g a "(iperf3 -c ${IP[p]} -t 150 -i 5 -b 20M -J >/tmp/iperf.json 2>&1 &)" >/dev/null
	pinger_start a cc ${IP[p]}
	sleep 5
fi
t1=$(now_s)
if xl migrate -s '' p 'xl migrate-receive' >"$LAB_LOGDIR/xl-migrate.log" 2>&1; then
	pass xl-migrate
else
	fail xl-migrate "$(grep -a -v '^ *$' "$LAB_LOGDIR/xl-migrate.log" | tail -n1)"
fi
result migrate_seconds "$(since_s "$t1")"
P2=$(domid p)
follow_console p
log "p migrated: domid $P -> $P2"
xl list >"$LAB_LOGDIR/xl-list-after-migrate.log" 2>&1
xl dmesg >"$LAB_LOGDIR/xl-dmesg-after-p.log" 2>&1
rip_syms >"$LAB_LOGDIR/guest-crash-rips.log" 2>&1
# A failed migration leaves nothing to wait for, nor does a guest that crashed after
# its resume: twice p's kernel died at the first fault of its first new process
# (recursive page faults on its per-CPU area), so start one before judging.
[ -n "$P2" ] || { fail migrate-p-alive "no domain p after the migration"; exit 0; }
G_TIMEOUT=60 g p true >/dev/null
if xl list p 2>/dev/null | awk 'NR == 2 {exit !($5 ~ /c/)}'; then
	fail migrate-p-alive "p crashed (its console: guest-p--incoming.log, or guest-p.log if it did not migrate)"
	xl dmesg >"$LAB_LOGDIR/xl-dmesg-after-p-crash.log" 2>&1
	exit 0
fi
pass migrate-p-alive
check migrate-new-domid sh -c "[ -n '$P2' ] && [ '$P2' != '$P' ]"
check migrate-no-zombie wait_until 30 xl_no_dying
check migrate-old-nic-gone not xenstore-exists "/local/domain/$P/device/colorcom/0"
check migrate-links-p cc_wait_links p "${CC_IF[p]}" 1 120
result migrate_to_links_seconds "$(since_s "$t1")"
[ -z "$IDLE" ] || exit 0
check migrate-links-a cc_wait_links a "${CC_IF[a]}" 1
check migrate-ping-both-ways both_ways
G_TIMEOUT=400 g a 'while pidof iperf3 >/dev/null; do sleep 1; done' >/dev/null
g a 'cat /tmp/iperf.json' >"$LAB_LOGDIR/migrate-iperf.log"
check tcp-survives-migration iperf_survived "$LAB_LOGDIR/migrate-iperf.log" 28
read -r n lost gap < <(pinger_stop a cc)
# No reply at all (or a pinger whose output did not come back) measures nothing.
if [ "${n:-0}" -gt 0 ]; then pass blackout-measured; result blackout_ping_gap_s "$gap"; else fail blackout-measured "no ping reply from p"; fi
log "a -> p: $n replies, $lost lost, longest gap ${gap}s"
lab_transfer sha256-32MiB-after-migrate a p ${IP[p]} $((32 * 1024 * 1024)) 5003 >/dev/null
ev_back() { [ "$(dom0_evtchns)" -le "$EV0" ]; }
check dom0-evtchns-at-baseline wait_until 30 ev_back
log "dom0 evtchns: baseline $EV0, now $(dom0_evtchns)"
