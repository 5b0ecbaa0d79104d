/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The files of an archive being loaded, read in one streaming pass: small
 * ones (JSON documents) in memory, large ones (layers) into uncommitted blob
 * writers, links kept as names. Lookup follows links inside the archive only.
 */

#include <stddef.h>
#include <stdint.h>

#include "image/archive.h"
#include "image/store.h"
#include "lib/digest.h"

struct json_object;
struct image_load_result;

struct arc_file {
        char *name; /* cleaned relative path; owned */
        char *link; /* symlink or hardlink target, cleaned relative path; owned */
        char *data; /* small file content; owned */
        size_t len;
        struct blob_writer *w; /* large file; owned, finished */
        uint64_t size;
        char digest[DIGEST_STRING_MAX];
        bool created; /* committed by this load (removed again on failure) */
};

struct arc {
        struct arc_file *files;
        size_t n;
        size_t memory;
        char **created_blobs;                  /* digests this load added to the store */
        const struct image_progress *progress; /* borrowed, may be NULL */
};

int arc_read_tar(struct store *s, int fd, struct arc *a, struct berr **err);
int arc_read_dir(struct store *s, int dirfd, struct arc *a, struct berr **err);
void arc_clear(struct arc *a);
/* Follows links; NULL when absent or a link loop. Borrowed. */
struct arc_file *arc_lookup(struct arc *a, const char *name);
/* Parses a small JSON file of the archive; ENOENT/EINVAL errors name it. */
int arc_read_json(struct arc *a, const char *name, struct json_object **ret, struct berr **err);
/* Commits a file as a blob; expected (may be NULL) must match its digest. */
int arc_commit(struct store *s, struct arc *a, struct arc_file *f, const char *expected, struct berr **err);
/* The diff_id and uncompressed size of a layer file. */
int arc_diff_id(struct arc_file *f, char *ret_diff_id, uint64_t *ret_size, struct berr **err);
/* Removes blobs this load created (on failure). */
void arc_rollback(struct store *s, struct arc *a);

/* One image to bring in: its files in the archive and how to name it. */
struct load_image {
        struct arc_file *config;
        struct arc_file *manifest; /* may be NULL: a docker v2 schema 2 manifest is made */
        const char *manifest_media_type;
        struct arc_file **layers; /* n_layers */
        char **layer_media_types; /* may be NULL: from the compression */
        size_t n_layers;
        char **tags; /* normalised, may be NULL */
        /* Filled by load_image_check(): */
        char **diff_ids; /* owned strv */
        uint64_t *sizes; /* owned, uncompressed sizes */
        bool *deferred;  /* owned: diff_id checked by the unpack (saves a decompression) */
        char *created;   /* owned */
};
void load_image_clear(struct load_image *li);

/* Checks everything (config, diff_ids, digests) before anything is committed. */
int load_image_check(struct store *s, struct load_image *li, struct berr **err);
/* Commits the blobs and records the image. */
int load_image_commit(struct store *s, struct arc *a, struct load_image *li, char **ret_id, struct berr **err);

/* Checks all, then commits all, reporting each image in res. */
int load_images(struct store *s, struct arc *a, struct load_image *lis, size_t n, struct image_load_result *res,
                struct berr **err);
int docker_archive_load(struct store *s, struct arc *a, struct image_load_result *res, struct berr **err);
int oci_layout_load(struct store *s, struct arc *a, struct image_load_result *res, struct berr **err);
