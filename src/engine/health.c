/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The healthcheck runner (health.h). It runs in its own process, forked by
 * the monitor, so the monitor's loop never waits for a check: each check is
 * one more child that enters the container with container_exec() (the
 * in-process runtime) or `RUNTIME exec` (--runtime), with its output in a
 * memfd, killed when it outlives the timeout.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/health.h"
#include "engine/records.h"
#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/container.h"

static const struct db_migration health_migrations[] = {
        {1, "CREATE TABLE health ("
            "  id TEXT PRIMARY KEY,"
            "  status TEXT NOT NULL,"
            "  failing_streak INTEGER NOT NULL DEFAULT 0,"
            "  log TEXT NOT NULL DEFAULT '[]');"},
        /* a removed container's health goes with it, whoever removes the record (rm, the monitor's --rm) */
        {2, "CREATE TRIGGER health_gc AFTER DELETE ON containers BEGIN"
            "  DELETE FROM health WHERE id = OLD.id;"
            " END;"},
};

static const char *const status_names[_HEALTH_STATUS_MAX] = {
        [HEALTH_STARTING] = "starting",
        [HEALTH_HEALTHY] = "healthy",
        [HEALTH_UNHEALTHY] = "unhealthy",
};

const char *health_status_to_string(enum health_status s)
{
        return s >= 0 && s < _HEALTH_STATUS_MAX ? status_names[s] : "none";
}

void health_apply_result(struct health_state *s, bool success, bool in_start_period, unsigned retries)
{
        if (success) {
                s->status = HEALTH_HEALTHY;
                s->failing_streak = 0;
                return;
        }
        if (in_start_period && s->status != HEALTH_HEALTHY)
                return; /* failures while starting up do not count */
        s->failing_streak++;
        if (s->failing_streak >= (retries ? retries : HEALTH_DEFAULT_RETRIES))
                s->status = HEALTH_UNHEALTHY;
}

static int64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
        struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int save(struct db *db, const char *id, const struct health_state *s, struct json_object *log)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_free_ char *text = json_dump(log, false);

        if (db_prepare(db, "INSERT OR REPLACE INTO health (id, status, failing_streak, log) VALUES (?, ?, ?, ?)", &st,
                       NULL) < 0)
                return -EIO;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, health_status_to_string(s->status), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, (int)s->failing_streak);
        sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
        return sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
}

struct check {
        char **argv; /* the command in the container */
        const char *id, *runtime_root, *runtime;
};

/* One check: its exit code (-1 on timeout or when it could not run) and output. */
static int run_check(const struct check *c, int64_t timeout_ns, char **ret_output)
{
        int mfd = memfd_create("health", MFD_CLOEXEC), status = 0, code = -1;
        int64_t deadline = now_ns() + timeout_ns;
        pid_t pid;

        *ret_output = NULL;
        if (mfd < 0)
                return -1;
        pid = fork();
        if (pid < 0) {
                close(mfd);
                return -1;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDONLY);
                struct runtime_ctx ctx = {.root = c->runtime_root};
                struct exec_opts eo = {.id = c->id, .args = c->argv};
                struct berr *err = NULL;
                int st = 0;

                dup2(devnull, 0);
                dup2(mfd, 1);
                dup2(mfd, 2);
                if (c->runtime) {
                        char **argv = NULL;
                        strv_push(&argv, c->runtime);
                        strv_push(&argv, "--root");
                        strv_push(&argv, c->runtime_root);
                        strv_push(&argv, "exec");
                        strv_push(&argv, c->id);
                        for (char **a = c->argv; *a; a++)
                                strv_push(&argv, *a);
                        execv(c->runtime, argv);
                        _exit(126);
                }
                if (container_exec(&ctx, &eo, &st, &err) < 0) {
                        dprintf(1, "%s\n", berr_msg(err));
                        _exit(berr_code(err) == ENOENT ? 127 : 126);
                }
                _exit(st & 0xff);
        }
        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid) {
                        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        break;
                }
                if (now_ns() >= deadline) {
                        kill(pid, SIGKILL);
                        (void)waitpid(pid, &status, 0);
                        *ret_output = xstrdup("Health check exceeded timeout");
                        close(mfd);
                        return -1;
                }
                sleep_ns(20000000LL);
        }
        if (lseek(mfd, 0, SEEK_SET) == 0) {
                char buf[HEALTH_OUTPUT_MAX + 1];
                ssize_t n = read_full(mfd, buf, HEALTH_OUTPUT_MAX);
                buf[n > 0 ? n : 0] = 0;
                *ret_output = xstrdup(buf);
        }
        close(mfd);
        return code;
}

static char **test_argv(struct json_object *test)
{
        const char *kind;
        char **v = NULL;

        if (!test || !json_object_is_type(test, json_type_array) || json_object_array_length(test) < 1)
                return NULL;
        kind = json_object_get_string(json_object_array_get_idx(test, 0));
        if (streq_ptr(kind, "CMD-SHELL") && json_object_array_length(test) >= 2) {
                strv_push(&v, "/bin/sh");
                strv_push(&v, "-c");
                strv_push(&v, json_object_get_string(json_object_array_get_idx(test, 1)));
        } else if (streq_ptr(kind, "CMD")) {
                for (size_t i = 1; i < json_object_array_length(test); i++)
                        strv_push(&v, json_object_get_string(json_object_array_get_idx(test, i)));
        }
        return v;
}

bool health_configured(struct json_object *config)
{
        _cleanup_(strv_freep) char **argv = test_argv(json_field(json_field(json_field(config, "Config"), "Healthcheck"), "Test"));

        return argv != NULL;
}

static int64_t dur(struct json_object *hc, const char *key, int64_t def)
{
        struct json_object *v = json_field(hc, key);
        int64_t x = v ? json_object_get_int64(v) : 0;

        return x > 0 ? x : def;
}

static const char *now_rfc(char *buf, size_t len)
{
        return engine_now(buf, len);
}

static void checker_main(const char *db_path, const char *id, const char *runtime_root, const char *runtime)
{
        _cleanup_(db_closep) struct db *db = NULL;
        _cleanup_(engine_container_freep) struct engine_container *c = NULL;
        _cleanup_(json_object_putp) struct json_object *log = json_new_array();
        _cleanup_(strv_freep) char **argv = NULL;
        struct json_object *hc;
        struct health_state s = {.status = HEALTH_STARTING};
        struct check ck = {.id = id, .runtime_root = runtime_root, .runtime = runtime};
        int64_t interval, timeout, start_period, started = now_ns();
        unsigned retries;

        if (db_open(db_path, &db, NULL) < 0 || records_get(db, id, &c, NULL) <= 0)
                return;
        hc = json_field(json_field(c->config, "Config"), "Healthcheck");
        argv = test_argv(json_field(hc, "Test"));
        if (!argv || db_migrate(db, "health", health_migrations, ELEMENTSOF(health_migrations), NULL) < 0)
                return;
        ck.argv = argv;
        interval = dur(hc, "Interval", HEALTH_DEFAULT_INTERVAL_NS);
        timeout = dur(hc, "Timeout", HEALTH_DEFAULT_TIMEOUT_NS);
        start_period = dur(hc, "StartPeriod", 0);
        retries = (unsigned)dur(hc, "Retries", HEALTH_DEFAULT_RETRIES);
        (void)save(db, id, &s, log);
        for (;;) {
                _cleanup_free_ char *out = NULL;
                struct json_object *entry = json_new_object();
                char t0[64], t1[64];
                int code;

                sleep_ns(interval);
                now_rfc(t0, sizeof(t0));
                code = run_check(&ck, timeout, &out);
                now_rfc(t1, sizeof(t1));
                health_apply_result(&s, code == 0, now_ns() - started < start_period, retries);
                json_add_string(entry, "Start", t0);
                json_add_string(entry, "End", t1);
                json_add_int(entry, "ExitCode", code);
                json_add_string(entry, "Output", out ? out : "");
                json_append(log, entry);
                while (json_object_array_length(log) > HEALTH_LOG_MAX)
                        json_object_array_del_idx(log, 0, 1);
                (void)save(db, id, &s, log);
        }
}

pid_t health_start(const char *db_path, const char *id, const char *runtime_root, const char *runtime)
{
        pid_t parent = getpid(), pid = fork();

        if (pid != 0)
                return pid;
        /* ends with the monitor even if the monitor dies without health_stop() */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(0);
        {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
        }
        /* none of the monitor's sockets and pipes: its clients must see them close with the monitor */
        (void)close_range(3, ~0U, 0);
        checker_main(db_path, id, runtime_root, runtime);
        _exit(0);
}

void health_stop(pid_t pid)
{
        if (pid > 0)
                (void)kill(pid, SIGKILL);
}

static int load(struct db *db, const char *id, struct health_state *s, struct json_object **ret_log)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const char *log;

        if (db_migrate(db, "health", health_migrations, ELEMENTSOF(health_migrations), NULL) < 0 ||
            db_prepare(db, "SELECT status, failing_streak, log FROM health WHERE id = ?", &st, NULL) < 0)
                return 0;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        s->status = HEALTH_STARTING;
        for (int i = 0; i < _HEALTH_STATUS_MAX; i++)
                if (streq_ptr((const char *)sqlite3_column_text(st, 0), status_names[i]))
                        s->status = (enum health_status)i;
        s->failing_streak = (unsigned)sqlite3_column_int(st, 1);
        log = (const char *)sqlite3_column_text(st, 2);
        if (ret_log && (!log || json_parse_buf(log, strlen(log), ret_log, NULL) < 0))
                *ret_log = json_new_array();
        return 1;
}

struct json_object *health_inspect_json(struct db *db, const char *id)
{
        struct health_state s;
        struct json_object *log = NULL, *h;

        if (load(db, id, &s, &log) <= 0)
                return NULL;
        h = json_new_object();
        json_add_string(h, "Status", health_status_to_string(s.status));
        json_add_int(h, "FailingStreak", s.failing_streak);
        json_add(h, "Log", log);
        return h;
}

char *health_ps_suffix(struct db *db, const char *id)
{
        struct health_state s;

        if (load(db, id, &s, NULL) <= 0)
                return NULL;
        return xstrdup(s.status == HEALTH_STARTING ? "health: starting" : health_status_to_string(s.status));
}

void health_inspect_add(struct db *db, const char *id, struct json_object *state)
{
        struct json_object *h = state ? health_inspect_json(db, id) : NULL;

        if (h)
                json_add(state, "Health", h);
}

int health_parse_duration(const char *s, int64_t *ret_ns)
{
        static const struct {
                const char *unit;
                double ns;
        } units[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
        double total = 0;
        const char *p = s;

        if (!s || !*s)
                return -EINVAL;
        if (streq(s, "0")) {
                *ret_ns = 0;
                return 0;
        }
        while (*p) {
                char *end;
                double v = strtod(p, &end);
                size_t best = 0, best_len = 0;

                if (end == p || v < 0 || *p == '-' || *p == '+')
                        return -EINVAL;
                for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(end, units[i].unit, l) == 0 && l > best_len) {
                                best = i;
                                best_len = l;
                        }
                }
                if (best_len == 0)
                        return -EINVAL;
                total += v * units[best].ns;
                if (total > 9.2e18)
                        return -ERANGE;
                p = end + best_len;
        }
        *ret_ns = (int64_t)total;
        return 0;
}
