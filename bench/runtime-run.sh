#!/bin/bash
# `run` of /bin/true from a busybox bundle: berth-runtime vs crun vs runc, interleaved, in one run.
# Prints the median wall time and the median peak RSS (GNU time %M) of each, the ratios to crun,
# then the wall time of 100 containers in sequence per runtime.
#
#   sudo bench/runtime-run.sh [N=30] [SEQ=100]
#
# crun 1.8 refuses this hybrid cgroup host unless /sys/fs/cgroup/unified/cgroup.controllers looks
# empty (MACHINE-NOTES.md), so the whole benchmark runs in a private mount namespace where an empty
# file covers it; all three runtimes see the same view. Nothing changes outside that namespace.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$top/build}
N=${1:-30}
SEQ=${2:-100}

if [ "${BERTH_BENCH_INNER:-0}" != 1 ]; then
        [ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
        [ -x "$BERTH_BUILD/berth-runtime" ] || { echo "bench: build first (ninja -C build)" >&2; exit 1; }
        [ -x /usr/bin/time ] || { echo "bench: needs GNU time (Debian package time)" >&2; exit 1; }
        exec env BERTH_BENCH_INNER=1 BERTH_BUILD="$BERTH_BUILD" unshare -m --propagation private "$0" "$@"
fi

tmp=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
        local r
        for r in berth crun runc; do
                for id in $(ls "$tmp/root-$r" 2>/dev/null); do
                        runtime_cmd "$r" delete --force "$id" >/dev/null 2>&1 || true
                done
        done
        rm -rf "$tmp"
}
trap cleanup EXIT

if [ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
        : >"$tmp/empty"
        mount --bind "$tmp/empty" /sys/fs/cgroup/unified/cgroup.controllers
fi

# shellcheck source=../tests/integration/runtime-helpers.bash
source "$top/tests/integration/runtime-helpers.bash"
make_bundle "$tmp/bundle" /bin/true >/dev/null
# crun 1.8 refuses ociVersion 1.2.0; the bundle uses nothing newer than 1.0.
bundle_edit "$tmp/bundle" '.ociVersion = "1.0.2"'

runtime_argv() { # NAME: the command line prefix of that runtime, in the array cmd
        case $1 in
        berth) cmd=("$BERTH_BUILD/berth-runtime" --root "$tmp/root-berth") ;;
        crun) cmd=(crun --root "$tmp/root-crun") ;;
        runc) cmd=(runc --root "$tmp/root-runc") ;;
        esac
}
runtime_cmd() { # NAME args...
        local cmd
        runtime_argv "$1"
        shift
        "${cmd[@]}" "$@"
}

runtimes=(berth)
command -v crun >/dev/null && runtimes+=(crun)
command -v runc >/dev/null && runtimes+=(runc)

# Check that each runtime works here before timing it.
for r in "${runtimes[@]}"; do
        if ! runtime_cmd "$r" run -b "$tmp/bundle" "check-$r" >/dev/null 2>"$tmp/err"; then
                echo "bench: $r cannot run the bundle here: $(head -c 300 "$tmp/err")" >&2
                exit 1
        fi
done

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# 1. N single runs, interleaved so load changes hit every runtime alike.
for i in $(seq "$N"); do
        for r in "${runtimes[@]}"; do
                runtime_argv "$r"
                s=$EPOCHREALTIME
                /usr/bin/time -f %M -o "$tmp/rss" "${cmd[@]}" run -b "$tmp/bundle" "b$i" >/dev/null
                e=$EPOCHREALTIME
                echo "$s $e" | awk '{printf "%.3f\n", ($2 - $1) * 1000}' >>"$tmp/wall-$r"
                tail -1 "$tmp/rss" >>"$tmp/rss-$r"
        done
done

printf '%-8s %14s %14s %12s %12s\n' runtime "median ms" "vs crun" "RSS KiB" "vs crun"
declare -A mw mr
for r in "${runtimes[@]}"; do
        mw[$r]=$(median <"$tmp/wall-$r")
        mr[$r]=$(median <"$tmp/rss-$r")
done
for r in "${runtimes[@]}"; do
        if [ -n "${mw[crun]:-}" ]; then
                rw=$(awk -v a="${mw[$r]}" -v b="${mw[crun]}" 'BEGIN {printf "%.2fx", a / b}')
                rr=$(awk -v a="${mr[$r]}" -v b="${mr[crun]}" 'BEGIN {printf "%.2fx", a / b}')
        else
                rw=- rr=-
        fi
        printf '%-8s %14s %14s %12s %12s\n' "$r" "${mw[$r]}" "$rw" "${mr[$r]}" "$rr"
done

# 2. SEQ containers in sequence per runtime (rotating which goes first).
echo
printf '%-8s %16s %10s\n' runtime "$SEQ runs, s" "vs crun"
declare -A seqt
for r in "${runtimes[@]}"; do
        runtime_argv "$r"
        s=$EPOCHREALTIME
        for i in $(seq "$SEQ"); do
                "${cmd[@]}" run -b "$tmp/bundle" "s$i" >/dev/null
        done
        e=$EPOCHREALTIME
        seqt[$r]=$(echo "$s $e" | awk '{printf "%.3f", $2 - $1}')
done
for r in "${runtimes[@]}"; do
        if [ -n "${seqt[crun]:-}" ]; then
                rs=$(awk -v a="${seqt[$r]}" -v b="${seqt[crun]}" 'BEGIN {printf "%.2fx", a / b}')
        else
                rs=-
        fi
        printf '%-8s %16s %10s\n' "$r" "${seqt[$r]}" "$rs"
done
