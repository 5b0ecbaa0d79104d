#!/bin/bash
# Runs one command as root inside a User-Mode Linux guest with a pure cgroup v2
# hierarchy (cpu, memory, pids and io enabled at the root), and returns its exit
# status; its stdout and stderr come back on ours.
#
# The guest shares the host's /usr, /etc and /work read-only through hostfs; its
# root is a tmpfs (so pivot_root works inside it) with /tmp, /run and /var on
# tmpfs too. Nothing written in the guest reaches the host except the command's
# output, which goes through a private temporary directory shared read-write.
#
# usage: scripts/uml-v2.sh [--mem SIZE] [--disk MB] [--] COMMAND [ARG...]
#   --mem SIZE   guest memory (default 384M)
#   --disk MB    give the guest a zeroed block device of MB MiB at /dev/ubda
#   Environment: UML_KEEP_LOG=1 prints the guest's console log on stderr.
# Exit status: the command's, or 125 when the guest could not run it.
set -u

mem=384M
disk_mb=0
while [ $# -gt 0 ]; do
        case "$1" in
        --mem) mem="$2"; shift 2 ;;
        --disk) disk_mb="$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "uml-v2: unknown option '$1'" >&2; exit 125 ;;
        *) break ;;
        esac
done
if [ $# -eq 0 ]; then
        echo "usage: uml-v2.sh [--mem SIZE] [--disk MB] [--] COMMAND [ARG...]" >&2
        exit 125
fi
case "$disk_mb" in *[!0-9]*) echo "uml-v2: --disk wants a number of MiB" >&2; exit 125 ;; esac
kernel=/usr/bin/linux.uml
[ -x "$kernel" ] || kernel=/usr/bin/linux
if [ ! -x "$kernel" ]; then
        echo "uml-v2: no UML kernel (install the user-mode-linux package)" >&2
        exit 125
fi

# A directory of our own on a real file system (hostfs needs a host path).
tmp=$(mktemp -d /tmp/berth-uml.XXXXXX) || exit 125
pgid=""
cleanup() {
        # The guest's host processes all live in our process group (setsid below);
        # make sure none outlives us, then remove every file we made.
        if [ -n "$pgid" ]; then
                kill -KILL -- "-$pgid" 2>/dev/null
                wait 2>/dev/null
        fi
        rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The command, quoted for the guest's bash, run from the same directory.
{
        printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
        printf 'exec'
        printf ' %q' "$@"
        printf '\n'
} > "$tmp/cmd"

ubd_arg=""
if [ "$disk_mb" -gt 0 ]; then
        truncate -s "${disk_mb}M" "$tmp/disk.img" || exit 125
        ubd_arg="ubd0=$tmp/disk.img"
fi

cat > "$tmp/init" <<INIT
#!/bin/bash
# PID 1 of the guest: build a tmpfs root from read-only host directories,
# mount cgroup2 with controllers, run the command, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
t=$tmp
fail() { echo "uml-v2 guest: \$*" > /dev/console; echo 125 > "\$t/rc.tmp" 2>/dev/null; exec /bin/busybox poweroff -f; }
mount -t proc proc /proc || fail "mount /proc"
mount -t tmpfs -o mode=0755 newroot /srv || fail "mount tmpfs root"
cd /srv || fail "cd /srv"
mkdir -p usr etc work proc sys dev tmp run var root oldroot "./\$t" || fail "mkdir"
chmod 1777 tmp
for l in bin sbin lib lib32 lib64; do ln -s "usr/\$l" "\$l"; done
for d in usr etc work; do mount --bind "/\$d" "\$d" || fail "bind /\$d"; done
mount -t hostfs -o "\$t" hostout "./\$t" || fail "mount hostfs \$t"
mount -t tmpfs -o mode=0755 run run
mount -t tmpfs -o mode=0755 var var
mkdir -p var/tmp var/lib && chmod 1777 var/tmp
umount /proc
pivot_root . oldroot || fail "pivot_root"
umount -l /oldroot
rmdir /oldroot
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || fail "mount cgroup2"
for c in cpu memory pids io; do
        echo "+\$c" > /sys/fs/cgroup/cgroup.subtree_control || fail "enable \$c"
done
hostname uml-v2
/bin/bash "\$t/cmd" > "\$t/stdout" 2> "\$t/stderr" < /dev/null
echo \$? > "\$t/rc.tmp"
mv "\$t/rc.tmp" "\$t/rc"
sync
exec /bin/busybox poweroff -f
INIT
chmod 755 "$tmp/init"

# setsid: the kernel and its helper processes get a process group we can kill.
# stdin from /dev/null: UML must not touch the caller's terminal.
setsid "$kernel" mem="$mem" umid="berth$$" uml_dir="$tmp" \
        root=/dev/root rootfstype=hostfs rootflags=/ ro \
        $ubd_arg con=null con0=fd:0,fd:1 quiet init="$tmp/init" \
        < /dev/null > "$tmp/console.log" 2>&1 &
pgid=$!
wait "$pgid" 2>/dev/null
kstatus=$?

[ -f "$tmp/stdout" ] && cat "$tmp/stdout"
[ -f "$tmp/stderr" ] && cat "$tmp/stderr" >&2
if [ ! -f "$tmp/rc" ] || [ "${UML_KEEP_LOG:-0}" = 1 ]; then
        echo "uml-v2: guest console log (kernel exit $kstatus):" >&2
        tail -n 40 "$tmp/console.log" >&2
fi
if [ ! -f "$tmp/rc" ]; then
        echo "uml-v2: the guest did not report the command's exit status" >&2
        exit 125
fi
rc=$(cat "$tmp/rc")
exit "$rc"
