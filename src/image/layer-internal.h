/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Pieces of the layer code shared between layer.c, tar.c, decompress.c and snapshot.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/layer.h"

struct archive;
struct berr;

/* Streaming decompressor for one codec (decompress.c). */
struct decompressor;

/* Codec from the first bytes of a stream (at least 4 bytes, fewer means plain). EPROTONOSUPPORT
 * with an error for xz and bzip2, which OCI layers do not use. */
int decompressor_detect(const uint8_t *buf, size_t len, enum layer_compression *ret, struct berr **err);
int decompressor_new(enum layer_compression c, struct decompressor **ret, struct berr **err);
struct decompressor *decompressor_free(struct decompressor *d);
/* Decompresses from *in (advancing it and *in_len) into *out (advancing it and *out_len).
 * Returns 0, or -EINVAL with an error for corrupt data. Call it again while it makes progress. */
int decompressor_step(struct decompressor *d, const uint8_t **in, size_t *in_len, uint8_t **out, size_t *out_len,
                      struct berr **err);
/* At end of input: -EINVAL with "truncated ... stream" unless the stream ended cleanly. */
int decompressor_finish(struct decompressor *d, struct berr **err);
/* Name of the implementation ("isa-l igzip", "zlib", "zstd", "none"), for debug logs. */
const char *decompressor_impl(const struct decompressor *d);

/* tar.c: applies every entry of an opened archive reader to the directory. */
int tar_extract(struct archive *a, int dest_dirfd, const struct layer_unpack_opts *opts, uint64_t *ret_entries,
                struct berr **err);
/* tar.c: writes the tree under src_dirfd into an opened archive writer (pax format). */
int tar_write_tree(int src_dirfd, const struct layer_create_opts *opts, struct archive *a, struct berr **err);

/* "sha256:" + hex of a 32-byte digest, into buf (LAYER_DIGEST_MAX). */
void layer_format_digest(const uint8_t md[32], char buf[LAYER_DIGEST_MAX]);
/* True if s is "sha256:" followed by 64 lowercase hex digits. */
bool layer_digest_is_valid(const char *s);

/* overlay.c */
#define OVERLAY_MAX_LOWERS 500 /* overlayfs's OVL_MAX_STACK */

struct overlay_opts {
        bool userxattr;
        bool force_legacy; /* tests: mount(2) with short paths even where lowerdir+ works */
        bool volatile_upper; /* "volatile" (new mount API only: an old kernel may not know it) */
};

/* Mounts an overlay on target. lowers: absolute paths, top first; short_lowers: the same
 * dirs as paths relative to layers_dirfd (for mount(2)). upper NULL: read-only, no upper.
 * Nothing is mounted on failure. */
int overlay_mount(int layers_dirfd, char *const *lowers, char *const *short_lowers, const char *upper, const char *work,
                  const char *target, const struct overlay_opts *o, struct berr **err);
