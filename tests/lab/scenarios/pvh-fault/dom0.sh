# pvh-fault: catch a PVH guest's early-boot triple fault in QEMU's own log.  Not in the
# suite; run beside tests/lab/qemu-log-window (docs/lab.md, PVH).  Two PVH guests with
# the TSC flag (the PIT calibration path) boot while the scenario asks for QEMU's -d int
# ("qemu-log on int"); each comes up or dies; Xen's dumps name the RIPs.
rip_syms() {
	local r
	for r in $(xl dmesg | sed -n 's/.*RIP: *[0-9a-f]*:\[<\([0-9a-f]*\)>\].*/\1/p' | sort -u); do
		awk -v r="$r" '$2 ~ /^[tT]$/ && $1 <= r && $1 >= at {best = $3; at = $1} END {print r, best, at}' /proc/kallsyms
	done
}
check hap-detected sh -c "xl dmesg | grep -q 'Hardware Assisted Paging (HAP) detected'"
note "qemu-log on int"
sleep 3
for n in f1 f2; do
	LAB_GUEST_TYPE=pvh lab_guest_start $n 'on_reboot = "destroy"'
done
t0=$(now_s)
for i in $(seq 1 2000); do
	up=0
	for n in f1 f2; do
		if grep -aq "@@CCG READY" "/var/log/xen/console/guest-$n.log" 2>/dev/null || ! domid $n >/dev/null; then up=$((up + 1)); fi
	done
	[ $up = 2 ] && break
	sleep 0.2
done
note "qemu-log off"
for n in f1 f2; do
	if domid $n >/dev/null; then pass "$n-alive"; else fail "$n-alive" "$n died while booting"; fi
done
result boot_window_s "$(since_s "$t0")"
xl dmesg >"$LAB_LOGDIR/xl-dmesg.log" 2>&1
rip_syms >"$LAB_LOGDIR/guest-crash-rips.log" 2>&1
