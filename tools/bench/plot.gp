# SPDX-License-Identifier: GPL-2.0-only
#
# kipc-bench plot: every mechanism's ratio to POSIX mq, per message size,
# for the round trip (p50, lower is better) and for streaming (msg/s,
# higher is better), with the processes on different CPUs and on one.
#
#   gnuplot -e "dir='build/bench/results'; out='bench.svg'" plot.gp
#
# The .dat files are what kipc-bench writes: a header row of mechanism
# names, then one row per size, "-" where nothing was measured.

if (!exists("dir")) dir = "."
if (!exists("out")) out = dir . "/bench.svg"
if (!exists("term")) term = "svg"

if (term eq "png") {
	set terminal pngcairo size 1400,900 font "sans,10"
} else {
	set terminal svg size 1400,900 dynamic font "sans,10" background "white"
}
set output out

set datafile missing "-"
set style data histograms
set style histogram clustered gap 2
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 2
set grid ytics lc "gray80"
set ylabel "x POSIX mq"
set format y "%g"
set key below horizontal maxrows 2 font ",9" samplen 1.5
set xtics nomirror
set tics scale 0.5
# POSIX mq itself, as a dashed line.
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc "black" dt 2 front

# One colour per mechanism, the same in every panel; kipc in blues.
ALL = "kipc-queue kipc-batch kipc-region posix-mq sysv-msg pipe unix-seqpacket unix-mmsg eventfd-shm"
array C[9] = ["#1f4e9c", "#4f86d9", "#9cc3f5", "#444444", "#999999", \
	      "#d9822b", "#3a9b4a", "#8fd19e", "#b5442f"]
idx(name) = sum [k=1:words(ALL)] (word(ALL, k) eq name ? k : 0)
colour(name) = idx(name) ? C[idx(name)] : "#cc00cc"

file(measure, placement) = sprintf("%s/%s-%s-ratio.dat", dir, measure, placement)
header(f) = system(sprintf("head -n1 '%s'", f))

set multiplot layout 2,2 title "kipc-bench: ratio to POSIX mq in the same run (log scale)" font ",13"

do for [p in "latency:diff latency:same stream:diff stream:same"] {
	m = p[1:strstrt(p, ":") - 1]
	pl = p[strstrt(p, ":") + 1:]
	f = file(m, pl)
	H = header(f)
	set title sprintf("%s, %s (%s is better)", \
		m eq "latency" ? "Round-trip latency p50" : "Streaming msg/s", \
		pl eq "diff" ? "different CPUs" : "same CPU", \
		m eq "latency" ? "lower" : "higher")
	plot for [i=2:words(H)] f using i:xtic(1) lc rgb colour(word(H, i)) \
		title columnheader(i)
}

unset multiplot
