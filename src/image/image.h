/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Images in the store: what blobs make an image, its tags, its layers and
 * their reference counts, kept in the database (tables images, manifests,
 * tags, layers, image_layers, image_holds). An image ID is the digest of its
 * config; tags are normalised references ("docker.io/library/busybox:latest").
 *
 * image_holds is the hook for users of an image outside this module: the
 * engine inserts (image_id, holder) for each container created from an image
 * and deletes it with the container; image_remove() refuses to delete a held
 * image unless forced, and then only untags it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/config.h"
#include "image/store.h"

struct berr;

/* A layer of an image as stored. */
struct image_layer {
        char *diff_id;     /* owned */
        char *chain_id;    /* owned */
        char *blob_digest; /* owned: the blob as kept in the store (maybe compressed) */
        char *media_type;  /* owned */
        uint64_t blob_size;
        uint64_t size; /* uncompressed */
};
void image_layers_free(struct image_layer *l, size_t n);

/* What an import, load or build hands to image_add(). All blobs must already be in the store. */
struct image_add {
        const char *config_digest;       /* the image ID */
        const char *manifest_digest;     /* may be NULL */
        const char *manifest_media_type; /* with manifest_digest */
        uint64_t manifest_size;
        const struct image_layer *layers; /* chain_id may be NULL: computed */
        size_t n_layers;
        const char *created; /* from the config, may be NULL */
        char *const *tags;   /* normalised "name:tag" strings; may be NULL */
};

/* Records an image (idempotent) and points its tags at it (moving them from other images). */
int image_add(struct store *s, const struct image_add *a, struct berr **err);

struct image_info {
        char *id;              /* "sha256:<hex>"; owned */
        char *created;         /* RFC 3339 from the config, may be NULL; owned */
        int64_t created_secs;  /* 0 when unknown */
        uint64_t size;         /* sum of the uncompressed layers */
        char *manifest_digest; /* may be NULL; owned */
        char **tags;           /* normalised; owned strv, sorted */
        size_t n_layers;
        size_t n_holders; /* users outside the store (containers) */
        int64_t added;    /* when stored, seconds */
};
void image_info_free(struct image_info *i);
static inline void image_info_freep(struct image_info **p)
{
        if (*p)
                image_info_free(*p);
}
void image_infos_free(struct image_info *v, size_t n);

/* All images, newest created first. */
int image_list(struct store *s, struct image_info **ret, size_t *ret_n, struct berr **err);
/* One image by ID. 1 found, 0 absent. */
int image_get(struct store *s, const char *id, struct image_info **ret, struct berr **err);

/*
 * Finds an image by what a user typed, in docker's order: a full ID ("sha256:<hex>" or 64 hex), a
 * reference (name, name:tag, name@digest), an ID prefix (at least IMAGE_ID_PREFIX_MIN hex digits,
 * with or without "sha256:"). Returns 1 and the ID, 0 when nothing matches (err untouched), or an
 * error for an ambiguous prefix or an invalid reference. ret_tag (may be NULL) gets the normalised
 * tag when the match was by tag.
 */
#define IMAGE_ID_PREFIX_MIN 1
int image_resolve(struct store *s, const char *what, char **ret_id, char **ret_tag, struct berr **err);

/* Points tag (a normalised "name:tag") at the image. */
int image_tag(struct store *s, const char *id, const char *tag, struct berr **err);
/* Removes a tag; 1 removed, 0 absent. */
int image_untag(struct store *s, const char *tag, struct berr **err);

/* What image_remove() did, for docker's "Untagged:"/"Deleted:" lines. */
struct image_remove_result {
        char **untagged; /* normalised tags removed; owned strv */
        char **deleted;  /* image ID then chain IDs of the layers removed; owned strv */
};
void image_remove_result_clear(struct image_remove_result *r);

/*
 * docker rmi for one argument. by_tag: the user named tag (normalised) rather than an ID. Without
 * force: a tag is untagged and the image deleted when it was its last tag; by ID, refuses (EBUSY,
 * docker's "conflict") an image tagged in several repositories or held by a container. With force,
 * every tag goes, and the image too unless held.
 */
int image_remove(struct store *s, const char *id, const char *by_tag, bool force, struct image_remove_result *res,
                 struct berr **err);

/* Removes dangling images (no tag), or with all every image that is not held. Accumulates into res;
 * ret_reclaimed (may be NULL) gets the bytes of blobs removed. */
int image_prune(struct store *s, bool all, struct image_remove_result *res, uint64_t *ret_reclaimed, struct berr **err);

/* The image's layers, bottom first. */
int image_get_layers(struct store *s, const char *id, struct image_layer **ret, size_t *ret_n, struct berr **err);
/* Reads and parses the image's config blob. */
int image_read_config(struct store *s, const char *id, struct image_config **ret, char **ret_raw, size_t *ret_len,
                      struct berr **err);
/* The number of images using each layer blob etc. for system df: total bytes of distinct layer blobs,
 * and of those not shared between images. */
int image_layer_usage(struct store *s, const char *id, uint64_t *ret_shared, uint64_t *ret_unique, struct berr **err);

/* A layer blob's diff_id and uncompressed size, reading it through its compression. */
int image_blob_diff_id(int fd, char *ret_diff_id, uint64_t *ret_size, struct berr **err);

/*
 * Creates an image from a config document and layers already in the store (blob_digest, diff_id,
 * media_type, blob_size, size of each): stores the config, writes a Docker v2 schema 2 manifest,
 * unpacks the layers into snapshots where the snapshot module is built, and records the image with
 * its tags. Returns the image ID in ret_id (owned).
 */
int image_create(struct store *s, const char *config, size_t config_len, const struct image_layer *layers, size_t n,
                 char *const *tags, char **ret_id, struct berr **err);

/* The changes `docker import --change` accepts, applied to a "config" object. */
int image_apply_change(struct json_object *config, const char *change, struct berr **err);

struct image_import_opts {
        char **changes;      /* Dockerfile instructions; may be NULL */
        const char *message; /* history comment; may be NULL */
        const char *source;  /* "-" or the file name, for the default comment */
        char **tags;         /* normalised; may be NULL */
};
/* docker import: the tarball read from fd (plain, gzip or zstd) becomes the single layer of a new image. */
int image_import(struct store *s, int fd, const struct image_import_opts *opts, char **ret_id, struct berr **err);

/* A busybox image from a static busybox binary (Debian's busybox-static): /bin/busybox, a symlink for
 * each applet of `busybox --list-full`, /etc/passwd and /etc/group with root and nobody, /tmp, /root,
 * /home. Every mtime and the creation time are the binary's mtime, so the same binary always gives
 * the same image ID. */
#define BUSYBOX_DEFAULT_PATH "/bin/busybox"
#define BUSYBOX_APPLETS_MAX  2048
int busybox_image_create(struct store *s, const char *busybox_path, const char *tag, char **ret_id, struct berr **err);

/* docker's image inspect document (Engine API ImageInspect) for an image. Owned. */
int image_inspect_json(struct store *s, const char *id, struct json_object **ret, struct berr **err);
/* Bytes of the layers used by more than one image, each counted once (system df). */
uint64_t image_shared_layers_size(struct store *s);

/* Records that holder (a container ID) uses the image, so rmi and prune keep it; idempotent.
 * ENOENT when the image does not exist. */
int image_hold(struct store *s, const char *id, const char *holder, struct berr **err);
/* Drops the hold; absent is fine. */
int image_release(struct store *s, const char *id, const char *holder, struct berr **err);

/* Makes sure every layer of the image is unpacked (snapshots are a cache of the blobs: a crash or a
 * concurrent rmi may have removed one) and returns the top chain ID (owned; NULL for an image
 * without layers): what the engine mounts for a container. */
int image_ensure_snapshots(struct store *s, const char *id, char **ret_top, struct berr **err);
