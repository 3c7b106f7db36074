# pvh-try: can this lab run PVH guests at all?  Not in the suite: one boot with HAP
# (qemu-cpu: qemu64,+svm,+npt) and three PVH guests of the lab's kernel and
# initramfs, each with a different guess at what stops them (docs/lab.md, "PVH"):
#   p1  the PV guests' command line as it is;
#   p2  + earlyprintk=xen nokaslr nopti noxsave (early output; no features TCG may lack);
#   p3  like p2 with 512 MiB and mitigations=off.
# Checks: Xen reports HAP; each guest's agent comes up within 300 s.  Xen's log (xl
# dmesg) and the guests' consoles are kept either way.
check hap-detected sh -c "xl dmesg | grep -q 'HAP'"
xl dmesg | grep -iE 'hap|svm|npt|shadow' >"$LAB_LOGDIR/pvh-xen-features.log" 2>&1
pvh() {
	local n=$1 mem=$2 extra=$3
	{
		echo "name = \"$n\""
		echo 'type = "pvh"'
		echo 'kernel = "/lab/guest/vmlinuz"'
		echo 'ramdisk = "/lab/guest/initrd.gz"'
		echo "extra = \"console=hvc0 loglevel=8 cc_name=$n $extra\""
		echo "memory = $mem"
		echo 'vcpus = 1'
		echo 'on_crash = "preserve"'
	} >"/etc/xen/$n.cfg"
	if xl create "/etc/xen/$n.cfg" >"$LAB_LOGDIR/xl-create-$n.log" 2>&1; then
		pass "create-$n"
	else
		fail "create-$n" "$(tail -n1 "$LAB_LOGDIR/xl-create-$n.log")"
	fi
}
pvh p1 256 ""
pvh p2 256 "earlyprintk=xen nokaslr nopti noxsave"
pvh p3 512 "earlyprintk=xen nokaslr nopti noxsave mitigations=off"
# They boot side by side: 300 s for the first, 30 s more for each other one.
w=1500
for n in p1 p2 p3; do
	if LAB_BOOT_WAIT=$w lab_guest_wait $n; then pass "up-$n"; else fail "up-$n" "no agent: $(xl list $n 2>&1 | tail -n1)"; fi
	w=150
done
xl list >"$LAB_LOGDIR/pvh-xl-list.log" 2>&1
xl dmesg >"$LAB_LOGDIR/pvh-xl-dmesg.log" 2>&1
for n in p1 p2 p3; do
	head -c 20000 "/var/log/xen/console/guest-$n.log" >"$LAB_LOGDIR/pvh-console-$n.log" 2>/dev/null
done
