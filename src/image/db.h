/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The metadata database <root>/berth.db (SQLite, WAL, foreign keys, a busy
 * timeout so concurrent CLIs wait instead of failing). Each module owns its
 * tables and brings them up to date with db_migrate(): migrations are numbered
 * per module and applied once, in order, all pending ones in one transaction;
 * the versions reached are kept in the table schema_versions(module, version).
 *
 * The image module registers "image" (images, tags, manifests, layers,
 * image_layers, image_holds). Later modules (containers, volumes, networks)
 * call db_migrate() with their own module name on the same handle.
 */

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct berr;
struct db;

/* One schema step: SQL run as a whole (several statements allowed). */
struct db_migration {
        int version; /* 1, 2, 3... strictly increasing */
        const char *sql;
};

#define DB_BUSY_TIMEOUT_MS 30000

/* Opens (creating) the database file; sets WAL, foreign_keys, busy timeout. Owned. */
int db_open(const char *path, struct db **ret, struct berr **err);
struct db *db_close(struct db *db);
static inline void db_closep(struct db **p)
{
        if (*p)
                db_close(*p);
}
/* Applies the migrations of module newer than its recorded version. A database newer than
 * the program (recorded version > last known) is refused with EPROTO. */
int db_migrate(struct db *db, const char *module, const struct db_migration *m, size_t n, struct berr **err);
/* The version recorded for module (0 when none). */
int db_schema_version(struct db *db, const char *module, struct berr **err);
/* Borrowed raw handle for prepared statements. */
sqlite3 *db_handle(struct db *db);

/* Runs SQL without results. */
int db_exec(struct db *db, const char *sql, struct berr **err);
/* BEGIN IMMEDIATE (takes the write lock at once, so two writers never deadlock on upgrade). */
int db_begin(struct db *db, struct berr **err);
int db_commit(struct db *db, struct berr **err);
/* Never fails visibly: used on error paths. */
void db_rollback(struct db *db);
/* Prepares a statement; returns 0 or an error naming the SQLite message. */
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret, struct berr **err);
/* Error from the last SQLite failure on db, with context. */
int db_error(struct db *db, struct berr **err, const char *what);

static inline void sqlite3_finalizep(sqlite3_stmt **p)
{
        if (*p)
                (void)sqlite3_finalize(*p); /* the error was reported by step() already */
}
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))
