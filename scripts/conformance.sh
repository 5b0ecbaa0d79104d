#!/bin/bash
# Runtime conformance: runs the same validation programs against several OCI
# runtimes on this machine and compares how many fail.
#
#   scripts/conformance.sh [options] RUNTIME...
#
# RUNTIME is a path to an OCI runtime binary, or NAME=PATH, or one of the names
# berth-runtime (build/berth-runtime), crun, runc. The first runtime is the
# candidate; the others are its peers. Default: berth-runtime crun runc (those
# that exist).
#
# Options:
#   --tests A,B,...      run only these tests (names from the tables)
#   --suite S            upstream | berth | all (default all)
#   --timeout SEC        per-test timeout (default 120)
#   --out DIR            keep TAP output per runtime and test in DIR
#                        (default: a temporary directory, removed at the end)
#   --no-worse-than NAME exit 1 if the candidate fails more tests than NAME
#   --retries N          where the runtimes disagree on a test, run it up to
#                        N more times for each runtime that failed it
#                        (default 1); one that then passes is reported as
#                        "flaky" and not counted as failing. Some upstream
#                        programs race with themselves (killsig signals the
#                        container before its shell has set its trap).
#                        --retries 0 counts every failure.
#
# Two suites:
#   upstream  the OCI runtime-tools validation programs (opencontainers/
#             runtime-tools, validation/ and cmd/runtimetest), built offline
#             with Debian's Go from Debian's SOURCE package (apt-get source
#             through a private sources list into build/conformance/src; the
#             binary package ships no validation programs), with Berth's own
#             tests/conformance/tap-go standing in for tap-go, which Debian
#             does not package. Built once into build/conformance/upstream/.
#   berth     Berth's own checks, tests/conformance/*.t: the same interface
#             (RUNTIME in the environment, a busybox rootfs-amd64.tar.gz in a
#             private working directory, TAP on stdout), written against
#             runtime-spec and the runc command line.
#
# crun 1.8 refuses every container on a hybrid cgroup host; its tests run in
# a private mount namespace where /sys/fs/cgroup/unified/cgroup.controllers is
# covered by an empty file. Nothing outside that namespace changes.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/conformance
timeout_s=120
only=""
suite=all
out=""
no_worse=""
retries=1
specs=()

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
        case "$1" in
        --tests) only=$2; shift 2 ;;
        --suite) suite=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --no-worse-than) no_worse=$2; shift 2 ;;
        --retries) retries=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "conformance: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) specs+=("$1"); shift ;;
        esac
done
case "$retries" in '' | *[!0-9]*) echo "conformance: --retries takes a whole number" >&2; exit 2 ;; esac
case "$suite" in upstream | berth | all) ;; *) echo "conformance: --suite must be upstream, berth or all" >&2; exit 2 ;; esac
case "$timeout_s" in '' | *[!0-9]*) echo "conformance: --timeout needs a number of seconds" >&2; exit 2 ;; esac

if [ "$(id -u)" != 0 ]; then
        echo "conformance: must run as root (containers with every namespace, cgroups)" >&2
        exit 2
fi

BERTH_DEPS_CONFORMANCE=1 "$top/scripts/deps.sh" || { echo "conformance: installing dependencies failed" >&2; exit 1; }

# ---- runtimes ---------------------------------------------------------------
names=()
paths=()
add_runtime() { # spec
        local spec=$1 name path
        case "$spec" in
        *=*) name=${spec%%=*}; path=${spec#*=} ;;
        berth-runtime | berth) name=berth-runtime; path=$top/build/berth-runtime ;;
        crun | runc) name=$spec; path=$(command -v "$spec" || true) ;;
        *) name=$(basename "$spec"); path=$spec ;;
        esac
        case "$path" in /*) ;; ?*) path=$(cd "$(dirname "$path")" && pwd)/$(basename "$path") ;; esac
        if [ -z "$path" ] || [ ! -x "$path" ]; then
                echo "conformance: runtime '$name': no executable at '${path:-?}'" >&2
                return 1
        fi
        names+=("$name")
        paths+=("$path")
}
if [ ${#specs[@]} -eq 0 ]; then
        for s in berth-runtime crun runc; do add_runtime "$s" 2>/dev/null || echo "conformance: $s not available: left out" >&2; done
else
        for s in "${specs[@]}"; do add_runtime "$s" || exit 2; done
fi
[ ${#names[@]} -gt 0 ] || { echo "conformance: no runtime to test" >&2; exit 2; }

# ---- the busybox rootfs -------------------------------------------------------
# Debian's busybox-static binary plus a symlink per applet, /etc/passwd and
# /etc/group; made once, kept in build/conformance/.
make_rootfs() {
        local tarball=$cache/rootfs-amd64.tar.gz stage a
        [ -s "$tarball" ] && [ "$tarball" -nt /bin/busybox ] && return 0
        mkdir -p "$cache"
        stage=$(mktemp -d "$cache/rootfs.XXXXXX") || return 1
        mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var}
        chmod 755 "$stage"
        chmod 1777 "$stage/tmp"
        cp /bin/busybox "$stage/bin/busybox"
        for a in $(/bin/busybox --list-full); do
                [ "$a" = bin/busybox ] && continue
                ln -sf /bin/busybox "$stage/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
        tar -czf "$tarball.tmp" -C "$stage" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$stage"
}
make_rootfs || { echo "conformance: cannot make the busybox rootfs" >&2; exit 1; }

# ---- the upstream validation programs ---------------------------------------
# Debian's binary package ships only runtime-tools' library parts, so the
# validation programs are built from Debian's SOURCE package, fetched with
# `apt-get source` through a private sources list and private state (the
# machine's apt configuration is not touched) into build/conformance/src.
# Debian 12's own source files of it are not served by deb.debian.org (404),
# so the next suite that carries it (trixie) is tried after bookworm. apt checks
# the tarball against the signed index. tap-go, which Debian does not package,
# is replaced by Berth's own tests/conformance/tap-go. Every other import comes
# from Debian's golang-*-dev packages under /usr/share/gocode. Nothing built
# or fetched here is committed (build/ is ignored).
gocode=/usr/share/gocode/src
rt_pkg=golang-github-opencontainers-runtime-tools
upstream_reason=""
upstream_bins=$cache/upstream
upstream_suites=${BERTH_CONFORMANCE_SRC_SUITES:-"bookworm trixie"}
fetch_upstream_source() { # sets rt_src
        local apt=$cache/apt src=$cache/src uris suite tarball
        rt_src=$src/runtime-tools
        [ -f "$rt_src/.unpacked" ] && return 0
        uris=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
        uris=${uris:-http://deb.debian.org/debian}
        mkdir -p "$apt/etc" "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
        cat >"$apt/etc/debian-src.sources" <<EOS
Types: deb-src
URIs: $uris
Suites: $upstream_suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
        local -a A=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/etc"
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
        apt-get -q "${A[@]}" update >"$apt/update.log" 2>&1 ||
                { upstream_reason="apt-get update of the private deb-src list failed (see $apt/update.log)"; return 1; }
        rm -f "$src"/*.orig.tar.*
        for suite in $upstream_suites; do
                # --tar-only: the upstream tarball is all that is needed (the
                # Debian packaging only skips network tests).
                (cd "$src" && apt-get -q "${A[@]}" --tar-only source "$rt_pkg/$suite") >>"$apt/source.log" 2>&1 && break
                rm -f "$src"/*.orig.tar.*
        done
        tarball=$(ls "$src"/${rt_pkg}_*.orig.tar.* 2>/dev/null | head -1)
        [ -n "$tarball" ] || { upstream_reason="apt-get source $rt_pkg failed in every suite ($upstream_suites; see $apt/source.log)"; return 1; }
        rm -rf "$rt_src" && mkdir -p "$rt_src"
        tar -xf "$tarball" -C "$rt_src" --strip-components=1 || { upstream_reason="cannot unpack $tarball"; return 1; }
        basename "$tarball" >"$rt_src/.unpacked"
}
build_upstream() {
        fetch_upstream_source || return 1
        if [ ! -d "$rt_src/validation" ] || [ ! -d "$rt_src/cmd/runtimetest" ]; then
                upstream_reason="the source $(cat "$rt_src/.unpacked") has no validation/ or cmd/runtimetest"
                return 1
        fi
        local stamp=$upstream_bins/.built d name gopath
        # Rebuilt when the source or the tap shim changes.
        if [ -f "$stamp" ] && [ "$stamp" -nt "$rt_src/.unpacked" ] && [ "$stamp" -nt "$top/tests/conformance/tap-go/tap.go" ]; then
                return 0
        fi
        rm -rf "$upstream_bins" && mkdir -p "$upstream_bins"
        # GOPATH mode, offline: a temporary GOPATH holding the unpacked source
        # and the tap shim (symlinks), in front of Debian's /usr/share/gocode.
        gopath=$(mktemp -d "$cache/gopath.XXXXXX")
        mkdir -p "$gopath/src/github.com/opencontainers" "$gopath/src/github.com/mndrix"
        ln -s "$rt_src" "$gopath/src/github.com/opencontainers/runtime-tools"
        ln -s "$top/tests/conformance/tap-go" "$gopath/src/github.com/mndrix/tap-go"
        (
                export GO111MODULE=off GOPATH=$gopath:${gocode%/src} GOPROXY=off GOFLAGS= GOCACHE=$cache/gocache CGO_ENABLED=0
                cd "$gopath/src/github.com/opencontainers/runtime-tools" || exit 1
                # runtimetest runs inside busybox containers: static.
                go build -o "$upstream_bins/runtimetest" ./cmd/runtimetest || exit 1
                for d in validation/*/; do
                        name=$(basename "$d")
                        [ "$name" = util ] && continue
                        ls "$d"*.go >/dev/null 2>&1 || continue
                        go build -o "$upstream_bins/$name.t" "./$d" ||
                                echo "conformance: upstream $name does not build: left out" >&2
                done
        ) >"$cache/upstream-build.log" 2>&1
        local rc=$?
        rm -rf "$gopath"
        if [ $rc != 0 ] || [ ! -x "$upstream_bins/runtimetest" ]; then
                upstream_reason="building cmd/runtimetest failed (see $cache/upstream-build.log)"
                return 1
        fi
        grep 'left out' "$cache/upstream-build.log" >&2
        touch "$stamp"
}

# ---- running ------------------------------------------------------------------
keep_out=1
if [ -z "$out" ]; then
        out=$(mktemp -d "${TMPDIR:-/tmp}/berth-conformance.XXXXXX")
        keep_out=0
fi
mkdir -p "$out"
# Containers' bundles go on tmpfs when there is one: the root file system of
# this machine stalls on inode reuse after deletions.
scratch_parent=${TMPDIR:-/tmp}
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && scratch_parent=/dev/shm

cleanup() {
        [ -n "${empty_file:-}" ] && rm -f "$empty_file"
        [ "$keep_out" = 0 ] && rm -rf "$out"
}
trap cleanup EXIT

needs_hybrid_cover() { # runtime name
        [ "$(basename "${1}")" = crun ] || [ "$1" = crun ] || return 1
        [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]
}
empty_file=$(mktemp "${TMPDIR:-/tmp}/berth-empty.XXXXXX")

# run_one NAME PATH SUITE TEST PROGRAM: runs one program in a private working
# directory under a timeout; writes the TAP to $out/NAME/SUITE-TEST.tap and the
# result line "TEST\tRESULT\tNFAILED" to stdout.
run_one() {
        local name=$1 path=$2 st=$3 test=$4 prog=$5
        local dir tap=$out/$name/$st-$test.tap rc=0 nfail nok plan result t0=$SECONDS
        mkdir -p "$out/$name"
        dir=$(mktemp -d "$scratch_parent/berth-conf-$test.XXXXXX")
        chmod 755 "$dir" # users of a user namespace's mapping must reach the rootfs
        ln -s "$cache/rootfs-amd64.tar.gz" "$dir/rootfs-amd64.tar.gz"
        # A copy, not a symlink: the programs copy it into each bundle with
        # mrunalp/fileutils, which reproduces a symlink as a symlink.
        [ "$st" = upstream ] && cp "$upstream_bins/runtimetest" "$dir/runtimetest"
        # TMPDIR: upstream programs make their bundles there (os.MkdirTemp).
        local runtime=$path
        if [ "$st" = upstream ]; then
                # The upstream programs call the runtime without --root: a
                # wrapper gives it a private one, so that leftovers can be
                # found and removed below and the default roots stay untouched.
                runtime=$dir/runtime
                printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$path" "$dir/state" >"$runtime"
                chmod 755 "$runtime"
        fi
        local -a cmd=(env RUNTIME="$runtime" TMPDIR="$dir" timeout --kill-after=10 "$timeout_s" "$prog")
        if needs_hybrid_cover "$name" || needs_hybrid_cover "$path"; then
                cmd=(unshare -m --propagation private sh -c \
                        'mount --bind "$0" /sys/fs/cgroup/unified/cgroup.controllers && exec "$@"' "$empty_file" "${cmd[@]}")
        elif [ "$st" = upstream ]; then
                # Some upstream programs (linux_ns_itype) run a container
                # without a mount namespace; a runtime then mounts /proc, /dev
                # and /sys of the bundle in the caller's namespace. Keep those
                # in a private one, as for crun above.
                cmd=(unshare -m --propagation private "${cmd[@]}")
        fi
        (cd "$dir" && "${cmd[@]}") </dev/null >"$tap" 2>"$tap.stderr" || rc=$?
        # A program that timed out may leave containers: remove them.
        if [ -d "$dir/state" ]; then
                local id
                for id in $("$path" --root "$dir/state" list -q 2>/dev/null); do
                        "$path" --root "$dir/state" delete --force "$id" >/dev/null 2>&1
                done
        fi
        rm -rf "$dir"
        # Upstream's cgroup tests use the cgroupsPath (/)testdir/cgrouptest;
        # remove what a failed or killed program left (only if empty).
        if [ "$st" = upstream ]; then
                find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -depth -type d \
                        \( -path '*/testdir/cgrouptest' -o -name testdir \) -exec rmdir {} + 2>/dev/null
        fi
        nfail=$(grep -E '^not ok ' "$tap" | grep -vc '# TODO' || true)
        nok=$(grep -E '^ok ' "$tap" | grep -vci '# skip' || true)
        plan=$(grep -E '^1\.\.[0-9]+' "$tap" | head -1)
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
                result="fail(timeout)"
                [ "$nfail" -eq 0 ] && nfail=1
        elif [ "$nfail" -gt 0 ]; then
                result=fail
        elif [ -z "$plan" ]; then
                result="fail(no plan, exit $rc)"
                nfail=1
        elif [ "$nok" -eq 0 ] && [ "$rc" -ne 0 ]; then
                # No assertion ran and the program failed (util.Fatal after an
                # empty "1..0" plan): an aborted program, not a skip.
                result="fail(exit $rc)"
                nfail=1
        elif [ "$nok" -eq 0 ]; then
                result=skip
        else
                result=pass
        fi
        printf '%s\t%s\t%s\t%s\n' "$test" "$result" "$nfail" "$((SECONDS - t0))"
}

# The list of (suite, test, program) to run.
tests=()
if [ "$suite" != berth ]; then
        if build_upstream; then
                for p in "$upstream_bins"/*.t; do tests+=("upstream $(basename "$p" .t) $p"); done
        else
                echo "upstream validation: skipped: validation programs not available ($upstream_reason)"
        fi
fi
if [ "$suite" != upstream ]; then
        for p in "$top"/tests/conformance/*.t; do tests+=("berth $(basename "$p" .t) $p"); done
fi
if [ -n "$only" ]; then
        sel=()
        for t in "${tests[@]}"; do
                read -r _ tn _ <<<"$t"
                case ",$only," in *",$tn,"*) sel+=("$t") ;; esac
        done
        tests=("${sel[@]}")
fi
[ ${#tests[@]} -gt 0 ] || { echo "conformance: no test selected"; exit 0; }

declare -A result nfailed failing
for i in "${!names[@]}"; do
        name=${names[$i]}
        echo "== ${name} (${paths[$i]})"
        printf '%-36s %-16s %-18s %s\n' test result failed-assertions seconds
        failing[$name]=0
        for t in "${tests[@]}"; do
                read -r st tn prog <<<"$t"
                IFS=$'\t' read -r _ res nf secs < <(run_one "$name" "${paths[$i]}" "$st" "$tn" "$prog")
                result[$name/$st-$tn]=$res
                nfailed[$name/$st-$tn]=$nf
                case "$res" in fail*) failing[$name]=$((failing[$name] + 1)) ;; esac
                printf '%-36s %-16s %-18s %s\n' "$st/$tn" "$res" "$nf" "$secs"
        done
done

# Retries, where the runtimes disagree: a failure that does not repeat is a
# flaky program, not a difference between runtimes.
if [ ${#names[@]} -gt 1 ] && [ "$retries" -gt 0 ]; then
        for t in "${tests[@]}"; do
                read -r st tn prog <<<"$t"
                npass=0
                for name in "${names[@]}"; do
                        case "${result[$name/$st-$tn]}" in fail*) ;; *) npass=$((npass + 1)) ;; esac
                done
                [ "$npass" -gt 0 ] || continue
                for i in "${!names[@]}"; do
                        name=${names[$i]}
                        for ((try = 0; try < retries; try++)); do
                                case "${result[$name/$st-$tn]}" in fail*) ;; *) break ;; esac
                                IFS=$'\t' read -r _ res nf _ < <(run_one "$name" "${paths[$i]}" "$st" "$tn" "$prog")
                                echo "retry: $name $st/$tn: $res"
                                case "$res" in fail*) ;; *)
                                        result[$name/$st-$tn]=flaky
                                        nfailed[$name/$st-$tn]=0
                                        failing[$name]=$((failing[$name] - 1)) ;;
                                esac
                        done
                done
        done
fi

if [ ${#names[@]} -gt 1 ]; then
        echo "== comparison (failed assertions in parentheses)"
        printf '%-36s' test
        for name in "${names[@]}"; do printf ' %-18s' "$name"; done
        echo
        for t in "${tests[@]}"; do
                read -r st tn _ <<<"$t"
                printf '%-36s' "$st/$tn"
                for name in "${names[@]}"; do
                        res=${result[$name/$st-$tn]}
                        case "$res" in fail*) res="$res(${nfailed[$name/$st-$tn]})" ;; esac
                        printf ' %-18s' "$res"
                done
                echo
        done
        cand=${names[0]}
        for name in "${names[@]:1}"; do
                worse=()
                for t in "${tests[@]}"; do
                        read -r st tn _ <<<"$t"
                        case "${result[$cand/$st-$tn]}" in fail*)
                                case "${result[$name/$st-$tn]}" in fail*) ;; *) worse+=("$st/$tn") ;; esac ;;
                        esac
                done
                [ ${#worse[@]} -gt 0 ] && echo "$cand fails where $name does not: ${worse[*]}"
        done
fi
line=""
for name in "${names[@]}"; do line="$line${line:+, }$name: ${failing[$name]} failing"; done
echo "$line (of ${#tests[@]} tests)"
[ "$keep_out" = 1 ] && echo "TAP output: $out"

if [ -n "$no_worse" ]; then
        [ -n "${failing[$no_worse]+x}" ] || { echo "conformance: --no-worse-than $no_worse: not among the runtimes" >&2; exit 2; }
        if [ "${failing[${names[0]}]}" -gt "${failing[$no_worse]}" ]; then
                echo "conformance: ${names[0]} fails more tests (${failing[${names[0]}]}) than $no_worse (${failing[$no_worse]})"
                exit 1
        fi
fi
exit 0
