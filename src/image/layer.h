/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Layers: tar archives (plain, gzip or zstd) unpacked into a directory in one
 * streaming pass, and directories packed back into deterministic tars.
 *
 * Unpacking detects the compression by its magic bytes, decompresses on a
 * worker thread while the calling thread writes files, and hashes both the
 * compressed stream (the blob digest) and the uncompressed one (the diff_id).
 * Every entry is created with *at() calls under the destination directory:
 * "..", absolute paths, symlinks and hardlinks cannot make it write anywhere
 * else. Whiteouts (".wh.name", ".wh..wh..opq") become overlayfs whiteouts (a
 * 0/0 character device, an "overlay.opaque" xattr), or, in apply mode, delete
 * what they hide (the copy fallback where overlayfs is unavailable).
 */

#include <stdbool.h>
#include <stdint.h>

struct berr;

/* "sha256:" + 64 hex digits + NUL. */
#define LAYER_DIGEST_MAX 72

/* Limits for untrusted archives, checked before anything is allocated or created. */
#define LAYER_PATH_MAX        4096  /* bytes in an entry name or link target */
#define LAYER_XATTR_VALUE_MAX 65536 /* bytes in one xattr value (the kernel's own limit) */
#define LAYER_XATTRS_MAX      128   /* xattrs on one entry */
#define LAYER_DEPTH_MAX       256   /* directory depth of an entry */

enum layer_compression {
        LAYER_COMPRESSION_NONE,
        LAYER_COMPRESSION_GZIP,
        LAYER_COMPRESSION_ZSTD,
        _LAYER_COMPRESSION_MAX,
        _LAYER_COMPRESSION_INVALID = -22,
};

/* "none", "gzip", "zstd". Borrowed static string, NULL when out of range. */
const char *layer_compression_to_string(enum layer_compression c);
/* Media type suffix conventions are the store's business; this only names the codec. */
enum layer_compression layer_compression_from_string(const char *s);

enum layer_whiteout_mode {
        /* ".wh.x" -> character device 0/0 named x; ".wh..wh..opq" -> overlay.opaque=y on the dir.
         * For a layer directory that will be an overlayfs lower dir. */
        LAYER_WHITEOUT_OVERLAY,
        /* ".wh.x" deletes x (recursively); ".wh..wh..opq" empties the directory of what earlier
         * layers put there. For unpacking layer after layer into one plain directory. */
        LAYER_WHITEOUT_APPLY,
        _LAYER_WHITEOUT_MAX,
        _LAYER_WHITEOUT_INVALID = -22,
};

struct layer_unpack_opts {
        const char *expected_diff_id; /* "sha256:<hex>" of the uncompressed tar, or NULL */
        const char *expected_digest;  /* "sha256:<hex>" of the blob as read, or NULL */
        enum layer_whiteout_mode whiteouts;
        /* Overlay mode only: write "user.overlay.opaque" instead of "trusted.overlay.opaque",
         * for overlayfs mounted with "userxattr" (rootless). */
        bool userxattr;
        /* Do not chown entries to the archive's uid/gid (unprivileged unpacking: everything
         * stays owned by the caller). Device nodes that cannot be made (EPERM) are then
         * skipped, as docker and podman do in a user namespace, and xattrs refused with EPERM
         * or ENOTSUP (trusted.*) are left out. */
        bool no_chown;
};

/* What one pass found. Filled on success only. */
struct layer_digests {
        char diff_id[LAYER_DIGEST_MAX]; /* sha256 of the uncompressed stream */
        char digest[LAYER_DIGEST_MAX];  /* sha256 of the stream as read (== diff_id when plain) */
        uint64_t size;                  /* bytes of the uncompressed stream */
        uint64_t compressed_size;       /* bytes read from the blob */
        uint64_t entries;               /* tar entries processed (whiteouts included) */
        enum layer_compression compression;
};

/*
 * Unpacks the layer read from blob_fd (read to EOF from its current offset) into the
 * directory dest_dirfd (opened O_RDONLY|O_DIRECTORY; in overlay mode it should be empty).
 * opts may be NULL (overlay whiteouts, no expected digests).
 *
 * Fails with EINVAL on a corrupt, truncated or hostile archive (an entry outside the
 * directory, an unsupported entry type, a limit exceeded), EBADMSG on a digest mismatch,
 * EPROTONOSUPPORT on an unknown compression, and errno of a failing syscall otherwise.
 * On failure the directory holds an undefined part of the layer: the caller removes it
 * (snapshot_unpack() unpacks into a temporary directory and renames it only on success).
 *
 * Runs one worker thread (decompression and hashing) for the duration of the call and
 * joins it before returning: do not call it from a process that clone()s containers
 * while the call runs.
 */
int layer_unpack(int blob_fd, int dest_dirfd, const struct layer_unpack_opts *opts, struct layer_digests *ret,
                 struct berr **err);

struct layer_create_opts {
        enum layer_compression compression;
        int level; /* codec level, 0 for its default */
        /* The source is an overlayfs upper dir (or a layer diff dir): character devices 0/0
         * become ".wh.name" entries and overlay.opaque=y dirs get a ".wh..wh..opq" entry right
         * after the directory itself, and overlay.* xattrs are not copied. */
        bool overlay_whiteouts;
        /* Clamp mtimes newer than this (seconds since the epoch) to it; < 0: keep all
         * (SOURCE_DATE_EPOCH for reproducible builds). */
        int64_t clamp_mtime;
};

/*
 * Writes a tar (PAX format: xattrs, long names, big ids) of the tree under src_dirfd to
 * out_fd, compressed as asked, and returns its digests (digest is of what was written,
 * diff_id of the tar before compression). Deterministic: entries in byte order of their
 * names, directory before its contents, numeric ids only (no user/group names), no atime
 * or ctime, mtimes in whole seconds (as ustar headers hold them), hardlinks within the
 * tree as hardlink entries. opts may be NULL (plain tar).
 * Never follows symlinks. On failure out_fd holds a partial stream that the caller discards.
 */
int layer_create_tar(int src_dirfd, const struct layer_create_opts *opts, int out_fd, struct layer_digests *ret,
                     struct berr **err);
