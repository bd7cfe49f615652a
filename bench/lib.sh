# What bench/run.sh and bench/stall.sh share; sourced, not run.

die() { echo "bench: $*" >&2; exit 1; }

# a port nobody listens on (connect refused), none of the arguments (ports
# chosen for a server that is not listening yet), below the kernel's
# ephemeral range: a port of that range may be the local end of some
# connection (the wrk runs of a bench make thousands), and bind() then
# fails with "Address already in use"
free_port() {
    local p lo
    read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null \
        || lo=32768
    [ "$lo" -gt 11024 ] || lo=32768
    for _ in $(seq 1 200); do
        p=$((10000 + RANDOM % (lo - 10000)))
        case " $* " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
