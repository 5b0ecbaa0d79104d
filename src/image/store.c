/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The content store: the root directory, its blobs and its database handle.
 * Blobs are immutable and named by their digest; this file guarantees that a
 * name always matches its content (hash while writing, link or rename only
 * after the check). What the blobs mean (images, manifests, layers) and when
 * they may be deleted is image.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/db.h"
#include "image/image-internal.h"
#include "image/store.h"
#ifdef HAVE_SNAPSHOT
#include "image/snapshot.h"
#endif
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

struct blob_writer {
        struct store *store; /* borrowed */
        struct digester *hash;
        struct digest expected;
        bool has_expected;
        bool finished;
        bool committed;
        uint64_t max;
        uint64_t size;
        int fd;
        char *tmp_name;                 /* named temporary file when O_TMPFILE is unsupported; owned */
        char digest[DIGEST_STRING_MAX]; /* valid once finished */
};

static int open_dir_at(int dirfd, const char *path, struct berr **err)
{
        int fd;

        if (mkdir_parents_at(dirfd, path, 0700, err) < 0)
                return berr_wrap(err, "create '%s'", path);
        fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open '%s'", path);
        return fd;
}

int store_open(const char *root, const char *runroot, struct store **ret, struct berr **err)
{
        _cleanup_(store_closep) struct store *s = xzalloc(sizeof(*s));
        _cleanup_free_ char *dbpath = NULL;
        int r;

        s->root_fd = s->blobs_fd = s->tmp_fd = -1;
        if (mkdir_parents_at(AT_FDCWD, root, 0700, err) < 0)
                return berr_wrap(err, "create root '%s'", root);
        s->root = realpath(root, NULL);
        if (!s->root)
                return berr_sys(err, "resolve root '%s'", root);
        s->runroot = xstrdup(runroot);
        s->root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return berr_sys(err, "open root '%s'", s->root);
        s->blobs_fd = open_dir_at(s->root_fd, "blobs/sha256", err);
        if (s->blobs_fd < 0)
                return s->blobs_fd;
        s->tmp_fd = open_dir_at(s->root_fd, "tmp", err);
        if (s->tmp_fd < 0)
                return s->tmp_fd;
        dbpath = path_join(s->root, STORE_DB_NAME);
        r = db_open(dbpath, &s->db, err);
        if (r < 0)
                return r;
        r = db_migrate(s->db, "image", image_migrations, image_migrations_count, err);
        if (r < 0)
                return berr_wrap(err, "open store '%s'", s->root);
#ifdef HAVE_SNAPSHOT
        r = snapshot_store_open(s->root, &s->snapshots, err);
        if (r < 0)
                return berr_wrap(err, "open store '%s'", s->root);
#endif
        *ret = TAKE_PTR(s);
        return 0;
}

struct store *store_close(struct store *s)
{
        if (!s)
                return NULL;
        db_close(s->db);
#ifdef HAVE_SNAPSHOT
        snapshot_store_free(s->snapshots);
#endif
        safe_close(s->root_fd);
        safe_close(s->blobs_fd);
        safe_close(s->tmp_fd);
        free(s->root);
        free(s->runroot);
        free(s);
        return NULL;
}

/* Anonymous file first (nothing can be left behind by a crash); a named temporary file where
 * the file system lacks O_TMPFILE. */
static int open_tmp(struct blob_writer *w, struct berr **err)
{
        w->fd = openat(w->store->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
        if (w->fd >= 0)
                return 0;
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return berr_sys(err, "create temporary blob file");
        for (int i = 0; i < 100; i++) {
                free(w->tmp_name);
                w->tmp_name = xasprintf("blob-%d-%lx-%d", (int)getpid(), (unsigned long)(uintptr_t)w, i);
                w->fd = openat(w->store->tmp_fd, w->tmp_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
                if (w->fd >= 0)
                        return 0;
                if (errno != EEXIST)
                        break;
        }
        w->tmp_name = (free(w->tmp_name), NULL);
        return berr_sys(err, "create temporary blob file");
}

int blob_writer_new(struct store *s, const char *expected, uint64_t max, struct blob_writer **ret, struct berr **err)
{
        _cleanup_(blob_writer_freep) struct blob_writer *w = xzalloc(sizeof(*w));
        int r;

        w->store = s;
        w->fd = -1;
        w->max = max;
        if (expected) {
                r = digest_parse(expected, &w->expected, err);
                if (r < 0)
                        return r;
                w->has_expected = true;
        }
        w->hash = digester_new(w->has_expected ? w->expected.algo : DIGEST_SHA256);
        r = open_tmp(w, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t len, struct berr **err)
{
        if (w->finished)
                return berr_set(err, EINVAL, "blob already finished");
        if (w->max && (w->size + len > w->max || w->size + len < w->size))
                return berr_set(err, EFBIG, "blob larger than the limit of %llu bytes", (unsigned long long)w->max);
        if (write_all(w->fd, buf, len) < 0)
                return berr_sys(err, "write blob");
        digester_update(w->hash, buf, len);
        w->size += len;
        return 0;
}

int blob_writer_finish(struct blob_writer *w, struct berr **err)
{
        struct digest d;
        char want[DIGEST_STRING_MAX];

        if (w->finished)
                return 0;
        digester_final(w->hash, &d);
        digest_format(&d, w->digest);
        if (w->has_expected && !streq(d.hex, w->expected.hex))
                return berr_set(err, EILSEQ, "digest mismatch: content is %s, expected %s", w->digest,
                                digest_format(&w->expected, want));
        w->finished = true;
        return 0;
}

const char *blob_writer_digest(const struct blob_writer *w)
{
        return w->finished ? w->digest : NULL;
}

uint64_t blob_writer_size(const struct blob_writer *w)
{
        return w->size;
}

int blob_writer_fd(const struct blob_writer *w)
{
        return w->fd;
}

int blob_writer_commit(struct blob_writer *w, struct berr **err)
{
        const char *hex;
        char proc[64];
        int r;

        r = blob_writer_finish(w, err);
        if (r < 0)
                return r;
        if (w->committed)
                return 0;
        if (!startswith(w->digest, "sha256:"))
                return berr_set(err, EINVAL, "only sha256 blobs can be stored, not %s", w->digest);
        hex = w->digest + strlen("sha256:");
        /* Data first, name second: after a crash the name never points at unwritten blocks. */
        if (fsync(w->fd) < 0)
                return berr_sys(err, "sync blob %s", w->digest);
        if (fchmod(w->fd, 0644) < 0)
                return berr_sys(err, "chmod blob %s", w->digest);
        if (w->tmp_name) {
                /* rename(2) replaces an existing blob atomically; its content is the same. */
                if (renameat(w->store->tmp_fd, w->tmp_name, w->store->blobs_fd, hex) < 0)
                        return berr_sys(err, "store blob %s", w->digest);
                w->tmp_name = (free(w->tmp_name), NULL);
                w->committed = true;
                return 1;
        }
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->fd);
        if (linkat(AT_FDCWD, proc, w->store->blobs_fd, hex, AT_SYMLINK_FOLLOW) < 0) {
                if (errno == EEXIST) {
                        /* Another writer stored the same digest first: same content, we are done. */
                        w->committed = true;
                        return 0;
                }
                return berr_sys(err, "store blob %s", w->digest);
        }
        w->committed = true;
        return 1;
}

struct blob_writer *blob_writer_free(struct blob_writer *w)
{
        if (!w)
                return NULL;
        if (w->tmp_name)
                (void)unlinkat(w->store->tmp_fd, w->tmp_name, 0); /* best effort: a stray temp file is harmless */
        safe_close(w->fd);
        digester_free(w->hash);
        free(w->tmp_name);
        free(w);
        return NULL;
}

int store_blob_put(struct store *s, const void *data, size_t len, const char *expected, char *ret_digest,
                   struct berr **err)
{
        _cleanup_(blob_writer_freep) struct blob_writer *w = NULL;
        int r;

        r = blob_writer_new(s, expected, 0, &w, err);
        if (r < 0)
                return r;
        r = blob_writer_write(w, data, len, err);
        if (r < 0)
                return r;
        r = blob_writer_commit(w, err);
        if (r < 0)
                return r;
        if (ret_digest)
                memcpy(ret_digest, w->digest, DIGEST_STRING_MAX);
        return r;
}

int store_blob_put_fd(struct store *s, int fd, const char *expected, uint64_t max, char *ret_digest, uint64_t *ret_size,
                      struct berr **err)
{
        _cleanup_(blob_writer_freep) struct blob_writer *w = NULL;
        _cleanup_free_ char *buf = xmalloc(1 << 17);
        int r;

        r = blob_writer_new(s, expected, max, &w, err);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t n = read(fd, buf, 1 << 17);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_sys(err, "read blob content");
                if (n == 0)
                        break;
                r = blob_writer_write(w, buf, (size_t)n, err);
                if (r < 0)
                        return r;
        }
        r = blob_writer_commit(w, err);
        if (r < 0)
                return r;
        if (ret_digest)
                memcpy(ret_digest, w->digest, DIGEST_STRING_MAX);
        if (ret_size)
                *ret_size = w->size;
        return r;
}

static const char *blob_hex(const char *digest)
{
        return digest_is_sha256(digest) ? digest + strlen("sha256:") : NULL;
}

int store_blob_exists(struct store *s, const char *digest)
{
        const char *hex = blob_hex(digest);

        return hex && faccessat(s->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_blob_open(struct store *s, const char *digest, struct berr **err)
{
        const char *hex = blob_hex(digest);
        int fd;

        if (!hex)
                return berr_set(err, EINVAL, "invalid blob digest '%s'", digest);
        fd = openat(s->blobs_fd, hex, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
                return berr_set(err, ENOENT, "blob %s not found in the store", digest);
        if (fd < 0)
                return berr_sys(err, "open blob %s", digest);
        return fd;
}

int store_blob_read(struct store *s, const char *digest, size_t max, char **ret, size_t *ret_len, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        char actual[DIGEST_STRING_MAX];
        size_t len;
        int r;

        fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        r = read_all(fd, max, &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "read blob %s", digest);
        if (!streq(digest_sha256_buf(data, len, actual), digest))
                return berr_set(err, EILSEQ, "blob %s is corrupt: content is %s", digest, actual);
        *ret = TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int store_blob_size(struct store *s, const char *digest, uint64_t *ret, struct berr **err)
{
        const char *hex = blob_hex(digest);
        struct stat st;

        if (!hex)
                return berr_set(err, EINVAL, "invalid blob digest '%s'", digest);
        if (fstatat(s->blobs_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? berr_set(err, ENOENT, "blob %s not found in the store", digest)
                                       : berr_sys(err, "stat blob %s", digest);
        *ret = (uint64_t)st.st_size;
        return 0;
}

int store_blob_remove(struct store *s, const char *digest, struct berr **err)
{
        const char *hex = blob_hex(digest);

        if (!hex)
                return berr_set(err, EINVAL, "invalid blob digest '%s'", digest);
        if (unlinkat(s->blobs_fd, hex, 0) < 0 && errno != ENOENT)
                return berr_sys(err, "remove blob %s", digest);
        return 0;
}
