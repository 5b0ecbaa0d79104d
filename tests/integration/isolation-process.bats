#!/usr/bin/env bats
# The process setup (runtime/process.c, caps.c, seccomp.c, sysctl.c) against the real kernel, through isolation-probe.

bats_require_minimum_version 1.5.0
load isolation-helpers

setup_file() {
        isolation_setup_file
}

setup() {
        isolation_setup
}

teardown() {
        isolation_teardown
}

@test "isolation: seccomp errno blocks the syscall with the configured errno" {
        run probe --default-mounts --seccomp mkdir:errno:18 --seccomp mkdirat:errno:18 "$ROOTFS" -- /bin/sh -c 'mkdir /tmp/x; echo rc=$?; touch /tmp/y && echo TOUCH-OK'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Invalid cross-device link"* ]]
        [[ "$output" == *"rc=1"* ]]
        [[ "$output" == *TOUCH-OK* ]]
        # Control: without the filter mkdir works.
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'mkdir /tmp/x && echo MKDIR-OK'
        [[ "$output" == *MKDIR-OK* ]]
}

@test "isolation: seccomp after no_new_privs for an unprivileged user" {
        run probe --default-mounts --nnp --user 1000:1000 --seccomp mkdirat:errno:1 --seccomp mkdir:errno:1 "$ROOTFS" -- \
                /bin/sh -c 'id -u; grep NoNewPrivs /proc/self/status; grep Seccomp: /proc/self/status; mkdir /tmp/z || echo BLOCKED'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "1000" ]
        [[ "$output" == *"NoNewPrivs:	1"* ]]
        [[ "$output" == *"Seccomp:	2"* ]]
        [[ "$output" == *BLOCKED* ]]
}

@test "isolation: seccomp kill_process ends the process with SIGSYS" {
        run probe --default-mounts --seccomp uname:kill "$ROOTFS" -- /bin/uname
        echo "status=$status $output"
        [ "$status" -eq $((128 + 31)) ]
}

@test "isolation: capabilities are exactly the configured sets" {
        run probe --default-mounts --caps CAP_CHOWN,CAP_KILL,CAP_NET_BIND_SERVICE "$ROOTFS" -- /bin/sh -c 'grep ^Cap /proc/self/status'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"CapEff:	0000000000000421"* ]]
        [[ "$output" == *"CapBnd:	0000000000000421"* ]]
        [[ "$output" == *"CapAmb:	0000000000000421"* ]]
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'grep ^CapEff /proc/self/status'
        [[ "$output" == *"CapEff:	0000000000000000"* ]]
}

@test "isolation: a non-root user keeps ambient capabilities across exec" {
        touch "$ROOTFS/tmp/f"
        run probe --default-mounts --user 1000:1000:5,44 --caps CAP_CHOWN "$ROOTFS" -- /bin/sh -c 'id; chown 0:0 /tmp/f && echo CHOWN-OK'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"uid=1000 gid=1000 groups=5,44"* ]]
        [[ "$output" == *CHOWN-OK* ]]
        # Control: the same user without the capability cannot.
        run probe --default-mounts --user 1000:1000 "$ROOTFS" -- /bin/sh -c 'chown 0:0 /tmp/f && echo CHOWN-OK'
        [[ "$output" != *CHOWN-OK* ]]
}

@test "isolation: namespaced sysctls and the hostname are set inside only" {
        before="$(cat /proc/sys/kernel/shmmni)"
        run probe --default-mounts --sysctl kernel.shmmni=1234 --sysctl fs.mqueue.msg_max=20 --hostname berthbox "$ROOTFS" -- \
                /bin/sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max; hostname'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "1234" ]
        [ "${lines[1]}" = "20" ]
        [ "${lines[2]}" = "berthbox" ]
        [ "$(cat /proc/sys/kernel/shmmni)" = "$before" ]
        [ "$(hostname)" != "berthbox" ]
}

@test "isolation: net sysctls need the container's own network namespace" {
        run probe --default-mounts --sysctl net.ipv4.ip_forward=1 "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"linux.sysctl 'net.ipv4.ip_forward': needs a network namespace"* ]]
        before="$(cat /proc/sys/net/ipv4/ip_forward)"
        run probe --default-mounts --netns --sysctl net.ipv4.ip_forward=1 "$ROOTFS" -- /bin/cat /proc/sys/net/ipv4/ip_forward
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "1" ]
        [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}

@test "isolation: host-wide sysctls are refused before anything runs" {
        run probe --default-mounts --sysctl vm.swappiness=1 "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"linux.sysctl 'vm.swappiness': not in a separate kernel namespace"* ]]
        run probe --default-mounts --sysctl kernel.hostname=x "$ROOTFS" -- /bin/true
        [ "$status" -ne 0 ]
        [[ "$output" == *"use the hostname field"* ]]
}

@test "isolation: rlimits are set, raising a hard limit without CAP_SYS_RESOURCE is named" {
        run probe --default-mounts --nofile 100:200 "$ROOTFS" -- /bin/sh -c 'ulimit -n; ulimit -Hn'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "100" ]
        [ "${lines[1]}" = "200" ]
        if grep -q "^CapEff:.*" /proc/self/status && capsh --has-p=cap_sys_resource 2>/dev/null; then
                skip "this host has CAP_SYS_RESOURCE"
        fi
        hard="$(ulimit -Hn)"
        run probe --default-mounts --nofile "100:$((hard + 1))" "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"process.rlimits[0] (RLIMIT_NOFILE): raise the hard limit from $hard to $((hard + 1))"* ]]
        [[ "$output" == *CAP_SYS_RESOURCE* ]]
}

@test "isolation: a missing command is 'not found in \$PATH' with status 127" {
        run -127 probe --default-mounts "$ROOTFS" -- nosuchcmd
        echo "$output"
        [[ "$output" == *"exec: 'nosuchcmd': executable file not found in \$PATH"* ]]
        chmod 0644 "$ROOTFS/bin/busybox"
        run probe --default-mounts "$ROOTFS" -- /bin/busybox true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"exec '/bin/busybox': Permission denied"* ]]
}

@test "isolation: no file descriptor of the probe leaks into the container" {
        # Start the probe with only 0, 1 and 2 open (bats keeps some of its own open), so any other fd in the
        # container would be one the probe or the library opened.
        run bash -c 'for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done
                exec "$0" --default-mounts --seccomp mkdir:errno:1 --masked /proc/meminfo "$1" -- /bin/sh -c "ls /proc/self/fd | sort -n | tr \"\\n\" \" \""' \
                "$PROBE" "$ROOTFS"
        echo "$output"
        [ "$status" -eq 0 ]
        # 0, 1, 2 and the fd ls itself opens for reading the directory.
        [ "$output" = "0 1 2 3 " ]
}
