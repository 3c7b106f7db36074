# hvm: a PV guest and an HVM guest with PV drivers talk over colorcom.  h is type "hvm":
# QEMU (Debian's qemu-system-xen, staged into dom0 because this folder has `dom0-hvm`)
# emulates the PC with the xen-platform PCI device, hvmloader and SeaBIOS start it, and
# QEMU boots the lab's kernel directly (kernel=/ramdisk=/extra=).  The kernel then finds
# Xen through the platform device: xenbus, grant tables, event channels and the PV console
# hvc0, where the lab's agent runs as in every other guest.
#   1. h boots (seconds from xl create to its agent), its kernel says HVM, the platform
#      device has its driver.
#   2. a (PV) and h on network blue: ping both ways, 32 MiB sha256 each way, TCP both
#      ways; nothing crosses dom0 (its netdev counters stay put); h's counters move.
#      Then the same TCP both ways over netback (a vif each on br0, h's without an
#      emulated twin): the same-boot reference for colorcom's figures.
#   3. h runs a fork/exec loop for the folder's stress-s seconds (as pvh-stress; PVH
#      guests died of a per-CPU page fault under such load, docs/lab.md) while a pings
#      it over colorcom; h must survive and still carry a checked transfer.
# qemu-cpu gives Xen HAP (HVM needs it: Debian's Xen has no shadow paging); qemu-accel
# single-threaded as for PVH.  Run with LAB_QEMU=<QEMU with the VMRUN injection fix>
# (tests/lab/qemu/): Debian's QEMU 7.2 delivers an interrupt injected at VMRUN twice.
LAB_GUEST_MEM=256
STRESS_S=$(cat /lab/scenario/stress-s 2>/dev/null || echo 180)
declare -A MAC=([a]=00:16:3e:a8:00:0a [h]=00:16:3e:a8:00:0f)
declare -A IP=([a]=10.8.0.1 [h]=10.8.0.2)
declare -A NB_IP=([a]=10.9.0.1 [h]=10.9.0.2)
both_ways() { g a "ping -c 2 -W 5 ${IP[h]}" >/dev/null && g h "ping -c 2 -W 5 ${IP[a]}" >/dev/null; }
DM=/usr/libexec/xen-qemu-system-i386
# h's extra lines.  vga none and no VNC: nothing in dom0 to show a screen, and QEMU then
# needs no VGA BIOS or keymaps.  The serial port goes to a file (dumped with the logs),
# the console of last resort if the kernel dies before its PV console is up.  nokaslr:
# dom0 runs the same kernel unrelocated, so its kallsyms name h's RIPs (hvm_rips).
# type=vif: netfront only; the default (ioemu) adds an emulated NIC in QEMU as well.
H_CFG=('vif = ["bridge=br0,mac=00:16:3e:a8:01:0f,type=vif"]' 'xen_platform_pci = 1' 'vnc = 0' 'sdl = 0' 'vga = "none"' 'vkb_device = 0'
	'serial = "file:/var/log/xen/serial-h.log"' 'on_reboot = "destroy"')
H_EXTRA="nokaslr console=ttyS0 console=hvc0"

# hvm_rips: the RIP of h's vCPU 0 a few times, named from dom0's kallsyms.
hvm_rips() {
	local d i r
	d=$(domid h) || return 0
	for i in 1 2 3; do
		r=$(xenctx "$d" 0 2>&1 | sed -n 's/^ *rip: *\([0-9a-f]*\).*/\1/p' | head -n1)
		[ -n "$r" ] && awk -v r="$r" '$2 ~ /^[tT]$/ && $1 <= r && $1 >= at {best = $3; at = $1} END {print r, best}' /proc/kallsyms
		sleep 2
	done
}
# hvm_evidence: what tells why h is not up (the device model's log is
# /var/log/xen/qemu-dm-h.log, dumped with every log in /var/log/xen).
hvm_evidence() {
	{
		xl list -v
		echo "--- device model processes"
		ps | grep '[q]emu-system'
		echo "--- h's vCPU 0"
		[ -n "$(domid h)" ] && xenctx "$(domid h)" 0 2>&1
		echo "--- named RIPs"
		hvm_rips
	} >"$LAB_LOGDIR/hvm-state.log" 2>&1
	xl dmesg >"$LAB_LOGDIR/xl-dmesg.log" 2>&1
}

cc_daemon_check colorcomd-starts
check hap-detected sh -c "xl dmesg | grep -q 'Hardware Assisted Paging (HAP) detected'"
# How long the device model takes to start at all: libxl gives it 60 s (a compile-time
# LIBXL_DEVICE_MODEL_START_TIMEOUT in 4.17) to say "running" in xenstore.
t=$(now_s)
check dm-runs "$DM" -version
result dm_version_seconds "$(since_s "$t")"

# The vifs' dom0 ends must not send on their own (IPv6 router solicitations, DAD,
# MLD), or dom0's netdev counters would move during the colorcom transfers.
echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
lab_guest_start a 'vif = ["bridge=br0,mac=00:16:3e:a8:01:0a"]' & pa=$!
t0=$(now_s)
LAB_GUEST_TYPE=hvm LAB_GUEST_EXTRA=$H_EXTRA lab_guest_start h "${H_CFG[@]}"
hrc=$?
result h_xl_create_seconds "$(since_s "$t0")"
wait $pa
cp /etc/xen/h.cfg "$LAB_LOGDIR/h-cfg.log"
if [ $hrc != 0 ]; then
	fail h-created "$(grep -a -v '^ *$' "$LAB_LOGDIR/xl-create-h.log" | tail -n1)"
	hvm_evidence
	exit 1
fi
pass h-created
lab_guest_wait a || { fail guests-up "a did not boot"; exit 1; }
# A deadline, not a count of polls: each poll forks, slow under TCG.
h_up() {
	local end=$((EPOCHSECONDS + 900))
	while [ "$EPOCHSECONDS" -lt "$end" ]; do
		grep -aq "@@CCG READY" /var/log/xen/console/guest-h.log 2>/dev/null && return 0
		domid h >/dev/null || return 1
		sleep 1
	done
	return 1
}
if ! h_up; then
	fail guests-up "h did not boot: $(xl list h 2>&1 | tail -n1)"
	hvm_evidence
	exit 1
fi
pass guests-up
result h_boot_seconds "$(since_s "$t0")"
result h_uptime_at_ready_s "$(g h 'cut -d" " -f1 /proc/uptime' | tail -n1)"
g h "dmesg | grep -iE 'xen|hvm|grant|event|hvc|platform'" >"$LAB_LOGDIR/h-xen-dmesg.log" 2>&1
check h-is-hvm sh -c "xl list -l h | jq -e '.[0].config.c_info.type == \"hvm\"'"
check h-kernel-sees-hvm g h '[ "$(cat /sys/hypervisor/guest_type)" = HVM ]'
check h-platform-pci-bound g h 'ls /sys/bus/pci/drivers/xen-platform-pci | grep -q :'
check h-dm-running sh -c "[ \"\$(xenstore-read /local/domain/0/device-model/$(domid h)/state)\" = running ]"

for n in a h; do
	if cc_guest_nic $n blue ${MAC[$n]} ${IP[$n]}; then pass nic-$n; else fail nic-$n "no colorcom interface in $n"; exit 1; fi
done
for n in a h; do check links-$n cc_wait_links $n "${CC_IF[$n]}" 1; done
check ping-both-ways both_ways
n0=$(dom0_netdev_snapshot)
lab_transfer sha256-32MiB-a-to-h a h ${IP[h]} $((32 * 1024 * 1024)) >/dev/null
lab_transfer sha256-32MiB-h-to-a h a ${IP[a]} $((32 * 1024 * 1024)) 5002 >/dev/null
cc_ah=$(lab_iperf iperf3-a-to-h a h ${IP[h]} 5 | tail -n1)
cc_ha=$(lab_iperf iperf3-h-to-a h a ${IP[a]} 5 | tail -n1)
result colorcom_tcp_mbps_a_to_h "$cc_ah"
result colorcom_tcp_mbps_h_to_a "$cc_ha"
n1=$(dom0_netdev_snapshot)
if [ "$n0" = "$n1" ]; then pass no-dom0-netdev-traffic; else fail no-dom0-netdev-traffic "dom0 netdev counters moved: $n0 -> $n1"; fi
for n in a h; do
	check $n-counters-move g $n "ethtool -S ${CC_IF[$n]} | awk '/^ *rx_packets:/ {exit !(\$2 > 1000)}'"
done
# The reference: netfront/netback through dom0's bridge, same guests, same boot.
for n in a h; do g $n "ip addr add ${NB_IP[$n]}/24 dev eth0 && ip link set eth0 up" >/dev/null; done
nb_both_ways() { g a "ping -c 2 -W 5 ${NB_IP[h]}" >/dev/null && g h "ping -c 2 -W 5 ${NB_IP[a]}" >/dev/null; }
check netback-ping-both-ways nb_both_ways
nb_ah=$(lab_iperf netback-iperf3-a-to-h a h ${NB_IP[h]} 5 | tail -n1)
nb_ha=$(lab_iperf netback-iperf3-h-to-a h a ${NB_IP[a]} 5 | tail -n1)
result netback_tcp_mbps_a_to_h "$nb_ah"
result netback_tcp_mbps_h_to_a "$nb_ha"
ratio() { awk -v c="$1" -v n="$2" 'BEGIN {if (n > 0) printf "%.2f", c / n; else print 0}'; }
result colorcom_over_netback_a_to_h "$(ratio "$cc_ah" "$nb_ah")"
result colorcom_over_netback_h_to_a "$(ratio "$cc_ha" "$nb_ha")"

# --- h under load ---------------------------------------------------------------------------
died() {
	local st
	grep -aqE 'BUG:|Kernel panic|Oops' /var/log/xen/console/guest-h.log /var/log/xen/serial-h.log 2>/dev/null && return 0
	st=$(xl list h 2>/dev/null | awk 'NR == 2 {print $5}') || return 0
	[ -z "$st" ] && return 0
	[[ $st == *[cds]* ]]
}
g h 'rm -f /tmp/iter; (i=0; while :; do /bin/true; i=$((i + 1)); [ $((i % 200)) = 0 ] && echo $i >/tmp/iter; done) >/dev/null 2>&1 & echo $! >/tmp/loop.pid' >/dev/null
pinger_start a load ${IP[h]}
note "h: fork loop for ${STRESS_S}s"
t1=$EPOCHSECONDS next=$((t1 + 60)) dead=
while [ $((EPOCHSECONDS - t1)) -lt "$STRESS_S" ]; do
	if died; then dead=$((EPOCHSECONDS - t1)); log "h died $dead s into the loop"; break; fi
	if [ "$EPOCHSECONDS" -ge $next ]; then
		next=$((EPOCHSECONDS + 60))
		log "t=$((EPOCHSECONDS - t1)) h iterations $(G_TIMEOUT=20 g h 'cat /tmp/iter' 2>/dev/null | tail -n1)"
	fi
	sleep 2
done
if [ -n "$dead" ]; then
	result h_died_after_s "$dead"
	fail h-survives-load "died $dead s into the loop ($(grep -ahm1 -E 'BUG:|Kernel panic|Oops' /var/log/xen/console/guest-h.log /var/log/xen/serial-h.log | tr -d '\r'))"
	hvm_evidence
	exit 1
fi
result h_fork_loop_iterations "$(G_TIMEOUT=30 g h 'kill $(cat /tmp/loop.pid); cat /tmp/iter' | tail -n1)"
pass h-survives-load
read -r n lost gap < <(pinger_stop a load)
result load_ping_replies "${n:-0}"
result load_ping_lost "${lost:-0}"
result load_ping_max_gap_s "${gap:-0}"
check ping-after-load both_ways
lab_transfer sha256-8MiB-a-to-h-after-load a h ${IP[h]} $((8 * 1024 * 1024)) 5003 >/dev/null
xl dmesg >"$LAB_LOGDIR/xl-dmesg.log" 2>&1
