#!/usr/bin/env bats
# The container's file system view (runtime/mounts.c, devices.c) against the real kernel, through isolation-probe.

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

@test "isolation: pivot_root leaves only the rootfs, busybox runs as pid 1" {
        echo secret >"$BATS_TEST_TMPDIR/host-marker"
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'echo pid=$$; test -e '"$BATS_TEST_TMPDIR"'/host-marker && echo LEAK; head -1 /proc/self/mountinfo'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"pid=1"* ]]
        [[ "$output" != *LEAK* ]]
        [[ "$(echo "$output" | sed -n 2p)" == *" $ROOTFS / "* ]]
}

@test "isolation: --no-pivot moves the rootfs and chroots" {
        run probe --default-mounts --no-pivot "$ROOTFS" -- /bin/sh -c 'echo pid=$$; ls /bin/busybox; test -e '"$ROOTFS"' && echo LEAK; true'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"pid=1"* ]]
        [[ "$output" != *LEAK* ]]
}

@test "isolation: an absolute symlink in the rootfs cannot redirect a mount outside" {
        ln -s "$HOSTDIR" "$ROOTFS/escape"
        ln -s "../../../../../../../..$HOSTDIR" "$ROOTFS/relescape"
        echo data >"$BATS_TEST_TMPDIR/file"
        run probe --default-mounts --mount "/escape/sub:tmpfs:tmpfs:" --mount "/relescape/bound::$BATS_TEST_TMPDIR/file:bind" \
                "$ROOTFS" -- /bin/sh -c 'grep -E " (/escape|'"$HOSTDIR"')/sub " /proc/self/mountinfo; cat /relescape/bound'
        echo "$output"
        [ "$status" -eq 0 ]
        # The mounts landed inside the rootfs, at the symlink target taken relative to the root...
        [[ "$output" == *" $HOSTDIR/sub "* ]]
        [[ "$output" == *data* ]]
        [ -d "$ROOTFS$HOSTDIR/sub" ]
        [ -f "$ROOTFS$HOSTDIR/bound" ]
        # ...and nothing was created on the host side.
        [ ! -e "$HOSTDIR/sub" ]
        [ ! -e "$HOSTDIR/bound" ]
}

@test "isolation: a symlink in the image's /dev cannot send a device node outside" {
        ln -s "$HOSTDIR" "$ROOTFS/dev/sneaky"
        run probe --mount "/proc:proc:proc:" --device "c:1:3:/dev/sneaky/null3" "$ROOTFS" -- /bin/sh -c 'stat -c "%t:%T" /dev/sneaky/null3'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "1:3" ]
        [ ! -e "$HOSTDIR/null3" ]
        [ -c "$ROOTFS$HOSTDIR/null3" ]
}

@test "isolation: masked paths hide files behind /dev/null and directories behind a read-only tmpfs" {
        run probe --default-mounts --masked /proc/meminfo --masked /sys/firmware --masked /does/not/exist "$ROOTFS" -- \
                /bin/sh -c 'wc -c </proc/meminfo; stat -c "%t:%T" /proc/meminfo; ls -A /sys/firmware | wc -l; touch /sys/firmware/x || echo ROFS'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "0" ]
        [ "${lines[1]}" = "1:3" ]
        [ "${lines[2]}" = "0" ]
        [[ "$output" == *ROFS* ]]
        # Control: without the mask /proc/meminfo has content.
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'wc -c </proc/meminfo'
        [ "$output" -gt 0 ]
}

@test "isolation: readonly paths are remounted read-only, the rest stays writable" {
        run probe --default-mounts --readonly /proc/sys "$ROOTFS" -- /bin/sh -c 'echo 1234 >/proc/sys/kernel/shmmni && echo WROTE'
        echo "$output"
        [[ "$output" == *"Read-only file system"* ]]
        [[ "$output" != *WROTE* ]]
        # Control: the same write works without it (the container has its own IPC namespace).
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'echo 1234 >/proc/sys/kernel/shmmni && cat /proc/sys/kernel/shmmni'
        [ "$status" -eq 0 ]
        [ "$output" = "1234" ]
}

@test "isolation: root.readonly makes / read-only but not /dev or /tmp mounts" {
        run probe --default-mounts --mount "/tmp:tmpfs:tmpfs:" --ro-root "$ROOTFS" -- /bin/sh -c 'touch /x || echo ROOT-RO; touch /tmp/x && echo TMP-RW; '"$ROOT_MOUNTINFO"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *ROOT-RO* ]]
        [[ "$output" == *TMP-RW* ]]
        [[ "${lines[-1]}" == *" / ro,"* ]]
        run probe --default-mounts "$ROOTFS" -- /bin/sh -c 'touch /x && echo ROOT-RW'
        [[ "$output" == *ROOT-RW* ]]
        [ -f "$ROOTFS/x" ]
}

@test "isolation: default devices, custom devices and the /dev links" {
        run probe --default-mounts --device "c:10:229:/dev/fuse:600:1000:1000" --device "p:0:0:/dev/myfifo" "$ROOTFS" -- /bin/sh -c '
                for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done
                stat -c "%n %t:%T %a %u:%g" /dev/fuse
                stat -c "%n %F" /dev/myfifo
                for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done
                echo ok >/dev/null && head -c 4 /dev/zero | wc -c'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/null character special file 1:3 666"* ]]
        [[ "$output" == *"/dev/urandom character special file 1:9 666"* ]]
        [[ "$output" == *"/dev/tty character special file 5:0 666"* ]]
        [[ "$output" == *"/dev/fuse a:e5 600 1000:1000"* ]]
        [[ "$output" == *"/dev/myfifo fifo"* ]]
        [[ "$output" == *"pts/ptmx"* ]]
        [[ "$output" == *"/proc/self/fd/2"* ]]
        [ "${lines[-1]}" = "4" ]
}

@test "isolation: a bind of /dev from outside means no device creation" {
        mkdir -p "$HOSTDIR/dev"
        run probe --mount "/proc:proc:proc:" --mount "/dev::$HOSTDIR/dev:rbind" "$ROOTFS" -- /bin/sh -c 'ls -A /dev | wc -l'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "0" ]
}

@test "isolation: devices in a user namespace are bind mounts of the host's nodes" {
        run probe --userns --default-mounts "$ROOTFS" -- /bin/sh -c 'echo x >/dev/null && echo NULL-OK; grep -c " /dev/null " /proc/self/mountinfo; cat /proc/self/uid_map'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *NULL-OK* ]]
        [ "${lines[1]}" = "1" ]
        [[ "${lines[2]}" == *"100000"* ]]
}

@test "isolation: tmpcopyup copies the image's directory into the new tmpfs" {
        mkdir -p "$ROOTFS/etc/sub"
        echo orig >"$ROOTFS/etc/data"
        echo deep >"$ROOTFS/etc/sub/f"
        ln -s data "$ROOTFS/etc/link"
        chmod 0751 "$ROOTFS/etc"
        run probe --default-mounts --mount "/etc:tmpfs:tmpfs:tmpcopyup,nosuid" "$ROOTFS" -- /bin/sh -c '
                cat /etc/data /etc/sub/f /etc/link; stat -c %a /etc; echo new >/etc/data && cat /etc/data; grep " /etc " /proc/self/mountinfo | grep -c tmpfs'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "orig" ]
        [ "${lines[1]}" = "deep" ]
        [ "${lines[2]}" = "orig" ]
        [ "${lines[3]}" = "751" ]
        [ "${lines[4]}" = "new" ]
        [ "${lines[5]}" = "1" ]
        [ "$(cat "$ROOTFS/etc/data")" = "orig" ]
}

@test "isolation: a file bind source gets a file target, created when missing" {
        echo hello >"$BATS_TEST_TMPDIR/hostsfile"
        run probe --default-mounts --mount "/etc/new/dir/hosts::$BATS_TEST_TMPDIR/hostsfile:bind,ro" "$ROOTFS" -- /bin/sh -c 'cat /etc/new/dir/hosts; test -f /etc/new/dir/hosts && echo FILE; echo x >/etc/new/dir/hosts || echo RO'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "hello" ]
        [[ "$output" == *FILE* ]]
        [[ "$output" == *RO* ]]
        [ "$(cat "$BATS_TEST_TMPDIR/hostsfile")" = "hello" ]
}

@test "isolation: bind ro, nosuid, noexec apply; rw keeps it writable" {
        cp /bin/busybox "$HOSTDIR/bb"
        run probe --default-mounts --mount "/data::$HOSTDIR:rbind,ro,noexec,nosuid,nodev" "$ROOTFS" -- /bin/sh -c 'touch /data/x || echo RO; /data/bb true || echo NOEXEC; grep " /data " /proc/self/mountinfo'
        echo "$output"
        [[ "$output" == *RO* ]]
        [[ "$output" == *NOEXEC* ]]
        [[ "$output" == *" /data ro,nosuid,nodev,noexec"* ]]
        run probe --default-mounts --mount "/data::$HOSTDIR:rbind,rw" "$ROOTFS" -- /bin/sh -c 'touch /data/x && echo RW'
        [[ "$output" == *RW* ]]
        [ -f "$HOSTDIR/x" ]
}

# runc 1.1.5 and crun 1.8.1 both run a bind mount with an unknown option (checked on this host) and
# still apply the known ones; mount(2) ignores data for binds. On other file systems an unknown
# option is data for the kernel, which refuses it.
@test "isolation: an unknown bind option is ignored as by runc and crun, ro still applies" {
        run probe --default-mounts --mount "/data::$HOSTDIR:rbind,bogus,ro" "$ROOTFS" -- /bin/sh -c 'touch /data/x || echo RO; grep " /data " /proc/self/mountinfo'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *RO* ]]
        [[ "$output" == *" /data ro,"* ]]
        run probe --default-mounts --mount "/t:tmpfs:tmpfs:bogus" "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"mounts[6] (/t): mount tmpfs"* ]]
}

@test "isolation: rro makes submounts read-only too, ro only the top" {
        # /data and /data/sub are the container's own tmpfs mounts; /view binds the rootfs' /data recursively.
        run probe --default-mounts --mount "/data:tmpfs:tmpfs:" --mount "/data/sub:tmpfs:tmpfs:" \
                --mount "/view::$ROOTFS/data:rbind,rro" "$ROOTFS" -- /bin/sh -c 'touch /view/sub/x || echo SUB-RO; touch /view/x || echo TOP-RO'
        echo "$output"
        [[ "$output" == *SUB-RO* ]]
        [[ "$output" == *TOP-RO* ]]
        run probe --default-mounts --mount "/data:tmpfs:tmpfs:" --mount "/data/sub:tmpfs:tmpfs:" \
                --mount "/view::$ROOTFS/data:rbind,ro" "$ROOTFS" -- /bin/sh -c 'touch /view/sub/x && echo SUB-RW; touch /view/x || echo TOP-RO'
        echo "$output"
        [[ "$output" == *SUB-RW* ]]
        [[ "$output" == *TOP-RO* ]]
}

@test "isolation: idmap shows the files' owners through the mount's mapping" {
        # The mapping is containerID 0 -> hostID 1234: a file owned by 0 on disk is seen as 1234.
        echo x >"$HOSTDIR/owned"
        chown 0:0 "$HOSTDIR/owned"
        run probe --default-mounts --mount "/idm::$HOSTDIR:bind,idmap" --idmap 1234 "$ROOTFS" -- /bin/sh -c 'stat -c "%u:%g" /idm/owned'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "1234:1234" ]
        run probe --default-mounts --mount "/idm::$HOSTDIR:bind" "$ROOTFS" -- /bin/sh -c 'stat -c "%u:%g" /idm/owned'
        [ "$output" = "0:0" ]
        [ "$(stat -c %u:%g "$HOSTDIR/owned")" = "0:0" ]
}

@test "isolation: rshared rootfsPropagation still pivots" {
        run probe --default-mounts --propagation rshared "$ROOTFS" -- /bin/sh -c "$ROOT_MOUNTINFO"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *shared:* ]]
}

@test "isolation: sysfs in a user namespace without its own network falls back to a bind of /sys" {
        run probe --userns --default-mounts "$ROOTFS" -- /bin/sh -c 'ls /sys/kernel >/dev/null && echo SYS-OK; grep " /sys " /proc/self/mountinfo'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *SYS-OK* ]]
        [[ "$output" == *" /sys ro,"* ]]
}

@test "isolation: a bad mount is an error naming it, and nothing is left behind" {
        run probe --default-mounts --mount "/x::/nonexistent/source:bind" "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"mounts[6] (/x): bind source '/nonexistent/source': No such file or directory"* ]]
        run probe --default-mounts --mount "/y:tmpfs:tmpfs:bogus=1" "$ROOTFS" -- /bin/true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"mounts[6] (/y): mount tmpfs"* ]]
        run probe --mount "/proc/sys::/tmp:bind" "$ROOTFS" -- /bin/true
        [ "$status" -ne 0 ]
        [[ "$output" == *"mounts[0] (/proc/sys): mounting over '/proc/sys' is not allowed"* ]]
}

@test "isolation: mounts_bind_console puts the container's pty on /dev/console" {
        run probe --default-mounts --console "$ROOTFS" -- /bin/sh -c 'stat -c "%F %t" /dev/console; grep -c " /dev/console " /proc/self/mountinfo'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "character special file 88" ]
        [ "${lines[1]}" = "1" ]
        [ ! -e "$ROOTFS/dev/console" ] # it lives on the container's /dev tmpfs
}

@test "isolation: a cgroup mount shows the container's own cgroup, read-only" {
        run probe --default-mounts --cgroup --mount "/sys/fs/cgroup:cgroup:cgroup:nosuid,noexec,nodev,relatime,ro" "$ROOTFS" -- \
                /bin/sh -c 'ls /sys/fs/cgroup/pids/pids.max >/dev/null && echo PIDS; grep -c . /sys/fs/cgroup/pids/cgroup.procs; echo 5 >/sys/fs/cgroup/pids/pids.max || echo RO'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *PIDS* ]]
        [[ "$output" == *RO* ]]
        # The container's cgroup holds only the container's processes (the shell and grep), not the host's.
        [ "${lines[1]}" -le 3 ]
        ! ls -d /sys/fs/cgroup/*/berth/isolation-probe-* 2>/dev/null
}

@test "isolation: bind propagation options reach the kernel" {
        run probe --default-mounts --mount "/a::$HOSTDIR:rbind,rshared" --mount "/b::$HOSTDIR:rbind,rslave" \
                --mount "/c::$HOSTDIR:rbind,runbindable" "$ROOTFS" -- /bin/sh -c 'for m in /a /b /c; do awk -v m=$m "\$5 == m { print m, \$7 }" /proc/self/mountinfo; done'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "/a shared:"* ]]
        # A slave of a mount that is not shared has no master: the kernel makes it private.
        [[ "${lines[1]}" != *shared:* ]]
        [[ "${lines[2]}" == "/c unbindable" ]]
}
