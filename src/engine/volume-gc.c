/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Removal of a container's anonymous volumes on a bare database handle: what
 * `rm -v`, `run --rm` and the monitor of a `run -d --rm` container share. It
 * uses records.c and the database only, so the small monitor program links
 * it without the image store.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/records.h"
#include "engine/volume.h"
#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"

static const char *mount_str(struct json_object *m, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(m, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static struct json_object *berth_mounts(struct json_object *config)
{
        struct json_object *a = NULL;

        if (!config || !json_object_object_get_ex(config, "BerthMounts", &a) ||
            !json_object_is_type(a, json_type_array))
                return NULL;
        return a;
}

bool volume_config_uses(struct json_object *config, const char *name)
{
        struct json_object *a = berth_mounts(config);

        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                struct json_object *m = json_object_array_get_idx(a, i);
                if (streq_ptr(mount_str(m, "Type"), "volume") && streq_ptr(mount_str(m, "Name"), name))
                        return true;
        }
        return false;
}

static int volume_in_use(struct db *db, const char *name, struct berr **err)
{
        struct engine_container **v = NULL;
        size_t n = 0;
        bool used = false;
        int r = records_list(db, true, &v, &n, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n && !used; i++)
                used = volume_config_uses(v[i]->config, name);
        engine_containers_free(v, n);
        return used;
}

static int remove_anonymous(struct db *db, const char *root, const char *name, struct berr **err)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_free_ char *dir = NULL;
        int r;

        /* anonymous volumes are named by 64 hex digits: nothing else becomes a path here */
        if (strlen(name) != ENGINE_ID_LEN || !digest_like_hex(name))
                return berr_set(err, EINVAL, "'%s' is not an anonymous volume's name", name);
        r = volume_in_use(db, name, err);
        if (r != 0)
                return r < 0 ? r : berr_set(err, EBUSY, "volume %s is in use", name);
        r = db_prepare(db, "DELETE FROM volumes WHERE name = ? AND anonymous = 1", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(db, err, "remove volume");
        if (sqlite3_changes(db_handle(db)) == 0)
                return 0; /* gone already (another remover), or not anonymous */
        dir = xasprintf("%s/volumes/%s", root, name);
        return rm_rf_at(AT_FDCWD, dir, err);
}

/* The name of mount m when it is an anonymous volume, else NULL. */
static const char *anonymous_name(struct json_object *m)
{
        struct json_object *anon = NULL;
        const char *name = mount_str(m, "Name");

        if (!name || !streq_ptr(mount_str(m, "Type"), "volume") || !json_object_object_get_ex(m, "Anonymous", &anon) ||
            !json_object_get_boolean(anon))
                return NULL;
        return name;
}

bool volume_config_has_anonymous(struct json_object *config)
{
        struct json_object *a = berth_mounts(config);

        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (anonymous_name(json_object_array_get_idx(a, i)))
                        return true;
        return false;
}

void volume_remove_anonymous_db(struct db *db, const char *root, struct json_object *config)
{
        struct json_object *a = berth_mounts(config);

        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                const char *name = anonymous_name(json_object_array_get_idx(a, i));
                struct berr *x = NULL;

                if (!name)
                        continue;
                if (remove_anonymous(db, root, name, &x) < 0)
                        log_debug("keep volume '%s': %s", name, berr_msg(x));
                berr_free(x);
        }
}
