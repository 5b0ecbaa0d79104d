/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer unpacking and packing: the streaming pipeline around the tar code.
 *
 * Unpacking runs two stages at once:
 *   1. a worker thread reads the blob, hashes it (the blob digest), detects
 *      and decompresses the codec, hashes the output (the diff_id) and
 *      hands it over in chunks of CHUNK_SIZE through a ring of NCHUNKS
 *      buffers;
 *   2. the calling thread runs libarchive's tar reader on those chunks (no
 *      copy: libarchive reads file data straight out of them) and writes the
 *      entries (tar.c).
 * With two CPUs the two overlap fully: decompression and file creation each
 * take about half of the time of a sequential tar -xzf.
 *
 * The worker is a thread, not a process: image unpacking runs in the CLI and
 * the service, which never clone() containers while it runs, and the thread
 * is always joined before layer_unpack() returns (the convention that a
 * process cloning containers has no threads holds at every clone).
 *
 * After the tar's end-of-archive marker the rest of the stream is still read
 * and hashed: the diff_id covers the whole uncompressed stream, padding
 * included, as every other implementation computes it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "image/layer-internal.h"
#include "image/layer.h"
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"

#define CHUNK_SIZE ((size_t)1024 * 1024)
#define NCHUNKS    8
#define READ_SIZE  ((size_t)256 * 1024)

static const char *const compression_names[_LAYER_COMPRESSION_MAX] = {
        [LAYER_COMPRESSION_NONE] = "none",
        [LAYER_COMPRESSION_GZIP] = "gzip",
        [LAYER_COMPRESSION_ZSTD] = "zstd",
};

const char *layer_compression_to_string(enum layer_compression c)
{
        if ((int)c < 0 || c >= _LAYER_COMPRESSION_MAX)
                return NULL;
        return compression_names[c];
}

enum layer_compression layer_compression_from_string(const char *s)
{
        for (int i = 0; i < _LAYER_COMPRESSION_MAX; i++)
                if (s && streq(s, compression_names[i]))
                        return (enum layer_compression)i;
        return _LAYER_COMPRESSION_INVALID;
}

void layer_format_digest(const uint8_t md[32], char buf[LAYER_DIGEST_MAX])
{
        static const char hex[] = "0123456789abcdef";

        memcpy(buf, "sha256:", 7);
        for (int i = 0; i < 32; i++) {
                buf[7 + 2 * i] = hex[md[i] >> 4];
                buf[8 + 2 * i] = hex[md[i] & 15];
        }
        buf[7 + 64] = 0;
}

bool layer_digest_is_valid(const char *s)
{
        const char *h = s ? startswith(s, "sha256:") : NULL;

        if (!h || strlen(h) != 64)
                return false;
        for (; *h; h++)
                if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
                        return false;
        return true;
}

static void md_final(struct digester *h, char buf[LAYER_DIGEST_MAX])
{
        struct digest d;

        digester_final(h, &d);
        memcpy(buf, "sha256:", 7);
        memcpy(buf + 7, d.hex, DIGEST_SHA256_HEX_LEN + 1); /* a sha256 digester: 64 hex and NUL */
}

/* The ring between the worker (producer) and libarchive's read callback (consumer). */
struct pipeline {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        uint8_t *buf[NCHUNKS];
        size_t len[NCHUNKS];
        unsigned head;  /* next slot the producer fills */
        unsigned tail;  /* next slot the consumer takes */
        unsigned count; /* filled slots, including the one the consumer holds */
        bool consumer_holds;
        bool eof;       /* producer is done (see error) */
        bool cancelled; /* consumer gave up: producer stops */
        struct berr *error;

        int fd;
        struct digester *blob_md, *diff_md;
        uint64_t size, compressed_size;
        enum layer_compression compression;
        const char *impl;
};

/* Producer: publish the chunk in slot head (len bytes), waiting for a free slot first. */
static bool pipeline_wait_free(struct pipeline *p)
{
        bool ok;

        pthread_mutex_lock(&p->lock);
        while (p->count == NCHUNKS && !p->cancelled)
                pthread_cond_wait(&p->cond, &p->lock);
        ok = !p->cancelled;
        pthread_mutex_unlock(&p->lock);
        return ok;
}

static void pipeline_publish(struct pipeline *p, size_t len)
{
        digester_update(p->diff_md, p->buf[p->head], len);
        p->size += len;
        pthread_mutex_lock(&p->lock);
        p->len[p->head] = len;
        p->head = (p->head + 1) % NCHUNKS;
        p->count++;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

static int read_some(struct pipeline *p, uint8_t *buf, size_t cap, size_t *ret_len, struct berr **err)
{
        ssize_t n;

        do
                n = read(p->fd, buf, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return berr_sys(err, "read layer blob");
        digester_update(p->blob_md, buf, (size_t)n);
        p->compressed_size += (uint64_t)n;
        *ret_len = (size_t)n;
        return 0;
}

static int produce(struct pipeline *p, struct berr **err)
{
        _cleanup_free_ uint8_t *inbuf = xmalloc(READ_SIZE);
        struct decompressor *d = NULL;
        const uint8_t *in = inbuf;
        size_t in_len = 0, got = 0;
        bool at_eof = false;
        int r;

        /* Fill up to 8 bytes for the magic (a pipe may deliver less). */
        while (in_len < 8) {
                r = read_some(p, inbuf + in_len, READ_SIZE - in_len, &got, err);
                if (r < 0)
                        return r;
                if (got == 0) {
                        at_eof = true;
                        break;
                }
                in_len += got;
        }
        r = decompressor_detect(inbuf, in_len, &p->compression, err);
        if (r < 0)
                return r;
        r = decompressor_new(p->compression, &d, err);
        if (r < 0)
                return r;
        p->impl = decompressor_impl(d);

        for (;;) {
                uint8_t *out;
                size_t out_len;

                if (!pipeline_wait_free(p))
                        goto out; /* the consumer failed first and reports its own error */
                out = p->buf[p->head];
                out_len = CHUNK_SIZE;
                while (out_len > 0) {
                        uint8_t *before_out = out;
                        size_t before_in = in_len;

                        if (in_len == 0 && !at_eof) {
                                r = read_some(p, inbuf, READ_SIZE, &got, err);
                                if (r < 0)
                                        goto out;
                                in = inbuf;
                                in_len = got;
                                at_eof = got == 0;
                        }
                        r = decompressor_step(d, &in, &in_len, &out, &out_len, err);
                        if (r < 0)
                                goto out;
                        if (out != before_out || in_len != before_in)
                                continue;
                        if (at_eof)
                                break; /* drained: no progress is possible any more */
                        /* The codec wants more than the bytes left: append more input. */
                        memmove(inbuf, in, in_len);
                        in = inbuf;
                        r = read_some(p, inbuf + in_len, READ_SIZE - in_len, &got, err);
                        if (r < 0)
                                goto out;
                        in_len += got;
                        at_eof = got == 0;
                }
                if (out != p->buf[p->head])
                        pipeline_publish(p, (size_t)(out - p->buf[p->head]));
                if (out_len > 0) /* the loop broke: all input consumed and flushed */
                        break;
        }
        r = decompressor_finish(d, err);
out:
        decompressor_free(d);
        return r;
}

static void *producer_main(void *userdata)
{
        struct pipeline *p = userdata;
        struct berr *e = NULL;
        int r = produce(p, &e);

        pthread_mutex_lock(&p->lock);
        if (r < 0)
                p->error = e ? e : NULL;
        if (r < 0 && !p->error)
                (void)berr_set(&p->error, -r, "decompress layer");
        p->eof = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

/* Consumer: returns the next chunk (releasing the previous one); 0 at the end. */
static ssize_t pipeline_next(struct pipeline *p, const void **ret)
{
        ssize_t n = 0;

        pthread_mutex_lock(&p->lock);
        if (p->consumer_holds) {
                p->consumer_holds = false;
                p->tail = (p->tail + 1) % NCHUNKS;
                p->count--;
                pthread_cond_broadcast(&p->cond);
        }
        while (p->count == 0 && !p->eof)
                pthread_cond_wait(&p->cond, &p->lock);
        if (p->count > 0) {
                p->consumer_holds = true;
                *ret = p->buf[p->tail];
                n = (ssize_t)p->len[p->tail];
        } else if (p->error) {
                n = -1;
        }
        pthread_mutex_unlock(&p->lock);
        return n;
}

static ssize_t archive_read_cb(struct archive *a, void *userdata, const void **ret)
{
        struct pipeline *p = userdata;
        ssize_t n = pipeline_next(p, ret);

        if (n < 0)
                archive_set_error(a, EIO, "layer stream failed");
        return n;
}

static void pipeline_cancel(struct pipeline *p)
{
        pthread_mutex_lock(&p->lock);
        p->cancelled = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

static void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

static int check_expected(const char *what, const char *expected, const char *got, struct berr **err)
{
        if (!expected)
                return 0;
        if (!layer_digest_is_valid(expected))
                return berr_set(err, EINVAL, "invalid expected %s '%s'", what, expected);
        if (!streq(expected, got))
                return berr_set(err, EBADMSG, "%s mismatch: expected '%s', got '%s'", what, expected, got);
        return 0;
}

static int run_extract(struct pipeline *p, int dest_dirfd, const struct layer_unpack_opts *opts, uint64_t *ret_entries,
                       struct berr **err)
{
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        const void *chunk;
        int r;

        if (!a)
                abort();
        /* Only tar (ustar, pax, GNU): no other format and no filter may be auto-detected from
         * hostile input. Compression was handled by the worker. */
        if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
            archive_read_open(a, p, NULL, archive_read_cb, NULL) != ARCHIVE_OK) {
                if (p->error)
                        return -EIO; /* the worker's error is reported instead */
                return berr_set(err, EINVAL, "corrupt layer tar: %s", archive_error_string(a));
        }
        r = tar_extract(a, dest_dirfd, opts, ret_entries, err);
        if (r < 0)
                return r;
        /* Drain what follows the end-of-archive marker so that the digests cover it. */
        while (pipeline_next(p, &chunk) > 0)
                ;
        return 0;
}

int layer_unpack(int blob_fd, int dest_dirfd, const struct layer_unpack_opts *opts, struct layer_digests *ret,
                 struct berr **err)
{
        static const struct layer_unpack_opts defaults = {.whiteouts = LAYER_WHITEOUT_OVERLAY};
        _cleanup_(digester_freep) struct digester *blob_md = digester_new(DIGEST_SHA256);
        _cleanup_(digester_freep) struct digester *diff_md = digester_new(DIGEST_SHA256);
        struct pipeline p = {
                .lock = PTHREAD_MUTEX_INITIALIZER,
                .cond = PTHREAD_COND_INITIALIZER,
                .fd = blob_fd,
                .blob_md = blob_md,
                .diff_md = diff_md,
        };
        struct layer_digests d = {};
        struct berr *extract_err = NULL;
        pthread_t worker;
        uint64_t entries = 0;
        int r, rx;

        if (!opts)
                opts = &defaults;
        if (opts->whiteouts < 0 || opts->whiteouts >= _LAYER_WHITEOUT_MAX)
                return berr_set(err, EINVAL, "invalid whiteout mode %d", (int)opts->whiteouts);
        for (int i = 0; i < NCHUNKS; i++)
                p.buf[i] = xmalloc(CHUNK_SIZE);
        r = pthread_create(&worker, NULL, producer_main, &p);
        if (r != 0) {
                for (int i = 0; i < NCHUNKS; i++)
                        free(p.buf[i]);
                return berr_errno(err, r, "start decompression thread");
        }
        rx = run_extract(&p, dest_dirfd, opts, &entries, &extract_err);
        if (rx < 0)
                pipeline_cancel(&p);
        else
                while (pipeline_next(&p, &(const void *){NULL}) > 0)
                        ;
        (void)pthread_join(worker, NULL); /* cannot fail for a joinable thread of ours */
        for (int i = 0; i < NCHUNKS; i++)
                free(p.buf[i]);

        /* The worker's error (I/O, corrupt compression) is the root cause when there is one:
         * libarchive then only saw a stream cut short. */
        if (p.error) {
                r = -berr_code(p.error);
                berr_free(extract_err);
                if (err)
                        *err = p.error;
                else
                        berr_free(p.error);
                return r;
        }
        if (rx < 0) {
                if (err)
                        *err = extract_err;
                else
                        berr_free(extract_err);
                return rx;
        }
        md_final(blob_md, d.digest);
        md_final(diff_md, d.diff_id);
        d.size = p.size;
        d.compressed_size = p.compressed_size;
        d.compression = p.compression;
        d.entries = entries;
        log_debug("unpacked layer %s (%s, %s): %llu bytes, %llu entries", d.diff_id,
                  layer_compression_to_string(d.compression), p.impl ? p.impl : "none", (unsigned long long)d.size,
                  (unsigned long long)d.entries);
        r = check_expected("blob digest", opts->expected_digest, d.digest, err);
        if (r < 0)
                return r;
        r = check_expected("diff_id", opts->expected_diff_id, d.diff_id, err);
        if (r < 0)
                return r;
        if (ret)
                *ret = d;
        return 0;
}

/* ---- creating ---- */

struct tar_sink {
        int fd;
        enum layer_compression compression;
        struct digester *blob_md, *diff_md;
        uint64_t size, compressed_size;
        z_stream z;
        bool z_init;
        ZSTD_CCtx *zstd;
        uint8_t *out;
        struct berr *error;
};

#define SINK_OUT_SIZE ((size_t)256 * 1024)

static int sink_emit(struct tar_sink *s, const void *buf, size_t len)
{
        if (len == 0)
                return 0;
        digester_update(s->blob_md, buf, len);
        s->compressed_size += len;
        if (write_all(s->fd, buf, len) < 0)
                return berr_sys(&s->error, "write layer");
        return 0;
}

/* Compresses (or passes on) len bytes; with finish, ends the compressed stream. */
static int sink_feed(struct tar_sink *s, const void *buf, size_t len, bool finish)
{
        int r;

        switch (s->compression) {
        case LAYER_COMPRESSION_NONE:
                return sink_emit(s, buf, len);
        case LAYER_COMPRESSION_GZIP:
                s->z.next_in = (Bytef *)buf;
                s->z.avail_in = (uInt)len;
                for (;;) {
                        int zr;

                        s->z.next_out = s->out;
                        s->z.avail_out = SINK_OUT_SIZE;
                        zr = deflate(&s->z, finish ? Z_FINISH : Z_NO_FLUSH);
                        if (zr == Z_STREAM_ERROR)
                                return berr_set(&s->error, EIO, "gzip compression failed");
                        r = sink_emit(s, s->out, SINK_OUT_SIZE - s->z.avail_out);
                        if (r < 0)
                                return r;
                        if (finish ? zr == Z_STREAM_END : s->z.avail_in == 0 && s->z.avail_out > 0)
                                return 0;
                }
        case LAYER_COMPRESSION_ZSTD: {
                ZSTD_inBuffer ib = {.src = buf, .size = len};

                for (;;) {
                        ZSTD_outBuffer ob = {.dst = s->out, .size = SINK_OUT_SIZE};
                        size_t left = ZSTD_compressStream2(s->zstd, &ob, &ib, finish ? ZSTD_e_end : ZSTD_e_continue);

                        if (ZSTD_isError(left))
                                return berr_set(&s->error, EIO, "zstd compression failed: %s", ZSTD_getErrorName(left));
                        r = sink_emit(s, s->out, ob.pos);
                        if (r < 0)
                                return r;
                        if (finish ? left == 0 : ib.pos == ib.size)
                                return 0;
                }
        }
        case _LAYER_COMPRESSION_MAX:
        case _LAYER_COMPRESSION_INVALID:
        default:
                return berr_set(&s->error, EINVAL, "invalid compression");
        }
}

static la_ssize_t archive_write_cb(struct archive *a, void *userdata, const void *buf, size_t len)
{
        struct tar_sink *s = userdata;

        digester_update(s->diff_md, buf, len);
        s->size += len;
        if (sink_feed(s, buf, len, false) < 0) {
                archive_set_error(a, EIO, "%s", berr_msg(s->error));
                return -1;
        }
        return (la_ssize_t)len;
}

static int sink_init(struct tar_sink *s, const struct layer_create_opts *opts, struct berr **err)
{
        s->out = xmalloc(SINK_OUT_SIZE);
        switch (opts->compression) {
        case LAYER_COMPRESSION_NONE:
                return 0;
        case LAYER_COMPRESSION_GZIP:
                /* windowBits 16+15: a gzip wrapper with mtime 0 and no name, so equal trees give
                 * equal blobs. */
                if (deflateInit2(&s->z, opts->level > 0 ? opts->level : Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                        return berr_set(err, EINVAL, "initialise gzip compression (level %d)", opts->level);
                s->z_init = true;
                return 0;
        case LAYER_COMPRESSION_ZSTD:
                s->zstd = ZSTD_createCCtx();
                if (!s->zstd)
                        abort();
                if (opts->level > 0 &&
                    ZSTD_isError(ZSTD_CCtx_setParameter(s->zstd, ZSTD_c_compressionLevel, opts->level)))
                        return berr_set(err, EINVAL, "invalid zstd level %d", opts->level);
                return 0;
        case _LAYER_COMPRESSION_MAX:
        case _LAYER_COMPRESSION_INVALID:
        default:
                return berr_set(err, EINVAL, "invalid compression %d", (int)opts->compression);
        }
}

static void sink_done(struct tar_sink *s)
{
        if (s->z_init)
                deflateEnd(&s->z);
        ZSTD_freeCCtx(s->zstd);
        free(s->out);
        berr_free(s->error);
}

static void archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

int layer_create_tar(int src_dirfd, const struct layer_create_opts *opts, int out_fd, struct layer_digests *ret,
                     struct berr **err)
{
        static const struct layer_create_opts defaults = {.compression = LAYER_COMPRESSION_NONE, .clamp_mtime = -1};
        _cleanup_(digester_freep) struct digester *blob_md = digester_new(DIGEST_SHA256);
        _cleanup_(digester_freep) struct digester *diff_md = digester_new(DIGEST_SHA256);
        _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
        struct tar_sink s = {.fd = out_fd, .blob_md = blob_md, .diff_md = diff_md};
        struct layer_digests d = {};
        int r;

        if (!opts)
                opts = &defaults;
        if (!a)
                abort();
        s.compression = opts->compression;
        r = sink_init(&s, opts, err);
        if (r < 0)
                goto out;
        /* Restricted pax: plain ustar headers unless a name, id, size or xattr needs more.
         * One 512-byte block per write, and no padding of the end to 10 KiB records. */
        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(a, 512) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
            archive_write_open(a, &s, NULL, archive_write_cb, NULL) != ARCHIVE_OK) {
                r = berr_set(err, EIO, "start tar: %s", archive_error_string(a));
                goto out;
        }
        r = tar_write_tree(src_dirfd, opts, a, err);
        if (r < 0)
                goto out;
        if (archive_write_close(a) != ARCHIVE_OK) {
                r = s.error ? berr_set(err, berr_code(s.error), "%s", berr_msg(s.error))
                            : berr_set(err, EIO, "finish tar: %s", archive_error_string(a));
                goto out;
        }
        r = sink_feed(&s, NULL, 0, true);
        if (r < 0) {
                r = berr_set(err, berr_code(s.error), "%s", berr_msg(s.error));
                goto out;
        }
        md_final(blob_md, d.digest);
        md_final(diff_md, d.diff_id);
        d.size = s.size;
        d.compressed_size = s.compressed_size;
        d.compression = opts->compression;
        if (ret)
                *ret = d;
out:
        sink_done(&s);
        return r;
}
