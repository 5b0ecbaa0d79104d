/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one SQLite database of a Berth root. SQLite gives us crash-safe
 * transactions and cross-process locking for free; WAL lets readers (berth
 * images) run while a writer (berth load) holds the lock. This file opens it,
 * runs per-module migrations and wraps the few calls every user needs; the
 * tables themselves belong to the modules that create them.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"

struct db {
        sqlite3 *h;
};

sqlite3 *db_handle(struct db *db)
{
        return db->h;
}

int db_error(struct db *db, struct berr **err, const char *what)
{
        int ext = sqlite3_extended_errcode(db->h);
        int code = EIO;

        switch (ext & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                code = EBUSY;
                break;
        case SQLITE_CONSTRAINT:
                code = EEXIST;
                break;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                code = EACCES;
                break;
        case SQLITE_FULL:
                code = ENOSPC;
                break;
        case SQLITE_NOMEM:
                abort();
        default:
                break;
        }
        return berr_set(err, code, "%s: database: %s", what, sqlite3_errmsg(db->h));
}

int db_exec(struct db *db, const char *sql, struct berr **err)
{
        if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
                return db_error(db, err, "exec");
        return 0;
}

int db_begin(struct db *db, struct berr **err)
{
        if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
                return db_error(db, err, "begin transaction");
        return 0;
}

int db_commit(struct db *db, struct berr **err)
{
        if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                int r = db_error(db, err, "commit");
                db_rollback(db);
                return r;
        }
        return 0;
}

void db_rollback(struct db *db)
{
        if (sqlite3_get_autocommit(db->h))
                return; /* no transaction open (SQLite may have rolled back itself) */
        (void)sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL); /* nothing more to do if it fails */
}

int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret, struct berr **err)
{
        if (sqlite3_prepare_v2(db->h, sql, -1, ret, NULL) != SQLITE_OK)
                return db_error(db, err, "prepare");
        return 0;
}

/*
 * Runs one of the idempotent statements that set a connection up. SQLite
 * returns SQLITE_BUSY at once, without calling the busy handler, where waiting
 * could deadlock: switching a new file to WAL while another process does the
 * same, or a schema read that went stale before its write. Two processes
 * opening a fresh root together hit exactly that, so these statements are
 * retried for as long as the busy timeout.
 */
static int db_exec_setup(struct db *db, const char *sql, struct berr **err)
{
        for (int waited = 0;; waited += 5) {
                int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

                if (rc == SQLITE_OK)
                        return 0;
                if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || waited >= DB_BUSY_TIMEOUT_MS)
                        return db_error(db, err, "exec");
                (void)usleep(5000);
        }
}

/*
 * Once per process, before SQLite initialises itself (sqlite3_config() must come first): no bulk
 * page cache. By default each connection's first read allocates 20 page slots at once and links
 * them, writing to every one: about 22 pages of fresh heap, one page fault each (~16 us on the
 * test VM), although a command reads a handful of database pages. Without it SQLite allocates a
 * page slot when it first needs one (SQLITE_CONFIG_PAGECACHE with no buffer and N = 0).
 */
static void db_process_setup(void)
{
        (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0); /* only speed; fails once initialised */
}

int db_open(const char *path, struct db **ret, struct berr **err)
{
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        struct db *db = xzalloc(sizeof(*db));
        int r;

        (void)pthread_once(&once, db_process_setup);
        if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
                r = berr_set(err, EIO, "open database '%s': %s", path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
                db_close(db);
                return r;
        }
        sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
        /* synchronous=NORMAL is durable across process crashes in WAL mode; only a power loss may lose
         * the last commits, never corrupt the file. */
        r = db_exec_setup(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err);
        if (r >= 0)
                r = db_exec_setup(db,
                                  "CREATE TABLE IF NOT EXISTS schema_versions ("
                                  "module TEXT PRIMARY KEY, version INTEGER NOT NULL)",
                                  err);
        if (r < 0) {
                berr_wrap(err, "open database '%s'", path);
                db_close(db);
                return r;
        }
        *ret = db;
        return 0;
}

struct db *db_close(struct db *db)
{
        if (!db)
                return NULL;
        (void)sqlite3_close_v2(db->h); /* statements are finalised by their owners */
        free(db);
        return NULL;
}

int db_schema_version(struct db *db, const char *module, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_prepare(db, "SELECT version FROM schema_versions WHERE module = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
                return sqlite3_column_int(st, 0);
        if (r == SQLITE_DONE)
                return 0;
        return db_error(db, err, "read schema version");
}

static int migrate_one(struct db *db, const char *module, const struct db_migration *m, struct berr **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = db_exec(db, m->sql, err);
        if (r < 0)
                return berr_wrap(err, "migration %s %d", module, m->version);
        r = db_prepare(db, "INSERT OR REPLACE INTO schema_versions (module, version) VALUES (?, ?)", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, m->version);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(db, err, "record schema version");
        return 0;
}

int db_migrate(struct db *db, const char *module, const struct db_migration *m, size_t n, struct berr **err)
{
        int cur, r;

        cur = db_schema_version(db, module, err);
        if (cur < 0)
                return cur;
        if (n > 0 && cur > m[n - 1].version)
                return berr_set(err, EPROTO,
                                "database schema of '%s' is version %d, newer than this program knows (%d)", module,
                                cur, m[n - 1].version);
        if (n == 0 || cur == m[n - 1].version)
                return 0;
        r = db_begin(db, err);
        if (r < 0)
                return r;
        /* Read again under the write lock: another process may have migrated meanwhile. */
        cur = db_schema_version(db, module, err);
        if (cur < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                if (m[i].version <= cur)
                        continue;
                log_debug("database: migrating %s to version %d", module, m[i].version);
                r = migrate_one(db, module, &m[i], err);
                if (r < 0)
                        goto fail;
        }
        return db_commit(db, err);
fail:
        db_rollback(db);
        return r < 0 ? r : cur;
}
