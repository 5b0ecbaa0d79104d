/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup v1 backend: one hierarchy per controller (or per group of
 * co-mounted controllers), as on legacy and hybrid hosts. It translates
 * struct oci_resources into the v1 files (memory.limit_in_bytes, cpu.shares,
 * blkio.throttle.*, devices.allow, ...), freezes through freezer.state and
 * reads statistics. Paths, creation and removal are in cgroup.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"

#define FREEZE_TIMEOUT_MS 10000

/* Writes value to file and names the config field on failure. */
static int put(int dirfd, const char *field, const char *file, const char *value, struct berr **err)
{
        int r = cgroup_write(dirfd, file, value, err);

        if (r < 0)
                return berr_wrap(err, "%s", field);
        return 0;
}

static int put_i64(int dirfd, const char *field, const char *file, int64_t v, struct berr **err)
{
        char buf[32];

        (void) snprintf(buf, sizeof(buf), "%" PRId64, v);
        return put(dirfd, field, file, buf, err);
}

static int put_u64(int dirfd, const char *field, const char *file, uint64_t v, struct berr **err)
{
        char buf[32];

        (void) snprintf(buf, sizeof(buf), "%" PRIu64, v);
        return put(dirfd, field, file, buf, err);
}

/* Opens the container's directory in the hierarchy of controller; the error names the field. */
static int open_controller(struct cgroup *cg, const char *controller, const char *field, struct berr **err)
{
        struct cgroup_hierarchy *h = cgroup_find_hierarchy(cg, controller);
        int fd;

        if (!h)
                return berr_set(err, ENOTSUP, "%s: the %s controller is not available on this host", field,
                                controller);
        fd = cgroup_open_hierarchy_dir(cg, h, err);
        if (fd < 0)
                return berr_wrap(err, "%s", field);
        return fd;
}

static int cpuset_init(int parentfd, int dirfd, bool made, struct berr **err)
{
        /* A new v1 cpuset starts with empty cpus and mems, and nothing can join it: copy the parent's. One
         * that this walk made is known to be new; one found may be set up already. */
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_(cgroup_file_close) struct cgroup_file f = { .dirfd = dirfd, .name = files[i], .fd = -1 };
                _cleanup_free_ char *mine = NULL, *parent = NULL;
                int r;

                if (made ? cgroup_file_open(&f, NULL) < 0 : (cgroup_read(dirfd, files[i], &mine, NULL) < 0 || *mine))
                        continue;
                r = cgroup_read(parentfd, files[i], &parent, err);
                if (r < 0)
                        return r;
                r = cgroup_file_write(&f, parent, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v1_create(struct cgroup *cg, struct berr **err)
{
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct cgroup_hierarchy *h = &cg->hier[i];
                bool cpuset = strv_contains(h->controllers, "cpuset");
                int r = cgroup_make_dirs(cg, h, cpuset ? cpuset_init : NULL, err);

                if (r < 0)
                        return r;
        }
        return 0;
}

/* Writes a (first, second) pair that the kernel validates together; tries the other order on EINVAL. */
static int put_pair(int fd, const char *f1, const char *file1, int64_t v1, bool has1, const char *f2, const char *file2,
                    int64_t v2, bool has2, struct berr **err)
{
        int r;

        if (has1 && has2) {
                r = put_i64(fd, f1, file1, v1, NULL);
                if (r < 0) {
                        r = put_i64(fd, f2, file2, v2, err);
                        if (r < 0)
                                return r;
                        return put_i64(fd, f1, file1, v1, err);
                }
                return put_i64(fd, f2, file2, v2, err);
        }
        if (has1)
                return put_i64(fd, f1, file1, v1, err);
        if (has2)
                return put_i64(fd, f2, file2, v2, err);
        return 0;
}

static int v1_memory(struct cgroup *cg, const struct oci_memory *m, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (!m->has_limit && !m->has_reservation && !m->has_swap && !m->has_kernel && !m->has_kernel_tcp &&
            !m->has_swappiness && !m->has_disable_oom_killer && !m->has_use_hierarchy)
                return 0;
        fd = open_controller(cg, "memory", "memory", err);
        if (fd < 0)
                return fd;
        if (m->check_before_update && m->has_limit && m->limit > 0) {
                uint64_t usage;
                if (cgroup_read_u64(fd, "memory.usage_in_bytes", &usage, NULL) >= 0 && usage > (uint64_t) m->limit)
                        return berr_set(err, EBUSY, "memory.limit: %" PRId64 " is below the current usage %" PRIu64,
                                        m->limit, usage);
        }
        if (m->has_use_hierarchy) {
                r = put(fd, "memory.useHierarchy", "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", err);
                if (r < 0)
                        return r;
        }
        /* memsw.limit may never be below limit: when raising both, memsw must go first. */
        r = put_pair(fd, "memory.limit", "memory.limit_in_bytes", m->limit, m->has_limit, "memory.swap",
                     "memory.memsw.limit_in_bytes", m->swap, m->has_swap, err);
        if (r < 0)
                return r;
        if (m->has_reservation &&
            (r = put_i64(fd, "memory.reservation", "memory.soft_limit_in_bytes", m->reservation, err)) < 0)
                return r;
        if (m->has_kernel && (r = put_i64(fd, "memory.kernel", "memory.kmem.limit_in_bytes", m->kernel, err)) < 0)
                return r;
        if (m->has_kernel_tcp &&
            (r = put_i64(fd, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, err)) < 0)
                return r;
        if (m->has_swappiness) {
                if (m->swappiness > 100)
                        return berr_set(err, EINVAL, "memory.swappiness: %" PRIu64 " is above 100", m->swappiness);
                r = put_u64(fd, "memory.swappiness", "memory.swappiness", m->swappiness, err);
                if (r < 0)
                        return r;
        }
        if (m->has_disable_oom_killer &&
            (r = put(fd, "memory.disableOOMKiller", "memory.oom_control", m->disable_oom_killer ? "1" : "0", err)) <
                    0)
                return r;
        return 0;
}

static int v1_cpu(struct cgroup *cg, const struct oci_cpu *c, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_realtime_runtime ||
            c->has_realtime_period || c->has_idle) {
                fd = open_controller(cg, "cpu", "cpu", err);
                if (fd < 0)
                        return fd;
        }
        if (c->has_shares && (r = put_u64(fd, "cpu.shares", "cpu.shares", c->shares, err)) < 0)
                return r;
        if (c->has_period && c->period > INT64_MAX)
                return berr_set(err, EINVAL, "cpu.period: out of range");
        r = put_pair(fd, "cpu.period", "cpu.cfs_period_us", (int64_t) c->period, c->has_period, "cpu.quota",
                     "cpu.cfs_quota_us", c->has_quota ? c->quota : 0, c->has_quota, err);
        if (r < 0)
                return r;
        if (c->has_burst && (r = put_u64(fd, "cpu.burst", "cpu.cfs_burst_us", c->burst, err)) < 0)
                return r;
        if (c->has_realtime_period && c->realtime_period > INT64_MAX)
                return berr_set(err, EINVAL, "cpu.realtimePeriod: out of range");
        r = put_pair(fd, "cpu.realtimePeriod", "cpu.rt_period_us", (int64_t) c->realtime_period,
                     c->has_realtime_period, "cpu.realtimeRuntime", "cpu.rt_runtime_us", c->realtime_runtime,
                     c->has_realtime_runtime, err);
        if (r < 0)
                return r;
        if (c->has_idle && (r = put_i64(fd, "cpu.idle", "cpu.idle", c->idle, err)) < 0)
                return r;

        if (c->cpus || c->mems) {
                _cleanup_close_ int sfd = open_controller(cg, "cpuset", c->cpus ? "cpu.cpus" : "cpu.mems", err);
                if (sfd < 0)
                        return sfd;
                if (c->cpus && (r = put(sfd, "cpu.cpus", "cpuset.cpus", c->cpus, err)) < 0)
                        return r;
                if (c->mems && (r = put(sfd, "cpu.mems", "cpuset.mems", c->mems, err)) < 0)
                        return r;
        }
        return 0;
}

static int v1_pids(struct cgroup *cg, int64_t limit, struct berr **err)
{
        _cleanup_close_ int fd = open_controller(cg, "pids", "pids.limit", err);

        if (fd < 0)
                return fd;
        if (limit <= 0)
                return put(fd, "pids.limit", "pids.max", "max", err);
        return put_i64(fd, "pids.limit", "pids.max", limit, err);
}

static const char *const throttle_file_v1[_OCI_THROTTLE_MAX] = {
        [OCI_THROTTLE_READ_BPS] = "blkio.throttle.read_bps_device",
        [OCI_THROTTLE_WRITE_BPS] = "blkio.throttle.write_bps_device",
        [OCI_THROTTLE_READ_IOPS] = "blkio.throttle.read_iops_device",
        [OCI_THROTTLE_WRITE_IOPS] = "blkio.throttle.write_iops_device",
};

static int v1_blkio(struct cgroup *cg, const struct oci_block_io *b, struct berr **err)
{
        _cleanup_close_ int fd = open_controller(cg, "blkio", "blockIO", err);
        /* Without CFQ (gone since 5.0) only BFQ offers weights, under its own file names. */
        const char *weight = "blkio.weight", *weight_dev = "blkio.weight_device";
        int r;

        if (fd < 0)
                return fd;
        if (!cgroup_has_file(fd, weight) && cgroup_has_file(fd, "blkio.bfq.weight")) {
                weight = "blkio.bfq.weight";
                weight_dev = "blkio.bfq.weight_device";
        }
        if (b->has_weight && (r = put_u64(fd, "blockIO.weight", weight, b->weight, err)) < 0)
                return r;
        if (b->has_leaf_weight && (r = put_u64(fd, "blockIO.leafWeight", "blkio.leaf_weight", b->leaf_weight, err)) < 0)
                return r;
        for (size_t i = 0; i < b->n_weight_devices; i++) {
                const struct oci_weight_device *d = &b->weight_devices[i];
                char buf[64];

                r = cgroup_check_blkio_dev(d->major, d->minor, "blockIO.weightDevice", i, err);
                if (r < 0)
                        return r;
                if (d->has_weight) {
                        (void) snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
                        r = put(fd, "blockIO.weightDevice", weight_dev, buf, err);
                        if (r < 0)
                                return r;
                }
                if (d->has_leaf_weight) {
                        (void) snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight);
                        r = put(fd, "blockIO.weightDevice.leafWeight", "blkio.leaf_weight_device", buf, err);
                        if (r < 0)
                                return r;
                }
        }
        for (int k = 0; k < _OCI_THROTTLE_MAX; k++)
                for (size_t i = 0; i < b->n_throttle[k]; i++) {
                        const struct oci_throttle_device *d = &b->throttle[k][i];
                        char buf[64];

                        r = cgroup_check_blkio_dev(d->major, d->minor, cgroup_throttle_field[k], i, err);
                        if (r < 0)
                                return r;
                        (void) snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate);
                        r = put(fd, cgroup_throttle_field[k], throttle_file_v1[k], buf, err);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int v1_hugetlb(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        _cleanup_close_ int fd = open_controller(cg, "hugetlb", "hugepageLimits", err);
        int r;

        if (fd < 0)
                return fd;
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
                _cleanup_free_ char *file = NULL;

                r = cgroup_check_page_size(l->page_size, i, err);
                if (r < 0)
                        return r;
                file = xasprintf("hugetlb.%s.limit_in_bytes", l->page_size);
                r = put_u64(fd, "hugepageLimits", file, l->limit, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void device_files_close(struct cgroup_file (*files)[2])
{
        cgroup_file_close(&(*files)[0]);
        cgroup_file_close(&(*files)[1]);
}

static int v1_devices(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        _cleanup_free_ struct oci_device_rule *rules = NULL;
        _cleanup_(device_files_close) struct cgroup_file files[2] = { { .fd = -1 }, { .fd = -1 } };
        _cleanup_close_ int fd = -1;
        size_t n = 0;
        int r;

        r = cgroup_device_rules(cg, res, &rules, &n, err);
        if (r < 0 || n == 0)
                return r;
        fd = open_controller(cg, "devices", "devices", err);
        if (fd < 0)
                return fd;
        /* Each file is opened once for all its rules: a dozen rules on every container start. */
        files[0] = (struct cgroup_file){ .dirfd = fd, .name = "devices.deny", .fd = -1 };
        files[1] = (struct cgroup_file){ .dirfd = fd, .name = "devices.allow", .fd = -1 };
        /* Start from "deny all" so both backends mean the same; the rules follow in order. */
        r = cgroup_file_write(&files[0], "a", err);
        if (r < 0)
                return berr_wrap(err, "devices");
        for (size_t i = 0; i < n; i++) {
                const struct oci_device_rule *d = &rules[i];
                char line[96], maj[24], min[24];

                if (d->type == 'a')
                        (void) snprintf(line, sizeof(line), "a");
                else {
                        if (d->major < 0)
                                (void) snprintf(maj, sizeof(maj), "*");
                        else
                                (void) snprintf(maj, sizeof(maj), "%" PRId64, d->major);
                        if (d->minor < 0)
                                (void) snprintf(min, sizeof(min), "*");
                        else
                                (void) snprintf(min, sizeof(min), "%" PRId64, d->minor);
                        (void) snprintf(line, sizeof(line), "%c %s:%s %s", d->type, maj, min, cgroup_device_access(d));
                }
                r = cgroup_file_write(&files[d->allow ? 1 : 0], line, err);
                if (r < 0)
                        return berr_wrap(err, "devices[%zu]", i);
        }
        return 0;
}

static int check_ifname(const char *s, size_t i, struct berr **err)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n >= 16)
                return berr_set(err, EINVAL, "network.priorities[%zu]: invalid interface name", i);
        for (size_t k = 0; k < n; k++)
                if ((unsigned char) s[k] <= ' ' || s[k] == '/' || s[k] == 0x7f)
                        return berr_set(err, EINVAL, "network.priorities[%zu]: invalid interface name '%s'", i, s);
        return 0;
}

static int v1_network(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        int r;

        if (res->has_class_id) {
                _cleanup_close_ int fd = open_controller(cg, "net_cls", "network.classID", err);
                if (fd < 0)
                        return fd;
                r = put_u64(fd, "network.classID", "net_cls.classid", res->class_id, err);
                if (r < 0)
                        return r;
        }
        if (res->n_net_priorities > 0) {
                _cleanup_close_ int fd = open_controller(cg, "net_prio", "network.priorities", err);
                if (fd < 0)
                        return fd;
                for (size_t i = 0; i < res->n_net_priorities; i++) {
                        const struct oci_net_priority *p = &res->net_priorities[i];
                        char buf[64];

                        r = check_ifname(p->name, i, err);
                        if (r < 0)
                                return r;
                        (void) snprintf(buf, sizeof(buf), "%s %u", p->name, p->priority);
                        r = put(fd, "network.priorities", "net_prio.ifpriomap", buf, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int cgroup_rdma_apply(int dirfd, char *const *rdma, struct berr **err)
{
        size_t n = strv_length(rdma);
        int r;

        if (n % 2 != 0 || n / 2 > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "rdma: malformed device list");
        for (size_t i = 0; i < n; i += 2) {
                _cleanup_(strv_freep) char **words = strv_split(rdma[i + 1], " ");
                _cleanup_free_ char *line = NULL, *limits = NULL;
                char **out = NULL;

                for (const char *c = rdma[i]; *c; c++)
                        if ((unsigned char) *c <= ' ' || *c == '/')
                                return berr_set(err, EINVAL, "rdma: invalid device name '%s'", rdma[i]);
                /* the kernel's keys are singular (hca_handle=, hca_object=) */
                for (char **w = words; *w; w++) {
                        const char *v;
                        if ((v = startswith(*w, "hca_handles=")) || (v = startswith(*w, "hca_handle=")))
                                strv_push_take(&out, xasprintf("hca_handle=%s", v));
                        else if ((v = startswith(*w, "hca_objects=")) || (v = startswith(*w, "hca_object=")))
                                strv_push_take(&out, xasprintf("hca_object=%s", v));
                        else {
                                strv_free(out);
                                return berr_set(err, EINVAL, "rdma.%s: unknown limit '%s'", rdma[i], *w);
                        }
                }
                limits = strv_join(out, " ");
                strv_free(out);
                if (!*limits)
                        continue;
                line = xasprintf("%s %s", rdma[i], limits);
                r = cgroup_write(dirfd, "rdma.max", line, err);
                if (r < 0)
                        return berr_wrap(err, "rdma.%s", rdma[i]);
        }
        return 0;
}

static int v1_apply(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        int r;

        if (res->unified && res->unified[0])
                return berr_set(err, ENOTSUP, "unified: '%s' and the other cgroup v2 files cannot be set on a "
                                "cgroup v1 host", res->unified[0]);
        if (res->has_memory && (r = v1_memory(cg, &res->memory, err)) < 0)
                return r;
        if (res->has_cpu && (r = v1_cpu(cg, &res->cpu, err)) < 0)
                return r;
        if (res->has_pids && (r = v1_pids(cg, res->pids_limit, err)) < 0)
                return r;
        if (res->has_block_io && (r = v1_blkio(cg, &res->block_io, err)) < 0)
                return r;
        if (res->n_hugepage_limits > 0 && (r = v1_hugetlb(cg, res, err)) < 0)
                return r;
        if ((r = v1_devices(cg, res, err)) < 0)
                return r;
        if ((res->has_class_id || res->n_net_priorities > 0) && (r = v1_network(cg, res, err)) < 0)
                return r;
        if (res->rdma && res->rdma[0]) {
                _cleanup_close_ int fd = open_controller(cg, "rdma", "rdma", err);
                if (fd < 0)
                        return fd;
                r = cgroup_rdma_apply(fd, res->rdma, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int freezer_state(struct cgroup *cg, char **ret, struct berr **err)
{
        _cleanup_close_ int fd = open_controller(cg, "freezer", "freezer", err);

        if (fd < 0)
                return fd;
        return cgroup_read(fd, "freezer.state", ret, err);
}

static int check_frozen(struct cgroup *cg, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        int r = freezer_state(cg, &s, err);

        if (r < 0)
                return r;
        if (streq(s, "FROZEN"))
                return 1;
        /* FREEZING can stall while a task is in an uninterruptible sleep: ask again */
        if (streq(s, "FREEZING")) {
                _cleanup_close_ int fd = open_controller(cg, "freezer", "freezer", NULL);
                if (fd >= 0)
                        (void) cgroup_write(fd, "freezer.state", "FROZEN", NULL); /* retried on the next round */
        }
        return 0;
}

static int check_thawed(struct cgroup *cg, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        int r = freezer_state(cg, &s, err);

        if (r < 0)
                return r;
        return streq(s, "THAWED") ? 1 : 0;
}

static int v1_freeze(struct cgroup *cg, bool frozen, struct berr **err)
{
        _cleanup_close_ int fd = open_controller(cg, "freezer", "freezer", err);
        int r;

        if (fd < 0)
                return fd;
        r = cgroup_write(fd, "freezer.state", frozen ? "FROZEN" : "THAWED", err);
        if (r < 0)
                return r;
        r = cgroup_wait_state(cg, frozen ? check_frozen : check_thawed, FREEZE_TIMEOUT_MS, err);
        if (r < 0 && frozen)
                (void) cgroup_write(fd, "freezer.state", "THAWED", NULL); /* do not leave it half frozen */
        return r;
}

static int v1_is_frozen(struct cgroup *cg, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        int r;

        if (!cgroup_find_hierarchy(cg, "freezer"))
                return 0;
        r = freezer_state(cg, &s, err);
        if (r < 0)
                return r;
        return streq(s, "FROZEN") ? 1 : 0;
}

static int v1_kill_all(struct cgroup *cg, int sig, struct berr **err)
{
        return 0; /* no cgroup.kill on v1: cgroup.c freezes, signals each pid, thaws */
}

/* Reads a file of a controller's directory, quietly leaving *ret alone when it is not there. */
static void stat_u64(struct cgroup *cg, const char *controller, const char *file, uint64_t *ret)
{
        struct cgroup_hierarchy *h = cgroup_find_hierarchy(cg, controller);
        _cleanup_close_ int fd = h ? cgroup_open_hierarchy_dir(cg, h, NULL) : -1;

        if (fd >= 0)
                (void) cgroup_read_u64(fd, file, ret, NULL); /* absent: stays 0 */
}

static char *stat_text(struct cgroup *cg, const char *controller, const char *file)
{
        struct cgroup_hierarchy *h = cgroup_find_hierarchy(cg, controller);
        _cleanup_close_ int fd = h ? cgroup_open_hierarchy_dir(cg, h, NULL) : -1;
        char *s = NULL;

        if (fd >= 0 && cgroup_read(fd, file, &s, NULL) < 0)
                return NULL;
        return s;
}

static void blkio_bytes(const char *text, uint64_t *rd, uint64_t *wr)
{
        /* lines: "8:0 Read 4096", "8:0 Write 0", ..., "Total 4096" */
        _cleanup_(strv_freep) char **lines = strv_split(text, "\n");

        for (char **l = lines; *l; l++) {
                char op[16];
                unsigned long long v;
                unsigned maj, min;

                if (sscanf(*l, "%u:%u %15s %llu", &maj, &min, op, &v) != 4)
                        continue;
                if (streq(op, "Read"))
                        *rd += v;
                else if (streq(op, "Write"))
                        *wr += v;
        }
}

static int v1_oom_kills(struct cgroup *cg, uint64_t *ret, struct berr **err)
{
        _cleanup_free_ char *oom = stat_text(cg, "memory", "memory.oom_control");
        uint64_t v = 0;

        (void) err; /* no memory controller, or a kernel without the counter: none counted */
        if (oom && cgroup_keyed_get(oom, "oom_kill", &v) > 0)
                *ret = v;
        return 0;
}

static int v1_get_stats(struct cgroup *cg, struct cgroup_stats *st, struct berr **err)
{
        _cleanup_free_ char *mstat = NULL, *blk = NULL;
        uint64_t v = 0;

        stat_u64(cg, "cpuacct", "cpuacct.usage", &st->cpu_usage_ns);
        stat_u64(cg, "cpuacct", "cpuacct.usage_user", &st->cpu_user_ns);
        stat_u64(cg, "cpuacct", "cpuacct.usage_sys", &st->cpu_system_ns);
        stat_u64(cg, "memory", "memory.usage_in_bytes", &st->memory_usage);
        stat_u64(cg, "memory", "memory.limit_in_bytes", &st->memory_limit);
        stat_u64(cg, "memory", "memory.max_usage_in_bytes", &st->memory_max_usage);
        mstat = stat_text(cg, "memory", "memory.stat");
        if (mstat) {
                if (cgroup_keyed_get(mstat, "total_cache", &v) > 0 || cgroup_keyed_get(mstat, "cache", &v) > 0)
                        st->memory_cache = v;
                /* what `docker stats` shows: usage without inactive page cache */
                if ((cgroup_keyed_get(mstat, "total_inactive_file", &v) > 0 ||
                     cgroup_keyed_get(mstat, "inactive_file", &v) > 0) &&
                    v <= st->memory_usage)
                        st->memory_usage -= v;
        }
        /* the kernel reports PAGE_COUNTER_MAX rounded to pages for "no limit" */
        if (st->memory_limit >= (UINT64_C(1) << 62))
                st->memory_limit = UINT64_MAX;
        (void) v1_oom_kills(cg, &st->oom_kills, NULL);
        stat_u64(cg, "pids", "pids.current", &st->pids_current);
        stat_u64(cg, "pids", "pids.max", &st->pids_limit);
        if (st->pids_limit == UINT64_MAX)
                st->pids_limit = 0;
        blk = stat_text(cg, "blkio", "blkio.throttle.io_service_bytes_recursive");
        if (!blk)
                blk = stat_text(cg, "blkio", "blkio.throttle.io_service_bytes");
        if (blk)
                blkio_bytes(blk, &st->blkio_read_bytes, &st->blkio_write_bytes);
        return 0;
}

static int v1_open_oom_notify(struct cgroup *cg, struct berr **err)
{
        _cleanup_close_ int dfd = open_controller(cg, "memory", "memory", err);
        _cleanup_close_ int efd = -1, ofd = -1;
        int r;

        if (dfd < 0)
                return dfd;
        /* cgroup-v1/memory.rst: write "<eventfd> <fd of memory.oom_control>" to cgroup.event_control */
        efd = eventfd(0, EFD_CLOEXEC);
        if (efd < 0)
                return berr_sys(err, "eventfd");
        ofd = openat(dfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
        if (ofd < 0)
                return berr_sys(err, "open 'memory.oom_control'");
        r = cgroup_writef(dfd, "cgroup.event_control", err, "%d %d", efd, ofd);
        if (r < 0)
                return r;
        return TAKE_FD(efd);
}

const struct cgroup_ops cgroup_v1_ops = {
        .create = v1_create,
        .apply = v1_apply,
        .freeze = v1_freeze,
        .is_frozen = v1_is_frozen,
        .kill_all = v1_kill_all,
        .get_stats = v1_get_stats,
        .oom_kills = v1_oom_kills,
        .open_oom_notify = v1_open_oom_notify,
};
