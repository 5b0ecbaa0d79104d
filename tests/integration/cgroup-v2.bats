#!/usr/bin/env bats
# The cgroup v2 backend on a real cgroup v2 kernel: a User-Mode Linux guest
# (scripts/uml-v2.sh) with a pure cgroup2 hierarchy and the cpu, memory, pids
# and io controllers runs tests/integration/cgroup-v2-guest.sh once, which
# drives cgroup-probe and checks the kernel's files; each check becomes one
# test here. The guest also gets a small block device (/dev/ubda) for io.max.

load uml-helpers

setup_file() {
        : "${BERTH_SRC:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
        : "${BERTH_BUILD:=$BERTH_SRC/build}"
        export BERTH_SRC BERTH_BUILD
        uml_available || skip "User-Mode Linux guest not available (needs root and the user-mode-linux package)"
        [ -x "$BERTH_BUILD/tests/integration/cgroup-probe" ] || skip "cgroup-probe not built"
        export GUEST_OUT="$BATS_FILE_TMPDIR/guest.out"
        "$UML_SCRIPT" --disk 16 -- env BERTH_SRC="$BERTH_SRC" BERTH_BUILD="$BERTH_BUILD" \
                bash "$BERTH_SRC/tests/integration/cgroup-v2-guest.sh" > "$GUEST_OUT" 2>&1
        echo $? > "$BATS_FILE_TMPDIR/guest.rc"
}

# Passes when the guest printed "ok NAME"; otherwise shows what it printed for it.
guest_check() {
        if ! grep -qx "ok $1" "$GUEST_OUT"; then
                sed -n "/^not ok $1\$/,/^\(ok\|not ok\) /p" "$GUEST_OUT" >&2
                grep -q "^\(ok\|not ok\) $1\$" "$GUEST_OUT" || tail -20 "$GUEST_OUT" >&2
                return 1
        fi
}

@test "v2 guest: booted, ran every check and shut down cleanly" {
        [ "$(cat "$BATS_FILE_TMPDIR/guest.rc")" = 0 ]
        grep -qx guest-done "$GUEST_OUT"
        # no UML process and no temporary directory of the guest outlives it
        ! pgrep -f "uml_dir=/tmp/berth-uml" >/dev/null
}
@test "v2: detected as cgroup v2" { guest_check mode; }
@test "v2: create enables cpu, memory, pids and io below the parents; destroy removes berth/" { guest_check create; }
@test "v2: memory.max and memory.low written; the OOM killer enforces it and stats count it" { guest_check memory; }
@test "v2: memory+swap becomes memory.swap.max (or is refused by name)" { guest_check swap; }
@test "v2: pids.max stops forks" { guest_check pids; }
@test "v2: cpu shares become cpu.weight; quota and period become cpu.max" { guest_check cpu; }
@test "v2: io.max throttles on a real block device; io.stat counts reads" { guest_check io; }
@test "v2: freeze and thaw through cgroup.freeze, seen in cgroup.events" { guest_check freeze; }
@test "v2: kill --all through cgroup.kill" { guest_check kill; }
@test "v2: device rules as an eBPF program, replaced on update" { guest_check devices; }
@test "v2: unified entries are written, dangerous or unknown ones refused" { guest_check unified; }
@test "v2: v1-only fields are refused by name" { guest_check refused; }
@test "v2: destroy kills stragglers and removes nested cgroups deepest first" { guest_check destroy_nested; }
@test "v2: the container's view: read-only bind, or cgroup2 in a cgroup namespace" { guest_check mount; }
@test "v2: the OOM notification fd (memory.events) fires on an OOM kill, and not without one" { guest_check oomfd; }
@test "v2: nothing left behind in the guest" { guest_check nothing_left; }
