/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pause/unpause, update, stats and pids of a container through the runtime's
 * container_* calls on the engine's runtime root (control.h), or through an
 * external runtime's command line (extrt.h) for containers run with
 * --runtime. The record's state and HostConfig are written here; the monitor
 * still owns exits.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/control.h"
#include "engine/engine.h"
#include "engine/extrt.h"
#include "engine/monitor.h"
#include "engine/spec-gen.h"
#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/spec.h"

#define STATS_LINE_MAX (64U << 10)
#define NETDEV_MAX     (256U << 10)

static int require_running(const struct engine_container *c, struct berr **err)
{
        if (c->state != ENGINE_STATE_RUNNING && c->state != ENGINE_STATE_PAUSED)
                return berr_set(err, EINVAL, "container %s is not running", c->id);
        return 0;
}

/* `RUNTIME --root ROOT verb [flags] ID` for a container run with --runtime; its stdout in ret_out. */
static int external(struct engine *e, const struct engine_container *c, const char *verb, char *const *flags,
                    char **ret_out, struct berr **err)
{
        const char *runtime = engine_container_runtime(c);
        _cleanup_free_ char *root = engine_runtime_root_of(e, runtime);
        _cleanup_(strv_freep) char **args = NULL;

        strv_push(&args, verb);
        for (; flags && *flags; flags++)
                strv_push(&args, *flags);
        strv_push(&args, c->id);
        return extrt_run(runtime, root, args, ret_out, err);
}

int engine_pause(struct engine *e, struct engine_container *c, bool pause, struct berr **err)
{
        struct runtime_ctx ctx = {.root = e->runtime_root};
        int r = require_running(c, err);

        if (r < 0)
                return r;
        if (pause && c->state == ENGINE_STATE_PAUSED)
                return berr_set(err, EINVAL, "container %s is already paused", c->id);
        if (!pause && c->state != ENGINE_STATE_PAUSED)
                return berr_set(err, EINVAL, "container %s is not paused", c->id);
        if (engine_container_runtime(c))
                r = external(e, c, pause ? "pause" : "resume", NULL, NULL, err);
        else
                r = container_pause(&ctx, c->id, pause, err);
        if (r < 0)
                return r;
        c->state = pause ? ENGINE_STATE_PAUSED : ENGINE_STATE_RUNNING;
        return engine_container_save_state(e, c, err);
}

#define PIDS_MAX 65536

/* `RUNTIME ps --format json ID`: a JSON array of host pids. */
static int external_pids(struct engine *e, const struct engine_container *c, pid_t **ret, size_t *ret_n,
                         struct berr **err)
{
        static char *const flags[] = { "--format", "json", NULL };
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n;
        int r = external(e, c, "ps", flags, &text, err);

        if (r < 0)
                return r;
        r = json_parse_buf(text, strlen(text), &o, err);
        if (r < 0)
                return berr_wrap(err, "runtime ps");
        if (!json_object_is_type(o, json_type_array))
                return berr_set(err, EPROTO, "runtime ps: not a JSON array of pids");
        n = json_object_array_length(o);
        if (n > PIDS_MAX)
                return berr_set(err, E2BIG, "runtime ps: more than %d pids", PIDS_MAX);
        pids = xcalloc(n ? n : 1, sizeof(*pids));
        for (size_t i = 0; i < n; i++)
                pids[i] = (pid_t) json_object_get_int(json_object_array_get_idx(o, i));
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

int engine_pids(struct engine *e, const struct engine_container *c, pid_t **ret, size_t *ret_n, struct berr **err)
{
        struct runtime_ctx ctx = {.root = e->runtime_root};
        int r = require_running(c, err);

        if (r < 0)
                return r;
        if (engine_container_runtime(c))
                return external_pids(e, c, ret, ret_n, err);
        return container_pids(&ctx, c->id, ret, ret_n, err);
}

static uint64_t ju64(struct json_object *o, const char *a, const char *b)
{
        struct json_object *v = json_field(json_field(o, a), b);

        return v ? json_object_get_uint64(v) : 0;
}

/* Sums the interfaces but lo of /proc/<pid>/net/dev (the container's network namespace). */
static void net_io(pid_t pid, uint64_t *rx, uint64_t *tx)
{
        _cleanup_free_ char *path = xasprintf("/proc/%d/net/dev", (int)pid), *text = NULL;
        char *save = NULL;
        size_t len;

        *rx = *tx = 0;
        if (read_file_at(AT_FDCWD, path, NETDEV_MAX, &text, &len, NULL) < 0)
                return;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *colon = strchr(l, ':');
                unsigned long long v[9];
                while (*l == ' ')
                        l++;
                if (!colon || startswith(l, "lo:"))
                        continue;
                if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                           &v[5], &v[6], &v[7], &v[8]) == 9) {
                        *rx += v[0];
                        *tx += v[8];
                }
        }
}

/* One `events --stats` line (runc's shape) of the container, in-process or from the external runtime. */
static int stats_text(struct engine *e, const struct engine_container *c, char **ret, struct berr **err)
{
        static char *const flags[] = { "--stats", NULL };
        struct runtime_ctx ctx = {.root = e->runtime_root};
        _cleanup_close_ int fd = -1;
        size_t len = 0;
        int r;

        if (engine_container_runtime(c))
                return external(e, c, "events", flags, ret, err);
        fd = memfd_create("stats", MFD_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "memfd");
        r = container_events(&ctx, c->id, true, 0, fd, err);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berr_sys(err, "rewind");
        return read_all(fd, STATS_LINE_MAX, ret, &len, err);
}

int engine_stats_sample(struct engine *e, const struct engine_container *c, struct engine_stats *ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        struct json_object *data, *bio;
        int r;

        r = require_running(c, err);
        if (r < 0)
                return r;
        r = stats_text(e, c, &text, err);
        if (r < 0)
                return r;
        r = json_parse_buf(text, strlen(text), &o, err);
        if (r < 0)
                return r;
        data = json_field(o, "data");
        memset(ret, 0, sizeof(*ret));
        ret->cpu_ns = ju64(json_field(data, "cpu"), "usage", "total");
        ret->mem_usage = ju64(json_field(data, "memory"), "usage", "usage");
        ret->mem_limit = ju64(json_field(data, "memory"), "usage", "limit");
        ret->pids = ju64(data, "pids", "current");
        bio = json_field(json_field(data, "blkio"), "ioServiceBytesRecursive");
        for (size_t i = 0; bio && i < json_object_array_length(bio); i++) {
                struct json_object *x = json_object_array_get_idx(bio, i);
                const char *op = json_object_get_string(json_field(x, "op"));
                uint64_t v = json_object_get_uint64(json_field(x, "value"));
                if (streq_ptr(op, "Read"))
                        ret->blk_read += v;
                else if (streq_ptr(op, "Write"))
                        ret->blk_write += v;
        }
        net_io(c->pid, &ret->net_rx, &ret->net_tx);
        return 0;
}

double engine_stats_cpu_percent(uint64_t cpu0, uint64_t cpu1, uint64_t wall0_ns, uint64_t wall1_ns)
{
        if (cpu1 <= cpu0 || wall1_ns <= wall0_ns)
                return 0.0;
        return (double)(cpu1 - cpu0) / (double)(wall1_ns - wall0_ns) * 100.0;
}

static int save_config(struct engine *e, const struct engine_container *c, struct berr **err)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        _cleanup_free_ char *text = json_dump(c->config, false);
        int r = db_prepare(e->db, "UPDATE containers SET config = ? WHERE id = ?", &st, err);

        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, c->id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_error(e->db, err, "update container");
        return 0;
}

/* runc's update flags for res. */
static int external_update(struct engine *e, const struct engine_container *c, const struct oci_resources *res,
                           struct berr **err)
{
        _cleanup_(strv_freep) char **f = NULL;

        if (res->memory.has_limit)
                strv_push_take(&f, xasprintf("--memory=%lld", (long long) res->memory.limit));
        if (res->memory.has_swap)
                strv_push_take(&f, xasprintf("--memory-swap=%lld", (long long) res->memory.swap));
        if (res->cpu.has_period)
                strv_push_take(&f, xasprintf("--cpu-period=%llu", (unsigned long long) res->cpu.period));
        if (res->cpu.has_quota)
                strv_push_take(&f, xasprintf("--cpu-quota=%lld", (long long) res->cpu.quota));
        if (res->cpu.has_shares)
                strv_push_take(&f, xasprintf("--cpu-share=%llu", (unsigned long long) res->cpu.shares));
        if (res->cpu.cpus)
                strv_push_take(&f, xasprintf("--cpuset-cpus=%s", res->cpu.cpus));
        if (res->has_pids)
                strv_push_take(&f, xasprintf("--pids-limit=%lld", (long long) res->pids_limit));
        return external(e, c, "update", f, NULL, err);
}

static int64_t jint(struct json_object *o, const char *key)
{
        struct json_object *v = json_field(o, key);

        return v ? json_object_get_int64(v) : 0;
}

int engine_update_memory(int64_t memory, int64_t memory_swap, const struct engine_update *u, int64_t *ret_memory,
                         int64_t *ret_swap, struct berr **err)
{
        int64_t mem = u->memory ? u->memory : memory;
        int64_t swap = u->memory_swap ? u->memory_swap : spec_gen_memory_swap(memory, memory_swap);

        if (mem <= 0)
                return berr_set(err, EINVAL,
                                "You should always set the Memory limit when using Memoryswap limit, "
                                "see usage");
        if (swap > 0 && mem > swap)
                return berr_set(err, EINVAL,
                                u->memory_swap ? "Minimum memoryswap limit should be larger than memory "
                                                 "limit, see usage"
                                               : "Memory limit should be smaller than already set "
                                                 "memoryswap limit, update the memoryswap at the same "
                                                 "time");
        *ret_memory = mem;
        *ret_swap = swap;
        return 0;
}

int engine_update(struct engine *e, struct engine_container *c, const struct engine_update *u, struct berr **err)
{
        struct runtime_ctx ctx = {.root = e->runtime_root};
        struct json_object *hc = json_field(c->config, "HostConfig");
        struct oci_resources res = {0};
        int r;

        if (!hc) {
                hc = json_new_object();
                json_add(c->config, "HostConfig", hc);
        }
        if (u->restart) {
                enum monitor_restart p;
                unsigned max = 0;
                struct json_object *rp = json_new_object();
                r = monitor_restart_parse(u->restart, &p, &max, err);
                if (r < 0)
                        return r;
                json_add_string(rp, "Name", streq(u->restart, "no") ? "no" : monitor_restart_to_string(p));
                json_add_int(rp, "MaximumRetryCount", max);
                json_add(hc, "RestartPolicy", rp);
        }
        if (u->memory || u->memory_swap) {
                int64_t mem, swap;
                r = engine_update_memory(jint(hc, "Memory"), jint(hc, "MemorySwap"), u, &mem, &swap, err);
                if (r < 0)
                        return r;
                /* both files together: v2's memory.swap.max is derived from the limit and the total */
                res.has_memory = res.memory.has_limit = true;
                res.memory.limit = mem;
                json_add_int(hc, "Memory", mem);
                if (swap != 0) {
                        res.memory.has_swap = true;
                        res.memory.swap = swap;
                        json_add_int(hc, "MemorySwap", swap);
                }
        }
        if (u->nano_cpus) {
                res.has_cpu = res.cpu.has_quota = res.cpu.has_period = true;
                res.cpu.period = 100000;
                res.cpu.quota = u->nano_cpus / 10000;
                json_add_int(hc, "NanoCpus", u->nano_cpus);
        }
        if (u->cpu_shares) {
                res.has_cpu = res.cpu.has_shares = true;
                res.cpu.shares = u->cpu_shares;
                json_add_int(hc, "CpuShares", (int64_t)u->cpu_shares);
        }
        if (u->cpuset_cpus) {
                res.has_cpu = true;
                res.cpu.cpus = (char *)u->cpuset_cpus;
                json_add_string(hc, "CpusetCpus", u->cpuset_cpus);
        }
        if (u->pids_limit) {
                res.has_pids = true;
                res.pids_limit = u->pids_limit;
                json_add_int(hc, "PidsLimit", u->pids_limit);
        }
        if ((res.has_memory || res.has_cpu || res.has_pids) &&
            (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED)) {
                r = require_running(c, err);
                if (r < 0)
                        return r;
                if (engine_container_runtime(c))
                        r = external_update(e, c, &res, err);
                else
                        r = container_update(&ctx, c->id, &res, err);
                if (r < 0)
                        return berr_wrap(err, "update container %s", c->name);
        }
        return save_config(e, c, err);
}
