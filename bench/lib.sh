# What bench/run.sh and bench/stall.sh share; sourced, not run.

die() { echo "bench: $*" >&2; exit 1; }

# a port nobody listens on (connect refused), none of the arguments (ports
# chosen for a server that is not listening yet)
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        case " $* " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
