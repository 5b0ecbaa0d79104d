#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The CLI, with its libraries linked statically, needs no shared library but libc at start-up:
# every other one would cost each command its loading and page faults. libarchive, libisal and
# libm are loaded on first use (image/archive-lazy.c, image/decompress.c, cli/libm-lazy.c).
# Usage: test-cli-libs.sh path/to/berth
set -eu
berth=$1
needed=$(readelf -dW "$berth" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v -x -e 'libc.so.6' -e 'ld-linux-x86-64.so.2' || true)
if [ -n "$needed" ]; then
        echo "$berth needs shared libraries at start-up besides libc: $needed" >&2
        exit 1
fi
