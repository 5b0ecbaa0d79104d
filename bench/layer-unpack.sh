#!/bin/bash
# Layer unpack throughput: Berth's layer_unpack (bench/unpack-bench) against
# `tar -xzf` of the same layer and `umoci unpack` of an OCI image holding it,
# on tmpfs (this machine's root disk stalls on inode reuse and gives
# unusable figures: see MACHINE-NOTES). Prints MB/s of unpacked data (the
# uncompressed tar's size over the wall time) and the ratios.
#
# The layer is synthetic and deterministic (bench/gen-layer.py): SIZE_MB of
# uncompressed tar (default 500, about 200 MB of gzip -6) in some 50,000 small
# files. It is generated once and cached in $WORK (default /dev/shm/berth-bench).
#
# usage: bench/layer-unpack.sh [RUNS]      (run as root for umoci's ownership handling)
#   BUILD=build SIZE_MB=500 WORK=/dev/shm/berth-bench KEEP=0
# The machine is shared by several jobs: figures are noisy; each tool runs
# RUNS times (default 3), interleaved, and the median counts.
set -euo pipefail

runs=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${BUILD:-$src/build}
size_mb=${SIZE_MB:-500}
work=${WORK:-/dev/shm/berth-bench}
bench_bin=$build/bench/unpack-bench

[ -x "$bench_bin" ] || { echo "build first: $bench_bin missing" >&2; exit 1; }
[ "$(stat -f -c %T "$(dirname "$work")")" = tmpfs ] || echo "warning: $work is not on tmpfs" >&2
mkdir -p "$work"
layer=$work/layer-$size_mb.tar.gz
if [ ! -s "$layer" ]; then
        echo "generating a $size_mb MB layer (once) ..." >&2
        python3 "$here/gen-layer.py" "$size_mb" | gzip -6 -n > "$layer.tmp"
        mv "$layer.tmp" "$layer"
fi
raw_bytes=$(gzip -dc "$layer" | wc -c)
diff_id=sha256:$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)
gz_bytes=$(stat -c %s "$layer")

# An OCI layout with the layer, for umoci.
oci=$work/oci-$size_mb
if [ ! -f "$oci/index.json" ]; then
        python3 - "$oci" "$layer" "$diff_id" <<'PYEOF'
import hashlib, json, os, shutil, sys
oci, layer, diff_id = sys.argv[1:]
os.makedirs(oci + '/blobs/sha256', exist_ok=True)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open('%s/blobs/sha256/%s' % (oci, h), 'wb').write(data)
    return 'sha256:' + h, len(data)
h = hashlib.sha256()
with open(layer, 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
        h.update(chunk)
ldig = 'sha256:' + h.hexdigest()
shutil.copyfile(layer, '%s/blobs/sha256/%s' % (oci, ldig[7:]))
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux', 'config': {},
                  'rootfs': {'type': 'layers', 'diff_ids': [diff_id]}}).encode()
cdig, clen = put(cfg)
man = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                  'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cdig, 'size': clen},
                  'layers': [{'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': ldig,
                              'size': os.path.getsize(layer)}]}).encode()
mdig, mlen = put(man)
json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
           'digest': mdig, 'size': mlen, 'annotations': {'org.opencontainers.image.ref.name': 'bench'}}]},
          open(oci + '/index.json', 'w'))
open(oci + '/oci-layout', 'w').write('{"imageLayoutVersion":"1.0.0"}')
PYEOF
fi

# time_one NAME: runs the tool into a fresh directory; prints "wall cpu" seconds (cpu: user +
# system of the tool and its children, less sensitive to a busy machine than wall time).
time_one() {
        local dest=$work/out tf=$work/time
        rm -rf "$dest"
        case $1 in
        berth)
                /usr/bin/time -f '%e %U %S' -o "$tf" "$bench_bin" "$layer" "$dest" > "$work/berth.out"
                [ "$(cut -d' ' -f3 "$work/berth.out")" = "$diff_id" ] || { echo "berth: wrong diff_id" >&2; exit 1; }
                ;;
        tar)
                mkdir "$dest"
                /usr/bin/time -f '%e %U %S' -o "$tf" tar -xzf "$layer" -C "$dest"
                ;;
        umoci)
                /usr/bin/time -f '%e %U %S' -o "$tf" umoci unpack --image "$oci:bench" "$dest" > /dev/null 2>&1
                ;;
        gzip)
                /usr/bin/time -f '%e %U %S' -o "$tf" sh -c 'gzip -dc "$1" > /dev/null' sh "$layer"
                ;;
        esac
        rm -rf "$dest"
        awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$tf"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

tools="berth tar umoci gzip"
declare -A walls cpus
for ((i = 0; i < runs; i++)); do
        for t in $tools; do
                read -r w c < <(time_one "$t")
                walls[$t]+="$w "
                cpus[$t]+="$c "
        done
done

mb=$(echo "$raw_bytes / 1000000" | bc -l)
printf 'layer: %.0f MB gzip, %.0f MB unpacked, %s files, on %s; %d runs each, median; load %s\n' \
        "$(echo "$gz_bytes / 1000000" | bc -l)" "$mb" "$(gzip -dc "$layer" | tar -t | grep -vc '/$')" \
        "$(stat -f -c %T "$work")" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rate
for t in $tools; do
        med=$(echo "${walls[$t]}" | tr ' ' '\n' | grep . | median)
        cpu=$(echo "${cpus[$t]}" | tr ' ' '\n' | grep . | median)
        rate[$t]=$(echo "$mb / $med" | bc -l)
        printf '%-28s %6.2f s  %7.1f MB/s  cpu %6.2f s   (wall runs: %s)\n' \
                "$(case $t in berth) echo "berth layer_unpack";; tar) echo "tar -xzf";; umoci) echo "umoci unpack";;
                   gzip) echo "gzip -dc > /dev/null (ref)";; esac)" "$med" "${rate[$t]}" "$cpu" "${walls[$t]% }"
done
printf 'berth / tar -xzf:   %.2fx\n' "$(echo "${rate[berth]} / ${rate[tar]}" | bc -l)"
printf 'berth / umoci:      %.2fx\n' "$(echo "${rate[berth]} / ${rate[umoci]}" | bc -l)"
[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
