#!/bin/bash
# Builds Berth and runs every test: unit and fuzz-replay suites under ASan and
# UBSan, then the integration tests as root against the real kernel (and a
# User-Mode Linux guest for cgroup v2). Ends with "N passed, N failed".
#
#   ./scripts/test.sh                 everything
#   ./scripts/test.sh unit            only the unit and fuzz-replay suites
#   ./scripts/test.sh integration [FILE.bats ...]
set -uo pipefail

cd "$(dirname "$0")/.."
top=$PWD
what=${1:-all}
[ $# -gt 0 ] && shift

./scripts/deps.sh || { echo "berth: installing dependencies failed" >&2; exit 1; }

build() { # dir, meson options...
        local dir=$1
        shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 ||
                        { cat "$dir.setup.log" >&2; return 1; }
        fi
        ninja -C "$dir" >"$dir.build.log" 2>&1 || { cat "$dir.build.log" >&2; return 1; }
}

passed=0
failed=0
skipped=0
failures=()

# Counts TAP lines from stdin; names prefixed with $1.
count_tap() {
        local prefix=$1 line
        while IFS= read -r line; do
                case "$line" in
                "ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
                "ok "*) passed=$((passed + 1)) ;;
                "not ok "*) failed=$((failed + 1)); failures+=("$prefix: ${line#not ok }") ;;
                esac
        done
}

run_unit() {
        echo "== build (ASan+UBSan) and unit + fuzz-replay suites"
        build build-asan -Db_sanitize=address,undefined -Db_lundef=false || { failed=$((failed + 1)); failures+=("build-asan"); return; }
        ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                meson test -C build-asan --suite unit --suite fuzz-replay --print-errorlogs >build-asan.test.log 2>&1
        # Each TAP program counts per subtest; other programs count once.
        local results
        results=$(python3 - build-asan/meson-logs/testlog.json <<'PY'
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    name, res, out = t["name"], t["result"], t.get("stdout") or ""
    tap = [l for l in out.splitlines() if l.startswith(("ok ", "not ok "))]
    if tap and res in ("OK", "FAIL", "SKIP", "EXPECTEDFAIL"):
        for l in tap:
            print(l.replace(" - ", " - %s/" % name, 1) if " - " in l else l + " " + name)
        if res == "FAIL" and not any(l.startswith("not ok") for l in tap):
            print("not ok - %s (exit status or sanitizer)" % name)
    elif res == "SKIP":
        print("ok - %s # skip" % name)
    elif res == "OK":
        print("ok - %s" % name)
    else:
        print("not ok - %s (%s)" % (name, res))
PY
        )
        count_tap unit <<<"$results"
        grep -E "^(not ok|ok)" <<<"$results" | grep -v "^ok" || true
}

run_integration() {
        echo "== build and integration tests"
        build build || { failed=$((failed + 1)); failures+=("build"); return; }
        if [ "$(id -u)" != 0 ]; then
                echo "integration tests need root: skipped"
                skipped=$((skipped + 1))
                return
        fi
        local files=("$@")
        [ ${#files[@]} -eq 0 ] && files=(tests/integration/*.bats)
        [ -e "${files[0]}" ] || return 0
        local f out
        for f in "${files[@]}"; do
                echo "-- $f"
                out=$(BERTH_SRC=$top BERTH_BUILD=$top/build timeout 900 bats --tap "$f" 2>&1)
                echo "$out" | grep -E "^(not ok|#)" | head -60
                count_tap "$(basename "$f" .bats)" <<<"$out"
                if ! grep -qE "^(ok|not ok) " <<<"$out"; then
                        failed=$((failed + 1))
                        failures+=("$f: produced no test results")
                fi
        done
}

case "$what" in
all) run_unit; run_integration "$@" ;;
unit) run_unit ;;
integration) run_integration "$@" ;;
*) echo "usage: $0 [all|unit|integration [FILE.bats ...]]" >&2; exit 2 ;;
esac

if [ ${#failures[@]} -gt 0 ]; then
        echo "== failures"
        printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
