/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup v2 backend: one unified hierarchy. It enables controllers in the
 * parents' cgroup.subtree_control, translates struct oci_resources into the
 * v2 files (memory.max, cpu.weight, cpu.max, io.max, ...) with the same
 * conversions runc and crun use, restricts devices with a
 * BPF_PROG_TYPE_CGROUP_DEVICE program that it generates itself (no libbpf:
 * the program is a few instructions per rule), and freezes, kills and reads
 * statistics through the v2 interface files. Paths and removal are in
 * cgroup.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"

#define FREEZE_TIMEOUT_MS 10000
#define BPF_LOG_SIZE (64u << 10)
#define BPF_MAX_ATTACHED 64 /* programs already attached that an update replaces */
#define BPF_MAX_INSNS 1000000 /* BPF_COMPLEXITY_LIMIT_INSNS for privileged loaders */

/* The result r of a write for the config field: 0, or the error naming the field. */
static int put_result(int r, const char *field, struct berr **err)
{
        if (r < 0) {
                if (r == -ENOENT)
                        return berr_wrap(err, "%s: not supported by this kernel or controller not enabled", field);
                return berr_wrap(err, "%s", field);
        }
        return 0;
}

static int put(int dirfd, const char *field, const char *file, const char *value, struct berr **err)
{
        return put_result(cgroup_write(dirfd, file, value, err), field, err);
}

static int putf(int dirfd, const char *field, const char *file, struct berr **err, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static int putf(int dirfd, const char *field, const char *file, struct berr **err, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = cgroup_vwritef(dirfd, file, err, fmt, ap);
        va_end(ap);
        return put_result(r, field, err);
}

static int unsupported(const char *field, struct berr **err)
{
        return berr_set(err, ENOTSUP, "%s: not available on cgroup v2", field);
}

/* "max" for -1 (unlimited), the number otherwise. */
static void limit_str(int64_t v, char buf[static 32])
{
        if (v < 0)
                (void) snprintf(buf, 32, "max");
        else
                (void) snprintf(buf, 32, "%" PRId64, v);
}

static int enable_controllers(struct cgroup *cg, struct berr **err)
{
        _cleanup_(strv_freep) char **parts = strv_split(cg->hier[0].path, "/");
        _cleanup_close_ int fd = open(cg->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t n = strv_length(parts);

        if (fd < 0)
                return berr_sys(err, "open '%s'", cg->mountpoint);
        /* Every level above the container hands down what it has (cgroup v2's top-down constraint). */
        for (size_t i = 0; i < n; i++) {
                _cleanup_(strv_freep) char **avail = NULL;
                _cleanup_free_ char *text = NULL;
                int child;

                if (cgroup_read(fd, "cgroup.controllers", &text, NULL) >= 0)
                        avail = strv_split(text, " ");
                for (char **c = avail; c && *c; c++) {
                        _cleanup_free_ char *req = xasprintf("+%s", *c);
                        struct berr *e = NULL;
                        /* EBUSY: this level has processes of its own (no internal processes rule);
                         * the container then gets what is already enabled, and apply names any
                         * field it cannot set */
                        if (cgroup_write(fd, "cgroup.subtree_control", req, &e) < 0)
                                log_debug("cgroup: enable '%s' below level %zu: %s, ignoring", *c, i, berr_msg(e));
                        berr_free(e);
                }
                child = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (child < 0)
                        return berr_sys(err, "open cgroup '%s'", parts[i]);
                closep(&fd);
                fd = child;
        }
        return 0;
}

static int v2_create(struct cgroup *cg, struct berr **err)
{
        int r = cgroup_make_dirs(cg, &cg->hier[0], NULL, err);

        if (r < 0)
                return r;
        return enable_controllers(cg, err);
}

static int v2_memory(int fd, const struct oci_memory *m, struct berr **err)
{
        char buf[32];
        int r;

        if (m->has_kernel_tcp)
                return unsupported("memory.kernelTCP", err);
        if (m->has_swappiness)
                return unsupported("memory.swappiness", err);
        if (m->has_disable_oom_killer && m->disable_oom_killer)
                return unsupported("memory.disableOOMKiller", err);
        if (m->has_use_hierarchy && !m->use_hierarchy)
                return berr_set(err, ENOTSUP, "memory.useHierarchy: cgroup v2 is always hierarchical");
        if (m->has_kernel)
                log_debug("cgroup: memory.kernel is deprecated and has no cgroup v2 file, ignoring");
        if (m->check_before_update && m->has_limit && m->limit > 0) {
                uint64_t usage;
                if (cgroup_read_u64(fd, "memory.current", &usage, NULL) >= 0 && usage > (uint64_t) m->limit)
                        return berr_set(err, EBUSY, "memory.limit: %" PRId64 " is below the current usage %" PRIu64,
                                        m->limit, usage);
        }
        if (m->has_swap) {
                int64_t swap;
                r = cgroup_swap_to_v2(m->swap, m->has_limit, m->limit, &swap, err);
                if (r < 0)
                        return r;
                limit_str(swap, buf);
                /* swap before max: a lower memory.max with swap off could OOM-kill meanwhile */
                r = put(fd, "memory.swap", "memory.swap.max", buf, err);
                if (r < 0)
                        return r;
        }
        if (m->has_limit) {
                limit_str(m->limit, buf);
                r = put(fd, "memory.limit", "memory.max", buf, err);
                if (r < 0)
                        return r;
        }
        if (m->has_reservation) {
                limit_str(m->reservation, buf);
                r = put(fd, "memory.reservation", "memory.low", buf, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v2_cpu(int fd, const struct oci_cpu *c, struct berr **err)
{
        int r;

        if (c->has_realtime_runtime || c->has_realtime_period)
                return unsupported(c->has_realtime_runtime ? "cpu.realtimeRuntime" : "cpu.realtimePeriod", err);
        if (c->has_shares && c->shares != 0 &&
            (r = putf(fd, "cpu.shares", "cpu.weight", err, "%" PRIu64, cgroup_shares_to_weight(c->shares))) < 0)
                return r;
        if ((c->has_quota && c->quota != 0) || (c->has_period && c->period != 0)) {
                char q[32] = "max";
                if (c->has_quota && c->quota > 0)
                        (void) snprintf(q, sizeof(q), "%" PRId64, c->quota);
                if (c->has_period && c->period != 0)
                        r = putf(fd, "cpu.quota", "cpu.max", err, "%s %" PRIu64, q, c->period);
                else
                        r = put(fd, "cpu.quota", "cpu.max", q, err);
                if (r < 0)
                        return r;
        }
        if (c->has_burst && (r = putf(fd, "cpu.burst", "cpu.max.burst", err, "%" PRIu64, c->burst)) < 0)
                return r;
        if (c->has_idle && (r = putf(fd, "cpu.idle", "cpu.idle", err, "%" PRId64, c->idle)) < 0)
                return r;
        if (c->cpus && (r = put(fd, "cpu.cpus", "cpuset.cpus", c->cpus, err)) < 0)
                return r;
        if (c->mems && (r = put(fd, "cpu.mems", "cpuset.mems", c->mems, err)) < 0)
                return r;
        return 0;
}

static const char *const io_max_key[_OCI_THROTTLE_MAX] = {
        [OCI_THROTTLE_READ_BPS] = "rbps",
        [OCI_THROTTLE_WRITE_BPS] = "wbps",
        [OCI_THROTTLE_READ_IOPS] = "riops",
        [OCI_THROTTLE_WRITE_IOPS] = "wiops",
};

static int v2_io(int fd, const struct oci_block_io *b, struct berr **err)
{
        /* BFQ keeps the v1 range (1..1000) in its own file; io.weight (1..10000) is iocost's. */
        bool bfq = cgroup_has_file(fd, "io.bfq.weight");
        int r;

        if (b->has_leaf_weight)
                return unsupported("blockIO.leafWeight", err);
        if (b->has_weight && b->weight != 0) {
                if (bfq)
                        r = putf(fd, "blockIO.weight", "io.bfq.weight", err, "%u", b->weight);
                else
                        r = putf(fd, "blockIO.weight", "io.weight", err, "default %" PRIu64,
                                 cgroup_blkio_weight_to_io_weight(b->weight));
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < b->n_weight_devices; i++) {
                const struct oci_weight_device *d = &b->weight_devices[i];

                r = cgroup_check_blkio_dev(d->major, d->minor, "blockIO.weightDevice", i, err);
                if (r < 0)
                        return r;
                if (d->has_leaf_weight)
                        return unsupported("blockIO.weightDevice.leafWeight", err);
                if (!d->has_weight)
                        continue;
                if (bfq)
                        r = putf(fd, "blockIO.weightDevice", "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u",
                                 d->major, d->minor, d->weight);
                else
                        r = putf(fd, "blockIO.weightDevice", "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                                 d->major, d->minor, cgroup_blkio_weight_to_io_weight(d->weight));
                if (r < 0)
                        return r;
        }
        for (int k = 0; k < _OCI_THROTTLE_MAX; k++)
                for (size_t i = 0; i < b->n_throttle[k]; i++) {
                        const struct oci_throttle_device *d = &b->throttle[k][i];

                        r = cgroup_check_blkio_dev(d->major, d->minor, cgroup_throttle_field[k], i, err);
                        if (r < 0)
                                return r;
                        /* 0 removes the limit, as writing 0 does on v1 */
                        if (d->rate == 0)
                                r = putf(fd, cgroup_throttle_field[k], "io.max", err, "%" PRId64 ":%" PRId64 " %s=max",
                                         d->major, d->minor, io_max_key[k]);
                        else
                                r = putf(fd, cgroup_throttle_field[k], "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
                                         d->major, d->minor, io_max_key[k], d->rate);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int v2_hugetlb(int fd, const struct oci_resources *res, struct berr **err)
{
        int r;

        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
                _cleanup_free_ char *file = NULL, *rsvd = NULL;
                const char *s = l->page_size;

                r = cgroup_check_page_size(s, i, err);
                if (r < 0)
                        return r;
                file = xasprintf("hugetlb.%s.max", s);
                r = putf(fd, "hugepageLimits", file, err, "%" PRIu64, l->limit);
                if (r < 0)
                        return r;
                /* reservations are charged separately since 5.7: keep them in line */
                rsvd = xasprintf("hugetlb.%s.rsvd.max", s);
                if (cgroup_has_file(fd, rsvd) && (r = putf(fd, "hugepageLimits", rsvd, err, "%" PRIu64, l->limit)) < 0)
                        return r;
        }
        return 0;
}

static int check_unified_key(const char *key, struct berr **err)
{
        size_t n = strlen(key);

        if (n == 0 || n > 64 || strchr(key, '/') || key[0] == '.' || !strchr(key, '.'))
                return berr_set(err, EINVAL, "unified: invalid cgroup file name '%s'", key);
        /* these would move processes or change the tree, not set a limit */
        if (streq(key, "cgroup.procs") || streq(key, "cgroup.threads") || streq(key, "cgroup.subtree_control") ||
            streq(key, "cgroup.kill") || streq(key, "cgroup.freeze") || streq(key, "cgroup.type"))
                return berr_set(err, EINVAL, "unified: '%s' may not be set", key);
        return 0;
}

static int v2_unified(int fd, char *const *unified, struct berr **err)
{
        size_t n = strv_length(unified);
        int r;

        if (n % 2 != 0 || n / 2 > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "unified: malformed map");
        for (size_t i = 0; i < n; i += 2) {
                _cleanup_free_ char *field = xasprintf("unified.%s", unified[i]);

                r = check_unified_key(unified[i], err);
                if (r < 0)
                        return r;
                r = put(fd, field, unified[i], unified[i + 1], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v2_devices(struct cgroup *cg, int fd, const struct oci_resources *res, struct berr **err)
{
        _cleanup_free_ struct oci_device_rule *rules = NULL;
        _cleanup_free_ void *insns = NULL;
        size_t n = 0, n_insns = 0;
        int r;

        r = cgroup_device_rules(cg, res, &rules, &n, err);
        if (r < 0 || n == 0)
                return r;
        r = cgroup_bpf_devices_program(rules, n, &insns, &n_insns, err);
        if (r < 0)
                return berr_wrap(err, "devices");
        r = cgroup_bpf_devices_attach(fd, insns, n_insns, err);
        if (r < 0)
                return berr_wrap(err, "devices");
        return 0;
}

static int v2_apply(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (res->has_class_id)
                return unsupported("network.classID", err);
        if (res->n_net_priorities > 0)
                return unsupported("network.priorities", err);
        fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        if (fd < 0)
                return fd;
        if (res->has_memory && (r = v2_memory(fd, &res->memory, err)) < 0)
                return r;
        if (res->has_cpu && (r = v2_cpu(fd, &res->cpu, err)) < 0)
                return r;
        if (res->has_pids) {
                char buf[32];
                limit_str(res->pids_limit <= 0 ? -1 : res->pids_limit, buf);
                r = put(fd, "pids.limit", "pids.max", buf, err);
                if (r < 0)
                        return r;
        }
        if (res->has_block_io && (r = v2_io(fd, &res->block_io, err)) < 0)
                return r;
        if (res->n_hugepage_limits > 0 && (r = v2_hugetlb(fd, res, err)) < 0)
                return r;
        if (res->rdma && res->rdma[0] && (r = cgroup_rdma_apply(fd, res->rdma, err)) < 0)
                return r;
        if ((r = v2_devices(cg, fd, res, err)) < 0)
                return r;
        /* last: an explicit file overrides what the fields above wrote */
        if (res->unified && (r = v2_unified(fd, res->unified, err)) < 0)
                return r;
        return 0;
}

static int events_frozen(struct cgroup *cg, struct berr **err)
{
        _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        _cleanup_free_ char *ev = NULL, *want = NULL;
        uint64_t v = 0;
        int r;

        if (fd < 0)
                return fd;
        r = cgroup_read(fd, "cgroup.events", &ev, NULL);
        if (r >= 0 && cgroup_keyed_get(ev, "frozen", &v) > 0)
                return v ? 1 : 0;
        r = cgroup_read(fd, "cgroup.freeze", &want, err);
        if (r < 0)
                return r;
        return streq(want, "1") ? 1 : 0;
}

static int check_frozen(struct cgroup *cg, struct berr **err)
{
        return events_frozen(cg, err);
}

static int check_thawed(struct cgroup *cg, struct berr **err)
{
        int r = events_frozen(cg, err);

        return r < 0 ? r : !r;
}

static int v2_freeze(struct cgroup *cg, bool frozen, struct berr **err)
{
        _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        int r;

        if (fd < 0)
                return fd;
        r = cgroup_write(fd, "cgroup.freeze", frozen ? "1" : "0", err);
        if (r < 0)
                return r;
        r = cgroup_wait_state(cg, frozen ? check_frozen : check_thawed, FREEZE_TIMEOUT_MS, err);
        if (r < 0 && frozen)
                (void) cgroup_write(fd, "cgroup.freeze", "0", NULL); /* do not leave it half frozen */
        return r < 0 ? r : 0;
}

static int v2_is_frozen(struct cgroup *cg, struct berr **err)
{
        return events_frozen(cg, err);
}

static int v2_kill_all(struct cgroup *cg, int sig, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        int r;

        if (sig != SIGKILL)
                return 0;
        fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        if (fd < 0)
                return fd;
        if (!cgroup_has_file(fd, "cgroup.kill")) /* before 5.14 */
                return 0;
        /* kills the whole subtree atomically, forks in flight included */
        r = cgroup_write(fd, "cgroup.kill", "1", err);
        return r < 0 ? r : 1;
}

static void io_bytes(const char *text, uint64_t *rd, uint64_t *wr)
{
        /* lines: "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0" */
        _cleanup_(strv_freep) char **words = strv_split(text, " \n");

        for (char **w = words; *w; w++) {
                const char *v;
                uint64_t n;

                if ((v = startswith(*w, "rbytes=")) && parse_uint64(v, 10, &n) == 0)
                        *rd += n;
                else if ((v = startswith(*w, "wbytes=")) && parse_uint64(v, 10, &n) == 0)
                        *wr += n;
        }
}

/* from an open directory of the cgroup: leaves *ret alone when memory.events has no counter */
static void oom_kills_at(int dirfd, uint64_t *ret)
{
        _cleanup_free_ char *ev = NULL;
        uint64_t v;

        if (cgroup_read(dirfd, "memory.events", &ev, NULL) >= 0 && cgroup_keyed_get(ev, "oom_kill", &v) > 0)
                *ret = v;
}

static int v2_oom_kills(struct cgroup *cg, uint64_t *ret, struct berr **err)
{
        _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);

        if (fd < 0)
                return fd;
        oom_kills_at(fd, ret);
        return 0;
}

static int v2_get_stats(struct cgroup *cg, struct cgroup_stats *st, struct berr **err)
{
        _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        _cleanup_free_ char *cpu = NULL, *mem = NULL, *io = NULL;
        uint64_t v;

        if (fd < 0)
                return fd;
        if (cgroup_read(fd, "cpu.stat", &cpu, NULL) >= 0) {
                if (cgroup_keyed_get(cpu, "usage_usec", &v) > 0)
                        st->cpu_usage_ns = v * 1000;
                if (cgroup_keyed_get(cpu, "user_usec", &v) > 0)
                        st->cpu_user_ns = v * 1000;
                if (cgroup_keyed_get(cpu, "system_usec", &v) > 0)
                        st->cpu_system_ns = v * 1000;
        }
        (void) cgroup_read_u64(fd, "memory.current", &st->memory_usage, NULL); /* absent: stays 0 */
        st->memory_limit = UINT64_MAX;
        (void) cgroup_read_u64(fd, "memory.max", &st->memory_limit, NULL);
        (void) cgroup_read_u64(fd, "memory.peak", &st->memory_max_usage, NULL); /* since 5.19 */
        if (cgroup_read(fd, "memory.stat", &mem, NULL) >= 0) {
                if (cgroup_keyed_get(mem, "file", &v) > 0)
                        st->memory_cache = v;
                if (cgroup_keyed_get(mem, "inactive_file", &v) > 0 && v <= st->memory_usage)
                        st->memory_usage -= v;
        }
        oom_kills_at(fd, &st->oom_kills);
        (void) cgroup_read_u64(fd, "pids.current", &st->pids_current, NULL);
        (void) cgroup_read_u64(fd, "pids.max", &st->pids_limit, NULL);
        if (st->pids_limit == UINT64_MAX)
                st->pids_limit = 0;
        if (cgroup_read(fd, "io.stat", &io, NULL) >= 0)
                io_bytes(io, &st->blkio_read_bytes, &st->blkio_write_bytes);
        return 0;
}

static int v2_open_oom_notify(struct cgroup *cg, struct berr **err)
{
        _cleanup_close_ int dfd = cgroup_open_hierarchy_dir(cg, &cg->hier[0], err);
        int fd;

        if (dfd < 0)
                return dfd;
        /* memory.events raises POLLPRI (a modified-file notification) whenever a counter changes */
        fd = openat(dfd, "memory.events", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open 'memory.events'");
        /* kernfs records the event count a reader has seen at read time, not at open: without this
         * first read, the first poll reports a change at once */
        {
                char buf[512];
                if (read(fd, buf, sizeof(buf)) < 0) {
                        int r = berr_sys(err, "read 'memory.events'");
                        safe_close(fd);
                        return r;
                }
        }
        return fd;
}

/* ---- BPF device filter ---- */

static void emit(struct bpf_insn *p, size_t *n, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        p[*n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
        (*n)++;
}

static unsigned rule_access_mask(const struct oci_device_rule *r)
{
        unsigned m = 0;

        for (const char *a = cgroup_device_access(r); *a; a++)
                m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
        return m;
}

/*
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } with access_type = (access << 16) | type, and returns 1 to
 * allow, 0 to deny. Registers: r2 type, r3 access, r4 major, r5 minor. Rules
 * are checked from the last to the first, the first match deciding, which is
 * "last match wins" in config order. A type 'a' rule matches everything (as on
 * v1), so nothing before it can matter and emission stops there: the verifier
 * refuses unreachable instructions.
 */
int cgroup_bpf_devices_program(const struct oci_device_rule *rules, size_t n, void **ret_insns, size_t *ret_n,
                               struct berr **err)
{
        const size_t max = 8 + n * (size_t) 8;
        _cleanup_free_ struct bpf_insn *p = NULL;
        bool terminated = false;
        size_t k = 0;
        int r;

        if (n > (size_t) SPEC_MAX_ITEMS * 2 || max > BPF_MAX_INSNS)
                return berr_set(err, E2BIG, "too many device rules (%zu)", n);
        for (size_t i = 0; i < n; i++)
                if ((r = cgroup_device_rule_check(&rules[i], i, err)) < 0)
                        return r;
        p = xcalloc(max, sizeof(*p));
        emit(p, &k, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
        emit(p, &k, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
        emit(p, &k, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0);
        emit(p, &k, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
        emit(p, &k, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
        emit(p, &k, BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
        for (size_t i = n; i-- > 0;) {
                const struct oci_device_rule *rl = &rules[i];
                unsigned acc = rule_access_mask(rl);
                bool all = rl->type == 'a';
                bool check_acc = !all && acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
                bool check_major = !all && rl->major >= 0, check_minor = !all && rl->minor >= 0;
                int16_t len = (int16_t) ((all ? 0 : 1) + (check_acc ? 3 : 0) + check_major + check_minor + 2);
                int16_t pos = 0;

                if (!all) {
                        emit(p, &k, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, (int16_t) (len - pos - 1),
                             rl->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
                        pos++;
                }
                if (check_acc) {
                        /* every requested access bit must be in the rule's set */
                        emit(p, &k, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
                        emit(p, &k, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t) acc);
                        pos += 2;
                        emit(p, &k, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, (int16_t) (len - pos - 1), 0);
                        pos++;
                }
                if (check_major) {
                        emit(p, &k, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, (int16_t) (len - pos - 1),
                             (int32_t) rl->major);
                        pos++;
                }
                if (check_minor) {
                        emit(p, &k, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, (int16_t) (len - pos - 1),
                             (int32_t) rl->minor);
                        pos++;
                }
                emit(p, &k, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, rl->allow ? 1 : 0);
                emit(p, &k, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
                if (all) {
                        terminated = true;
                        break;
                }
        }
        if (!terminated) {
                emit(p, &k, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
                emit(p, &k, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }
        *ret_insns = TAKE_PTR(p);
        *ret_n = k;
        return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
        return (int) syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int bpf_load(const void *insns, size_t n, struct berr **err)
{
        static const char license[] = "Apache-2.0";
        union bpf_attr attr;
        int fd;

        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) insns;
        attr.insn_cnt = (uint32_t) n;
        attr.license = (uint64_t) (uintptr_t) license;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0) {
                /* bpf(2) fds are close-on-exec already since 4.x; keep it explicit */
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                return fd;
        }
        {
                int saved = errno;
                _cleanup_free_ char *log = xzalloc(BPF_LOG_SIZE);

                /* load again with the verifier's log, only to explain the failure */
                attr.log_buf = (uint64_t) (uintptr_t) log;
                attr.log_size = BPF_LOG_SIZE;
                attr.log_level = 1;
                fd = sys_bpf(BPF_PROG_LOAD, &attr);
                if (fd >= 0)
                        safe_close(fd);
                return berr_errno(err, saved, "load device filter (%zu instructions)%s%.200s", n, *log ? ": " : "",
                                  log);
        }
}

static int bpf_query(int cgfd, uint32_t *ids, uint32_t *ret_n)
{
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t) cgfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
        attr.query.prog_cnt = BPF_MAX_ATTACHED;
        if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
                return -errno;
        *ret_n = attr.query.prog_cnt < BPF_MAX_ATTACHED ? attr.query.prog_cnt : BPF_MAX_ATTACHED;
        return 0;
}

int cgroup_bpf_devices_attach(int dirfd, const void *insns, size_t n, struct berr **err)
{
        uint32_t old[BPF_MAX_ATTACHED], n_old = 0;
        _cleanup_close_ int prog = -1;
        union bpf_attr attr;
        int r;

        prog = bpf_load(insns, n, err);
        if (prog < 0)
                return prog;
        r = bpf_query(dirfd, old, &n_old);
        if (r < 0)
                n_old = 0; /* nothing attached yet, or no query support: nothing to replace */

        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) dirfd;
        attr.attach_bpf_fd = (uint32_t) prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                return berr_sys(err, "attach device filter");

        /* An update replaces the filter: detach the old ones only now, so there is no window without one. */
        for (uint32_t i = 0; i < n_old; i++) {
                _cleanup_close_ int ofd = -1;

                memset(&attr, 0, sizeof(attr));
                attr.prog_id = old[i];
                ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
                if (ofd < 0)
                        continue; /* gone meanwhile */
                memset(&attr, 0, sizeof(attr));
                attr.target_fd = (uint32_t) dirfd;
                attr.attach_bpf_fd = (uint32_t) ofd;
                attr.attach_type = BPF_CGROUP_DEVICE;
                if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
                        return berr_sys(err, "detach the previous device filter");
        }
        return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
        .create = v2_create,
        .apply = v2_apply,
        .freeze = v2_freeze,
        .is_frozen = v2_is_frozen,
        .kill_all = v2_kill_all,
        .get_stats = v2_get_stats,
        .oom_kills = v2_oom_kills,
        .open_oom_notify = v2_open_oom_notify,
};
