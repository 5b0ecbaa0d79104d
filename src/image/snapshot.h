/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Snapshots: each layer unpacked once, keyed by its chain ID, and stacked as
 * overlayfs lower dirs for containers.
 *
 * On disk, under <root>/layers/:
 *   <chain-hex>/diff/       the layer's files (overlay whiteouts inside)
 *   <chain-hex>/parent      the parent's chain ID ("sha256:<hex>"), absent for a base layer
 *   <chain-hex>/diff-id     the layer's diff_id
 *   <chain-hex>/size        bytes of the uncompressed tar, decimal
 *   <chain-hex>/link        the short name of the diff dir under l/
 *   <chain-hex>/flat/       only for mount(2) of deep stacks: the merged tree of the stack
 *   l/<short>               symlink to ../<chain-hex>/diff (short lowerdir paths for mount(2))
 *   tmp/                    unpacks in progress (removed on failure; stale ones swept on open)
 *   empty/                  an empty lower dir for containers of an empty image
 * A snapshot directory appears only by rename(2) of a completely unpacked and verified
 * one, so a <chain-hex> directory that exists is always whole.
 *
 * Reference counts live in the store's SQLite database, not here: this module creates,
 * lists, mounts and removes what it is told to.
 */

#include <stdbool.h>
#include <stdint.h>

#include "image/layer.h"

struct berr;
struct snapshot_store;

/* Opens (creating <root>/layers and its subdirectories when missing) the snapshot store.
 * root is the Berth root (--root). Owned result. */
int snapshot_store_open(const char *root, struct snapshot_store **ret, struct berr **err);
struct snapshot_store *snapshot_store_free(struct snapshot_store *s);
static inline void snapshot_store_freep(struct snapshot_store **p)
{
        if (*p)
                snapshot_store_free(*p);
}

/* OCI chain ID: diff_id for a base layer (parent NULL), else sha256("<parent> <diff_id>").
 * EINVAL when an argument is not "sha256:<64 hex>". */
int snapshot_chain_id(const char *parent_chain_id, const char *diff_id, char ret[LAYER_DIGEST_MAX], struct berr **err);

/* 1 if the snapshot exists (whole), 0 if not; EINVAL for a malformed ID. */
int snapshot_exists(struct snapshot_store *s, const char *chain_id, struct berr **err);

/*
 * Unpacks the layer blob on top of parent_chain_id (NULL for a base layer) unless it is
 * already there. With expected_diff_id set the chain ID is known in advance and an
 * existing snapshot is reused without reading blob_fd; without it (import of a rootfs
 * tarball) the diff_id is learnt while unpacking. expected_digest (may be NULL) is checked
 * against the blob as read.
 *
 * Safe against concurrent unpacks of the same chain (by other processes too): each unpacks
 * into its own temporary directory, the first rename(2) wins, the others discard theirs.
 * On any failure nothing is left behind.
 *
 * Returns 1 if this call unpacked the layer, 0 if it already existed. ret_chain_id gets
 * the chain ID; ret (may be NULL) the digests (when the snapshot existed: diff_id and size
 * only, digest empty).
 */
int snapshot_unpack(struct snapshot_store *s, const char *parent_chain_id, int blob_fd, const char *expected_diff_id,
                    const char *expected_digest, char ret_chain_id[LAYER_DIGEST_MAX], struct layer_digests *ret,
                    struct berr **err);

/* Removes the snapshot's directory (also one left not whole) and short link. Missing is fine. The caller
 * (the store, from its reference counts) makes sure no image or container still uses it. */
int snapshot_remove(struct snapshot_store *s, const char *chain_id, struct berr **err);

/* The parent chain ID of a snapshot (owned, NULL for a base layer). Returns 1 if the snapshot
 * exists, 0 if not. */
int snapshot_get_parent(struct snapshot_store *s, const char *chain_id, char **ret_parent, struct berr **err);

/* The uncompressed size recorded at unpack time. 1 if found, 0 if the snapshot is absent. */
int snapshot_get_size(struct snapshot_store *s, const char *chain_id, uint64_t *ret_size, struct berr **err);

/* Opens the snapshot's diff directory (O_RDONLY|O_DIRECTORY|O_CLOEXEC): for export and
 * for the builder's diffs. Returns the fd, or -ENOENT with an error when absent. */
int snapshot_open_diff(struct snapshot_store *s, const char *chain_id, struct berr **err);

/* Absolute paths of the diff dirs of the stack, top first (an owned strv). */
int snapshot_get_lowers(struct snapshot_store *s, const char *chain_id, char ***ret, struct berr **err);

enum snapshot_mount_mode {
        SNAPSHOT_MOUNT_AUTO,    /* overlay if the kernel allows it here, else copy */
        SNAPSHOT_MOUNT_OVERLAY, /* overlay or fail */
        SNAPSHOT_MOUNT_COPY,    /* copy the layers into target, applying whiteouts */
        _SNAPSHOT_MOUNT_MAX,
        _SNAPSHOT_MOUNT_INVALID = -22,
};

struct snapshot_mount_opts {
        enum snapshot_mount_mode mode;
        /* Mount read-only with no upper dir (upper_dir and work_dir ignored): for inspecting
         * an image's files. */
        bool readonly;
        /* overlay "userxattr" (rootless; needs snapshots unpacked with userxattr too). */
        bool userxattr;
        /* Use mount(2) with short l/ paths even where "lowerdir+" works (for tests of old
         * kernels' path). */
        bool legacy_mount;
        /* overlay "volatile": the upper dir is never synced, so unmounting does not wait for the
         * disk (a container whose changes are thrown away: run --rm). After a crash the upper and
         * work dirs may be inconsistent. Only where the new mount API is used (Linux 6.8+). */
        bool volatile_upper;
};

/*
 * Makes target (an existing empty directory) the container's root file system: an overlay
 * of the stack of chain_id (NULL: an empty image) with upper_dir and work_dir (existing
 * directories on the same file system, the container's own). Deep stacks go through the
 * new mount API's "lowerdir+" (Linux 6.8+), else through short l/ links (mount(2) takes
 * one page of options); when even those do not fit, all but the top 100 layers are
 * flattened once into <chain-hex>/flat (a copy with whiteouts applied) of the 101st.
 * In copy mode, target gets a copy of the merged layers and is itself the writable root; upper_dir and work_dir are not
 * used. opts may be NULL (auto). ret_mode (may be NULL) says what was done. On failure nothing is mounted or copied.
 */
int snapshot_mount(struct snapshot_store *s, const char *chain_id, const char *upper_dir, const char *work_dir,
                   const char *target, const struct snapshot_mount_opts *opts, enum snapshot_mount_mode *ret_mode,
                   struct berr **err);

/* Unmounts what snapshot_mount() mounted on target (MNT_DETACH is not used: a busy mount
 * is an error). A target that is not a mount point (copy mode) is left for the caller to
 * remove; returns 0 then. */
int snapshot_unmount(const char *target, struct berr **err);
