#!/bin/bash
# Runs libFuzzer targets, one at a time, from a copy of their seed corpus.
#   tests/fuzz/run.sh [-t SECONDS] [TARGET...]     (default: every target, 60 s each)
# Needs the clang build: CC=clang meson setup build-fuzz -Dfuzz=true \
#   -Db_sanitize=address,undefined -Db_lundef=false -Dmonitor_static=false && ninja -C build-fuzz
# New inputs go to $FUZZ_WORK (default /tmp/berth-fuzz/<target>), crashes to $FUZZ_WORK/<target>/crashes;
# the seed corpus in tests/fuzz/corpus is not changed (add a crash input there by hand, with its fix).
set -euo pipefail
secs=60
if [ "${1:-}" = -t ]; then
        secs=$2
        shift 2
fi
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD:-$here/../../build-fuzz}
work=${FUZZ_WORK:-/tmp/berth-fuzz}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
        for d in "$here"/corpus/*/; do
                targets+=("$(basename "$d")")
        done
fi
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
for t in "${targets[@]}"; do
        exe=$build/tests/fuzz/fuzz-$t
        [ -x "$exe" ] || { echo "$t: no $exe (build with -Dfuzz=true)" >&2; continue; }
        mkdir -p "$work/$t/corpus" "$work/$t/crashes"
        cp -n "$here/corpus/$t"/* "$work/$t/corpus/" 2>/dev/null || true
        echo "== $t ($secs s)"
        (cd "$work/$t" && "$exe" -max_total_time="$secs" -timeout=10 -max_len=8192 -print_final_stats=1 \
                -artifact_prefix="$work/$t/crashes/" "$work/$t/corpus" >"$work/$t/log" 2>&1) ||
                echo "$t: FAILED, see $work/$t/log and $work/$t/crashes"
        grep -E '^stat::number_of_executed_units|^#[0-9]+ +DONE' "$work/$t/log" | tail -2 || true
done
