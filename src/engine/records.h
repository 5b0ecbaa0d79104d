/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Container records on a bare database handle (no store): what the CLI and
 * the monitor share. Lookups return 1 found, 0 absent.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct berr;
struct db;
struct engine_container;

int records_migrate(struct db *db, struct berr **err);
/* Per-connection settings for the engine's short-lived connections: no checkpoint (and its fsyncs) on
 * close; SQLite's automatic checkpoints keep the WAL bounded. */
void records_tune(struct db *db);
/* Inserts c (state, created, config...) and its image hold in one transaction. Name taken: EEXIST
 * with docker's conflict message. */
int records_insert(struct db *db, const struct engine_container *c, struct berr **err);
int records_get(struct db *db, const char *id, struct engine_container **ret, struct berr **err);
/* id, name or unique id prefix -> id (owned). */
int records_resolve(struct db *db, const char *what, char **ret_id, struct berr **err);
int records_list(struct db *db, bool all, struct engine_container ***ret, size_t *ret_n, struct berr **err);
int records_save_state(struct db *db, const struct engine_container *c, struct berr **err);
int records_set_manually_stopped(struct db *db, const char *id, bool stopped, struct berr **err);
/* The monitor's changes of a record, each one UPDATE of only the columns the monitor owns (nothing
 * read first, so a concurrent `berth stop` marking it manually stopped is never lost). 1 when the
 * record was there, 0 when it is gone (removed meanwhile), or -errno. now: engine_now(). */
int records_set_running(struct db *db, const char *id, pid_t pid, pid_t monitor_pid, int restarts, const char *now,
                        struct berr **err);
struct records_exit {
        bool restarting; /* state restarting (monitor_pid kept), else exited */
        bool oom;
        int exit_code;
        int restarts;
        pid_t monitor_pid;
        const char *now;
};
int records_set_exited(struct db *db, const char *id, const struct records_exit *x, bool *ret_manually_stopped,
                       struct berr **err);
/* A start that failed: state created (exited when it ran before), the error kept for inspect. */
int records_set_failed(struct db *db, const char *id, bool ran_before, int exit_code, const char *error,
                       struct berr **err);
int records_delete(struct db *db, const char *id, struct berr **err);
/* records_delete that also returns the deleted record's config (JSON text, owned; NULL when not
 * wanted): 1 deleted, 0 there was no such record. */
int records_delete_config(struct db *db, const char *id, char **ret_config, struct berr **err);
int records_rename(struct db *db, const char *id, const char *name, struct berr **err);
/* Lowercase hex of at most 64 digits. */
bool digest_like_hex(const char *s);
