#!/bin/bash
# Runs one command as root inside a User-Mode Linux guest with a pure cgroup v2
# hierarchy (cpu, memory, pids and io enabled at the root), and returns its exit
# status; its stdout and stderr come back on ours.
#
# The guest shares the host's /usr and /etc, the repository and any --share
# directory read-only through hostfs, at the same paths; its root is a tmpfs (so pivot_root works inside it) with /tmp, /run and /var on
# tmpfs too. Nothing written in the guest reaches the host except the command's
# output, which goes through a private temporary directory shared read-write.
#
# usage: scripts/uml-v2.sh [--mem SIZE] [--disk MB] [--share DIR] [--script FILE] [--] [COMMAND [ARG...]]
#   --mem SIZE     guest memory (default 384M)
#   --disk MB      give the guest a zeroed block device of MB MiB at /dev/ubda
#   --share DIR    also show host directory DIR (read-only, same path); repeatable
#   --script FILE  run `bash FILE ARG...` (FILE is copied in, so it may live anywhere)
#   Environment: UML_KEEP_LOG=1 prints the guest's console log on stderr.
# Exit status: the command's, or 125 when the guest could not run it.
set -u

mem=384M
disk_mb=0
script=""
repo=$(cd "$(dirname "$0")/.." && pwd)
shares="$repo"
while [ $# -gt 0 ]; do
        case "$1" in
        --mem) mem="$2"; shift 2 ;;
        --disk) disk_mb="$2"; shift 2 ;;
        --share)
                d=$(cd "$2" 2>/dev/null && pwd) || { echo "uml-v2: --share '$2': no such directory" >&2; exit 125; }
                case "$d" in *[[:space:]]*) echo "uml-v2: --share '$d': spaces are not supported" >&2; exit 125 ;; esac
                shares="$shares $d"
                shift 2 ;;
        --script) script="$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "uml-v2: unknown option '$1'" >&2; exit 125 ;;
        *) break ;;
        esac
done
if [ $# -eq 0 ] && [ -z "$script" ]; then
        echo "usage: uml-v2.sh [--mem SIZE] [--disk MB] [--share DIR] [--script FILE] [--] [COMMAND [ARG...]]" >&2
        exit 125
fi
case "$repo" in *[[:space:]]*) echo "uml-v2: the repository path must not contain spaces" >&2; exit 125 ;; esac
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
if [ -n "$script" ]; then
        cp "$script" "$tmp/script" || exit 125
        set -- bash "$tmp/script" "$@"
fi
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
#!/bin/busybox sh
# PID 1 of the guest: build a tmpfs root from read-only host directories,
# mount cgroup2 with controllers, run the command, power off. Static busybox
# applets run without exec, which matters in UML, where every exec of a
# dynamically linked program costs hundreds of milliseconds on a busy host.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
bb=/bin/busybox
t=$tmp
fail() { echo "uml-v2 guest: \$*" > /dev/console; echo 125 > "\$t/rc"; exec \$bb poweroff -f; }
\$bb mount -t proc proc /proc || fail "mount /proc"
\$bb mount -t tmpfs -o mode=0755 newroot /srv || fail "mount tmpfs root"
cd /srv || fail "cd /srv"
\$bb mkdir -p usr etc proc sys dev tmp run var/tmp var/lib root oldroot "./\$t" || fail "mkdir"
\$bb chmod 1777 tmp var/tmp
for l in bin sbin lib lib32 lib64; do \$bb ln -s "usr/\$l" "\$l"; done
for d in /usr /etc $shares; do
        \$bb mkdir -p ".\$d" && \$bb mount -o bind "\$d" ".\$d" || fail "bind \$d"
done
\$bb mount -t hostfs -o "\$t" hostout "./\$t" || fail "mount hostfs \$t"
\$bb mount -t tmpfs -o mode=0755 run run
\$bb umount /proc
\$bb pivot_root . oldroot || fail "pivot_root"
cd /
\$bb umount -l /oldroot && \$bb rmdir /oldroot
\$bb mount -t proc proc /proc
\$bb mount -t sysfs sysfs /sys
\$bb mount -t devtmpfs devtmpfs /dev
\$bb mkdir -p /dev/pts /dev/shm
\$bb mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
\$bb mount -t tmpfs -o mode=1777 shm /dev/shm
\$bb mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || fail "mount cgroup2"
echo "+cpu +memory +pids +io" > /sys/fs/cgroup/cgroup.subtree_control || fail "enable controllers"
\$bb hostname uml-v2
/bin/bash "\$t/cmd" > "\$t/stdout" 2> "\$t/stderr" < /dev/null
echo \$? > "\$t/rc.tmp"
\$bb mv "\$t/rc.tmp" "\$t/rc"
\$bb sync
exec \$bb poweroff -f
INIT
chmod 755 "$tmp/init"

# setsid: the kernel and its helper processes get a process group we can kill.
# stdin from /dev/null: UML must not touch the caller's terminal.
setsid "$kernel" mem="$mem" umid="berth$$" uml_dir="$tmp" \
        root=/dev/root rootfstype=hostfs rootflags=/ ro \
        $ubd_arg con=null con0=fd:0,fd:1 pty.legacy_count=0 zswap.enabled=0 ${UML_KERNEL_ARGS:-quiet} init="$tmp/init" \
        < /dev/null > "$tmp/console.log" 2>&1 &
pgid=$!
wait "$pgid" 2>/dev/null
kstatus=$?

[ -f "$tmp/stdout" ] && cat "$tmp/stdout"
[ -f "$tmp/stderr" ] && cat "$tmp/stderr" >&2
if [ ! -f "$tmp/rc" ] || [ "${UML_KEEP_LOG:-0}" = 1 ]; then
        echo "uml-v2: guest console log (kernel exit $kstatus):" >&2
        tail -n "${UML_LOG_LINES:-40}" "$tmp/console.log" >&2
fi
if [ ! -f "$tmp/rc" ]; then
        echo "uml-v2: the guest did not report the command's exit status" >&2
        exit 125
fi
rc=$(cat "$tmp/rc")
exit "$rc"
