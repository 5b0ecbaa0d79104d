#!/usr/bin/env python3
# Writes a deterministic synthetic image layer (an uncompressed tar) to stdout:
# many small files in a /usr-like tree, 80% text-like (word soup, compresses
# about 3x like sources, docs, scripts) and 20% binary-like (random bytes with
# zero runs, compresses about 1.5x like ELF files). Same bytes on every machine.
# usage: gen-layer.py TOTAL_MB
import io, random, sys, tarfile

total = int(sys.argv[1]) << 20
rng = random.Random(20261129)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz_') for _ in range(rng.randint(2, 10))) for _ in range(1500)]
text = ' '.join(rng.choice(words) + ('\n' if rng.random() < 0.1 else '') for _ in range(3_000_000)).encode()
binary = bytearray()
while len(binary) < 8 << 20:
    binary += rng.randbytes(rng.randint(16, 256)) + bytes(rng.randint(0, 128))
binary = bytes(binary)

out = tarfile.open(fileobj=sys.stdout.buffer, mode='w|', format=tarfile.PAX_FORMAT)
def add(name, data=None, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.mtime = 1700000000
    ti.uname = ti.gname = ''
    if data is None:
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        out.addfile(ti)
    else:
        ti.size = len(data)
        ti.mode = mode
        out.addfile(ti, io.BytesIO(data))

written, n = 0, 0
while written < total:
    d = 'usr/lib/pkg%04d' % (n // 200)
    if n % 200 == 0:
        add(d)
    size = min(int(rng.lognormvariate(8.3, 1.3)), 1 << 20)  # median about 4 KiB
    if rng.random() < 0.8:
        off = rng.randrange(0, len(text) - size)
        data = text[off:off + size]
        mode = 0o644
    else:
        off = rng.randrange(0, len(binary) - size)
        data = binary[off:off + size]
        mode = 0o755
    add('%s/file%06d' % (d, n), data, mode)
    written += size
    n += 1
out.close()
