/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events`: the container's resource usage as JSON lines in runc's shape
 * ({"type":"stats","id":...,"data":{"cpu":...,"memory":...,"pids":...,
 * "blkio":...}}), once (--stats) or every interval, plus {"type":"oom"} lines
 * when the kernel reports an OOM kill in the container's cgroup. The stream
 * ends when the container stops.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/container-internal.h"

static struct json_object *json_u64(uint64_t v)
{
        return json_object_new_uint64(v);
}

static char *stats_line(const char *id, const struct cgroup_stats *s)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        struct json_object *data = json_new_object(), *cpu = json_new_object(), *usage = json_new_object();
        struct json_object *mem = json_new_object(), *mu = json_new_object(), *pids = json_new_object();
        struct json_object *blkio = json_new_object(), *bytes = json_new_array();
        struct json_object *rd = json_new_object(), *wr = json_new_object();
        char *line, *full;

        json_add(usage, "total", json_u64(s->cpu_usage_ns));
        json_add(usage, "kernel", json_u64(s->cpu_system_ns));
        json_add(usage, "user", json_u64(s->cpu_user_ns));
        json_add(cpu, "usage", usage);
        json_add(data, "cpu", cpu);
        json_add(mu, "usage", json_u64(s->memory_usage));
        json_add(mu, "max", json_u64(s->memory_max_usage));
        json_add(mu, "limit", json_u64(s->memory_limit));
        json_add(mem, "usage", mu);
        json_add(mem, "cache", json_u64(s->memory_cache));
        json_add(mem, "oom_kill", json_u64(s->oom_kills));
        json_add(data, "memory", mem);
        json_add(pids, "current", json_u64(s->pids_current));
        json_add(pids, "limit", json_u64(s->pids_limit));
        json_add(data, "pids", pids);
        json_add_string(rd, "op", "Read");
        json_add(rd, "value", json_u64(s->blkio_read_bytes));
        json_add_string(wr, "op", "Write");
        json_add(wr, "value", json_u64(s->blkio_write_bytes));
        json_append(bytes, rd);
        json_append(bytes, wr);
        json_add(blkio, "ioServiceBytesRecursive", bytes);
        json_add(data, "blkio", blkio);
        json_add_string(o, "type", "stats");
        json_add_string(o, "id", id);
        json_add(o, "data", data);
        line = json_dump(o, false);
        full = xasprintf("%s\n", line);
        free(line);
        return full;
}

static int emit_stats(int out_fd, const char *id, struct cgroup *cg, struct berr **err)
{
        struct cgroup_stats s = { 0 };
        _cleanup_free_ char *line = NULL;
        int r;

        r = cgroup_get_stats(cg, &s, err);
        if (r < 0)
                return berr_wrap(err, "stats of container '%s'", id);
        line = stats_line(id, &s);
        if (write_all(out_fd, line, strlen(line)) < 0)
                return berr_sys(err, "write events");
        return 0;
}

static int emit_oom(int out_fd, const char *id, struct berr **err)
{
        _cleanup_free_ char *line = xasprintf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id); /* ids are [A-Za-z0-9_+.-] */

        if (write_all(out_fd, line, strlen(line)) < 0)
                return berr_sys(err, "write events");
        return 0;
}

int container_events(const struct runtime_ctx *ctx, const char *id, bool stats_only, unsigned interval, int out_fd,
                     struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1, oomfd = -1, pidfd = -1;
        uint64_t last_ooms = 0;
        int r;

        r = container_open(ctx, id, false, &dirfd, &st, err);
        if (r < 0)
                return r;
        dirfd = safe_close(dirfd); /* drop the shared lock: the stream may last long */
        if (!state_pid_alive(&st))
                return berr_set(err, ESRCH, "container '%s' is not running", id);
        r = cgroup_load(NULL, st.cgroup, &cg, err);
        if (r < 0)
                return r;
        if (stats_only)
                return emit_stats(out_fd, id, cg, err);
        if (interval == 0)
                interval = 5;
        pidfd = (int) syscall(SYS_pidfd_open, st.pid, 0);
        oomfd = cgroup_open_oom_notify(cg, NULL); /* no OOM events where the kernel cannot tell */
        {
                struct cgroup_stats s = { 0 };
                if (cgroup_get_stats(cg, &s, NULL) >= 0)
                        last_ooms = s.oom_kills;
        }
        /* v1 hands out an eventfd (POLLIN); on v2 memory.events is a kernfs file: always POLLIN, and
         * POLLPRI|POLLERR once modified until read again. */
        const short oom_ev = cgroup_get_mode(cg) == CGROUP_MODE_V2 ? POLLPRI : POLLIN;
        for (;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = oomfd, .events = oom_ev } };
                int n;

                r = emit_stats(out_fd, id, cg, err);
                if (r < 0)
                        return r;
                n = poll(p, 2, (int) interval * 1000);
                if (n < 0 && errno != EINTR)
                        return berr_sys(err, "poll");
                if (n > 0 && (p[1].revents & (oom_ev | POLLERR))) {
                        struct cgroup_stats s = { 0 };
                        char junk[512];
                        (void) lseek(oomfd, 0, SEEK_SET); /* ESPIPE on the eventfd: fine */
                        (void) read(oomfd, junk, sizeof(junk)); /* drains the eventfd, re-arms the v2 file */
                        if (cgroup_get_stats(cg, &s, NULL) >= 0 && s.oom_kills != last_ooms) {
                                last_ooms = s.oom_kills;
                                r = emit_oom(out_fd, id, err);
                                if (r < 0)
                                        return r;
                        }
                }
                if (pidfd < 0 || (n > 0 && (p[0].revents & POLLIN)))
                        return 0;
        }
}
