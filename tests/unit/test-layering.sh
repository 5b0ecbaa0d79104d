#!/bin/sh
# Fails when a module includes a header from a module above it (CONVENTIONS.md §1).
root=${1:-.}
cd "$root/src" || exit 1
# allowed[module] = modules it may include from (besides itself)
allowed() {
        case "$1" in
        lib) echo "lib" ;;
        runtime|image|network) echo "lib" ;;
        registry) echo "lib image" ;;
        build) echo "lib image runtime" ;;
        engine) echo "lib runtime image registry build network" ;;
        api|cli) echo "lib runtime image registry build network engine" ;;
        berth-runtime) echo "lib runtime" ;;
        berth-monitor) echo "lib runtime image engine" ;;
        berth-init) echo "" ;;
        *) echo "" ;;
        esac
}
bad=0
for f in $(find . -name '*.[ch]' | sort); do
        mod=$(echo "$f" | cut -d/ -f2)
        ok="$mod $(allowed "$mod")"
        for inc in $(sed -n 's/^#include "\([a-z-]*\)\/.*/\1/p' "$f"); do
                case " $ok " in
                *" $inc "*) ;;
                *) echo "$f: includes $inc/ from $mod/ (upward or sideways edge)"; bad=1 ;;
                esac
        done
done
exit $bad
