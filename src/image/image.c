/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image records: the image tables of the database and the operations docker
 * users know (list, tag, rmi, prune), on top of the blob store. Reference
 * counts of layers are counts of images using them; a layer, and any blob
 * nothing refers to any more, is deleted when the last image using it goes.
 * Blob removal happens inside the write transaction so that a concurrent
 * image_add() either sees the blob gone and fails, or keeps it referenced.
 * Unpacking layers into snapshots is snapshot.c's; the formats that bring
 * images in and out are docker-archive.c, oci-layout.c, import.c.
 */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/db.h"
#include "image/image-internal.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#ifdef HAVE_SNAPSHOT
#include "image/snapshot.h"
#endif
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"

const struct db_migration image_migrations[] = {
        {1, "CREATE TABLE images ("
            "  id TEXT PRIMARY KEY," /* sha256 of the config blob */
            "  created TEXT,"        /* config 'created' */
            "  created_secs INTEGER NOT NULL DEFAULT 0,"
            "  size INTEGER NOT NULL," /* uncompressed layers */
            "  added INTEGER NOT NULL,"
            "  manifest_digest TEXT);"
            "CREATE TABLE manifests ("
            "  digest TEXT PRIMARY KEY,"
            "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
            "  media_type TEXT NOT NULL,"
            "  size INTEGER NOT NULL);"
            "CREATE INDEX manifests_image ON manifests(image_id);"
            "CREATE TABLE tags ("
            "  name TEXT PRIMARY KEY," /* normalised name:tag */
            "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
            "  added INTEGER NOT NULL);"
            "CREATE INDEX tags_image ON tags(image_id);"
            "CREATE TABLE layers ("
            "  chain_id TEXT PRIMARY KEY,"
            "  diff_id TEXT NOT NULL,"
            "  parent TEXT REFERENCES layers(chain_id),"
            "  blob_digest TEXT NOT NULL,"
            "  media_type TEXT NOT NULL,"
            "  blob_size INTEGER NOT NULL,"
            "  size INTEGER NOT NULL,"
            "  refcount INTEGER NOT NULL DEFAULT 0 CHECK (refcount >= 0));"
            "CREATE INDEX layers_blob ON layers(blob_digest);"
            "CREATE TABLE image_layers ("
            "  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
            "  position INTEGER NOT NULL,"
            "  chain_id TEXT NOT NULL REFERENCES layers(chain_id),"
            "  blob_digest TEXT NOT NULL,"
            "  media_type TEXT NOT NULL,"
            "  blob_size INTEGER NOT NULL,"
            "  PRIMARY KEY (image_id, position));"
            "CREATE INDEX image_layers_chain ON image_layers(chain_id);"
            /* Users of images outside this module (the engine's containers). No cascade: the
             * database itself refuses to delete a held image. */
            "CREATE TABLE image_holds ("
            "  image_id TEXT NOT NULL REFERENCES images(id),"
            "  holder TEXT NOT NULL,"
            "  PRIMARY KEY (image_id, holder));"},
};
const size_t image_migrations_count = ELEMENTSOF(image_migrations);

static char *col_dup(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);

        return t ? xstrdup((const char *)t) : NULL;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, i);
}

/* Prepares a statement and binds its text parameters (the NULL-terminated list ap). */
static int prepare_args(struct store *s, const char *sql, sqlite3_stmt **st, struct berr **err, va_list ap)
{
        const char *a;
        int r, i = 1;

        r = db_prepare(s->db, sql, st, err);
        if (r < 0)
                return r;
        while ((a = va_arg(ap, const char *)))
                bind_text(*st, i++, a);
        return 0;
}

/* Runs a statement with text parameters (NULL-terminated list) that returns no rows. */
static int exec_args(struct store *s, const char *sql, struct berr **err, ...)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        va_list ap;
        int r;

        va_start(ap, err);
        r = prepare_args(s, sql, &st, err, ap);
        va_end(ap);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s->db, err, "update");
        return sqlite3_changes(db_handle(s->db));
}

/* Counts rows of a one-column query with text parameters. */
static int count_args(struct store *s, const char *sql, struct berr **err, ...)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        va_list ap;
        int r;

        va_start(ap, err);
        r = prepare_args(s, sql, &st, err, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
                return sqlite3_column_int(st, 0);
        if (r == SQLITE_DONE)
                return 0;
        return db_error(s->db, err, "query");
}

void image_layers_free(struct image_layer *l, size_t n)
{
        if (!l)
                return;
        for (size_t i = 0; i < n; i++) {
                free(l[i].diff_id);
                free(l[i].chain_id);
                free(l[i].blob_digest);
                free(l[i].media_type);
        }
        free(l);
}

static int add_layer(struct store *s, const char *image_id, size_t pos, const struct image_layer *l,
                     const char *chain_id, const char *parent, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *il = NULL;
        int r;

        r = db_prepare(
                s->db,
                "INSERT INTO layers (chain_id, diff_id, parent, blob_digest, media_type, blob_size, size, refcount)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
                " ON CONFLICT(chain_id) DO UPDATE SET refcount = refcount + 1",
                &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, chain_id);
        bind_text(st, 2, l->diff_id);
        bind_text(st, 3, parent);
        bind_text(st, 4, l->blob_digest);
        bind_text(st, 5, l->media_type);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)l->blob_size);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)l->size);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s->db, err, "record layer");
        r = db_prepare(s->db,
                       "INSERT INTO image_layers (image_id, position, chain_id, blob_digest, media_type, blob_size)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       &il, err);
        if (r < 0)
                return r;
        bind_text(il, 1, image_id);
        sqlite3_bind_int64(il, 2, (sqlite3_int64)pos);
        bind_text(il, 3, chain_id);
        bind_text(il, 4, l->blob_digest);
        bind_text(il, 5, l->media_type);
        sqlite3_bind_int64(il, 6, (sqlite3_int64)l->blob_size);
        if (sqlite3_step(il) != SQLITE_DONE)
                return db_error(s->db, err, "record image layer");
        return 0;
}

static int check_blob(struct store *s, const char *digest, struct berr **err)
{
        if (!store_blob_exists(s, digest))
                return berr_set(err, EAGAIN, "blob %s vanished (removed concurrently?); try again", digest);
        return 0;
}

static int add_new_image(struct store *s, const struct image_add *a, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(strv_freep) char **diff_ids = xcalloc(a->n_layers + 1, sizeof(char *));
        _cleanup_(strv_freep) char **chains = NULL;
        uint64_t size = 0;
        int64_t secs = 0;
        int r;

        for (size_t i = 0; i < a->n_layers; i++) {
                diff_ids[i] = xstrdup(a->layers[i].diff_id);
                size += a->layers[i].size;
                r = check_blob(s, a->layers[i].blob_digest, err);
                if (r < 0)
                        return r;
        }
        chains = image_chain_ids(diff_ids, a->n_layers);
        if (a->created && parse_rfc3339(a->created, &secs) < 0)
                secs = 0;
        r = db_prepare(s->db,
                       "INSERT INTO images (id, created, created_secs, size, added, manifest_digest)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, a->config_digest);
        bind_text(st, 2, a->created);
        sqlite3_bind_int64(st, 3, secs);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)size);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
        bind_text(st, 6, a->manifest_digest);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s->db, err, "record image");
        for (size_t i = 0; i < a->n_layers; i++) {
                r = add_layer(s, a->config_digest, i, &a->layers[i], chains[i], i ? chains[i - 1] : NULL, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_manifest(struct store *s, const struct image_add *a, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = check_blob(s, a->manifest_digest, err);
        if (r < 0)
                return r;
        r = db_prepare(s->db,
                       "INSERT OR IGNORE INTO manifests (digest, image_id, media_type, size) VALUES (?, ?, ?, ?)", &st,
                       err);
        if (r < 0)
                return r;
        bind_text(st, 1, a->manifest_digest);
        bind_text(st, 2, a->config_digest);
        bind_text(st, 3, a->manifest_media_type ? a->manifest_media_type : MT_OCI_MANIFEST);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)a->manifest_size);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s->db, err, "record manifest");
        /* An image first stored without a manifest takes the first one it gets. */
        return exec_args(s, "UPDATE images SET manifest_digest = ? WHERE id = ? AND manifest_digest IS NULL", err,
                         a->manifest_digest, a->config_digest, NULL);
}

static int set_tag(struct store *s, const char *id, const char *tag, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(s->db,
                       "INSERT INTO tags (name, image_id, added) VALUES (?, ?, ?)"
                       " ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, added = excluded.added",
                       &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, tag);
        bind_text(st, 2, id);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(s->db, err, "record tag");
        return 0;
}

int image_add(struct store *s, const struct image_add *a, struct berr **err)
{
        int r;

        r = db_begin(s->db, err);
        if (r < 0)
                return r;
        r = check_blob(s, a->config_digest, err);
        if (r < 0)
                goto fail;
        r = count_args(s, "SELECT COUNT(*) FROM images WHERE id = ?", err, a->config_digest, NULL);
        if (r == 0)
                r = add_new_image(s, a, err);
        if (r >= 0 && a->manifest_digest)
                r = add_manifest(s, a, err);
        for (size_t i = 0; r >= 0 && a->tags && a->tags[i]; i++)
                r = set_tag(s, a->config_digest, a->tags[i], err);
        if (r < 0)
                goto fail;
        r = db_commit(s->db, err);
        if (r < 0)
                return berr_wrap(err, "store image %s", a->config_digest);
        return 0;
fail:
        db_rollback(s->db);
        return berr_wrap(err, "store image %s", a->config_digest);
}

void image_info_free(struct image_info *i)
{
        if (!i)
                return;
        free(i->id);
        free(i->created);
        free(i->manifest_digest);
        strv_free(i->tags);
        free(i);
}

static void image_info_clear(struct image_info *i)
{
        free(i->id);
        free(i->created);
        free(i->manifest_digest);
        strv_free(i->tags);
}

void image_infos_free(struct image_info *v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                image_info_clear(&v[i]);
        free(v);
}

#define INFO_SELECT                                                                                                    \
        "SELECT i.id, i.created, i.created_secs, i.size, i.manifest_digest, i.added,"                                  \
        " (SELECT COUNT(*) FROM image_layers l WHERE l.image_id = i.id),"                                              \
        " (SELECT COUNT(*) FROM image_holds h WHERE h.image_id = i.id),"                                               \
        " (SELECT group_concat(name, char(10)) FROM (SELECT name FROM tags t WHERE t.image_id = i.id ORDER BY name))"  \
        " FROM images i"

static void info_from_row(sqlite3_stmt *st, struct image_info *i)
{
        const unsigned char *tags;

        i->id = col_dup(st, 0);
        i->created = col_dup(st, 1);
        i->created_secs = sqlite3_column_int64(st, 2);
        i->size = (uint64_t)sqlite3_column_int64(st, 3);
        i->manifest_digest = col_dup(st, 4);
        i->added = sqlite3_column_int64(st, 5);
        i->n_layers = (size_t)sqlite3_column_int64(st, 6);
        i->n_holders = (size_t)sqlite3_column_int64(st, 7);
        tags = sqlite3_column_text(st, 8);
        i->tags = tags ? strv_split((const char *)tags, "\n") : xzalloc(sizeof(char *));
}

int image_list(struct store *s, struct image_info **ret, size_t *ret_n, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct image_info *v = NULL;
        size_t n = 0;
        int r;

        r = db_prepare(s->db, INFO_SELECT " ORDER BY i.created_secs DESC, i.added DESC, i.id", &st, err);
        if (r < 0)
                return r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                v = xreallocarray(v, n + 1, sizeof(*v));
                memset(&v[n], 0, sizeof(v[n]));
                info_from_row(st, &v[n++]);
        }
        if (r != SQLITE_DONE) {
                image_infos_free(v, n);
                return db_error(s->db, err, "list images");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int image_get(struct store *s, const char *id, struct image_info **ret, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct image_info *i;
        int r;

        r = db_prepare(s->db, INFO_SELECT " WHERE i.id = ?", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, id);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return db_error(s->db, err, "read image");
        i = xzalloc(sizeof(*i));
        info_from_row(st, i);
        *ret = i;
        return 1;
}

static int lookup_one(struct store *s, const char *sql, const char *arg, char **ret, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(s->db, sql, &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, arg);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return db_error(s->db, err, "look up image");
        *ret = col_dup(st, 0);
        return 1;
}

static bool is_hex_prefix(const char *s)
{
        size_t n = strlen(s);

        return n >= IMAGE_ID_PREFIX_MIN && n <= DIGEST_SHA256_HEX_LEN && strspn(s, "0123456789abcdef") == n;
}

static int resolve_prefix(struct store *s, const char *hex, char **ret_id, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *pattern = xasprintf("sha256:%s*", hex);
        char *found = NULL;
        int r;

        r = db_prepare(s->db, "SELECT id FROM images WHERE id GLOB ? LIMIT 2", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, pattern);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (found) {
                        free(found);
                        return berr_set(err, EINVAL, "image ID prefix '%s' is ambiguous", hex);
                }
                found = col_dup(st, 0);
        }
        if (r != SQLITE_DONE) {
                free(found);
                return db_error(s->db, err, "look up image");
        }
        if (!found)
                return 0;
        *ret_id = found;
        return 1;
}

int image_resolve(struct store *s, const char *what, char **ret_id, char **ret_tag, struct berr **err)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
        _cleanup_free_ char *full = NULL, *tag = NULL;
        const char *hex = startswith(what, "sha256:");
        int r;

        if (hex && !is_hex_prefix(hex))
                return berr_set(err, EINVAL, "invalid image ID '%s'", what);
        if (hex || (strlen(what) == DIGEST_SHA256_HEX_LEN && is_hex_prefix(what)))
                return resolve_prefix(s, hex ? hex : what, ret_id, err);
        r = image_ref_parse(what, &ref, err);
        if (r < 0) {
                /* Not a reference: it may still be a short ID. */
                if (is_hex_prefix(what)) {
                        berr_free(err ? *err : NULL);
                        if (err)
                                *err = NULL;
                        return resolve_prefix(s, what, ret_id, err);
                }
                return r;
        }
        if (ref->digest) {
                r = lookup_one(s, "SELECT image_id FROM manifests WHERE digest = ?", ref->digest, ret_id, err);
                if (r != 0)
                        return r;
        } else {
                tag = image_ref_name_tag(ref);
                r = lookup_one(s, "SELECT image_id FROM tags WHERE name = ?", tag, ret_id, err);
                if (r < 0)
                        return r;
                if (r > 0) {
                        if (ret_tag)
                                *ret_tag = TAKE_PTR(tag);
                        return 1;
                }
        }
        if (is_hex_prefix(what))
                return resolve_prefix(s, what, ret_id, err);
        return 0;
}

int image_tag(struct store *s, const char *id, const char *tag, struct berr **err)
{
        int r = set_tag(s, id, tag, err);

        return r < 0 ? berr_wrap(err, "tag '%s'", tag) : 0;
}

int image_untag(struct store *s, const char *tag, struct berr **err)
{
        return exec_args(s, "DELETE FROM tags WHERE name = ?", err, tag, NULL);
}

void image_remove_result_clear(struct image_remove_result *r)
{
        r->untagged = strv_free(r->untagged);
        r->deleted = strv_free(r->deleted);
}

static int blob_still_used(struct store *s, const char *digest, struct berr **err)
{
        return count_args(s,
                          "SELECT (SELECT COUNT(*) FROM images WHERE id = ?1) + (SELECT COUNT(*) FROM manifests WHERE "
                          "digest = ?1)"
                          " + (SELECT COUNT(*) FROM layers WHERE blob_digest = ?1)"
                          " + (SELECT COUNT(*) FROM image_layers WHERE blob_digest = ?1)",
                          err, digest, NULL);
}

static int remove_blob_if_unused(struct store *s, const char *digest, uint64_t *reclaimed, struct berr **err)
{
        uint64_t size = 0;
        int r;

        r = blob_still_used(s, digest, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (store_blob_size(s, digest, &size, NULL) < 0)
                return 0;
        r = store_blob_remove(s, digest, err);
        if (r < 0)
                return r;
        if (reclaimed)
                *reclaimed += size;
        return 0;
}

/* The unpacked copy of a layer nobody uses any more. */
static int remove_snapshot(struct store *s, const char *chain_id, struct berr **err)
{
#ifdef HAVE_SNAPSHOT
        if (s->snapshots)
                return snapshot_remove(s->snapshots, chain_id, err);
#endif
        return 0;
}

/* Deletes the image record, its layer references and the layers and blobs nobody uses any more.
 * Runs inside the caller's transaction. */
static int delete_image(struct store *s, const char *id, struct image_remove_result *res, uint64_t *reclaimed,
                        struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(strv_freep) char **chains = NULL, **blobs = NULL;
        int r;

        r = db_prepare(s->db,
                       "SELECT chain_id, blob_digest FROM image_layers WHERE image_id = ? ORDER BY position DESC", &st,
                       err);
        if (r < 0)
                return r;
        bind_text(st, 1, id);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                strv_push_take(&chains, col_dup(st, 0));
                strv_push_take(&blobs, col_dup(st, 1));
        }
        if (r != SQLITE_DONE)
                return db_error(s->db, err, "read image layers");
        {
                _cleanup_free_ char *m = NULL;
                if (lookup_one(s, "SELECT group_concat(digest, char(10)) FROM manifests WHERE image_id = ?", id, &m,
                               err) > 0 &&
                    m) {
                        _cleanup_(strv_freep) char **v = strv_split(m, "\n");
                        for (size_t i = 0; v && v[i]; i++)
                                strv_push(&blobs, v[i]);
                }
        }
        if ((r = exec_args(s, "DELETE FROM image_layers WHERE image_id = ?", err, id, NULL)) < 0 ||
            (r = exec_args(s, "DELETE FROM images WHERE id = ?", err, id, NULL)) < 0)
                return r;
        strv_push(&res->deleted, id);
        for (size_t i = 0; chains && chains[i]; i++) {
                r = exec_args(s, "UPDATE layers SET refcount = refcount - 1 WHERE chain_id = ?", err, chains[i], NULL);
                if (r < 0)
                        return r;
                r = exec_args(s, "DELETE FROM layers WHERE chain_id = ? AND refcount = 0", err, chains[i], NULL);
                if (r < 0)
                        return r;
                if (r > 0) {
                        strv_push(&res->deleted, chains[i]);
                        r = remove_snapshot(s, chains[i], err);
                        if (r < 0)
                                return r;
                }
        }
        strv_push(&blobs, id);
        for (size_t i = 0; blobs && blobs[i]; i++) {
                r = remove_blob_if_unused(s, blobs[i], reclaimed, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int holders_of(struct store *s, const char *id, char **ret_first, struct berr **err)
{
        int r = count_args(s, "SELECT COUNT(*) FROM image_holds WHERE image_id = ?", err, id, NULL);

        if (r > 0 && ret_first)
                (void)lookup_one(s, "SELECT holder FROM image_holds WHERE image_id = ? ORDER BY holder LIMIT 1", id,
                                 ret_first, NULL); /* only for the message */
        return r;
}

static char *short_id(const char *id)
{
        const char *hex = startswith(id, "sha256:");

        return xstrndup(hex ? hex : id, 12);
}

/* The distinct repository names (tags without ":tag") of an image. */
static size_t count_repositories(char **tags)
{
        _cleanup_(strv_freep) char **names = NULL;

        for (size_t i = 0; tags && tags[i]; i++) {
                _cleanup_free_ char *n = xstrdup(tags[i]);
                char *c = strrchr(n, ':');

                if (c && !strchr(c, '/'))
                        *c = 0;
                if (!strv_contains(names, n))
                        strv_push(&names, n);
        }
        return strv_length(names);
}

static int remove_locked(struct store *s, const char *id, const char *by_tag, bool force,
                         struct image_remove_result *res, struct berr **err)
{
        _cleanup_(image_info_freep) struct image_info *info = NULL;
        _cleanup_free_ char *holder = NULL, *sid = short_id(id);
        int r, held;

        r = image_get(s, id, &info, err);
        if (r <= 0)
                return r < 0 ? r : berr_set(err, ENOENT, "No such image: %s", by_tag ? by_tag : id);
        held = holders_of(s, id, &holder, err);
        if (held < 0)
                return held;
        if (by_tag) {
                /* Untag; the image goes with its last tag unless a container holds it (then, without
                 * force, the tag stays too, as docker does). */
                if (!force && strv_length(info->tags) <= 1 && held > 0) {
                        _cleanup_free_ char *fam = image_ref_familiarize(by_tag);
                        return berr_set(err, EBUSY,
                                        "conflict: unable to remove repository reference \"%s\" (must force) - "
                                        "container %s is using its referenced image %s",
                                        fam, holder ? holder : "?", sid);
                }
                r = image_untag(s, by_tag, err);
                if (r < 0)
                        return r;
                strv_push(&res->untagged, by_tag);
                if (strv_length(info->tags) > 1 || held > 0)
                        return 0;
                return delete_image(s, id, res, NULL, err);
        }
        if (!force && held > 0)
                return berr_set(err, EBUSY,
                                "conflict: unable to delete %s (must be forced) - image is being used by container %s",
                                sid, holder ? holder : "?");
        if (!force && count_repositories(info->tags) > 1)
                return berr_set(
                        err, EBUSY,
                        "conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories",
                        sid);
        for (size_t i = 0; info->tags[i]; i++) {
                r = image_untag(s, info->tags[i], err);
                if (r < 0)
                        return r;
                strv_push(&res->untagged, info->tags[i]);
        }
        if (held > 0)
                return 0; /* forced: untagged, kept for the containers that use it */
        return delete_image(s, id, res, NULL, err);
}

int image_remove(struct store *s, const char *id, const char *by_tag, bool force, struct image_remove_result *res,
                 struct berr **err)
{
        int r;

        r = db_begin(s->db, err);
        if (r < 0)
                return r;
        r = remove_locked(s, id, by_tag, force, res, err);
        if (r < 0) {
                db_rollback(s->db);
                return r;
        }
        return db_commit(s->db, err);
}

int image_prune(struct store *s, bool all, struct image_remove_result *res, uint64_t *ret_reclaimed, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(strv_freep) char **ids = NULL;
        uint64_t reclaimed = 0;
        int r;

        r = db_begin(s->db, err);
        if (r < 0)
                return r;
        r = db_prepare(
                s->db,
                all ? "SELECT id FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_holds h WHERE h.image_id = i.id)"
                    : "SELECT id FROM images i WHERE NOT EXISTS (SELECT 1 FROM image_holds h WHERE h.image_id = i.id)"
                      " AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.image_id = i.id)",
                &st, err);
        if (r < 0)
                goto fail;
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                strv_push_take(&ids, col_dup(st, 0));
        if (r != SQLITE_DONE) {
                r = db_error(s->db, err, "list images to prune");
                goto fail;
        }
        for (size_t i = 0; ids && ids[i]; i++) {
                _cleanup_(strv_freep) char **tags = NULL;
                _cleanup_(image_info_freep) struct image_info *info = NULL;

                r = image_get(s, ids[i], &info, err);
                if (r < 0)
                        goto fail;
                for (size_t k = 0; info && info->tags[k]; k++) {
                        r = image_untag(s, info->tags[k], err);
                        if (r < 0)
                                goto fail;
                        strv_push(&res->untagged, info->tags[k]);
                }
                r = delete_image(s, ids[i], res, &reclaimed, err);
                if (r < 0)
                        goto fail;
        }
        r = db_commit(s->db, err);
        if (r < 0)
                return r;
        if (ret_reclaimed)
                *ret_reclaimed = reclaimed;
        return 0;
fail:
        db_rollback(s->db);
        return r;
}

int image_get_layers(struct store *s, const char *id, struct image_layer **ret, size_t *ret_n, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct image_layer *v = NULL;
        size_t n = 0;
        int r;

        r = db_prepare(s->db,
                       "SELECT l.diff_id, il.chain_id, il.blob_digest, il.media_type, il.blob_size, l.size"
                       " FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id"
                       " WHERE il.image_id = ? ORDER BY il.position",
                       &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, id);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                v = xreallocarray(v, n + 1, sizeof(*v));
                v[n].diff_id = col_dup(st, 0);
                v[n].chain_id = col_dup(st, 1);
                v[n].blob_digest = col_dup(st, 2);
                v[n].media_type = col_dup(st, 3);
                v[n].blob_size = (uint64_t)sqlite3_column_int64(st, 4);
                v[n].size = (uint64_t)sqlite3_column_int64(st, 5);
                n++;
        }
        if (r != SQLITE_DONE) {
                image_layers_free(v, n);
                return db_error(s->db, err, "read image layers");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int image_read_config(struct store *s, const char *id, struct image_config **ret, char **ret_raw, size_t *ret_len,
                      struct berr **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        r = store_blob_read(s, id, CONFIG_MAX_BYTES, &data, &len, err);
        if (r < 0)
                return r;
        if (ret) {
                r = image_config_parse(data, len, ret, err);
                if (r < 0)
                        return r;
        }
        if (ret_raw)
                *ret_raw = TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int image_layer_usage(struct store *s, const char *id, uint64_t *ret_shared, uint64_t *ret_unique, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        uint64_t shared = 0, unique = 0;
        int r;

        r = db_prepare(
                s->db,
                "SELECT l.size, (SELECT COUNT(DISTINCT o.image_id) FROM image_layers o WHERE o.chain_id = il.chain_id)"
                " FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id WHERE il.image_id = ?",
                &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, id);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                uint64_t size = (uint64_t)sqlite3_column_int64(st, 0);
                if (sqlite3_column_int64(st, 1) > 1)
                        shared += size;
                else
                        unique += size;
        }
        if (r != SQLITE_DONE)
                return db_error(s->db, err, "read layer usage");
        *ret_shared = shared;
        *ret_unique = unique;
        return 0;
}

/* Reads through gzip or zstd with libarchive's "raw" format (one pseudo-entry holding the
 * decompressed stream): a mature decoder of both, already a dependency. */
int image_blob_diff_id(int fd, char *ret_diff_id, uint64_t *ret_size, struct berr **err)
{
        unsigned char head[4];
        ssize_t n = pread(fd, head, sizeof(head), 0);
        struct archive *a = NULL;
        struct archive_entry *e;
        _cleanup_(digester_freep) struct digester *h = NULL;
        _cleanup_free_ char *buf = NULL;
        uint64_t total = 0;
        struct digest d;
        int r = 0;

        if (n < 0)
                return berr_sys(err, "read layer");
        if (blob_detect_compression(head, (size_t)n) == BLOB_PLAIN) {
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return berr_sys(err, "seek layer");
                return digest_sha256_fd(fd, ret_diff_id, ret_size, err);
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berr_sys(err, "seek layer");
        a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_format_raw(a);
        if (archive_read_open_fd(a, fd, 1 << 17) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
                r = berr_set(err, EINVAL, "decompress layer: %s", archive_error_string(a) ?: "unknown error");
                goto out;
        }
        h = digester_new(DIGEST_SHA256);
        buf = xmalloc(1 << 17);
        for (;;) {
                la_ssize_t k = archive_read_data(a, buf, 1 << 17);

                if (k < 0) {
                        r = berr_set(err, EINVAL, "decompress layer: %s", archive_error_string(a) ?: "corrupt data");
                        goto out;
                }
                if (k == 0)
                        break;
                digester_update(h, buf, (size_t)k);
                total += (uint64_t)k;
        }
        digester_final(h, &d);
        digest_format(&d, ret_diff_id);
        if (ret_size)
                *ret_size = total;
out:
        archive_read_free(a);
        return r;
}

static struct json_object *copy_json(struct json_object *o)
{
        struct json_object *c = NULL;

        if (!o || json_object_deep_copy(o, &c, NULL) != 0)
                return json_new_object();
        return c;
}

int image_inspect_json(struct store *s, const char *id, struct json_object **ret, struct berr **err)
{
        _cleanup_(image_info_freep) struct image_info *info = NULL;
        _cleanup_(image_config_freep) struct image_config *cfg = NULL;
        struct json_object *o, *tags, *digests, *layers, *rootfs, *meta, *gd, *gdd;
        const char *comment = NULL;
        int r;

        r = image_get(s, id, &info, err);
        if (r <= 0)
                return r < 0 ? r : berr_set(err, ENOENT, "No such image: %s", id);
        r = image_read_config(s, id, &cfg, NULL, NULL, err);
        if (r < 0)
                return r;
        o = json_new_object();
        json_add_string(o, "Id", id);
        tags = json_new_array();
        for (size_t i = 0; info->tags[i]; i++) {
                _cleanup_free_ char *fam = image_ref_familiarize(info->tags[i]);
                json_append(tags, json_object_new_string(fam));
        }
        json_add(o, "RepoTags", tags);
        digests = json_new_array();
        json_add(o, "RepoDigests", digests);
        json_add_string(o, "Parent", "");
        (void)json_get_string(cfg->root, "comment", "comment", &comment, NULL);
        json_add_string(o, "Comment", comment ? comment : "");
        json_add_string(o, "Created", cfg->created ? cfg->created : "0001-01-01T00:00:00Z");
        json_add_string(o, "DockerVersion", "");
        json_add_string(o, "Author", cfg->author ? cfg->author : "");
        json_add(o, "Config", copy_json(cfg->config));
        json_add_string(o, "Architecture", cfg->architecture ? cfg->architecture : "");
        if (cfg->variant)
                json_add_string(o, "Variant", cfg->variant);
        json_add_string(o, "Os", cfg->os ? cfg->os : "");
        json_add_int(o, "Size", (int64_t)info->size);
        gd = json_new_object();
        gdd = json_new_object();
        json_add(gd, "Data", gdd);
        json_add_string(gd, "Name", "overlay");
        json_add(o, "GraphDriver", gd);
        rootfs = json_new_object();
        json_add_string(rootfs, "Type", "layers");
        layers = json_new_array();
        for (size_t i = 0; i < cfg->n_diff_ids; i++)
                json_append(layers, json_object_new_string(cfg->diff_ids[i]));
        json_add(rootfs, "Layers", layers);
        json_add(o, "RootFS", rootfs);
        meta = json_new_object();
        json_add_string(meta, "LastTagTime", "0001-01-01T00:00:00Z");
        json_add(o, "Metadata", meta);
        *ret = o;
        return 0;
}

uint64_t image_shared_layers_size(struct store *s)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (db_prepare(
                    s->db,
                    "SELECT COALESCE(SUM(size), 0) FROM layers l"
                    " WHERE (SELECT COUNT(DISTINCT image_id) FROM image_layers il WHERE il.chain_id = l.chain_id) > 1",
                    &st, NULL) < 0 ||
            sqlite3_step(st) != SQLITE_ROW)
                return 0;
        return (uint64_t)sqlite3_column_int64(st, 0);
}

int image_hold(struct store *s, const char *id, const char *holder, struct berr **err)
{
        int r = exec_args(s, "INSERT OR IGNORE INTO image_holds (image_id, holder) VALUES (?, ?)", err, id, holder,
                          NULL);

        if (r < 0 && berr_code(err ? *err : NULL) == EEXIST) {
                /* The foreign key failed: no such image. */
                berr_free(*err);
                *err = NULL;
                return berr_set(err, ENOENT, "No such image: %s", id);
        }
        return r < 0 ? r : 0;
}

int image_release(struct store *s, const char *id, const char *holder, struct berr **err)
{
        int r = exec_args(s, "DELETE FROM image_holds WHERE image_id = ? AND holder = ?", err, id, holder, NULL);

        return r < 0 ? r : 0;
}

int image_ensure_snapshots(struct store *s, const char *id, char **ret_top, struct berr **err)
{
        struct image_layer *layers = NULL;
        size_t n = 0;
        int r;

        r = image_get_layers(s, id, &layers, &n, err);
        if (r < 0)
                return r;
#ifdef HAVE_SNAPSHOT
        for (size_t i = 0; s->snapshots && i < n; i++) {
                _cleanup_close_ int fd = -1;
                char chain[LAYER_DIGEST_MAX];

                r = snapshot_exists(s->snapshots, layers[i].chain_id, err);
                if (r < 0)
                        goto out;
                if (r > 0)
                        continue;
                fd = store_blob_open(s, layers[i].blob_digest, err);
                if (fd < 0) {
                        r = fd;
                        goto out;
                }
                r = snapshot_unpack(s->snapshots, i ? layers[i - 1].chain_id : NULL, fd, layers[i].diff_id,
                                    layers[i].blob_digest, chain, NULL, err);
                if (r < 0)
                        goto out;
        }
#endif
        r = 0;
        if (ret_top)
                *ret_top = n ? xstrdup(layers[n - 1].chain_id) : NULL;
out:
        image_layers_free(layers, n);
        return r;
}
