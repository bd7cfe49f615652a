# bench/stall.sh: from `perf sched timehist` (time, cpu, task, wait time,
# sch delay, run time in ms), the windows in which the thread el (the
# worker's event loop) was runnable but waited over 3 ms for a CPU, and
# how much CPU each command had inside them.  One line: the count, the
# total, the five biggest.
NR > 3 {
    t = $1 + 0; rt = $6 / 1000; dl = $5 / 1000
    if ($3 ~ "\\[" el "\\]$") {
        if (seen++ && dl > 0.003) { ws[++nw] = t - rt - dl; we[nw] = t - rt }
        next
    }
    name = $3
    if (name ~ "/" el "\\]$") {
        name = "pool thread"
    } else {
        sub(/\[.*$/, "", name)
    }
    st[++ns] = t - rt; en[ns] = t; nm[ns] = name
}
END {
    for (j = 1; j <= nw; j++) total += we[j] - ws[j]
    for (i = 1; i <= ns; i++) {
        for (j = 1; j <= nw; j++) {
            s = (st[i] > ws[j]) ? st[i] : ws[j]
            e = (en[i] < we[j]) ? en[i] : we[j]
            if (e > s) { cpu[nm[i]] += e - s }
        }
    }
    line = sprintf("%d waits, %.1f ms in all", nw, total * 1000)
    for (k = 0; k < 5; k++) {
        best = ""; bv = 0
        for (n in cpu) { if (cpu[n] > bv) { bv = cpu[n]; best = n } }
        if (best == "") { break }
        line = line sprintf("; %s %.1f ms", best, bv * 1000)
        delete cpu[best]
    }
    print line "."
}
