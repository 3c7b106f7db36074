# gnuplot bench/plots.gp (run from bench/): the lab benchmark's plots from the data
# files bench/lab_report writes into results/.  PNG (pngcairo, part of gnuplot-nox).
set terminal pngcairo size 900,520 font "sans,11"
set grid
set key top left

set output "results/lab-throughput-vs-size.png"
set title "TCP throughput against write size, 1 stream a -> b (median, bars: min-max)\nQEMU TCG lab, same boot for both paths"
set logscale x 2
set xlabel "iperf3 write size (octets, -l)"
set ylabel "Mbit/s (receiver)"
set yrange [0:*]
plot "results/lab-size.dat" using 1:5:6:7 with yerrorlines lw 2 pt 7 title "colorcom", \
     "results/lab-size.dat" using 1:2:3:4 with yerrorlines lw 2 pt 5 title "netfront/netback"

set output "results/lab-rtt.png"
set title "ping RTT a -> b, all repetitions (cumulative distribution)\nQEMU TCG lab, same boot for both paths"
set logscale x 10
set xlabel "round-trip time (ms)"
set ylabel "fraction of pings"
set yrange [0:1]
set key bottom right
plot "results/lab-rtt-colorcom.dat" using 1:2 with steps lw 2 title "colorcom", \
     "results/lab-rtt-netback.dat" using 1:2 with steps lw 2 title "netfront/netback"
