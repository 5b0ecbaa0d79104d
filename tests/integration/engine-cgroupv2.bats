#!/usr/bin/env bats
# The engine (build/berth) on a pure cgroup v2 host: one User-Mode Linux guest (scripts/uml-v2.sh,
# cpu, memory, pids and io controllers, no cpuset) runs tests/integration/engine-cgroupv2-guest.sh,
# which drives run, update, pause, stats, top, kill and rm from a shell in a systemd-like session
# scope and checks the kernel's v2 files; each of its checks is one test here. The guest takes
# about 2-4 minutes on this machine (every berth command costs seconds in UML).

load uml-helpers

setup_file() {
        [ -x "$BERTH_BUILD/berth" ] || skip "build/berth not built"
        [ -x /bin/busybox ] || skip "busybox-static not installed"
        uml_checks_boot "$BERTH_SRC/tests/integration/engine-cgroupv2-guest.sh"
}

@test "engine v2 guest: booted, ran every check and shut down cleanly" { uml_checks_done; }
@test "engine v2: cgroup2 host; busybox image made" { uml_check mode; }
@test "engine v2: from the root cgroup, containers go to /berth/<id>; the last one removes berth/" { uml_check from_root; }
@test "engine v2: the caller moves into a session scope, as a login shell on a systemd host" { uml_check scope; }
@test "engine v2: run -d puts containers beside the caller's scope, in a private cgroup namespace" { uml_check run; }
@test "engine v2: -m becomes memory.max, seen inside the container too" { uml_check memory; }
@test "engine v2: --memory-swap (memory+swap) becomes memory.swap.max (swap alone); default and -1" { uml_check swap; }
@test "engine v2: --cpus becomes cpu.max, --cpu-shares becomes cpu.weight (runc's conversion)" { uml_check cpu; }
@test "engine v2: --cpuset-cpus without a cpuset controller is refused by name, nothing left" { uml_check cpuset; }
@test "engine v2: --pids-limit becomes pids.max and stops forks" { uml_check pids; }
@test "engine v2: an OOM kill of the init is exit 137 and OOMKilled in inspect" { uml_check oom; }
@test "engine v2: an OOM-killed child is reported from memory.events although the init exits 3" { uml_check oom_child; }
@test "engine v2: update changes memory, swap total, cpus, shares and pids live, as docker" { uml_check update; }
@test "engine v2: pause and unpause through cgroup.freeze, seen in cgroup.events and inspect" { uml_check pause; }
@test "engine v2: stats --no-stream shows memory.current / memory.max and pids.current" { uml_check stats; }
@test "engine v2: stats CPU % comes from cpu.stat; --cpus throttles a spinning container" { uml_check cpu_busy; }
@test "engine v2: each start of a stopped container makes its cgroup again, with updated limits" { uml_check restart; }
@test "engine v2: /sys/fs/cgroup is read-only, writable with --privileged" { uml_check privileged; }
@test "engine v2: top lists exactly the processes of cgroup.procs" { uml_check top; }
@test "engine v2: a container killed by a signal is not OOMKilled; its cgroup goes with it" { uml_check kill; }
@test "engine v2: rm -f leaves no container cgroup and no berth/ parent" { uml_check rm; }
@test "engine v2: nothing left behind in the guest" { uml_check nothing_left; }
