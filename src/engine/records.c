/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container records in the store's SQLite database: the "engine" schema, load
 * and save, lookups by id, name or prefix, and random names. Only SQLite and
 * lib/ are used here, so the monitor links this file without the image
 * module: it records exits and restarts with the same functions as the CLI.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/records.h"
#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

static const struct db_migration engine_migrations[] = {
        { 1, "CREATE TABLE containers ("
             "  id TEXT PRIMARY KEY,"
             "  name TEXT NOT NULL UNIQUE,"
             "  image_id TEXT NOT NULL,"
             "  image_name TEXT NOT NULL,"
             "  config TEXT NOT NULL,"
             "  state TEXT NOT NULL,"
             "  pid INTEGER NOT NULL DEFAULT 0,"
             "  exit_code INTEGER NOT NULL DEFAULT 0,"
             "  oom_killed INTEGER NOT NULL DEFAULT 0,"
             "  error TEXT,"
             "  created TEXT NOT NULL,"
             "  started_at TEXT,"
             "  finished_at TEXT,"
             "  restart_count INTEGER NOT NULL DEFAULT 0,"
             "  monitor_pid INTEGER NOT NULL DEFAULT 0,"
             "  manually_stopped INTEGER NOT NULL DEFAULT 0);"
             "CREATE INDEX containers_created ON containers(created);" },
};

int records_migrate(struct db *db, struct berr **err)
{
        return db_migrate(db, "engine", engine_migrations, ELEMENTSOF(engine_migrations), err);
}

/*
 * Connections of the engine's short-lived processes. Closing does not checkpoint (that would sync
 * the files at the end of every command). But the first connection a process opens while no other is
 * open rebuilds the WAL index by reading and checksumming every frame since the last checkpoint:
 * with SQLite's default of a checkpoint per 1000 pages the WAL of a busy store holds 3-4 MiB, and
 * that rebuild cost every berth command about 7 ms. A checkpoint every RECORDS_WAL_CHECKPOINT_PAGES
 * pages (a few dozen runs) keeps the rebuild short for two syncs now and then.
 */
#define RECORDS_WAL_CHECKPOINT_PAGES 64

void records_tune(struct db *db)
{
        (void) sqlite3_db_config(db_handle(db), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL); /* only speed */
        (void) sqlite3_wal_autocheckpoint(db_handle(db), RECORDS_WAL_CHECKPOINT_PAGES);     /* only speed */
}

static const char *const state_names[_ENGINE_STATE_MAX] = {
        [ENGINE_STATE_CREATING] = "creating", [ENGINE_STATE_CREATED] = "created",
        [ENGINE_STATE_RUNNING] = "running",   [ENGINE_STATE_PAUSED] = "paused",
        [ENGINE_STATE_RESTARTING] = "restarting", [ENGINE_STATE_EXITED] = "exited",
        [ENGINE_STATE_REMOVING] = "removing", [ENGINE_STATE_DEAD] = "dead",
};

const char *engine_state_to_string(enum engine_state s)
{
        if (s < 0 || s >= _ENGINE_STATE_MAX)
                return "unknown";
        return state_names[s];
}

enum engine_state engine_state_from_string(const char *s)
{
        for (int i = 0; i < _ENGINE_STATE_MAX; i++)
                if (s && streq(s, state_names[i]))
                        return (enum engine_state) i;
        return _ENGINE_STATE_INVALID;
}

struct engine_container *engine_container_free(struct engine_container *c)
{
        if (!c)
                return NULL;
        free(c->id);
        free(c->name);
        free(c->image_id);
        free(c->image_name);
        if (c->config)
                json_object_put(c->config);
        free(c->error);
        free(c->created);
        free(c->started_at);
        free(c->finished_at);
        free(c);
        return NULL;
}

void engine_containers_free(struct engine_container **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                engine_container_free(v[i]);
        free(v);
}

const char *engine_now(char *buf, size_t len)
{
        return utc_now_rfc3339(buf, len);
}

void engine_id_generate(char ret[ENGINE_ID_LEN + 1])
{
        uint8_t raw[ENGINE_ID_LEN / 2];
        size_t got = 0;

        while (got < sizeof(raw)) {
                ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
                if (n > 0)
                        got += (size_t) n;
                else if (errno != EINTR)
                        abort(); /* getrandom(2) without GRND_NONBLOCK only fails on bad arguments */
        }
        for (size_t i = 0; i < sizeof(raw); i++)
                snprintf(ret + 2 * i, 3, "%02x", raw[i]);
}

/* Our own lists (docker's generator has the same shape: an adjective and a notable person's name). */
static const char *const name_left[] = {
        "admiring", "agile",   "amazing",  "bold",     "brave",     "busy",    "calm",     "clever",
        "cool",     "crisp",   "curious",  "daring",   "eager",     "elated",  "epic",     "fervent",
        "fond",     "gentle",  "happy",    "hardy",    "humble",    "jolly",   "keen",     "kind",
        "lucid",    "merry",   "modest",   "nifty",    "noble",     "patient", "placid",   "quiet",
        "rapid",    "relaxed", "serene",   "sharp",    "silly",     "steady",  "stoic",    "sunny",
        "swift",    "tender",  "trusting", "upbeat",   "vibrant",   "vigilant", "wizardly", "zealous",
};
static const char *const name_right[] = {
        "agnesi",   "archimedes", "babbage", "bardeen", "bohr",     "boole",    "cerf",     "curie",
        "darwin",   "dijkstra",   "einstein", "euler",  "faraday",  "fermat",   "feynman",  "galileo",
        "gauss",    "hamilton",   "hopper",  "hypatia", "kepler",   "knuth",    "lamarr",   "lovelace",
        "maxwell",  "meitner",    "mendel",  "newton",  "noether",  "pascal",   "pasteur",  "planck",
        "ritchie",  "shannon",    "tesla",   "thompson", "torvalds", "turing",  "volta",    "wozniak",
};

char *engine_name_generate(void)
{
        uint32_t r[2];

        if (getrandom(r, sizeof(r), 0) != (ssize_t) sizeof(r))
                r[0] = (uint32_t) time(NULL), r[1] = (uint32_t) getpid();
        return xasprintf("%s_%s", name_left[r[0] % ELEMENTSOF(name_left)], name_right[r[1] % ELEMENTSOF(name_right)]);
}

int engine_name_validate(const char *name, struct berr **err)
{
        const char *p = name[0] == '/' ? name + 1 : name;
        size_t n = strlen(p);

        if (n == 0 || n > ENGINE_NAME_MAX)
                return berr_set(err, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                name);
        for (size_t i = 0; i < n; i++) {
                char ch = p[i];
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                          (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
                if (!ok)
                        return berr_set(err, EINVAL,
                                        "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
        }
        return 0;
}

#define RECORD_COLUMNS                                                                                                 \
        "id, name, image_id, image_name, config, state, pid, exit_code, oom_killed, error, created, started_at,"       \
        " finished_at, restart_count, monitor_pid, manually_stopped"

static char *col_dup(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);

        return t ? xstrdup((const char *) t) : NULL;
}

static int record_from_row(sqlite3_stmt *st, struct engine_container **ret, struct berr **err)
{
        _cleanup_(engine_container_freep) struct engine_container *c = xzalloc(sizeof(*c));
        const char *cfg = (const char *) sqlite3_column_text(st, 4);
        int r;

        c->id = col_dup(st, 0);
        c->name = col_dup(st, 1);
        c->image_id = col_dup(st, 2);
        c->image_name = col_dup(st, 3);
        r = json_parse_buf(cfg ? cfg : "{}", cfg ? strlen(cfg) : 2, &c->config, err);
        if (r < 0)
                return berr_wrap(err, "config of container %s", c->id);
        c->state = engine_state_from_string((const char *) sqlite3_column_text(st, 5));
        if (c->state < 0)
                c->state = ENGINE_STATE_DEAD;
        c->pid = (pid_t) sqlite3_column_int(st, 6);
        c->exit_code = sqlite3_column_int(st, 7);
        c->oom_killed = sqlite3_column_int(st, 8) != 0;
        c->error = col_dup(st, 9);
        c->created = col_dup(st, 10);
        c->started_at = col_dup(st, 11);
        c->finished_at = col_dup(st, 12);
        c->restart_count = sqlite3_column_int(st, 13);
        c->monitor_pid = (pid_t) sqlite3_column_int(st, 14);
        c->manually_stopped = sqlite3_column_int(st, 15) != 0;
        *ret = TAKE_PTR(c);
        return 0;
}

int records_get(struct db *db, const char *id, struct engine_container **ret, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db, "SELECT " RECORD_COLUMNS " FROM containers WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return 0;
        if (r != SQLITE_ROW)
                return db_error(db, err, "read container");
        r = record_from_row(st, ret, err);
        return r < 0 ? r : 1;
}

/* Runs a lookup query with one text parameter; 1 and the single id, 0 none, EINVAL-ish when several. */
static int lookup_ids(struct db *db, const char *sql, const char *arg, char ***ret, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_(strv_freep) char **ids = NULL;
        int r;

        r = db_prepare(db, sql, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                strv_push(&ids, (const char *) sqlite3_column_text(st, 0));
        if (r != SQLITE_DONE)
                return db_error(db, err, "look up container");
        *ret = TAKE_PTR(ids);
        return 0;
}

int records_resolve(struct db *db, const char *what, char **ret_id, struct berr **err)
{
        _cleanup_(strv_freep) char **ids = NULL;
        _cleanup_free_ char *like = NULL;
        const char *name = what[0] == '/' ? what + 1 : what;
        int r;

        if (!*what)
                return 0;
        r = lookup_ids(db, "SELECT id FROM containers WHERE id = ?1 OR name = ?1", name, &ids, err);
        if (r < 0)
                return r;
        if (!ids && digest_like_hex(name)) {
                like = xasprintf("%s%%", name);
                r = lookup_ids(db, "SELECT id FROM containers WHERE id LIKE ?1", like, &ids, err);
                if (r < 0)
                        return r;
                if (strv_length(ids) > 1)
                        return berr_set(err, EINVAL, "multiple containers found with provided prefix: %s", name);
        }
        if (!ids)
                return 0;
        *ret_id = xstrdup(ids[0]);
        return 1;
}

bool digest_like_hex(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > ENGINE_ID_LEN)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

int records_list(struct db *db, bool all, struct engine_container ***ret, size_t *ret_n, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct engine_container **v = NULL;
        size_t n = 0;
        int r;

        r = db_prepare(db,
                       all ? "SELECT " RECORD_COLUMNS " FROM containers ORDER BY created DESC, rowid DESC"
                           : "SELECT " RECORD_COLUMNS " FROM containers WHERE state IN ('running','paused','restarting')"
                             " ORDER BY created DESC, rowid DESC",
                       &st, err);
        if (r < 0)
                return r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                struct engine_container *c = NULL;

                if (record_from_row(st, &c, err) < 0) {
                        engine_containers_free(v, n);
                        return -EINVAL;
                }
                v = xreallocarray(v, n + 1, sizeof(*v));
                v[n++] = c;
        }
        if (r != SQLITE_DONE) {
                engine_containers_free(v, n);
                return db_error(db, err, "list containers");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int conflict(struct db *db, const char *name, struct berr **err)
{
        _cleanup_(strv_freep) char **ids = NULL;

        (void) lookup_ids(db, "SELECT id FROM containers WHERE name = ?", name, &ids, NULL); /* for the message */
        return berr_set(err, EEXIST,
                        "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
                        "remove (or rename) that container to be able to reuse that name.",
                        name, ids ? ids[0] : "?");
}

int records_insert(struct db *db, const struct engine_container *c, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL, *hold = NULL;
        _cleanup_free_ char *cfg = json_dump(c->config, false);
        int r;

        r = db_begin(db, err);
        if (r < 0)
                return r;
        r = db_prepare(db,
                       "INSERT INTO containers (id, name, image_id, image_name, config, state, created)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &st, err);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->image_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->image_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, cfg, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, engine_state_to_string(c->state), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, c->created, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_UNIQUE) {
                        db_rollback(db);
                        return conflict(db, c->name, err);
                }
                r = db_error(db, err, "insert container");
                goto fail;
        }
        r = db_prepare(db, "INSERT OR IGNORE INTO image_holds (image_id, holder) VALUES (?, ?)", &hold, err);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(hold, 1, c->image_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(hold, 2, c->id, -1, SQLITE_STATIC);
        if (sqlite3_step(hold) != SQLITE_DONE) {
                r = db_error(db, err, "hold image");
                goto fail;
        }
        return db_commit(db, err);
fail:
        db_rollback(db);
        return r;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, i);
}

int records_save_state(struct db *db, const struct engine_container *c, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db,
                       "UPDATE containers SET state = ?, pid = ?, exit_code = ?, oom_killed = ?, error = ?,"
                       " started_at = ?, finished_at = ?, restart_count = ?, monitor_pid = ?, manually_stopped = ?"
                       " WHERE id = ?",
                       &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, engine_state_to_string(c->state), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int) c->pid);
        sqlite3_bind_int(st, 3, c->exit_code);
        sqlite3_bind_int(st, 4, c->oom_killed);
        bind_text_or_null(st, 5, c->error);
        bind_text_or_null(st, 6, c->started_at);
        bind_text_or_null(st, 7, c->finished_at);
        sqlite3_bind_int(st, 8, c->restart_count);
        sqlite3_bind_int(st, 9, (int) c->monitor_pid);
        sqlite3_bind_int(st, 10, c->manually_stopped);
        sqlite3_bind_text(st, 11, c->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(db, err, "save container state");
        return 0;
}

/* Runs one UPDATE of a container's monitor-owned columns (st, bound but for nothing else); 1 when the
 * record was there, 0 when not. With RETURNING manually_stopped, *ret_stopped gets it. */
static int update_one(struct db *db, sqlite3_stmt *st, const char *what, bool *ret_stopped, struct berr **err)
{
        int r = sqlite3_step(st), found = 0;

        for (; r == SQLITE_ROW; r = sqlite3_step(st)) {
                found = 1;
                if (ret_stopped)
                        *ret_stopped = sqlite3_column_int(st, 0) != 0;
        }
        if (r != SQLITE_DONE)
                return db_error(db, err, what);
        return ret_stopped ? found : sqlite3_changes(db_handle(db)) > 0;
}

int records_set_running(struct db *db, const char *id, pid_t pid, pid_t monitor_pid, int restarts, const char *now,
                        struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db,
                       "UPDATE containers SET state = 'running', pid = ?, monitor_pid = ?, restart_count = ?,"
                       " error = NULL, started_at = ? WHERE id = ?",
                       &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, (int) pid);
        sqlite3_bind_int(st, 2, (int) monitor_pid);
        sqlite3_bind_int(st, 3, restarts);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
        return update_one(db, st, "record the container running", NULL, err);
}

int records_set_exited(struct db *db, const char *id, const struct records_exit *x, bool *ret_manually_stopped,
                       struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db,
                       "UPDATE containers SET state = ?, pid = 0, exit_code = ?, oom_killed = ?, restart_count = ?,"
                       " monitor_pid = ?, finished_at = ? WHERE id = ? RETURNING manually_stopped",
                       &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, engine_state_to_string(x->restarting ? ENGINE_STATE_RESTARTING : ENGINE_STATE_EXITED),
                          -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, x->exit_code);
        sqlite3_bind_int(st, 3, x->oom);
        sqlite3_bind_int(st, 4, x->restarts);
        sqlite3_bind_int(st, 5, x->restarting ? (int) x->monitor_pid : 0);
        sqlite3_bind_text(st, 6, x->now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, id, -1, SQLITE_STATIC);
        *ret_manually_stopped = false;
        return update_one(db, st, "record the container's exit", ret_manually_stopped, err);
}

int records_set_failed(struct db *db, const char *id, bool ran_before, int exit_code, const char *error,
                       struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db,
                       "UPDATE containers SET state = ?, pid = 0, monitor_pid = 0, exit_code = ?, error = ?"
                       " WHERE id = ?",
                       &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, engine_state_to_string(ran_before ? ENGINE_STATE_EXITED : ENGINE_STATE_CREATED), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int(st, 2, exit_code);
        sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
        return update_one(db, st, "record the container's start error", NULL, err);
}

int records_set_manually_stopped(struct db *db, const char *id, bool stopped, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db, "UPDATE containers SET manually_stopped = ? WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, stopped);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(db, err, "save container state");
        return 0;
}

int records_delete_config(struct db *db, const char *id, char **ret_config, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *a = NULL, *b = NULL;
        _cleanup_free_ char *config = NULL;
        int r, rc;

        r = db_begin(db, err);
        if (r < 0)
                return r;
        r = db_prepare(db, "DELETE FROM image_holds WHERE holder = ?", &a, err);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(a, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(a) != SQLITE_DONE) {
                r = db_error(db, err, "release image");
                goto fail;
        }
        r = db_prepare(db, "DELETE FROM containers WHERE id = ? RETURNING config", &b, err);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(b, 1, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(b);
        r = rc == SQLITE_ROW;
        if (r) {
                const char *cfg = (const char *) sqlite3_column_text(b, 0);
                if (ret_config && cfg)
                        config = xstrdup(cfg);
                rc = sqlite3_step(b);
        }
        if (rc != SQLITE_DONE) {
                r = db_error(db, err, "delete container");
                goto fail;
        }
        rc = db_commit(db, err);
        if (rc < 0)
                return rc;
        if (ret_config)
                *ret_config = TAKE_PTR(config);
        return r;
fail:
        db_rollback(db);
        return r;
}

int records_delete(struct db *db, const char *id, struct berr **err)
{
        int r = records_delete_config(db, id, NULL, err);

        return r < 0 ? r : 0;
}

int records_rename(struct db *db, const char *id, const char *name, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db, "UPDATE containers SET name = ? WHERE id = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_UNIQUE)
                        return conflict(db, name, err);
                return db_error(db, err, "rename container");
        }
        return 0;
}
