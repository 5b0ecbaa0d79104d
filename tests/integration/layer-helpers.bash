# Helpers for tests/integration/layer-*.bats: a private temporary directory per
# test, a sentinel directory whose listing must not change, hostile archives
# built with Python's tarfile, and a teardown that fails on leftover mounts.

LAYER_TOOL=${LAYER_TOOL:-$BATS_TEST_DIRNAME/../../build/tests/integration/layer-tool}
PY=${PY:-/usr/bin/python3}

layer_setup() {
        [ "$(id -u)" = 0 ] || skip "needs root"
        [ -x "$LAYER_TOOL" ] || skip "build first: $LAYER_TOOL missing"
        T=$(mktemp -d /tmp/berth-layer-test.XXXXXX)
        mkdir -p "$T/sentinel/sub"
        echo secret > "$T/sentinel/secret"
        echo deeper > "$T/sentinel/sub/file"
        SENTINEL_BEFORE=$(sentinel_listing)
        PASSWD_BEFORE=$(stat -c '%h %s %Y' /etc/passwd)
}

sentinel_listing() {
        (cd "$T/sentinel" && find . -printf '%p %y %m %U %G %s %n %T@\n' | sort && cat secret sub/file)
}

# Nothing outside the store changed: the sentinel, /etc/passwd, no stray files in / or /tmp.
check_outside_unchanged() {
        [ "$(sentinel_listing)" = "$SENTINEL_BEFORE" ]
        [ "$(stat -c '%h %s %Y' /etc/passwd)" = "$PASSWD_BEFORE" ]
        [ ! -e /pwned ] && [ ! -e /tmp/pwned ] && [ ! -e /etc/pwned ]
}

layer_teardown() {
        [ -n "${T:-}" ] || return 0
        local left
        left=$(awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo)
        if [ -n "$left" ]; then
                echo "mounts left behind: $left" >&2
                for m in $(echo "$left" | sort -r); do umount "$m" || true; done
                rm -rf "$T"
                return 1
        fi
        rm -rf "$T"
}

# mktar OUT SPEC...: a tar built by Python's tarfile; SPEC is type:name[:arg]
#   f:name[:content]  F:name:file-with-content  d:name  l:name:target  h:name:target  c:name:maj,min  p:name
# OUT ending in .gz or .zst is compressed.
mktar() {
        "$PY" - "$@" <<'PYEOF'
import io, sys, tarfile, gzip, subprocess
out, specs = sys.argv[1], sys.argv[2:]
b = io.BytesIO()
with tarfile.open(fileobj=b, mode='w', format=tarfile.PAX_FORMAT) as t:
    for s in specs:
        typ, name, *rest = s.split(':', 2)
        arg = rest[0] if rest else ''
        ti = tarfile.TarInfo(name); ti.mtime = 1500000000; data = None
        if typ in 'fF':
            data = arg.encode() if typ == 'f' else open(arg, 'rb').read()
            ti.size = len(data); ti.mode = 0o644
        elif typ == 'd': ti.type = tarfile.DIRTYPE; ti.mode = 0o755
        elif typ == 'l': ti.type = tarfile.SYMTYPE; ti.linkname = arg
        elif typ == 'h': ti.type = tarfile.LNKTYPE; ti.linkname = arg
        elif typ == 'c':
            ti.type = tarfile.CHRTYPE; ti.devmajor, ti.devminor = map(int, arg.split(','))
        elif typ == 'p': ti.type = tarfile.FIFOTYPE
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
raw = b.getvalue()
if out.endswith('.gz'): raw = gzip.compress(raw, mtime=0)
if out.endswith('.zst'): raw = subprocess.run(['zstd', '-q', '-c'], input=raw, capture_output=True, check=True).stdout
open(out, 'wb').write(raw)
PYEOF
}

getxattr() { # getxattr PATH NAME
        "$PY" -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).decode())' "$1" "$2"
}

setxattr() { # setxattr PATH NAME VALUE
        "$PY" -c 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)' "$1" "$2" "$3"
}

# Number of non-hidden entries in a directory.
count_entries() {
        find "$1" -mindepth 1 -maxdepth 1 | wc -l
}

# mkstack DIR N: DIR/l<i>.tar for i < N; layer 0 holds base and f0, layer i adds f<i> and
# whites out f<i-1>. One Python process for all of them.
mkstack() {
        "$PY" - "$1" "$2" <<'PYEOF'
import io, sys, tarfile
d, n = sys.argv[1], int(sys.argv[2])
def add(t, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1500000000
    t.addfile(ti, io.BytesIO(data))
for i in range(n):
    with tarfile.open('%s/l%03d.tar' % (d, i), 'w', format=tarfile.PAX_FORMAT) as t:
        if i == 0:
            add(t, 'base', b'base')
        else:
            add(t, '.wh.f%d' % (i - 1), b'')
        add(t, 'f%d' % i, str(i).encode())
PYEOF
}
