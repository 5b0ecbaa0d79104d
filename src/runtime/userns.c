/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parent writes into /proc/<pid> for a child that created new
 * namespaces: the uid/gid maps of a new user namespace and the clock offsets
 * of a new time namespace. Both must come from outside: a map must be written
 * by a process with CAP_SETUID/CAP_SETGID in the parent user namespace
 * (user_namespaces(7)), and offsets only before the first process enters the
 * time namespace (time_namespaces(7)). Rootless maps through newuidmap are
 * not handled here yet.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/container-internal.h"
#include "runtime/spec.h"

#define IDMAP_MAX_LINES 340 /* the kernel accepts at most 340 lines (since 4.15) */

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, struct berr **err)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap;
        _cleanup_close_ int fd = -1;

        if (n == 0)
                return 0;
        if (n > IDMAP_MAX_LINES)
                return berr_set(err, EINVAL, "%s: %zu entries, at most %d allowed", file, n, IDMAP_MAX_LINES);
        cap = n * 40 + 1;
        buf = xmalloc(cap);
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                                         m[i].size);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open '%s'", path);
        /* One write(2): the kernel accepts a map only once and whole. */
        if (write(fd, buf, len) != (ssize_t) len)
                return berr_sys(err, "write %s", file);
        return 0;
}

int userns_write_maps(pid_t pid, const struct oci_spec *spec, struct berr **err)
{
        int r;

        r = write_map(pid, "uid_map", spec->linux.uid_mappings, spec->linux.n_uid_mappings, err);
        if (r < 0)
                return berr_wrap(err, "user namespace");
        r = write_map(pid, "gid_map", spec->linux.gid_mappings, spec->linux.n_gid_mappings, err);
        if (r < 0)
                return berr_wrap(err, "user namespace");
        return 0;
}

int timens_write_offsets(pid_t pid, const struct oci_spec *spec, struct berr **err)
{
        const struct oci_time_offset *mono = &spec->linux.time_monotonic, *boot = &spec->linux.time_boottime;
        char path[64], buf[128];
        int len = 0;
        _cleanup_close_ int fd = -1;

        if (!mono->present && !boot->present)
                return 0;
        if (mono->present)
                len += snprintf(buf + len, sizeof(buf) - (size_t) len, "monotonic %lld %u\n", (long long) mono->secs,
                                mono->nanosecs);
        if (boot->present)
                len += snprintf(buf + len, sizeof(buf) - (size_t) len, "boottime %lld %u\n", (long long) boot->secs,
                                boot->nanosecs);
        snprintf(path, sizeof(path), "/proc/%d/timens_offsets", (int) pid);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "time namespace: open '%s'", path);
        if (write(fd, buf, (size_t) len) != len)
                return berr_sys(err, "time namespace: write offsets");
        return 0;
}
