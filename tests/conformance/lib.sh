# shellcheck shell=bash
# Shared helpers for Berth's own runtime conformance checks (tests/conformance/*.t).
#
# Each check is a program with the interface of the upstream OCI runtime-tools
# validation programs: it is started in a private, empty working directory that
# holds rootfs-amd64.tar.gz (a busybox root), finds the runtime under test in
# $RUNTIME, and prints TAP on stdout. Unlike upstream it keeps the runtime's
# state in a private --root, so nothing touches /run/runc, /run/crun, ...
#
# Every check is written against runtime-spec 1.x and the runc command line,
# not against one runtime's behaviour: run it against runc and crun to see that
# it passes where the feature works (scripts/conformance.sh does that).
set -u

: "${RUNTIME:?RUNTIME must name the OCI runtime under test}"
WORK=$PWD
STATE=$WORK/state
ROOTFS_TAR=${ROOTFS_TAR:-$WORK/rootfs-amd64.tar.gz}
mkdir -p "$STATE"

T_N=0
T_FAILED=0
T_BUNDLES=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
notok() {
        T_N=$((T_N + 1))
        T_FAILED=$((T_FAILED + 1))
        echo "not ok $T_N - $1"
        shift
        local l
        for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

# expect DESC WANT GOT [DIAG...]: equality assertion.
expect() {
        local desc=$1 want=$2 got=$3
        shift 3
        if [ "$want" = "$got" ]; then ok "$desc"; else notok "$desc" "want: $want" "got:  $got" "$@"; fi
}
# expect_true DESC CMD...: the command must succeed.
expect_true() {
        local desc=$1
        shift
        if "$@" >/dev/null 2>&1; then ok "$desc"; else notok "$desc" "command failed: $*"; fi
}
expect_false() {
        local desc=$1
        shift
        if "$@" >/dev/null 2>&1; then notok "$desc" "command succeeded: $*"; else ok "$desc"; fi
}

# Called at exit: delete whatever the check left in its private --root, check
# that no cgroup of its containers remains (and remove it), then print the
# plan. A runtime that cannot delete its own containers fails here.
CG_PARENT=berth-conformance-$$
finish() {
        local id d left=""
        for id in $(rt list -q 2>/dev/null); do
                rt delete --force "$id" >/dev/null 2>&1 ||
                        notok "cleanup: delete --force $id" "the runtime could not remove a container"
        done
        for d in $(find /sys/fs/cgroup -maxdepth 6 -depth -type d \( -name "conf-$$-*" -o -name "$CG_PARENT" \) 2>/dev/null); do
                case "$d" in */"$CG_PARENT") ;; *) left="$left $d" ;; esac
                rmdir "$d" 2>/dev/null
        done
        if [ "$T_BUNDLES" -gt 0 ]; then
                if [ -z "$left" ]; then ok "no cgroup of a deleted container is left behind"; else
                        notok "no cgroup of a deleted container is left behind" "left:$left"
                fi
        fi
        echo "1..$T_N"
}
trap finish EXIT

rt() { "$RUNTIME" --root "$STATE" "$@"; }

# The base config: what `runc spec` writes, spelled out here so that a check
# does not depend on the spec command of the runtime under test.
base_config() {
        cat <<'EOF'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "conformance",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF
}

# new_bundle [JQ-FILTER [jq args...]]: makes a bundle with its own copy of the
# rootfs, applies the filter to the base config, and sets B (bundle) and ID.
# CONFORMANCE_BASE_FILTER (a jq filter) changes the base config first: a
# diagnostic knob to look past one gap, never used for the comparison.
new_bundle() {
        local filter=${1:-.}
        [ $# -gt 0 ] && shift
        T_BUNDLES=$((T_BUNDLES + 1))
        B=${WORK_BUNDLES:-$WORK}/bundle$T_BUNDLES
        ID=conf-$$-$T_BUNDLES
        mkdir -p "$B/rootfs"
        tar -xzf "$ROOTFS_TAR" -C "$B/rootfs"
        base_config | jq "${CONFORMANCE_BASE_FILTER:-.}" | jq "$filter" "$@" >"$B/config.json"
}

# cfg JQ-FILTER [jq args...]: edits the current bundle's config.json.
cfg() {
        local filter=$1
        shift
        jq "$filter" "$B/config.json" "$@" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"
}

# args CMD...: sets process.args of the current bundle.
# (Built one --arg at a time: jq would take "-c" in --args for its own option.)
args() {
        local a='[]' x
        for x in "$@"; do a=$(jq -c --arg x "$x" '. + [$x]' <<<"$a"); done
        cfg '.process.args = $a' --argjson a "$a"
}

# run_ct CMD...: runs the current bundle to completion with CMD as process.args;
# sets OUT, ERR and RC (the container's exit code as `run` reports it).
run_ct() {
        [ $# -gt 0 ] && args "$@"
        RC=0
        timeout --kill-after=5 "${CT_TIMEOUT:-30}" "$RUNTIME" --root "$STATE" run --bundle "$B" "$ID" \
                </dev/null >"$B/out" 2>"$B/err" || RC=$?
        OUT=$(cat "$B/out")
        ERR=$(cat "$B/err")
        rt delete --force "$ID" >/dev/null 2>&1 || true
}

# create_ct [create flags...]: creates the current bundle's container without
# starting it; its stdio go to files, so nothing waits on a pipe it holds.
create_ct() {
        RC=0
        timeout --kill-after=5 "${CT_TIMEOUT:-30}" "$RUNTIME" --root "$STATE" create --bundle "$B" "$@" "$ID" \
                </dev/null >"$B/out" 2>"$B/err" || RC=$?
        ERR=$(cat "$B/err")
}

# wait_file PATH: waits up to 5 s for PATH to exist (not at all when the last
# create failed).
wait_file() {
        local i
        [ "${RC:-0}" -eq 0 ] || return 1
        for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done
        return 1
}

# state_field ID FIELD: one field of `state ID`.
state_field() { rt state "$1" 2>/dev/null | jq -r ".$2"; }

# wait_status ID STATUS: waits up to 10 s for the container to reach STATUS;
# gives up at once when there is no such container, or when it stops while
# waiting for "running".
wait_status() {
        local end=$((SECONDS + 10)) st
        while [ $SECONDS -lt $end ]; do
                st=$(state_field "$1" status)
                [ "$st" = "$2" ] && return 0
                [ -z "$st" ] && return 1
                [ "$2" = running ] && [ "$st" = stopped ] && return 1
                sleep 0.1
        done
        return 1
}

# host_cgroup_dir PID CONTROLLER: the host directory of PID's cgroup for a v1
# controller, or of its v2 cgroup when CONTROLLER is absent from v1.
host_cgroup_dir() {
        local pid=$1 ctl=$2 line path
        line=$(grep -E "^[0-9]+:([^:]*,)?$ctl(,[^:]*)?:" "/proc/$pid/cgroup" | head -1)
        if [ -n "$line" ]; then
                path=${line#*:*:}
                echo "/sys/fs/cgroup/$ctl$path"
                return
        fi
        line=$(grep '^0::' "/proc/$pid/cgroup")
        path=${line#0::}
        if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo "/sys/fs/cgroup$path"; else echo "/sys/fs/cgroup/unified$path"; fi
}

# A diagnostic block with the runtime's stderr, for failing assertions.
diag_err() { printf 'runtime exit %s, stderr: %s' "${RC:-?}" "$(printf '%s' "${ERR:-}" | head -c 400)"; }
