#!/usr/bin/env bats
# berth-runtime's lifecycle commands with runc's command line, as root against the real kernel.

load runtime-helpers

setup() {
        runtime_setup
}

teardown() {
        runtime_teardown
}

@test "run: exit status, stdout and env of the container process" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "echo out-$FOO; exit 7"] | .process.env += ["FOO=bar"]'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 7 ]
        [ "$output" = "out-bar" ]
        # run without --keep deletes the container afterwards
        run rt state "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"does not exist"* ]]
}

@test "run: a process killed by a signal gives 128+signal" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -b "$BUNDLE" "$ID" &
        local pid=$!
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = running ]"
        rt kill "$ID" KILL
        local st=0
        wait $pid || st=$?
        [ "$st" -eq 137 ]
}

@test "run: forwards signals to the container process" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "trap \"echo got-term; exit 42\" TERM; echo ready; while :; do sleep 0.1; done"]'
        "$RT" --root "$TEST_ROOT" run -b "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/out" &
        local pid=$!
        wait_for grep -q ready "$BATS_TEST_TMPDIR/out"
        kill -TERM $pid
        local st=0
        wait $pid || st=$?
        [ "$st" -eq 42 ]
        grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "run --keep keeps the stopped container until delete" {
        bundle_edit "$BUNDLE" '.process.args = ["true"]'
        rt run --keep -b "$BUNDLE" "$ID"
        [ "$(container_status "$ID")" = stopped ]
        [ "$(rt state "$ID" | jq .pid)" = 0 ]
        rt delete "$ID"
        [ ! -e "$TEST_ROOT/$ID" ]
}

@test "run --detach returns while the container runs" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
        [ "$(container_status "$ID")" = running ]
        [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(rt state "$ID" | jq .pid)" ]
        rt kill "$ID" KILL
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = stopped ]"
        rt delete "$ID"
}

@test "create, state, start, kill, delete" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .annotations = {"org.test.a": "b"}'
        rt create -b "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
        run rt state "$ID"
        [ "$status" -eq 0 ]
        [ "$(jq -r .status <<<"$output")" = created ]
        [ "$(jq -r .id <<<"$output")" = "$ID" ]
        [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
        [ "$(jq -r .rootfs <<<"$output")" = "$BUNDLE/rootfs" ]
        [ "$(jq -r .ociVersion <<<"$output")" = 1.2.0 ]
        [ "$(jq -r '.annotations["org.test.a"]' <<<"$output")" = b ]
        jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' <<<"$output"
        local pid
        pid=$(jq .pid <<<"$output")
        [ "$pid" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
        [ -d /proc/$pid ]
        # The init waits on the fifo: not yet sleeping.
        [ "$(readlink /proc/$pid/exe)" = "$(readlink -f "$RT")" ]
        rt start "$ID"
        [ "$(container_status "$ID")" = running ]
        wait_for sh -c "readlink /proc/$pid/exe | grep -q busybox"
        run rt start "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"not created"* ]]
        run rt delete "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"not stopped"* ]]
        rt kill "$ID" KILL
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = stopped ]"
        run rt kill "$ID" TERM
        [ "$status" -eq 1 ]
        [[ "$output" == *"not running"* ]]
        rt delete "$ID"
        run rt state "$ID"
        [ "$status" -eq 1 ]
}

@test "delete of a created container kills its init" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt create -b "$BUNDLE" "$ID"
        local pid
        pid=$(rt state "$ID" | jq .pid)
        rt delete "$ID"
        wait_for sh -c "[ ! -d /proc/$pid ] || grep -q '^State:.*Z' /proc/$pid/status"
}

@test "delete --force kills a running container; --force on a missing id succeeds" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt delete --force "$ID"
        [ ! -e "$TEST_ROOT/$ID" ]
        rt delete --force "$ID"
        run rt delete "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"does not exist"* ]]
}

@test "kill: signal names and numbers, --all" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "trap \"echo usr1 >/tmp/sig\" USR1; trap \"exit 0\" TERM; sleep 1000 & while :; do sleep 0.1; done"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt kill "$ID" SIGUSR1
        wait_for rt exec "$ID" test -e /tmp/sig
        rt exec "$ID" rm /tmp/sig
        rt kill "$ID" 10
        wait_for rt exec "$ID" test -e /tmp/sig
        rt kill "$ID" USR1
        run rt kill "$ID" SIGNOPE
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown signal"* ]]
        rt kill --all "$ID" KILL
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = stopped ]"
        rt delete "$ID"
}

@test "list: table, --quiet and --format json" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt create -b "$BUNDLE" "$ID-a"
        rt run -d -b "$BUNDLE" "$ID-b"
        run rt list
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
        [[ "${lines[1]}" =~ ^$ID-a\ +[0-9]+\ +created\ +$BUNDLE\  ]]
        [[ "${lines[2]}" =~ ^$ID-b\ +[0-9]+\ +running\ +$BUNDLE\  ]]
        run rt list -q
        [ "${lines[0]}" = "$ID-a" ]
        [ "${lines[1]}" = "$ID-b" ]
        run rt list --format json
        [ "$(jq -r '.[1].status' <<<"$output")" = running ]
        [ "$(jq -r '.[0].id' <<<"$output")" = "$ID-a" ]
        rt delete --force "$ID-a"
        rt delete --force "$ID-b"
        run rt list --format json
        [ "$output" = null ]
}

@test "ps: table and json" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "sleep 1000 & sleep 1001; true"]'
        rt run -d -b "$BUNDLE" "$ID"
        wait_for sh -c "[ \$($RT --root $TEST_ROOT ps --format json $ID | jq length) = 3 ]"
        run rt ps "$ID"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == *PID* ]]
        [[ "$output" == *"sleep 1000"* ]]
        [[ "$output" == *"sleep 1001"* ]]
        [ "${#lines[@]}" -eq 4 ]
        [[ "$output" == *"sh -c"* ]]
        run rt ps "$ID" -o pid,comm
        [[ "${lines[0]}" =~ PID\ +COMMAND ]]
        rt delete --force "$ID"
}

@test "pause and resume freeze the container" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt pause "$ID"
        [ "$(container_status "$ID")" = paused ]
        local pid
        pid=$(rt state "$ID" | jq .pid)
        wait_for grep -Eq '^State:.*(T|D|S)' /proc/$pid/status
        run rt pause "$ID"
        [ "$status" -eq 1 ]
        run rt exec "$ID" true
        [ "$status" -eq 1 ]
        [[ "$output" == *paused* ]]
        rt resume "$ID"
        [ "$(container_status "$ID")" = running ]
        run rt resume "$ID"
        [ "$status" -eq 1 ]
        rt exec "$ID" true
        rt delete --force "$ID"
}

@test "delete --force of a paused container" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt pause "$ID"
        rt delete --force "$ID"
        [ ! -e "$TEST_ROOT/$ID" ]
}

cgroup_file() { # ID CONTROLLER FILE: the file of the container's cgroup, seen by its init
        local pid path
        pid=$(rt state "$1" | jq .pid)
        path=$(awk -F: -v c="$2" '$2 ~ "(^|,)"c"(,|$)" {print $3}' /proc/$pid/cgroup)
        echo "/sys/fs/cgroup/$2$path/$3"
}

@test "update: memory, pids and cpu from flags" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt update --memory 64m --pids-limit 20 --cpu-shares 512 --cpu-quota 50000 --cpu-period 100000 "$ID"
        [ "$(cat "$(cgroup_file "$ID" memory memory.limit_in_bytes)")" = 67108864 ]
        [ "$(cat "$(cgroup_file "$ID" pids pids.max)")" = 20 ]
        [ "$(cat "$(cgroup_file "$ID" cpu cpu.shares)")" = 512 ]
        [ "$(cat "$(cgroup_file "$ID" cpu cpu.cfs_quota_us)")" = 50000 ]
        run rt update --memory lots "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"--memory"* ]]
        rt delete --force "$ID"
}

@test "update -r: resources JSON from a file and from stdin" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        echo '{"memory": {"limit": 33554432}, "pids": {"limit": 11}}' >"$BATS_TEST_TMPDIR/res.json"
        rt update -r "$BATS_TEST_TMPDIR/res.json" "$ID"
        [ "$(cat "$(cgroup_file "$ID" memory memory.limit_in_bytes)")" = 33554432 ]
        [ "$(cat "$(cgroup_file "$ID" pids pids.max)")" = 11 ]
        echo '{"pids": {"limit": 12}}' | rt update -r - "$ID"
        [ "$(cat "$(cgroup_file "$ID" pids pids.max)")" = 12 ]
        run rt update -r - "$ID" <<<'{"pids": {"limit": "many"}}'
        [ "$status" -eq 1 ]
        [[ "$output" == *pids* ]]
        rt delete --force "$ID"
}

@test "memory and pids limits from config.json are enforced" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .linux.resources.pids = {"limit": 5} | .linux.resources.memory = {"limit": 16777216}'
        rt run -d -b "$BUNDLE" "$ID"
        [ "$(cat "$(cgroup_file "$ID" memory memory.limit_in_bytes)")" = 16777216 ]
        [ "$(cat "$(cgroup_file "$ID" pids pids.max)")" = 5 ]
        run rt exec "$ID" sh -c 'i=0; while [ $i -lt 8 ]; do sleep 100 & i=$((i+1)); done; echo end'
        [[ "$output" == *"fork"* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
        [ "$(rt ps --format json "$ID" | jq length)" -le 5 ]
        rt kill --all "$ID" KILL
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = stopped ]"
        rt delete "$ID"
        make_bundle "$BATS_TEST_TMPDIR/m" sh -c 'x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
        bundle_edit "$BATS_TEST_TMPDIR/m" '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
        run rt run -b "$BATS_TEST_TMPDIR/m" "$ID-m"
        [ "$status" -eq 137 ]
}

@test "events --stats prints one stats object; events streams until the container stops" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .linux.resources.pids = {"limit": 50}'
        rt run -d -b "$BUNDLE" "$ID"
        run rt events --stats "$ID"
        [ "$status" -eq 0 ]
        [ "$(jq -r .type <<<"$output")" = stats ]
        [ "$(jq -r .id <<<"$output")" = "$ID" ]
        [ "$(jq -r .data.pids.current <<<"$output")" = 1 ]
        [ "$(jq -r .data.pids.limit <<<"$output")" = 50 ]
        jq -e '.data.memory.usage.usage > 0' <<<"$output"
        jq -e '.data.cpu.usage.total > 0' <<<"$output"
        rt events --interval 1s "$ID" >"$BATS_TEST_TMPDIR/events" &
        local ev=$!
        wait_for sh -c "[ \$(wc -l <$BATS_TEST_TMPDIR/events) -ge 2 ]"
        rt kill "$ID" KILL
        wait $ev
        [ "$(head -1 "$BATS_TEST_TMPDIR/events" | jq -r .type)" = stats ]
        rt delete "$ID"
}

@test "events reports an OOM kill" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "sleep 1; x=a; while :; do x=$x$x; done"] | .linux.resources.memory = {"limit": 8388608, "swap": 8388608}'
        rt run -d -b "$BUNDLE" "$ID"
        run rt events --interval 60s "$ID"
        [ "$status" -eq 0 ]
        grep -q '"type":"oom"' <<<"$output"
        rt delete --force "$ID"
}

@test "exec: args, exit status, env, cwd, user" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .process.env += ["FROMCONFIG=1"]'
        rt run -d -b "$BUNDLE" "$ID"
        run rt exec "$ID" sh -c 'exit 5'
        [ "$status" -eq 5 ]
        run rt exec --env A=b "$ID" sh -c 'echo $A-$FROMCONFIG'
        [ "$output" = "b-1" ]
        run rt exec --cwd /tmp "$ID" pwd
        [ "$output" = /tmp ]
        run rt exec --user 1000:1000 "$ID" id
        [[ "$output" == "uid=1000(user) gid=1000(user)"* ]]
        run rt exec -u 1000 -g 2000 "$ID" id -G
        [ "$output" = "0 2000" ] || [ "$output" = "0 2000 0" ]
        run rt exec "$ID" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
        [ "${lines[1]}" = "sleep 1000 " ]
        [ "${lines[0]}" != 1 ]
        run rt exec "$ID" nonexistent-command
        [ "$status" -ne 0 ]
        [[ "$output" == *"nonexistent-command"* ]]
        rt delete --force "$ID"
}

@test "exec joins every namespace of the container and its cgroup" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .hostname = "inside"'
        rt run -d -b "$BUNDLE" "$ID"
        local pid ns
        pid=$(rt state "$ID" | jq .pid)
        for ns in mnt pid net ipc uts cgroup; do
                run rt exec "$ID" readlink /proc/self/ns/$ns
                [ "$output" = "$(readlink /proc/$pid/ns/$ns)" ]
        done
        run rt exec "$ID" hostname
        [ "$output" = inside ]
        run rt exec "$ID" cat /proc/self/cgroup
        [ "$output" = "$(cat /proc/$pid/cgroup)" ] || [[ "$output" == *"pids:/"* ]]
        rt delete --force "$ID"
}

@test "exec --process FILE, --detach and --pid-file" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        jq '.process | .args = ["sh", "-c", "echo from-process-file; exit 3"] | .cwd = "/etc"' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
        run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
        [ "$status" -eq 3 ]
        [ "$output" = from-process-file ]
        rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 999
        local p
        p=$(cat "$BATS_TEST_TMPDIR/exec.pid")
        [ -d /proc/$p ]
        grep -q "sleep" /proc/$p/cmdline
        run rt exec --process /nonexistent "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"/nonexistent"* ]]
        rt delete --force "$ID"
        [ ! -d /proc/$p ] || grep -q '^State:.*Z' /proc/$p/status
}

@test "exec --cap adds a capability; --no-new-privs sets NoNewPrivs" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .process.noNewPrivileges = false'
        rt run -d -b "$BUNDLE" "$ID"
        run rt exec "$ID" grep CapEff /proc/self/status
        local before=${output##*:}
        run rt exec --cap CAP_SYS_ADMIN "$ID" grep CapEff /proc/self/status
        [ "${output##*:}" != "$before" ]
        run rt exec "$ID" grep NoNewPrivs /proc/self/status
        [[ "$output" == *0 ]]
        run rt exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status
        [[ "$output" == *1 ]]
        run rt exec --cap CAP_BOGUS "$ID" true
        [ "$status" -eq 1 ]
        [[ "$output" == *CAP_BOGUS* ]]
        rt delete --force "$ID"
}

@test "exec into a stopped container fails" {
        bundle_edit "$BUNDLE" '.process.args = ["true"]'
        rt run --keep -b "$BUNDLE" "$ID"
        run rt exec "$ID" true
        [ "$status" -eq 1 ]
        [[ "$output" == *stopped* ]]
        rt delete "$ID"
}

@test "--preserve-fds and LISTEN_FDS pass fds into the container" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "cat <&3; cat <&4; echo $LISTEN_FDS-$LISTEN_PID"]'
        echo three >"$BATS_TEST_TMPDIR/f3"
        echo four >"$BATS_TEST_TMPDIR/f4"
        run env LISTEN_FDS=1 "$RT" --root "$TEST_ROOT" run --preserve-fds 1 -b "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = three ]
        [ "${lines[1]}" = four ]
        [ "${lines[2]}" = 1-1 ]
}

@test "spec writes a default config.json and refuses to overwrite it" {
        mkdir "$BATS_TEST_TMPDIR/s"
        rt spec --bundle "$BATS_TEST_TMPDIR/s"
        jq -e '.ociVersion and .process.args and .root.path == "rootfs"' "$BATS_TEST_TMPDIR/s/config.json"
        run rt spec --bundle "$BATS_TEST_TMPDIR/s"
        [ "$status" -eq 1 ]
        [[ "$output" == *exists* ]]
        mkdir "$BATS_TEST_TMPDIR/r"
        rt spec --rootless --bundle "$BATS_TEST_TMPDIR/r"
        jq -e '.linux.namespaces | map(.type) | index("user")' "$BATS_TEST_TMPDIR/r/config.json"
}

@test "features reports what this build supports" {
        run rt features
        [ "$status" -eq 0 ]
        jq -e '.ociVersionMax == "1.2.0"' <<<"$output"
        jq -e '.hooks | length == 6' <<<"$output"
        jq -e '.linux.namespaces | index("time") and index("cgroup") and index("user")' <<<"$output"
        jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY"))' <<<"$output"
        jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' <<<"$output"
        jq -e '.linux.cgroup.v1 and .linux.cgroup.v2 and (.linux.cgroup.systemd | not)' <<<"$output"
        jq -e '.mountOptions | index("rbind")' <<<"$output"
}

@test "global options: --version, --help, --log with --log-format json, --debug, unknown command" {
        run "$RT" --version
        [ "$status" -eq 0 ]
        [[ "$output" == *"berth-runtime version"* ]]
        run "$RT" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *create* ]]
        run "$RT" --root "$TEST_ROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json --debug state nope
        [ "$status" -eq 1 ]
        jq -e 'select(.level == "error") | .msg | test("does not exist")' "$BATS_TEST_TMPDIR/log.json"
        run "$RT" --log-format xml list
        [ "$status" -eq 1 ]
        run "$RT" bogus
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown command"* ]]
        run rt create --bogus-flag "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"unknown option"* ]]
}

@test "--systemd-cgroup is refused clearly and leaves nothing" {
        run "$RT" --root "$TEST_ROOT" --systemd-cgroup run -b "$BUNDLE" "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *systemd* ]]
}

@test "hostname, domainname, sysctl and env reach the container" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "hostname; cat /proc/sys/kernel/domainname; cat /proc/sys/kernel/shmmni; cat /proc/sys/net/ipv4/ip_forward"] | .hostname = "box1" | .domainname = "example.org" | .linux.sysctl = {"kernel.shmmni": "1234", "net.ipv4.ip_forward": "1"}'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = box1 ]
        [ "${lines[1]}" = example.org ]
        [ "${lines[2]}" = 1234 ]
        [ "${lines[3]}" = 1 ]
}

@test "user namespace with uid/gid mappings" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "cat /proc/self/uid_map; id -u"] | .linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
        chown -R 100000:100000 "$BUNDLE/rootfs"
        # The container's root (host uid 100000) must be able to reach its rootfs.
        local d=$BUNDLE
        while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^\ +0\ +100000\ +65536$ ]]
        [ "${lines[1]}" = 0 ]
        # exec joins the container's user namespace too
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        run rt exec "$ID" readlink /proc/self/ns/user
        [ "$output" = "$(readlink /proc/$(rt state "$ID" | jq .pid)/ns/user)" ]
        [ "$output" != "$(readlink /proc/self/ns/user)" ]
        run rt exec -u 1000 "$ID" id -u
        [ "$output" = 1000 ]
        rt delete --force "$ID"
}

@test "time namespace offsets" {
        bundle_edit "$BUNDLE" '.process.args = ["cat", "/proc/uptime"] | .linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 0 ]
        local up=${output%%.*}
        local host
        host=$(cut -d. -f1 /proc/uptime)
        [ "$up" -ge $((host + 86000)) ]
}

@test "joining namespaces by path" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID-a"
        local pid
        pid=$(rt state "$ID-a" | jq .pid)
        make_bundle "$BATS_TEST_TMPDIR/b2" sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; ps -o pid,comm'
        bundle_edit "$BATS_TEST_TMPDIR/b2" ".linux.namespaces |= map(if .type == \"network\" or .type == \"ipc\" or .type == \"pid\" then .path = \"/proc/$pid/ns/\" + (if .type == \"network\" then \"net\" else .type end) else . end)"
        run rt run -b "$BATS_TEST_TMPDIR/b2" "$ID-b"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$(readlink /proc/$pid/ns/net)" ]
        [ "${lines[1]}" = "$(readlink /proc/$pid/ns/ipc)" ]
        [[ "$output" == *sleep* ]]
        rt delete --force "$ID-a"
}

@test "seccomp: errno rule applies to the container process, with and without noNewPrivileges" {
        local nnp
        for nnp in true false; do
                bundle_edit "$BUNDLE" ".process.args = [\"sh\", \"-c\", \"mkdir /newdir; echo rc=\$?\"] | .process.noNewPrivileges = $nnp | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", architectures: [\"SCMP_ARCH_X86_64\"], syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_ERRNO\", errnoRet: 1}]}"
                run rt run -b "$BUNDLE" "$ID"
                [[ "$output" == *"Operation not permitted"* ]]
                [[ "$output" == *"rc=1"* ]]
                # exec gets the same filter
                bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
                rt run -d -b "$BUNDLE" "$ID"
                run rt exec "$ID" mkdir /other
                [ "$status" -eq 1 ]
                [[ "$output" == *"Operation not permitted"* ]]
                rt delete --force "$ID"
        done
}

@test "seccomp notify: the listener fd goes to listenerPath" {
        local sock=$BATS_TEST_TMPDIR/seccomp.sock
        bundle_edit "$BUNDLE" ".process.args = [\"sh\", \"-c\", \"mkdir /newdir; echo rc=\$?\"] | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"$sock\", architectures: [\"SCMP_ARCH_X86_64\"], syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}"
        # recvtty takes the fd and closes it: the notified syscall then fails with ENOSYS.
        "$BERTH_BUILD/tests/integration/recvtty" "$sock" >/dev/null &
        local recv=$!
        wait_for test -S "$sock"
        run rt run -b "$BUNDLE" "$ID"
        wait $recv
        [[ "$output" == *"Function not implemented"* ]]
        [[ "$output" == *"rc=1"* ]]
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *seccomp.sock* ]]
}

@test "create --no-pivot and --no-new-keyring" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "echo ok; ls /"]'
        run rt run --no-pivot --no-new-keyring -b "$BUNDLE" "$ID"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = ok ]
        [[ "$output" == *bin* ]]
        # Without --no-new-keyring the container joins a new session keyring the caller cannot see.
        bundle_edit "$BUNDLE" '.process.args = ["cat", "/proc/keys"] | .linux.maskedPaths = []'
        # The caller's keys are listed before the container runs: a dead container's keyring may still
        # show in /proc/keys until the kernel's key garbage collector runs.
        local own before
        before=$(awk '{print $1}' /proc/keys)
        run rt run -b "$BUNDLE" "$ID"
        own=$(awk '$9 == "_ses:" {print $1}' <<<"$output" | grep -vxF -f <(echo "$before") || true)
        [ -n "$own" ]
        before=$(awk '{print $1}' /proc/keys)
        run rt run --no-new-keyring -b "$BUNDLE" "$ID"
        own=$(awk '$9 == "_ses:" {print $1}' <<<"$output" | grep -vxF -f <(echo "$before") || true)
        [ -z "$own" ]
}

@test "update --cpuset-cpus and --cpuset-mems" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt run -d -b "$BUNDLE" "$ID"
        rt update --cpuset-cpus 0 --cpuset-mems 0 "$ID"
        [ "$(cat "$(cgroup_file "$ID" cpuset cpuset.cpus)")" = 0 ]
        [ "$(cat "$(cgroup_file "$ID" cpuset cpuset.mems)")" = 0 ]
        run rt update --pids-limit many "$ID"
        [ "$status" -eq 1 ]
        rt delete --force "$ID"
}
