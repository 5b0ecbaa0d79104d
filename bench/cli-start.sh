#!/bin/bash
# Benchmark: the CPU and page faults of berth commands, two builds side by side (perf stat on each
# run, interleaved pairs, medians): `--version` (start-up alone), `ps -a` (start-up and a database
# open) and `run --rm --network none busybox true` (all processes, then the CLI process alone).
# `berth-monitor --help`, a static program, is printed for reference. Run as root:
#   BASE=/path/to/other/build/berth bench/cli-start.sh [PAIRS]
# Without BASE both columns are this build (the spread shows the noise). Each build gets its own
# temporary --root with the busybox image.
set -euo pipefail

PAIRS=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
NEW=${BERTH:-$top/build/berth}
BASE=${BASE:-$NEW}
[ "$(id -u)" -eq 0 ] || { echo "bench needs root" >&2; exit 1; }
command -v perf >/dev/null || { echo "bench needs perf" >&2; exit 1; }
for b in "$NEW" "$BASE"; do
        [ -x "$b" ] || { echo "no berth at '$b' (ninja -C build)" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/berth-bench-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
"$BASE" --root "$TMP/a" busybox-image >/dev/null
"$NEW" --root "$TMP/b" busybox-image >/dev/null

# One run under perf stat: prints "task-clock-ms page-faults". PERF_OPTS=--no-inherit: the process
# alone. A command that fails stops the bench, unless ALLOW_FAIL is set.
one() {
        local out
        out=$(perf stat ${PERF_OPTS:-} -x, -e task-clock,page-faults -- "$@" 2>&1 >/dev/null) ||
                [ -n "${ALLOW_FAIL:-}" ] || { echo "failed: $*" >&2; return 1; }
        awk -F, '/task-clock/ { t = $1 } /page-faults/ { p = $1 } END { print t, p }' <<<"$out"
}

median() { sort -n | awk '{a[NR]=$1} END { printf "%.2f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2 }'; }

# compare LABEL ARGS...: PAIRS interleaved pairs, BASE (root a) and NEW (root b).
compare() {
        local label=$1 out=$TMP/out
        shift
        : >"$out"
        local i k r ta tb pa pb
        for i in $(seq "$PAIRS"); do
                for k in $([ $((i % 2)) -eq 0 ] && echo a b || echo b a); do
                        if [ "$k" = a ]; then r=$(one "$BASE" --root "$TMP/a" "$@"); else r=$(one "$NEW" --root "$TMP/b" "$@"); fi
                        echo "$k $r" >>"$out"
                done
        done
        ta=$(awk '$1 == "a" { print $2 }' "$out" | median)
        tb=$(awk '$1 == "b" { print $2 }' "$out" | median)
        pa=$(awk '$1 == "a" { print $3 }' "$out" | median)
        pb=$(awk '$1 == "b" { print $3 }' "$out" | median)
        printf '%-34s base %7s ms %6s faults   this %7s ms %6s faults   ratio %s\n' "$label" "$ta" "$pa" "$tb" "$pb" \
                "$(awk -v a="$tb" -v b="$ta" 'BEGIN { printf "%.3f", a / b }')"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
compare "--version" --version
compare "ps -a" ps -a
compare "run (all processes)" run --rm --network none busybox true
PERF_OPTS=--no-inherit compare "run (the CLI alone)" run --rm --network none busybox true
monitor=$(dirname "$NEW")/berth-monitor
if [ -x "$monitor" ]; then
        t=$(for i in $(seq "$PAIRS"); do ALLOW_FAIL=1 one "$monitor" --help; done) # --help exits 2
        printf '%-34s %7s ms %6s faults\n' "berth-monitor --help (reference)" \
                "$(echo "$t" | awk '{ print $1 }' | median)" "$(echo "$t" | awk '{ print $2 }' | median)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
