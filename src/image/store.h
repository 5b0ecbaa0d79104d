/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The store of a Berth root directory:
 *
 *   <root>/berth.db           metadata (image/db.h), tables created by image.c and later modules
 *   <root>/blobs/sha256/<hex> content-addressed blobs: configs, manifests, layer tarballs
 *   <root>/layers/            unpacked layer snapshots keyed by chain ID (image/snapshot.h)
 *   <root>/tmp/               temporary files, on the same file system so that rename is atomic
 *
 * A blob is written to an anonymous (O_TMPFILE) or temporary file while its
 * digest is computed, checked against the expected digest, and only then
 * linked under blobs/sha256/<hex>: a half-written or wrong blob never exists
 * under a digest. Two writers of the same blob both succeed; the content is
 * the same by construction.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"

struct berr;
struct db;
struct snapshot_store;

#define STORE_DEFAULT_ROOT    "/var/lib/berth"
#define STORE_DEFAULT_RUNROOT "/run/berth"
#define STORE_DB_NAME         "berth.db"

struct store {
        char *root;    /* absolute path; owned */
        char *runroot; /* owned; may be NULL */
        int root_fd;
        int blobs_fd;                     /* <root>/blobs/sha256 */
        int tmp_fd;                       /* <root>/tmp */
        struct db *db;                    /* owned */
        struct snapshot_store *snapshots; /* owned; NULL where the snapshot module is not built */
};

/* Opens (creating) the store at root and brings the image tables up to date. */
int store_open(const char *root, const char *runroot, struct store **ret, struct berr **err);
struct store *store_close(struct store *s);
static inline void store_closep(struct store **p)
{
        if (*p)
                store_close(*p);
}

/* A blob being written. */
struct blob_writer;
/* expected: the digest the content must have, or NULL to accept any (the digest is then learnt
 * at finish). max: refuse content longer than this (0: no limit). */
int blob_writer_new(struct store *s, const char *expected, uint64_t max, struct blob_writer **ret, struct berr **err);
int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, struct berr **err);
/* Ends the content, computes and checks the digest (EILSEQ on mismatch). The blob is not yet
 * visible; the data can be read back with blob_writer_fd(). */
int blob_writer_finish(struct blob_writer *w, struct berr **err);
/* Borrowed: the digest (after finish), the size, and a readable fd of the content. */
const char *blob_writer_digest(const struct blob_writer *w);
uint64_t blob_writer_size(const struct blob_writer *w);
int blob_writer_fd(const struct blob_writer *w);
/* Makes the finished blob visible under its digest (finishing it first if needed). Returns 1 when
 * it was created, 0 when the store had it already. */
int blob_writer_commit(struct blob_writer *w, struct berr **err);
/* Discards an uncommitted blob; accepts NULL; returns NULL. */
struct blob_writer *blob_writer_free(struct blob_writer *w);
static inline void blob_writer_freep(struct blob_writer **p)
{
        if (*p)
                blob_writer_free(*p);
}

/* Stores a buffer; ret_digest (DIGEST_STRING_MAX bytes) may be NULL. Returns 1 if created. */
int store_blob_put(struct store *s, const void *data, size_t len, const char *expected, char *ret_digest,
                   struct berr **err);
/* Stores everything readable from fd (at most max bytes, 0: no limit). Returns 1 if created. */
int store_blob_put_fd(struct store *s, int fd, const char *expected, uint64_t max, char *ret_digest, uint64_t *ret_size,
                      struct berr **err);
/* 1 when present, 0 when not (invalid digests are simply absent). */
int store_blob_exists(struct store *s, const char *digest);
/* Opens a blob read-only; -ENOENT with an error naming the digest when absent. */
int store_blob_open(struct store *s, const char *digest, struct berr **err);
/* Reads a whole blob (at most max bytes) and checks its digest again. */
int store_blob_read(struct store *s, const char *digest, size_t max, char **ret, size_t *ret_len, struct berr **err);
/* Size of a blob, or -ENOENT. */
int store_blob_size(struct store *s, const char *digest, uint64_t *ret, struct berr **err);
/* Removes a blob; absent is fine. */
int store_blob_remove(struct store *s, const char *digest, struct berr **err);
