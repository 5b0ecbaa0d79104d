# Helpers for running commands inside the pure cgroup v2 User-Mode Linux guest
# (scripts/uml-v2.sh). Load with `load uml-helpers` from a .bats file.
#
#   uml_require            skips the test (or file) when the guest cannot boot here
#   uml_run [--mem SIZE] [--disk MB] [--] CMD [ARG...]
#                          boots a fresh guest, runs CMD as root in the same
#                          directory (the repo is visible at the same path,
#                          read-only), and sets $status and $output like bats'
#                          `run` (stdout and stderr together). 125: the guest
#                          failed, not the command.
#   uml_run_script [--mem SIZE] [--disk MB] SCRIPT [ARG...]
#                          runs the bash SCRIPT text in the guest (copied in by
#                          uml-v2.sh --script, since host temp dirs are not shared).
#   uml_run_bats [--mem SIZE] [--disk MB] FILE.bats
#                          runs a whole bats file inside the guest (TAP output in
#                          $output): for suites such as berth-runtime containers
#                          with memory and pids limits on cgroup v2.
#   uml_checks_boot [--mem SIZE] [--disk MB] [--share DIR] SCRIPT
#                          from setup_file: skips the file without a guest, else
#                          boots one guest that runs the check script SCRIPT (it
#                          reports with uml-guest.bash's guest_check) and keeps
#                          what it printed for:
#   uml_check NAME         passes when the guest printed "ok NAME", else shows
#                          the check's evidence; one @test per check.
#   uml_checks_done        passes when the guest booted, ran the whole script
#                          and left no UML process behind on the host.
#
# Variables for scripts running in the guest: BERTH_SRC and BERTH_BUILD are
# passed on, so a guest script finds build/berth-runtime, the probe and the
# test data under the same paths as on the host. Everything the guest writes
# lives in its own tmpfs and disappears with it.

: "${BERTH_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BERTH_BUILD:=$BERTH_SRC/build}"
UML_SCRIPT="$BERTH_SRC/scripts/uml-v2.sh"

uml_available() {
        [ "$(id -u)" = 0 ] || return 1
        [ -x /usr/bin/linux.uml ] || [ -x /usr/bin/linux ] || return 1
        [ -x "$UML_SCRIPT" ]
}

uml_require() {
        uml_available || skip "User-Mode Linux guest not available (needs root and the user-mode-linux package)"
}

uml_run() {
        local opts=()
        while [ $# -gt 0 ]; do
                case "$1" in
                --mem | --disk) opts+=("$1" "$2"); shift 2 ;;
                --) shift; break ;;
                *) break ;;
                esac
        done
        run "$UML_SCRIPT" "${opts[@]}" -- env BERTH_SRC="$BERTH_SRC" BERTH_BUILD="$BERTH_BUILD" "$@"
}

uml_run_script() {
        local opts=()
        while [ $# -gt 0 ]; do
                case "$1" in
                --mem | --disk) opts+=("$1" "$2"); shift 2 ;;
                *) break ;;
                esac
        done
        local f rc
        f=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/uml-script.XXXXXX")
        printf '%s\n' "$1" > "$f"
        shift
        run "$UML_SCRIPT" "${opts[@]}" --script "$f" -- "$@"
        rc=$status
        rm -f "$f"
        status=$rc
}

uml_run_bats() {
        local opts=()
        while [ $# -gt 1 ]; do
                opts+=("$1" "$2")
                shift 2
        done
        uml_run "${opts[@]}" -- bats --tap "$1"
}

uml_checks_boot() {
        local script=${!#}
        uml_available || skip "User-Mode Linux guest not available (needs root and the user-mode-linux package)"
        export BERTH_SRC BERTH_BUILD UML_CHECKS_OUT="$BATS_FILE_TMPDIR/guest.out"
        "$UML_SCRIPT" "${@:1:$#-1}" -- env BERTH_SRC="$BERTH_SRC" BERTH_BUILD="$BERTH_BUILD" bash "$script" \
                > "$UML_CHECKS_OUT" 2>&1
        echo $? > "$BATS_FILE_TMPDIR/guest.rc"
}

uml_check() {
        if ! grep -qx "ok $1" "$UML_CHECKS_OUT"; then
                sed -n "/^not ok $1\$/,/^\(ok\|not ok\) /p" "$UML_CHECKS_OUT" >&2
                grep -q "^\(ok\|not ok\) $1\$" "$UML_CHECKS_OUT" || tail -20 "$UML_CHECKS_OUT" >&2
                return 1
        fi
}

uml_checks_done() {
        local rc
        rc=$(cat "$BATS_FILE_TMPDIR/guest.rc")
        [ "$rc" = 0 ] || { echo "guest exit status $rc" >&2; tail -20 "$UML_CHECKS_OUT" >&2; return 1; }
        grep -qx guest-done "$UML_CHECKS_OUT" || { tail -20 "$UML_CHECKS_OUT" >&2; return 1; }
        # no UML process and no temporary directory of the guest outlives it
        ! pgrep -f "uml_dir=/tmp/berth-uml" >/dev/null
}
