#!/bin/bash
# Benchmark: `berth run --rm busybox true` against `podman run --rm` of the same image, and berth
# driving crun through --runtime; then the idle memory each running container costs (the monitor's
# private memory) against podman's conmon. Prints medians and ratios. Run as root:
#   bench/engine-run.sh [RUNS] [CONTAINERS]
# crun 1.8 refuses this host's hybrid cgroups unless cgroup2's cgroup.controllers looks empty, so
# (as MACHINE-NOTES says) everything runs in a private mount namespace where an empty file is bound
# over it. Nothing outside that namespace changes.
set -euo pipefail

RUNS=${1:-20}
NCTR=${2:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$top/build/berth}
[ "$(id -u)" -eq 0 ] || { echo "bench needs root" >&2; exit 1; }
[ -x "$BERTH" ] || { echo "build berth first (ninja -C build)" >&2; exit 1; }

if [ -z "${BERTH_BENCH_IN_NS:-}" ]; then
        exec unshare -m --propagation private env BERTH_BENCH_IN_NS=1 "$0" "$@"
fi
if [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then
        empty=$(mktemp)
        mount --bind "$empty" /sys/fs/cgroup/unified/cgroup.controllers
fi

TMP=$(mktemp -d /tmp/berth-bench-engine.XXXXXX)
cleanup() {
        "$BERTH" --root "$TMP/berth" rm -f $("$BERTH" --root "$TMP/berth" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
        if command -v podman >/dev/null; then
                podman_tmp rm -f -a >/dev/null 2>&1 || true
                podman_tmp system reset -f >/dev/null 2>&1 || true
        fi
        awk -v t="$TMP" '$2 ~ "^"t {print $2}' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
        rm -rf "$TMP"
}
trap cleanup EXIT

podman_tmp() {
        CONTAINERS_CONF=$TMP/podman/containers.conf podman --root "$TMP/podman/root" --runroot "$TMP/podman/run" \
                --tmpdir "$TMP/podman/tmp" --storage-driver overlay --cgroup-manager cgroupfs \
                --events-backend file "$@"
}

berth() { "$BERTH" --root "$TMP/berth" "$@"; }

# Wall time of one run of a command, in microseconds. bash's own clock ($EPOCHREALTIME), not
# $(date): each $(date) is a fork and an exec, and the second one's start-up (8-9 ms on this VM,
# measured) used to be added to every figure of every command.
time_us() {
        local t0 t1
        t0=${EPOCHREALTIME/[.,]/}
        "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
        t1=${EPOCHREALTIME/[.,]/}
        echo $((t1 - t0))
}

# Median in ms of the microsecond figures on stdin.
median_ms() {
        sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f\n", m / 1000}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

berth busybox-image -q >/dev/null
# The commands compared; each is run once before timing (caches, the seccomp cache, podman's storage).
names=(berth)
cmds=("berth run --rm --network none busybox true")
if command -v crun >/dev/null; then
        names+=(crun)
        cmds+=("berth run --rm --network none --runtime $(command -v crun) busybox true")
fi
if command -v podman >/dev/null; then
        mkdir -p "$TMP/podman"
        printf '[containers]\ndefault_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n' >"$TMP/podman/containers.conf"
        berth save busybox >"$TMP/busybox.tar"
        podman_tmp load -q -i "$TMP/busybox.tar" >/dev/null
        names+=(podman)
        cmds+=("podman_tmp run --rm --network none busybox true")
fi
for c in "${cmds[@]}"; do $c >/dev/null; done

# Interleaved: round i runs each command once, starting with a different one each round, so that
# a change of the machine's load during the bench hits all of them alike.
declare -A times
echo "== run --rm busybox true, median of $RUNS interleaved rounds (ms); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
n=${#cmds[@]}
for ((i = 0; i < RUNS; i++)); do
        for ((j = 0; j < n; j++)); do
                k=$(((i + j) % n))
                times[${names[k]}]+="$(time_us ${cmds[k]}) "
        done
done
declare -A med
for name in "${names[@]}"; do med[$name]=$(tr ' ' '\n' <<<"${times[$name]}" | grep . | median_ms); done
echo "berth (in-process runtime): ${med[berth]}"
[ -z "${med[crun]:-}" ] || echo "berth --runtime crun:       ${med[crun]}"
if [ -n "${med[podman]:-}" ]; then
        echo "podman run --rm:            ${med[podman]}"
        echo "ratio berth/podman:         $(ratio "${med[berth]}" "${med[podman]}")   (goal <= 0.100)"
fi
[ -z "${med[crun]:-}" ] || echo "ratio berth/berth+crun:     $(ratio "${med[berth]}" "${med[crun]}")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Idle memory: private memory (Private_Clean + Private_Dirty from smaps_rollup) of each per-container
# process, averaged over NCTR running containers. Text pages shared by all monitors are not private.
private_kib() { awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$1/smaps_rollup"; }
avg_private() {
        local total=0 n=0 p
        for p in "$@"; do
                total=$((total + $(private_kib "$p")))
                n=$((n + 1))
        done
        awk -v t=$total -v n=$n 'BEGIN { printf "%.0f", t / n }'
}

echo "== idle memory per running container, $NCTR containers (KiB private)"
for ((i = 0; i < NCTR; i++)); do berth run -d --network none busybox sleep 1000 >/dev/null; done
sleep 1
mons=$(pgrep -f "^$top/build/berth-monitor .*--runtime-root $TMP/berth/" || pgrep -f "berth-monitor .*$TMP/berth/")
b_kib=$(avg_private $mons)
echo "berth monitor:              $b_kib"
berth rm -f $(berth ps -q) >/dev/null
if command -v podman >/dev/null; then
        for ((i = 0; i < NCTR; i++)); do podman_tmp run -d --network none busybox sleep 1000 >/dev/null; done
        sleep 1
        cons=$(pgrep -f "conmon .*$TMP/podman" || true)
        if [ -n "$cons" ]; then
                c_kib=$(avg_private $cons)
                echo "podman conmon:              $c_kib"
                echo "ratio berth/conmon:         $(ratio "$b_kib" "$c_kib")   (goal <= 0.250)"
        fi
        podman_tmp rm -f -t 0 -a >/dev/null 2>&1 || true
fi
