#!/bin/sh
# sample.sh OUT N DEV (runs in a guest during a stream): N samples 0.5 s apart of the
# iperf3 data socket's tcp_info (the port-5201 socket that moved the most bytes: the
# control connection moves a few hundred) and of DEV's BQL state, one line each:
#   sample I t=UPTIME key=value ...   (ss -tinm fields; "send X" becomes send=X)
#   bql limit=MAX_LIMIT inflight=SUM_INFLIGHT queues=N
T=/lab/scenario/tools
i=0
while [ "$i" -lt "$2" ]; do
	up=$(cut -d' ' -f1 /proc/uptime)
	LD_LIBRARY_PATH=$T $T/ss -tinmHO state established '( dport = :5201 or sport = :5201 )' |
		awk -v i="$i" -v up="$up" '
		{ b = 0; l = ""
		  for (k = 1; k <= NF; k++) {
			t = $k
			if (t ~ /^(send|pacing_rate|delivery_rate)$/) { l = l " " t "=" $(k + 1); k++; continue }
			n = index(t, ":")
			if (n > 1 && t !~ /^[0-9]/) {
				key = substr(t, 1, n - 1); val = substr(t, n + 1); l = l " " key "=" val
				if ((key == "bytes_acked" || key == "bytes_received") && val + 0 > b) b = val + 0
			} else if (t ~ /^(app_limited|cubic|reno|bbr)$/) l = l " " t "=1"
		  }
		  if (b >= best) { best = b; bl = l } }
		END { print "sample", i, "t=" up bl }'
	lim=0 inf=0 nq=0
	for q in /sys/class/net/$3/queues/tx-*/byte_queue_limits; do
		[ -r "$q/limit" ] || continue
		a=$(cat "$q/limit") f=$(cat "$q/inflight")
		[ "$a" -gt "$lim" ] && lim=$a
		inf=$((inf + f)) nq=$((nq + 1))
	done
	echo "bql limit=$lim inflight=$inf queues=$nq"
	i=$((i + 1))
	sleep 0.5
done >"$1" 2>&1
touch "$1.done"
