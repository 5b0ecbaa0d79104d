/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Volumes of the "local" driver: the "volume" schema of the store's database,
 * the <root>/volumes/<name>/_data directories, the resolution of a
 * container's -v/--mount/image Volumes into its "BerthMounts" at create,
 * their first-use population from the image (copy-up keeping owners, modes,
 * times and symlinks) at start, and the OCI and inspect views of them.
 * Containers and their records are lifecycle.c's; this file only reads them.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/volume.h"
#include "image/db.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

#define COPY_BUF 65536

static const struct db_migration volume_migrations[] = {
        {1, "CREATE TABLE volumes ("
            "  name TEXT PRIMARY KEY,"
            "  created TEXT NOT NULL,"
            "  labels TEXT NOT NULL DEFAULT '{}',"
            "  anonymous INTEGER NOT NULL DEFAULT 0,"
            "  populated INTEGER NOT NULL DEFAULT 0);"},
};

static int volume_migrate(struct engine *e, struct berr **err)
{
        return db_migrate(e->db, "volume", volume_migrations, ELEMENTSOF(volume_migrations), err);
}

struct engine_volume *engine_volume_free(struct engine_volume *v)
{
        if (!v)
                return NULL;
        free(v->name);
        free(v->created);
        json_object_put(v->labels);
        free(v);
        return NULL;
}

void engine_volumes_free(struct engine_volume **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                engine_volume_free(v[i]);
        free(v);
}

int volume_name_validate(const char *name, struct berr **err)
{
        size_t n = strlen(name);

        if (n < 2 || n > VOLUME_NAME_MAX)
                goto bad;
        for (size_t i = 0; i < n; i++) {
                char ch = name[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                          (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
                if (!ok)
                        goto bad;
        }
        return 0;
bad:
        return berr_set(err, EINVAL,
                        "create %s: \"%s\" includes invalid characters for a local volume name, only "
                        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
                        "absolute path",
                        name, name);
}

char *engine_volume_path(const struct engine *e, const char *name)
{
        return xasprintf("%s/volumes/%s/_data", e->root, name);
}

static int volume_from_row(sqlite3_stmt *st, struct engine_volume **ret)
{
        _cleanup_(engine_volume_freep) struct engine_volume *v = xzalloc(sizeof(*v));
        const char *labels = (const char *)sqlite3_column_text(st, 2);

        v->name = xstrdup((const char *)sqlite3_column_text(st, 0));
        v->created = xstrdup((const char *)sqlite3_column_text(st, 1));
        if (!labels || json_parse_buf(labels, strlen(labels), &v->labels, NULL) < 0 ||
            !json_object_is_type(v->labels, json_type_object)) {
                json_object_put(v->labels);
                v->labels = json_new_object();
        }
        v->anonymous = sqlite3_column_int(st, 3) != 0;
        v->populated = sqlite3_column_int(st, 4) != 0;
        *ret = TAKE_PTR(v);
        return 0;
}

int engine_volume_get(struct engine *e, const char *name, struct engine_volume **ret, struct berr **err)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r;

        r = volume_migrate(e, err);
        if (r < 0)
                return r;
        r = db_prepare(e->db, "SELECT name, created, labels, anonymous, populated FROM volumes WHERE name = ?", &st,
                       err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return db_error(e->db, err, "get volume");
        if (ret)
                volume_from_row(st, ret);
        return 1;
}

int engine_volume_list(struct engine *e, struct engine_volume ***ret, size_t *ret_n, struct berr **err)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        struct engine_volume **v = NULL;
        size_t n = 0;
        int r;

        r = volume_migrate(e, err);
        if (r < 0)
                return r;
        r = db_prepare(e->db, "SELECT name, created, labels, anonymous, populated FROM volumes ORDER BY name", &st,
                       err);
        if (r < 0)
                return r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                v = xreallocarray(v, n + 1, sizeof(*v));
                volume_from_row(st, &v[n++]);
        }
        if (r != SQLITE_DONE) {
                engine_volumes_free(v, n);
                return db_error(e->db, err, "list volumes");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int engine_volume_create(struct engine *e, const char *name, struct json_object *labels, bool anonymous,
                         struct engine_volume **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *l = labels ? labels : json_new_object();
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_free_ char *gen = NULL, *path = NULL, *labels_text = NULL;
        char id[ENGINE_ID_LEN + 1], now[64];
        int r;

        if (!name) {
                engine_id_generate(id);
                name = gen = xstrdup(id);
        }
        r = volume_name_validate(name, err);
        if (r < 0)
                return r;
        r = engine_volume_get(e, name, ret, err);
        if (r != 0)
                return r < 0 ? r : 0;
        path = engine_volume_path(e, name);
        r = mkdir_parents_at(AT_FDCWD, path, 0755, err);
        if (r < 0)
                return berr_wrap(err, "create volume %s", name);
        labels_text = json_dump(l, false);
        r = db_prepare(e->db, "INSERT OR IGNORE INTO volumes (name, created, labels, anonymous) VALUES (?, ?, ?, ?)",
                       &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, engine_now(now, sizeof(now)), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, labels_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, anonymous);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(e->db, err, "create volume");
        if (ret && engine_volume_get(e, name, ret, err) <= 0)
                return berr_set(err, EIO, "create volume %s: not recorded", name);
        return 0;
}

static int set_populated(struct engine *e, const char *name, struct berr **err)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_prepare(e->db, "UPDATE volumes SET populated = 1 WHERE name = ?", &st, err);

        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(e->db, err, "update volume");
        return 0;
}

int engine_volume_users(struct engine *e, const char *name, char ***ret, struct berr **err)
{
        struct engine_container **v = NULL;
        char **ids = NULL;
        size_t n = 0;
        int r;

        r = engine_container_list(e, true, &v, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (volume_config_uses(v[i]->config, name))
                        strv_push(&ids, v[i]->id);
        engine_containers_free(v, n);
        *ret = ids;
        return 0;
}

int engine_volume_remove(struct engine *e, const char *name, bool force, struct berr **err)
{
        _cleanup_(engine_volume_freep) struct engine_volume *v = NULL;
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_(strv_freep) char **users = NULL;
        _cleanup_free_ char *dir = NULL, *joined = NULL;
        int r;

        r = engine_volume_get(e, name, &v, err);
        if (r < 0)
                return r;
        if (r == 0)
                return force ? 0 : berr_set(err, ENOENT, "get %s: no such volume", name);
        r = engine_volume_users(e, name, &users, err);
        if (r < 0)
                return r;
        if (users) {
                joined = strv_join(users, ", ");
                return berr_set(err, EBUSY, "remove %s: volume is in use - [%s]", name, joined);
        }
        r = db_prepare(e->db, "DELETE FROM volumes WHERE name = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(e->db, err, "remove volume");
        dir = xasprintf("%s/volumes/%s", e->root, name);
        return rm_rf_at(AT_FDCWD, dir, err);
}

struct json_object *engine_volume_inspect_json(const struct engine *e, const struct engine_volume *v)
{
        struct json_object *d = json_new_object();
        _cleanup_free_ char *path = engine_volume_path(e, v->name);

        json_add_string(d, "CreatedAt", v->created);
        json_add_string(d, "Driver", "local");
        json_add(d, "Labels", json_object_get(v->labels));
        json_add_string(d, "Mountpoint", path);
        json_add_string(d, "Name", v->name);
        json_add(d, "Options", json_new_object());
        json_add_string(d, "Scope", "local");
        return d;
}

/* ---- parsing ---- */

static bool valid_target(const char *t)
{
        return t && t[0] == '/' && !path_has_dotdot(t);
}

int volume_parse_bind(const char *spec, struct json_object **ret, struct berr **err)
{
        _cleanup_(strv_freep) char **p = strv_split(spec, ":");
        _cleanup_(json_object_putp) struct json_object *m = json_new_object();
        size_t n = strv_length(p);
        const char *src = "", *dst, *mode = NULL;
        bool ro = false;

        if (spec[0] == ':' || strstr(spec, "::") || endswith(spec, ":"))
                return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
        if (n == 1) {
                dst = p[0];
        } else if (n == 2 || n == 3) {
                src = p[0];
                dst = p[1];
                mode = n == 3 ? p[2] : NULL;
        } else {
                return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
        }
        if (!*src && n > 1)
                return berr_set(err, EINVAL, "invalid volume specification: '%s'", spec);
        if (!valid_target(dst))
                return berr_set(err, EINVAL,
                                "invalid volume specification: '%s': the destination must be an "
                                "absolute path",
                                spec);
        if (mode) {
                _cleanup_(strv_freep) char **o = strv_split(mode, ",");
                for (char **x = o; x && *x; x++) {
                        if (streq(*x, "ro"))
                                ro = true;
                        else if (!streq(*x, "rw") && !streq(*x, "z") && !streq(*x, "Z") && !streq(*x, "nocopy") &&
                                 !streq(*x, "rprivate"))
                                return berr_set(err, EINVAL, "invalid mode '%s' in volume '%s'", *x, spec);
                }
        }
        json_add_string(m, "Type", src[0] == '/' ? "bind" : "volume");
        json_add_string(m, "Source", src);
        json_add_string(m, "Target", dst);
        json_add_bool(m, "ReadOnly", ro);
        *ret = TAKE_PTR(m);
        return 0;
}

int volume_parse_mount(const char *spec, struct json_object **ret, struct berr **err)
{
        _cleanup_(strv_freep) char **fields = strv_split(spec, ",");
        _cleanup_(json_object_putp) struct json_object *m = json_new_object();
        const char *type = "volume", *src = "", *dst = NULL;
        bool ro = false;
        uint64_t size = 0;

        for (char **f = fields; f && *f; f++) {
                char *eq = strchr(*f, '=');
                const char *val = eq ? eq + 1 : NULL;
                size_t klen = eq ? (size_t)(eq - *f) : strlen(*f);
                _cleanup_free_ char *key = xstrndup(*f, klen);

                if (streq(key, "type") && val)
                        type = val;
                else if ((streq(key, "source") || streq(key, "src")) && val)
                        src = val;
                else if ((streq(key, "destination") || streq(key, "dst") || streq(key, "target")) && val)
                        dst = val;
                else if (streq(key, "readonly") || streq(key, "ro"))
                        ro = !val || streq(val, "true") || streq(val, "1");
                else if (streq(key, "tmpfs-size") && val) {
                        if (parse_size(val, &size) < 0)
                                return berr_set(err, EINVAL, "invalid tmpfs-size '%s' in mount '%s'", val, spec);
                } else if (!streq(key, "volume-nocopy") && !streq(key, "bind-propagation") &&
                           !streq(key, "consistency") && !streq(key, "tmpfs-mode"))
                        return berr_set(err, EINVAL, "unexpected key '%s' in '%s'", key, *f);
        }
        if (!streq(type, "volume") && !streq(type, "bind") && !streq(type, "tmpfs"))
                return berr_set(err, EINVAL, "invalid mount type '%s' in '%s': volume, bind or tmpfs", type, spec);
        if (!dst)
                return berr_set(err, EINVAL, "invalid argument \"%s\" for \"--mount\" flag: target is required", spec);
        if (!valid_target(dst))
                return berr_set(err, EINVAL, "invalid mount target '%s': must be an absolute path", dst);
        if (streq(type, "bind") && (src[0] != '/' || path_has_dotdot(src)))
                return berr_set(err, EINVAL,
                                "invalid mount config for type \"bind\": the source must be an absolute "
                                "path: '%s'",
                                src);
        if (streq(type, "tmpfs") && *src)
                return berr_set(err, EINVAL, "invalid mount config for type \"tmpfs\": source must not be specified");
        if (streq(type, "volume") && *src && volume_name_validate(src, err) < 0)
                return -EINVAL;
        json_add_string(m, "Type", type);
        json_add_string(m, "Source", src);
        json_add_string(m, "Target", dst);
        json_add_bool(m, "ReadOnly", ro);
        if (streq(type, "tmpfs") && size > 0) {
                struct json_object *t = json_new_object();
                json_add_int(t, "SizeBytes", (int64_t)size);
                json_add(m, "TmpfsOptions", t);
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* ---- a container's mounts ---- */

static bool has_destination(struct json_object *mounts, struct json_object *hc, const char *dst)
{
        _cleanup_free_ char *clean = path_clean(dst);
        struct json_object *t = json_field(hc, "Tmpfs");

        for (size_t i = 0; i < json_array_len(mounts); i++) {
                _cleanup_free_ char *d = path_clean(json_field_string(json_object_array_get_idx(mounts, i), "Destination"));
                if (streq(d, clean))
                        return true;
        }
        if (json_object_is_type(t, json_type_object)) {
                json_object_object_foreach(t, k, v)
                {
                        _cleanup_free_ char *d = path_clean(k);
                        (void)v;
                        if (streq(d, clean))
                                return true;
                }
        }
        return false;
}

static int add_resolved(struct engine *e, struct json_object *out, struct json_object *hc, struct json_object *m,
                        struct berr **err)
{
        const char *type = json_field_string(m, "Type"), *src = json_field_string(m, "Source"), *dst = json_field_string(m, "Target");
        struct json_object *res = json_new_object(), *tmo = json_field(m, "TmpfsOptions");
        int r;

        if (has_destination(out, hc, dst)) {
                json_object_put(res);
                return berr_set(err, EINVAL, "Duplicate mount point: %s", dst);
        }
        json_add_string(res, "Type", type);
        json_add_string(res, "Destination", dst);
        json_add_bool(res, "RW", !json_object_get_boolean(json_field(m, "ReadOnly")));
        if (streq(type, "volume")) {
                _cleanup_(engine_volume_freep) struct engine_volume *v = NULL;
                _cleanup_free_ char *path = NULL;

                r = engine_volume_create(e, src && *src ? src : NULL, NULL, !(src && *src), &v, err);
                if (r < 0) {
                        json_object_put(res);
                        return r;
                }
                path = engine_volume_path(e, v->name);
                json_add_string(res, "Name", v->name);
                json_add_string(res, "Source", path);
                json_add_bool(res, "Anonymous", v->anonymous);
        } else if (streq(type, "bind")) {
                struct stat st;
                if (stat(src, &st) < 0) {
                        json_object_put(res);
                        return berr_set(err, ENOENT,
                                        "invalid mount config for type \"bind\": bind source path does "
                                        "not exist: %s",
                                        src);
                }
                json_add_string(res, "Source", src);
        } else {
                json_add_string(res, "Source", "");
                if (tmo)
                        json_add_int(res, "TmpfsSize", json_object_get_int64(json_field(tmo, "SizeBytes")));
        }
        json_append(out, res);
        return 0;
}

int engine_volumes_setup(struct engine *e, struct engine_container *c, struct berr **err)
{
        struct json_object *hc = json_field(c->config, "HostConfig"), *cfg = json_field(c->config, "Config");
        struct json_object *binds = json_field(hc, "Binds"), *mounts = json_field(hc, "Mounts"), *vols = json_field(cfg, "Volumes");
        _cleanup_(json_object_putp) struct json_object *out = json_new_array();
        _cleanup_(json_object_putp) struct json_object *bind_dsts = json_new_array();
        int r;

        /* absolute binds stay spec-gen's; their destinations still count for the image's Volumes */
        for (size_t i = 0; binds && i < json_array_len(binds); i++) {
                _cleanup_(json_object_putp) struct json_object *m = NULL;
                const char *b = json_object_get_string(json_object_array_get_idx(binds, i));

                r = b ? volume_parse_bind(b, &m, err) : berr_set(err, EINVAL, "invalid volume specification: null");
                if (r < 0)
                        return r;
                if (streq(json_field_string(m, "Type"), "bind")) {
                        struct json_object *d = json_new_object();
                        json_add_string(d, "Destination", json_field_string(m, "Target"));
                        json_append(bind_dsts, d);
                        continue;
                }
                r = add_resolved(e, out, hc, m, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; mounts && i < json_array_len(mounts); i++) {
                r = add_resolved(e, out, hc, json_object_array_get_idx(mounts, i), err);
                if (r < 0)
                        return r;
        }
        if (vols && json_object_is_type(vols, json_type_object)) {
                json_object_object_foreach(vols, dst, val)
                {
                        _cleanup_(json_object_putp) struct json_object *m = json_new_object();
                        (void)val;
                        if (!valid_target(dst) || has_destination(out, hc, dst) ||
                            has_destination(bind_dsts, NULL, dst))
                                continue;
                        json_add_string(m, "Type", "volume");
                        json_add_string(m, "Source", "");
                        json_add_string(m, "Target", dst);
                        r = add_resolved(e, out, hc, m, err);
                        if (r < 0)
                                return r;
                }
        }
        json_add(c->config, "BerthMounts", TAKE_PTR(out));
        return 0;
}

void engine_volumes_remove_anonymous(struct engine *e, const struct engine_container *c)
{
        volume_remove_anonymous_db(e->db, e->root, c->config);
}

/* ---- copy-up ---- */

#define VOLUME_XATTR_LIST_MAX  65536  /* bytes of one entry's xattr name list */
#define VOLUME_XATTR_VALUE_MAX 65536  /* bytes in one xattr value (the kernel's own limit) */
#define VOLUME_COPY_LINKS_MAX  16384  /* hard-linked files remembered in one copy */

/* One copy of an image directory into a volume: hard links found so far, by source inode. */
struct copy_link {
        dev_t dev;
        ino_t ino;
        char *path; /* relative to the volume's root; owned */
};
struct copy_ctx {
        int dst_root;
        struct copy_link *links;
        size_t n_links;
};

static void copy_ctx_done(struct copy_ctx *ctx)
{
        for (size_t i = 0; i < ctx->n_links; i++)
                free(ctx->links[i].path);
        free(ctx->links);
}

/* Extended attributes (security.capability, user.*, ...) of src onto dst; set after the owner, whose
 * change clears security.capability. */
static int copy_xattrs(int src, int dst, const char *name, struct berr **err)
{
        _cleanup_free_ char *list = NULL, *value = NULL;
        ssize_t len = flistxattr(src, NULL, 0);

        if (len < 0)
                return errno == ENOTSUP ? 0 : berr_sys(err, "list attributes of '%s'", name);
        if (len == 0)
                return 0;
        if (len > VOLUME_XATTR_LIST_MAX)
                return berr_set(err, E2BIG, "'%s': extended attribute names longer than %d bytes", name,
                                VOLUME_XATTR_LIST_MAX);
        list = xmalloc((size_t) len);
        value = xmalloc(VOLUME_XATTR_VALUE_MAX);
        len = flistxattr(src, list, (size_t) len);
        if (len < 0)
                return berr_sys(err, "list attributes of '%s'", name);
        for (char *k = list; k < list + len; k += strlen(k) + 1) {
                ssize_t n = fgetxattr(src, k, value, VOLUME_XATTR_VALUE_MAX);

                if (n < 0)
                        return berr_sys(err, "read attribute '%s' of '%s'", k, name);
                if (fsetxattr(dst, k, value, (size_t) n, 0) < 0)
                        return berr_sys(err, "set attribute '%s' of '%s'", k, name);
        }
        return 0;
}

static int copy_attrs(int src, int dst, const struct stat *st, const char *name, struct berr **err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};

        if (fchown(dst, st->st_uid, st->st_gid) < 0 || fchmod(dst, st->st_mode & 07777) < 0)
                return berr_sys(err, "set owner and mode of '%s'", name);
        if (src >= 0 && copy_xattrs(src, dst, name, err) < 0)
                return -EIO;
        if (futimens(dst, ts) < 0)
                return berr_sys(err, "set times of '%s'", name);
        return 0;
}

static int copy_tree(struct copy_ctx *ctx, int src, int dst, const char *rel, unsigned depth, struct berr **err);

/* A second name of an inode already copied: a hard link to the copy. 1 linked, 0 first seen. */
static int copy_hardlink(struct copy_ctx *ctx, int dst, const char *name, const char *rel, const struct stat *st,
                         struct berr **err)
{
        if (st->st_nlink < 2)
                return 0;
        for (size_t i = 0; i < ctx->n_links; i++) {
                if (ctx->links[i].dev != st->st_dev || ctx->links[i].ino != st->st_ino)
                        continue;
                if (linkat(ctx->dst_root, ctx->links[i].path, dst, name, 0) < 0)
                        return berr_sys(err, "link '%s' to '%s'", rel, ctx->links[i].path);
                return 1;
        }
        if (ctx->n_links >= VOLUME_COPY_LINKS_MAX)
                return 0; /* past the limit further names become copies */
        ctx->links = xrealloc(ctx->links, (ctx->n_links + 1) * sizeof(*ctx->links));
        ctx->links[ctx->n_links++] = (struct copy_link){ .dev = st->st_dev, .ino = st->st_ino,
                                                         .path = xstrdup(rel) };
        return 0;
}

static int copy_file(struct copy_ctx *ctx, int src, int dst, const char *name, const char *rel,
                     const struct stat *st, struct berr **err)
{
        _cleanup_close_ int s = -1, d = -1;
        char buf[COPY_BUF];
        ssize_t n;
        int r = copy_hardlink(ctx, dst, name, rel, st, err);

        if (r != 0)
                return r < 0 ? r : 0;
        s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (s < 0 || d < 0)
                return berr_sys(err, "copy '%s'", rel);
        while ((n = read(s, buf, sizeof(buf))) > 0)
                if (write_all(d, buf, (size_t)n) < 0)
                        return berr_sys(err, "write '%s'", rel);
        if (n < 0)
                return berr_sys(err, "read '%s'", rel);
        return copy_attrs(s, d, st, rel, err);
}

static int copy_entry(struct copy_ctx *ctx, int src, int dst, const char *name, const char *dir_rel,
                      unsigned depth, struct berr **err)
{
        _cleanup_free_ char *rel = path_join(dir_rel, name);
        _cleanup_close_ int s = -1, d = -1;
        struct stat st;

        if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return berr_sys(err, "stat '%s'", rel);
        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
                        return berr_sys(err, "create '%s'", rel);
                s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0 || d < 0)
                        return berr_sys(err, "open '%s'", rel);
                if (copy_tree(ctx, s, d, rel, depth + 1, err) < 0)
                        return -EIO;
                return copy_attrs(s, d, &st, rel, err);
        }
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                struct timespec ts[2] = {st.st_atim, st.st_mtim};
                if (n < 0)
                        return berr_sys(err, "read link '%s'", rel);
                target[n] = 0;
                if (symlinkat(target, dst, name) < 0)
                        return berr_sys(err, "create link '%s'", rel);
                (void)fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
                (void)utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW);
                return 0;
        }
        if (S_ISREG(st.st_mode))
                return copy_file(ctx, src, dst, name, rel, &st, err);
        if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
                return berr_sys(err, "create '%s'", rel);
        (void)fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        return 0;
}

static int copy_tree(struct copy_ctx *ctx, int src, int dst, const char *rel, unsigned depth, struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd;

        if (depth > VOLUME_COPY_DEPTH_MAX)
                return berr_set(err, ELOOP, "directory tree deeper than %d levels", VOLUME_COPY_DEPTH_MAX);
        fd = fcntl(src, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return berr_sys(err, "read directory");
        }
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (copy_entry(ctx, src, dst, de->d_name, rel, depth, err) < 0)
                        return -EIO;
        }
        return 0;
}

/* The image's directory src into the empty volume root dst: owners, modes, times, xattrs, symlinks
 * (never followed) and hard links kept. */
static int copy_into_volume(int src, int dst, struct berr **err)
{
        struct copy_ctx ctx = { .dst_root = dst };
        struct stat st;
        int r;

        r = copy_tree(&ctx, src, dst, ".", 0, err); /* "./a/b": names relative to dst, for linkat */
        copy_ctx_done(&ctx);
        if (r < 0)
                return r;
        if (fstat(src, &st) < 0)
                return berr_sys(err, "stat the image's directory");
        return copy_attrs(src, dst, &st, "/", err);
}

static bool dir_is_empty(int fd)
{
        int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
        struct dirent *de;

        if (!d) {
                if (dup >= 0)
                        close(dup);
                return false;
        }
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return false;
        return true;
}

static int populate_one(struct engine *e, int rootfd, struct json_object *m, struct berr **err)
{
        _cleanup_(engine_volume_freep) struct engine_volume *v = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int src = -1, dst = -1;
        const char *name = json_field_string(m, "Name");
        int r;

        r = engine_volume_get(e, name, &v, err);
        if (r <= 0 || v->populated)
                return r;
        path = engine_volume_path(e, name);
        dst = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return berr_sys(err, "open volume '%s'", name);
        /* the image's path, resolved inside the root: a hostile symlink cannot leave it */
        src = path_open_in_root(rootfd, json_field_string(m, "Destination"), O_RDONLY | O_DIRECTORY, 0, NULL);
        if (src >= 0 && dir_is_empty(dst)) {
                r = copy_into_volume(src, dst, err);
                if (r < 0)
                        return berr_wrap(err, "populate volume %s", name);
        }
        return set_populated(e, name, err);
}

int engine_volumes_populate(struct engine *e, const struct engine_container *c, const char *rootfs, struct berr **err)
{
        struct json_object *a = json_field(c->config, "BerthMounts");
        _cleanup_close_ int rootfd = -1;

        if (!a || json_array_len(a) == 0)
                return 0;
        rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return berr_sys(err, "open '%s'", rootfs);
        for (size_t i = 0; i < json_array_len(a); i++) {
                struct json_object *m = json_object_array_get_idx(a, i);
                int r;

                if (!streq_ptr(json_field_string(m, "Type"), "volume"))
                        continue;
                r = populate_one(e, rootfd, m, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- views ---- */

int volume_spec_mounts(struct json_object *config, struct json_object *mounts, char ***dests, struct berr **err)
{
        struct json_object *a = json_field(config, "BerthMounts");

        for (size_t i = 0; a && i < json_array_len(a); i++) {
                struct json_object *m = json_object_array_get_idx(a, i), *om = json_new_object(),
                                   *opts = json_new_array();
                const char *type = json_field_string(m, "Type"), *dst = json_field_string(m, "Destination");
                bool rw = json_object_get_boolean(json_field(m, "RW"));

                if (!type || !valid_target(dst)) {
                        json_object_put(om);
                        json_object_put(opts);
                        return berr_set(err, EINVAL, "invalid mount %zu of the container", i);
                }
                json_add_string(om, "destination", dst);
                if (streq(type, "tmpfs")) {
                        int64_t size = json_object_get_int64(json_field(m, "TmpfsSize"));
                        json_add_string(om, "type", "tmpfs");
                        json_add_string(om, "source", "tmpfs");
                        json_append(opts, json_object_new_string("nosuid"));
                        json_append(opts, json_object_new_string("nodev"));
                        if (size > 0) {
                                char buf[40];
                                snprintf(buf, sizeof(buf), "size=%lld", (long long)size);
                                json_append(opts, json_object_new_string(buf));
                        }
                } else {
                        json_add_string(om, "type", "bind");
                        json_add_string(om, "source", json_field_string(m, "Source"));
                        json_append(opts, json_object_new_string("rbind"));
                        json_append(opts, json_object_new_string("rprivate"));
                }
                json_append(opts, json_object_new_string(rw ? "rw" : "ro"));
                json_add(om, "options", opts);
                json_append(mounts, om);
                strv_push(dests, dst);
        }
        return 0;
}

void volume_inspect_mounts(struct json_object *config, struct json_object *arr)
{
        struct json_object *a = json_field(config, "BerthMounts");

        for (size_t i = 0; a && arr && i < json_array_len(a); i++) {
                struct json_object *m = json_object_array_get_idx(a, i), *d = json_new_object();
                const char *type = json_field_string(m, "Type");
                bool rw = json_object_get_boolean(json_field(m, "RW"));

                json_add_string(d, "Type", type);
                if (streq_ptr(type, "volume"))
                        json_add_string(d, "Name", json_field_string(m, "Name"));
                json_add_string(d, "Source", json_field_string(m, "Source"));
                json_add_string(d, "Destination", json_field_string(m, "Destination"));
                if (streq_ptr(type, "volume"))
                        json_add_string(d, "Driver", "local");
                json_add_string(d, "Mode", streq_ptr(type, "volume") ? "z" : "");
                json_add_bool(d, "RW", rw);
                json_add_string(d, "Propagation", streq_ptr(type, "bind") ? "rprivate" : "");
                json_append(arr, d);
        }
}
