#!/bin/bash
# `berth load` of an image holding one large gzip layer of many small files,
# side by side with `tar -xzf` of the same layer and `umoci unpack` of the
# same image (an OCI layout), all on tmpfs (this machine's root disk gives
# unusable figures: see MACHINE-NOTES). Prints MB/s of unpacked data (the
# uncompressed tar's size over the wall time) and the ratios.
#
# berth load does more than unpack: it reads the archive, stores the
# compressed blob in its content store (hashing it), checks the config and
# the diff_id, unpacks the snapshot and records the image in SQLite.
#
# usage: bench/image-load.sh [RUNS]        (as root)
#   BUILD=build SIZE_MB=500 WORK=/dev/shm/berth-load-bench KEEP=0
# The layer is bench/gen-layer.py's (deterministic); RUNS (default 3) runs of
# each tool, interleaved; the median counts.
set -euo pipefail

runs=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${BUILD:-$src/build}
size_mb=${SIZE_MB:-500}
work=${WORK:-/dev/shm/berth-load-bench}
berth=$build/berth

[ -x "$berth" ] || { echo "build first: $berth missing" >&2; exit 1; }
mkdir -p "$work"
[ "$(stat -f -c %T "$work")" = tmpfs ] || echo "warning: $work is not on tmpfs" >&2
layer=$work/layer-$size_mb.tar.gz
if [ ! -s "$layer" ]; then
        echo "generating a $size_mb MB layer (once) ..." >&2
        python3 "$here/gen-layer.py" "$size_mb" | gzip -6 -n >"$layer.tmp"
        mv "$layer.tmp" "$layer"
fi
raw_bytes=$(gzip -dc "$layer" | wc -c)
diff_id=sha256:$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)

# The image: an OCI layout (for umoci) and its tar (what berth load reads).
oci=$work/oci-$size_mb
if [ ! -f "$oci/index.json" ]; then
        mkdir -p "$oci/blobs/sha256"
        put() { # file -> prints "digest size"
                local d
                d=$(sha256sum <"$1" | cut -d' ' -f1)
                cp "$1" "$oci/blobs/sha256/$d"
                echo "sha256:$d $(stat -c %s "$1")"
        }
        read -r ldig lsize < <(put "$layer")
        printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
                "$diff_id" >"$work/config.json"
        read -r cdig csize < <(put "$work/config.json")
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
                "$cdig" "$csize" "$ldig" "$lsize" >"$work/manifest.json"
        read -r mdig msize < <(put "$work/manifest.json")
        printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench:1"}}]}' \
                "$mdig" "$msize" >"$oci/index.json"
        echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
fi
archive=$work/image-$size_mb.tar
[ -s "$archive" ] || tar -C "$oci" -cf "$archive" .

now() { date +%s.%N; }
time_one() {
        local dest=$work/out t0 t1
        rm -rf "$dest"
        case $1 in
        berth)
                t0=$(now)
                "$berth" --root "$dest" --runroot "$dest.run" load -q -i "$archive" >/dev/null
                t1=$(now)
                [ "$("$berth" --root "$dest" inspect -f '{{json .RootFS.Layers}}' bench:1)" = "[\"$diff_id\"]" ] ||
                        { echo "berth: image not loaded" >&2; exit 1; }
                ;;
        tar)
                mkdir "$dest"
                t0=$(now)
                tar -xzf "$layer" -C "$dest"
                t1=$(now)
                ;;
        umoci)
                t0=$(now)
                umoci unpack --image "$oci:bench:1" "$dest" >/dev/null 2>&1
                t1=$(now)
                ;;
        esac
        rm -rf "$dest" "$dest.run"
        echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

tools="berth tar umoci"
declare -A times
for ((i = 0; i < runs; i++)); do
        for t in $tools; do
                times[$t]+="$(time_one "$t") "
        done
done

mb=$(echo "$raw_bytes / 1000000" | bc -l)
printf 'image: one layer, %.0f MB gzip, %.0f MB unpacked, on %s; %d runs each, median; load %s\n' \
        "$(echo "$(stat -c %s "$layer") / 1000000" | bc -l)" "$mb" "$(stat -f -c %T "$work")" "$runs" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rate
for t in $tools; do
        med=$(echo "${times[$t]}" | tr ' ' '\n' | grep . | median)
        rate[$t]=$(echo "$mb / $med" | bc -l)
        printf '%-22s %6.2f s  %7.1f MB/s   (runs: %s)\n' \
                "$(case $t in berth) echo "berth load";; tar) echo "tar -xzf";; umoci) echo "umoci unpack";; esac)" \
                "$med" "${rate[$t]}" "${times[$t]% }"
done
printf 'berth load / tar -xzf:  %.2fx\n' "$(echo "${rate[berth]} / ${rate[tar]}" | bc -l)"
printf 'berth load / umoci:     %.2fx\n' "$(echo "${rate[berth]} / ${rate[umoci]}" | bc -l)"
[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
