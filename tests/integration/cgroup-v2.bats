#!/usr/bin/env bats
# The cgroup v2 backend on a real cgroup v2 kernel: a User-Mode Linux guest
# (scripts/uml-v2.sh) with a pure cgroup2 hierarchy and the cpu, memory, pids
# and io controllers runs tests/integration/cgroup-v2-guest.sh once, which
# drives cgroup-probe and checks the kernel's files; each check becomes one
# test here. The guest also gets a small block device (/dev/ubda) for io.max.

load uml-helpers

setup_file() {
        [ -x "$BERTH_BUILD/tests/integration/cgroup-probe" ] || skip "cgroup-probe not built"
        uml_checks_boot --disk 16 "$BERTH_SRC/tests/integration/cgroup-v2-guest.sh"
}

@test "v2 guest: booted, ran every check and shut down cleanly" { uml_checks_done; }
@test "v2: detected as cgroup v2" { uml_check mode; }
@test "v2: create enables cpu, memory, pids and io below the parents; destroy removes berth/" { uml_check create; }
@test "v2: memory.max and memory.low written; the OOM killer enforces it and stats count it" { uml_check memory; }
@test "v2: memory+swap becomes memory.swap.max (or is refused by name)" { uml_check swap; }
@test "v2: pids.max stops forks" { uml_check pids; }
@test "v2: cpu shares become cpu.weight; quota and period become cpu.max" { uml_check cpu; }
@test "v2: io.max throttles on a real block device; io.stat counts reads" { uml_check io; }
@test "v2: freeze and thaw through cgroup.freeze, seen in cgroup.events" { uml_check freeze; }
@test "v2: kill --all through cgroup.kill" { uml_check kill; }
@test "v2: device rules as an eBPF program, replaced on update" { uml_check devices; }
@test "v2: unified entries are written, dangerous or unknown ones refused" { uml_check unified; }
@test "v2: v1-only fields are refused by name" { uml_check refused; }
@test "v2: destroy kills stragglers and removes nested cgroups deepest first" { uml_check destroy_nested; }
@test "v2: the container's view: read-only bind, or cgroup2 in a cgroup namespace" { uml_check mount; }
@test "v2: the OOM notification fd (memory.events) fires on an OOM kill, and not without one" { uml_check oomfd; }
@test "v2: nothing left behind in the guest" { uml_check nothing_left; }
