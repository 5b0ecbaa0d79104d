# Helpers for check scripts that run inside the User-Mode Linux guest (scripts/uml-v2.sh) and
# report to a .bats file on the host, which turns each reported check into one test (see
# uml_checks_boot and uml_check in uml-helpers.bash). Source it from the guest script.
#
#   guest_check NAME FUNCTION   runs FUNCTION (in this shell: it may set variables for later
#                               checks) and prints "ok NAME", or "not ok NAME" followed by
#                               its output as "#" lines (the evidence); then calls
#                               guest_after_check FUNCTION when the script defines it (cleanup).
#   expect WHAT GOT WANT        fails, naming WHAT, unless GOT is WANT.
#   guest_done                  the last line: tells the host that every check ran.

guest_check() {
        # a name no check uses: bash's dynamic scoping would let a check's plain `out=` overwrite it
        local _guest_log
        _guest_log=$(mktemp)
        # in this shell, not a subshell: a check may set variables for the later ones
        if "$2" > "$_guest_log" 2>&1; then
                echo "ok $1"
        else
                echo "not ok $1"
                head -30 "$_guest_log" | sed 's/^/#  /'
        fi
        rm -f "$_guest_log"
        if declare -F guest_after_check >/dev/null; then
                guest_after_check "$2"
        fi
}

expect() {
        if [ "$2" != "$3" ]; then
                echo "$1: got '$2', want '$3'"
                return 1
        fi
}

guest_done() {
        echo "guest-done"
}
