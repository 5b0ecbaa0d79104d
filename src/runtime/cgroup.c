/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control groups of one container: the version-independent part. It detects
 * the mode, resolves the container's path in each hierarchy from
 * linux.cgroupsPath and /proc/self/cgroup, creates and removes the
 * directories, lists and kills processes, and dispatches everything that
 * differs between cgroup v1 and v2 to the ops tables in cgroup-v1.c and
 * cgroup-v2.c. Parsing config.json is spec.c's job; mounting cgroups inside
 * the container is cgroup-mount.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"

#define DEFAULT_MOUNTPOINT "/sys/fs/cgroup"
#define DEFAULT_PROC_SELF_CGROUP "/proc/self/cgroup"
#define RMDIR_ATTEMPTS 50  /* EBUSY right after the last task exits is transient */
#define KILL_WAIT_MS 5000 /* how long destroy waits for killed processes to leave */

static const struct oci_device_rule default_device_rules[] = {
        { .allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m" },
        { .allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m" },
        { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm" },   /* null */
        { .allow = true, .type = 'c', .major = 1, .minor = 8, .access = "rwm" },   /* random */
        { .allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rwm" },   /* full */
        { .allow = true, .type = 'c', .major = 5, .minor = 0, .access = "rwm" },   /* tty */
        { .allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm" },   /* zero */
        { .allow = true, .type = 'c', .major = 1, .minor = 9, .access = "rwm" },   /* urandom */
        { .allow = true, .type = 'c', .major = 5, .minor = 1, .access = "rwm" },   /* console */
        { .allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm" }, /* pts/N */
        { .allow = true, .type = 'c', .major = 5, .minor = 2, .access = "rwm" },   /* ptmx */
};

const struct oci_device_rule *cgroup_default_device_rules(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(default_device_rules);
        return default_device_rules;
}

/* ---- small file helpers ---- */

/* The debug trace of a write: the full path, which the unit tests compare against. dir may be NULL (then
 * taken from dirfd). */
static void trace_write(int dirfd, const char *dir, const char *file, const char *value)
{
        char proc[64], buf[PATH_MAX];

        if (log_get_level() > LOG_LEVEL_DEBUG)
                return;
        if (!dir) {
                ssize_t n = readlink(path_fd_proc(dirfd, proc, sizeof(proc)), buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = 0;
                dir = buf;
        }
        log_debug("cgroup: write '%s' to '%s/%s'", value, dir, file);
}

static int open_for_write(int dirfd, const char *file, struct berr **err)
{
        int fd = openat(dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

        if (fd < 0)
                return berr_sys(err, "open '%s'", file);
        return fd;
}

static int write_value(int fd, const char *file, const char *value, struct berr **err)
{
        /* One write(2): the kernel parses each write as one request. */
        if (write(fd, value, strlen(value)) < 0)
                return berr_sys(err, "write '%s' to '%s'", value, file);
        return 0;
}

int cgroup_write(int dirfd, const char *file, const char *value, struct berr **err)
{
        _cleanup_close_ int fd = open_for_write(dirfd, file, err);

        if (fd < 0)
                return fd;
        trace_write(dirfd, NULL, file, value);
        return write_value(fd, file, value, err);
}

int cgroup_file_open(struct cgroup_file *f, struct berr **err)
{
        if (f->fd < 0)
                f->fd = open_for_write(f->dirfd, f->name, err);
        return f->fd;
}

int cgroup_file_write(struct cgroup_file *f, const char *value, struct berr **err)
{
        int r = cgroup_file_open(f, err);

        if (r < 0)
                return r;
        trace_write(f->dirfd, NULL, f->name, value);
        return write_value(f->fd, f->name, value, err);
}

void cgroup_file_close(struct cgroup_file *f)
{
        f->fd = safe_close(f->fd);
}

int cgroup_vwritef(int dirfd, const char *file, struct berr **err, const char *fmt, va_list ap)
{
        _cleanup_free_ char *v = NULL;

        if (vasprintf(&v, fmt, ap) < 0)
                abort();
        return cgroup_write(dirfd, file, v, err);
}

int cgroup_writef(int dirfd, const char *file, struct berr **err, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = cgroup_vwritef(dirfd, file, err, fmt, ap);
        va_end(ap);
        return r;
}

int cgroup_read(int dirfd, const char *file, char **ret, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        int r;

        r = read_file_at(dirfd, file, CGROUP_FILE_MAX, &s, &len, err);
        if (r < 0)
                return r;
        while (len > 0 && s[len - 1] == '\n')
                s[--len] = 0;
        *ret = TAKE_PTR(s);
        return 0;
}

int cgroup_read_u64(int dirfd, const char *file, uint64_t *ret, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        int r;

        r = cgroup_read(dirfd, file, &s, err);
        if (r < 0)
                return r;
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (parse_uint64(s, 10, ret) < 0) {
                int64_t v;
                /* v1 limits read back as -1 in some kernels; treat as unlimited */
                if (parse_int64(s, 10, &v) == 0 && v < 0) {
                        *ret = UINT64_MAX;
                        return 0;
                }
                return berr_set(err, EINVAL, "'%s': not a number: '%s'", file, s);
        }
        return 0;
}

int cgroup_keyed_get(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);

        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);

                if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
                        char buf[32];
                        size_t vlen = len - klen - 1;

                        if (vlen == 0 || vlen >= sizeof(buf))
                                return 0;
                        memcpy(buf, line + klen + 1, vlen);
                        buf[vlen] = 0;
                        return parse_uint64(buf, 10, ret) == 0 ? 1 : 0;
                }
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

bool cgroup_has_file(int dirfd, const char *file)
{
        return faccessat(dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* ---- conversions (runc and crun 1.x agree on these) ---- */

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        /* maps [2, 262144] linearly onto [1, 10000] */
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        /* maps [10, 1000] linearly onto [1, 10000] */
        return 1 + ((weight - 10) * 9999) / 990;
}

int cgroup_swap_to_v2(int64_t swap, bool has_limit, int64_t limit, int64_t *ret, struct berr **err)
{
        /* OCI's swap is memory+swap (the v1 memsw file); v2's memory.swap.max is swap alone. */
        if (swap == -1) {
                *ret = -1;
                return 0;
        }
        if (swap < 0)
                return berr_set(err, EINVAL, "memory.swap: invalid value %lld", (long long) swap);
        if (!has_limit || limit <= 0)
                return berr_set(err, EINVAL, "memory.swap: a swap limit needs a memory limit on cgroup v2");
        if (swap < limit)
                return berr_set(err, EINVAL, "memory.swap: %lld is below memory.limit %lld (swap counts memory+swap)",
                                (long long) swap, (long long) limit);
        *ret = swap - limit;
        return 0;
}

int cgroup_check_page_size(const char *s, size_t index, struct berr **err)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > 16 || strspn(s, "0123456789") == 0 || strspn(s, "0123456789KMGTkmgtBb") != n)
                return berr_set(err, EINVAL, "hugepageLimits[%zu]: invalid page size '%s'", index, s ? s : "");
        return 0;
}

int cgroup_check_blkio_dev(int64_t major, int64_t minor, const char *field, size_t i, struct berr **err)
{
        if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff)
                return berr_set(err, EINVAL, "%s[%zu]: device %" PRId64 ":%" PRId64 " out of range", field, i, major,
                                minor);
        return 0;
}

const char *const cgroup_throttle_field[_OCI_THROTTLE_MAX] = {
        [OCI_THROTTLE_READ_BPS] = "blockIO.throttleReadBpsDevice",
        [OCI_THROTTLE_WRITE_BPS] = "blockIO.throttleWriteBpsDevice",
        [OCI_THROTTLE_READ_IOPS] = "blockIO.throttleReadIOPSDevice",
        [OCI_THROTTLE_WRITE_IOPS] = "blockIO.throttleWriteIOPSDevice",
};

/* ---- device rules ---- */

int cgroup_device_rule_check(const struct oci_device_rule *rule, size_t index, struct berr **err)
{
        if (rule->type != 'a' && rule->type != 'c' && rule->type != 'b')
                return berr_set(err, EINVAL, "devices[%zu]: type '%c' is not one of a, c, b", index,
                                rule->type ? rule->type : '?');
        if (rule->major < -1 || rule->major > 0xfff)
                return berr_set(err, EINVAL, "devices[%zu]: major %lld out of range", index, (long long) rule->major);
        if (rule->minor < -1 || rule->minor > 0xfffff)
                return berr_set(err, EINVAL, "devices[%zu]: minor %lld out of range", index, (long long) rule->minor);
        for (const char *a = rule->access; a < rule->access + sizeof(rule->access) && *a; a++)
                if (*a != 'r' && *a != 'w' && *a != 'm')
                        return berr_set(err, EINVAL, "devices[%zu]: access '%c' is not one of r, w, m", index, *a);
        if (memchr(rule->access, 0, sizeof(rule->access)) == NULL)
                return berr_set(err, EINVAL, "devices[%zu]: access is not terminated", index);
        return 0;
}

const char *cgroup_device_access(const struct oci_device_rule *rule)
{
        return rule->access[0] ? rule->access : "rwm";
}

int cgroup_device_rules(const struct cgroup *cg, const struct oci_resources *res, struct oci_device_rule **ret,
                        size_t *ret_n, struct berr **err)
{
        size_t n = res->n_devices + cg->n_extra_devices;
        _cleanup_free_ struct oci_device_rule *rules = NULL;
        int r;

        if (res->n_devices > SPEC_MAX_ITEMS)
                return berr_set(err, E2BIG, "devices: more than %d rules", SPEC_MAX_ITEMS);
        if (n > 0) {
                rules = xcalloc(n, sizeof(*rules));
                if (res->n_devices > 0)
                        memcpy(rules, res->devices, res->n_devices * sizeof(*rules));
                if (cg->n_extra_devices > 0)
                        memcpy(rules + res->n_devices, cg->extra_devices, cg->n_extra_devices * sizeof(*rules));
        }
        for (size_t i = 0; i < n; i++) {
                r = cgroup_device_rule_check(&rules[i], i, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(rules);
        *ret_n = n;
        return 0;
}

int cgroup_add_device_rules(struct cgroup *cg, const struct oci_device_rule *rules, size_t n, struct berr **err)
{
        int r;

        if (n > SPEC_MAX_ITEMS || cg->n_extra_devices + n > 2 * (size_t) SPEC_MAX_ITEMS)
                return berr_set(err, E2BIG, "too many device rules");
        for (size_t i = 0; i < n; i++) {
                r = cgroup_device_rule_check(&rules[i], i, err);
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return 0;
        cg->extra_devices = xreallocarray(cg->extra_devices, cg->n_extra_devices + n, sizeof(*rules));
        memcpy(cg->extra_devices + cg->n_extra_devices, rules, n * sizeof(*rules));
        cg->n_extra_devices += n;
        return 0;
}

/* ---- construction and paths ---- */

static void hierarchy_done(struct cgroup_hierarchy *h)
{
        free(h->name);
        strv_free(h->controllers);
        free(h->path);
}

struct cgroup *cgroup_free(struct cgroup *cg)
{
        if (!cg)
                return NULL;
        for (size_t i = 0; i < cg->n_hier; i++)
                hierarchy_done(&cg->hier[i]);
        free(cg->hier);
        free(cg->mountpoint);
        free(cg->extra_devices);
        free(cg);
        return NULL;
}

int cgroup_detect_mode(const struct cgroup_env *env, enum cgroup_mode *ret, struct berr **err)
{
        const char *mp = env && env->mountpoint ? env->mountpoint : DEFAULT_MOUNTPOINT;
        struct statfs sfs;

        if (env && env->is_mode_forced) {
                if (env->forced_mode != CGROUP_MODE_V1 && env->forced_mode != CGROUP_MODE_V2)
                        return berr_set(err, EINVAL, "invalid forced cgroup mode %d", (int) env->forced_mode);
                *ret = env->forced_mode;
                return 0;
        }
        if (statfs(mp, &sfs) < 0)
                return berr_sys(err, "statfs '%s'", mp);
        if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
                *ret = CGROUP_MODE_V2;
                return 0;
        }
        if (sfs.f_type == TMPFS_MAGIC || sfs.f_type == CGROUP_SUPER_MAGIC) {
                /* legacy or hybrid: the controllers live on v1 hierarchies (a cgroup2 tree at
                 * unified/, if any, is left to systemd and carries no controllers we use) */
                *ret = CGROUP_MODE_V1;
                return 0;
        }
        return berr_set(err, ENOTSUP, "'%s' is neither a cgroup2 mount nor a tmpfs of cgroup v1 hierarchies", mp);
}

/* One line of /proc/self/cgroup: "id:controllers:path". */
struct self_cgroup {
        char *controllers; /* "" for the unified line */
        char *path;
};

static void self_cgroups_free(struct self_cgroup *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].controllers);
                free(v[i].path);
        }
        free(v);
}

static int parse_self_cgroup(const char *file, struct self_cgroup **ret, size_t *ret_n, struct berr **err)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(strv_freep) char **lines = NULL;
        struct self_cgroup *v = NULL;
        size_t n = 0;
        int r;

        r = read_file_at(AT_FDCWD, file, CGROUP_FILE_MAX, &text, NULL, err);
        if (r < 0)
                return r;
        lines = strv_split(text, "\n");
        for (char **l = lines; *l; l++) {
                char *c1 = strchr(*l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

                if (!c2 || c2[1] != '/') {
                        self_cgroups_free(v, n);
                        return berr_set(err, EINVAL, "'%s': malformed line '%s'", file, *l);
                }
                if (n >= CGROUP_MAX_HIERARCHIES) {
                        self_cgroups_free(v, n);
                        return berr_set(err, E2BIG, "'%s': more than %d hierarchies", file, CGROUP_MAX_HIERARCHIES);
                }
                v = xreallocarray(v, n + 1, sizeof(*v));
                v[n].controllers = xstrndup(c1 + 1, (size_t) (c2 - c1 - 1));
                v[n].path = path_clean(c2 + 1);
                n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static char *default_path(const char *id)
{
        return xasprintf("berth/%s", id);
}

/*
 * Checks linux.cgroupsPath (or builds "berth/<id>") and returns it cleaned,
 * absolute when it was absolute. ".." is refused outright: the path must not
 * climb out of the caller's cgroup or the hierarchy.
 */
static int container_path(const char *cgroups_path, const char *id, char **ret, struct berr **err)
{
        _cleanup_free_ char *p = NULL, *clean = NULL;

        if (!cgroups_path || !*cgroups_path) {
                if (!id || !*id || strchr(id, '/') || streq(id, ".") || streq(id, ".."))
                        return berr_set(err, EINVAL, "container id '%s' cannot name a cgroup", id ? id : "");
                p = default_path(id);
        } else
                p = xstrdup(cgroups_path);

        if (strlen(p) > CGROUP_PATH_MAX)
                return berr_set(err, ENAMETOOLONG, "cgroupsPath longer than %d bytes", CGROUP_PATH_MAX);
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return berr_set(err, EINVAL, "cgroupsPath '%s' contains a control character", p);
        if (path_has_dotdot(p))
                return berr_set(err, EINVAL, "cgroupsPath '%s' contains '..'", p);
        if (p[0] != '/' && strchr(p, ':') && !strchr(p, '/'))
                return berr_set(err, ENOTSUP,
                                "cgroupsPath '%s' is in systemd's slice:prefix:name form, but the systemd cgroup "
                                "manager is not supported",
                                p);
        clean = path_clean(p);
        if (streq(clean, "/") || streq(clean, "."))
                return berr_set(err, EINVAL, "cgroupsPath '%s' names the root cgroup", p);
        *ret = TAKE_PTR(clean);
        return 0;
}

/* "berth/<id>", whether given (as the engine does, for external runtimes too) or defaulted. */
static bool is_default_path(const char *cpath, const char *id)
{
        _cleanup_free_ char *def = NULL;

        if (!id || !*id)
                return false;
        def = default_path(id);
        return streq(cpath, def);
}

/*
 * A relative cgroupsPath starts at the runtime's own cgroup on v1, and at its parent on v2 (as
 * runc does): the own cgroup holds at least the caller's process, and v2's no-internal-process
 * rule (Documentation/admin-guide/cgroup-v2.rst) lets a non-root cgroup with processes hand no
 * controller to its children. On a systemd host the caller sits in a session scope or a service;
 * their parent slice holds no process, so the container becomes a sibling of its caller's cgroup.
 */
static char *resolve_path(enum cgroup_mode mode, const char *own, const char *cpath)
{
        _cleanup_free_ char *base = NULL;
        char *slash;

        if (cpath[0] == '/')
                return xstrdup(cpath);
        base = xstrdup(own);
        slash = strrchr(base, '/');
        if (mode == CGROUP_MODE_V2 && slash)
                slash[slash == base ? 1 : 0] = 0;
        return path_join(base, cpath);
}

/* The directory of a v1 hierarchy under the mount point: "cpu,cpuacct" or a single controller's link. */
static char *v1_hierarchy_dir(const char *mountpoint, const char *controllers)
{
        _cleanup_(strv_freep) char **parts = NULL;
        _cleanup_free_ char *whole = NULL;
        const char *name = startswith(controllers, "name=");

        whole = xasprintf("%s/%s", mountpoint, name ? name : controllers);
        if (access(whole, F_OK) == 0)
                return xstrdup(name ? name : controllers);
        parts = strv_split(controllers, ",");
        for (char **p = parts; *p; p++) {
                _cleanup_free_ char *one = xasprintf("%s/%s", mountpoint, *p);
                if (access(one, F_OK) == 0)
                        return xstrdup(*p);
        }
        return NULL;
}

int cgroup_new(const struct cgroup_env *env, const char *cgroups_path, const char *id, struct cgroup **ret,
               struct berr **err)
{
        const char *mp = env && env->mountpoint ? env->mountpoint : DEFAULT_MOUNTPOINT;
        const char *self = env && env->proc_self_cgroup ? env->proc_self_cgroup : DEFAULT_PROC_SELF_CGROUP;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_free_ char *cpath = NULL;
        struct self_cgroup *lines = NULL;
        size_t n_lines = 0;
        enum cgroup_mode mode;
        int r;

        r = container_path(cgroups_path, id, &cpath, err);
        if (r < 0)
                return r;
        r = cgroup_detect_mode(env, &mode, err);
        if (r < 0)
                return r;
        r = parse_self_cgroup(self, &lines, &n_lines, err);
        if (r < 0)
                return berr_wrap(err, "cgroup of the runtime");

        cg = xzalloc(sizeof(*cg));
        cg->mode = mode;
        cg->mountpoint = xstrdup(mp);
        cg->ops = mode == CGROUP_MODE_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
        cg->min_created = is_default_path(cpath, id) ? 2 : 0;
        for (size_t i = 0; i < n_lines; i++) {
                struct cgroup_hierarchy h = {};

                if (mode == CGROUP_MODE_V2) {
                        if (lines[i].controllers[0])
                                continue;
                        h.name = xstrdup("");
                } else {
                        if (!lines[i].controllers[0])
                                continue;
                        h.name = v1_hierarchy_dir(mp, lines[i].controllers);
                        if (!h.name) {
                                log_debug("cgroup: hierarchy '%s' is not mounted under '%s', skipping",
                                          lines[i].controllers, mp);
                                continue;
                        }
                        h.controllers = strv_split(lines[i].controllers, ",");
                }
                h.path = resolve_path(mode, lines[i].path, cpath);
                cg->hier = xreallocarray(cg->hier, cg->n_hier + 1, sizeof(h));
                cg->hier[cg->n_hier++] = h;
                if (mode == CGROUP_MODE_V2)
                        break;
        }
        self_cgroups_free(lines, n_lines);
        if (cg->n_hier == 0) {
                if (mode != CGROUP_MODE_V2)
                        return berr_set(err, ENOENT, "no cgroup v1 hierarchy of '%s' is mounted under '%s'", self,
                                        mp);
                /* a v2 host whose /proc/self/cgroup is unusual: take the path from the root */
                cg->hier = xzalloc(sizeof(*cg->hier));
                cg->hier[0].name = xstrdup("");
                cg->hier[0].path = resolve_path(mode, "/", cpath);
                cg->n_hier = 1;
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

enum cgroup_mode cgroup_get_mode(const struct cgroup *cg)
{
        return cg->mode;
}

const char *cgroup_get_path(const struct cgroup *cg)
{
        struct cgroup_hierarchy *h = cg->mode == CGROUP_MODE_V1 ? cgroup_find_hierarchy(cg, "memory") : NULL;

        return h ? h->path : cg->hier[0].path;
}

struct cgroup_hierarchy *cgroup_find_hierarchy(const struct cgroup *cg, const char *controller)
{
        if (cg->mode == CGROUP_MODE_V2)
                return &cg->hier[0];
        for (size_t i = 0; i < cg->n_hier; i++)
                if (strv_contains(cg->hier[i].controllers, controller))
                        return &cg->hier[i];
        return NULL;
}

struct cgroup_hierarchy *cgroup_primary_hierarchy(const struct cgroup *cg)
{
        static const char *const prefer[] = { "pids", "freezer", "memory" };
        struct cgroup_hierarchy *h;

        if (cg->mode == CGROUP_MODE_V1)
                for (size_t i = 0; i < ELEMENTSOF(prefer); i++) {
                        h = cgroup_find_hierarchy(cg, prefer[i]);
                        if (h)
                                return h;
                }
        return &cg->hier[0];
}

static char *hierarchy_dir_path(const struct cgroup *cg, const struct cgroup_hierarchy *h, const char *path)
{
        if (!h->name[0])
                return xasprintf("%s%s", cg->mountpoint, path);
        return xasprintf("%s/%s%s", cg->mountpoint, h->name, path);
}

int cgroup_open_hierarchy_dir(const struct cgroup *cg, const struct cgroup_hierarchy *h, struct berr **err)
{
        _cleanup_free_ char *p = hierarchy_dir_path(cg, h, h->path);
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return berr_sys(err, "open cgroup '%s'", p);
        return fd;
}

/* ---- description for state.json ---- */

char *cgroup_describe(const struct cgroup *cg)
{
        _cleanup_(json_object_putp) struct json_object *o = json_new_object();
        struct json_object *a = json_new_array();

        json_add_string(o, "mode", cg->mode == CGROUP_MODE_V2 ? "v2" : "v1");
        json_add_string(o, "mountpoint", cg->mountpoint);
        for (size_t i = 0; i < cg->n_hier; i++) {
                struct json_object *h = json_new_object();
                json_add_string(h, "name", cg->hier[i].name);
                if (cg->hier[i].controllers)
                        json_add(h, "controllers", json_strv_new(cg->hier[i].controllers));
                json_add_string(h, "path", cg->hier[i].path);
                json_add_int(h, "created", cg->hier[i].created);
                json_append(a, h);
        }
        json_add(o, "hierarchies", a);
        if (cg->n_extra_devices > 0)
                json_add_int(o, "extraDevices", (int64_t) cg->n_extra_devices);
        return json_dump(o, false);
}

static int load_hierarchy(struct json_object *jh, size_t i, enum cgroup_mode mode, struct cgroup_hierarchy *h,
                          struct berr **err)
{
        const char *name = NULL, *path = NULL;
        uint64_t created = 0;

        if (json_get_string(jh, "name", "name", &name, err) < 0 ||
            json_get_string(jh, "path", "path", &path, err) < 0 ||
            json_get_uint64(jh, "created", "created", &created, err) < 0 ||
            json_get_strv(jh, "controllers", "controllers", &h->controllers, err) < 0)
                return berr_wrap(err, "hierarchies[%zu]", i);
        if (!name || !path || path[0] != '/' || path_has_dotdot(path) || strchr(name, '/') ||
            path_has_dotdot(name) || created > CGROUP_MAX_DEPTH || (mode == CGROUP_MODE_V1) != !!h->controllers)
                return berr_set(err, EINVAL, "hierarchies[%zu]: invalid entry", i);
        h->name = xstrdup(name);
        h->path = path_clean(path);
        h->created = (unsigned) created;
        return 0;
}

int cgroup_load(const struct cgroup_env *env, const char *description, struct cgroup **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *o = NULL;
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        struct json_object *a = NULL;
        const char *mode = NULL, *mp = NULL;
        size_t n;
        int r;

        if (strlen(description) > CGROUP_DESCRIPTION_MAX)
                return berr_set(err, E2BIG, "cgroup description too long");
        r = json_parse_buf(description, strlen(description), &o, err);
        if (r < 0)
                return berr_wrap(err, "cgroup description");
        if (json_get_string(o, "mode", "mode", &mode, err) < 0 ||
            json_get_string(o, "mountpoint", "mountpoint", &mp, err) < 0 ||
            json_get_array(o, "hierarchies", "hierarchies", &a, err) < 0)
                return berr_wrap(err, "cgroup description");
        if (!mode || !mp || !a || (!streq(mode, "v1") && !streq(mode, "v2")))
                return berr_set(err, EINVAL, "cgroup description: missing or invalid mode, mountpoint or hierarchies");
        n = json_object_array_length(a);
        if (n == 0 || n > CGROUP_MAX_HIERARCHIES || (streq(mode, "v2") && n != 1))
                return berr_set(err, EINVAL, "cgroup description: %zu hierarchies", n);

        cg = xzalloc(sizeof(*cg));
        cg->mode = streq(mode, "v2") ? CGROUP_MODE_V2 : CGROUP_MODE_V1;
        cg->ops = cg->mode == CGROUP_MODE_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
        cg->mountpoint = xstrdup(env && env->mountpoint ? env->mountpoint : mp);
        cg->hier = xcalloc(n, sizeof(*cg->hier));
        for (size_t i = 0; i < n; i++) {
                cg->n_hier = i + 1;
                r = load_hierarchy(json_object_array_get_idx(a, i), i, cg->mode, &cg->hier[i], err);
                if (r < 0)
                        return berr_wrap(err, "cgroup description");
        }
        *ret = TAKE_PTR(cg);
        return 0;
}

/* ---- life cycle ---- */

/*
 * One walk down the hierarchy, creating what is missing. Returns -ENOENT without
 * an error when a level vanished under us: another container's delete may remove
 * a shared parent (berth/) between our mkdir seeing it exist and our next step.
 */
static int make_dirs_once(const struct cgroup *cg, struct cgroup_hierarchy *h, char **parts, const char *root,
                          int (*init)(int parentfd, int dirfd, bool made, struct berr **err), struct berr **err)
{
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t n = strv_length(parts);
        int r;

        if (fd < 0)
                return berr_sys(err, "open cgroup hierarchy '%s'", root);
        h->created = 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int child = -1;
                bool made = false;

                if (mkdirat(fd, parts[i], 0755) == 0)
                        made = true;
                else if (errno == ENOENT)
                        return -ENOENT;
                else if (errno != EEXIST)
                        return berr_sys(err, "mkdir cgroup '%s' under '%s'", parts[i], root);
                child = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (child < 0 && errno == ENOENT)
                        return -ENOENT;
                if (child < 0)
                        return berr_sys(err, "open cgroup '%s' under '%s'", parts[i], root);
                /* below a level we made, every level is new: ours to remove */
                if (made && h->created == 0)
                        h->created = (unsigned) (n - i);
                /* init runs on levels that existed too: another process may have just made one and
                 * not yet set it up (a v1 cpuset with empty cpus, which its children would copy).
                 * init is idempotent and fills in only what is still empty. */
                if (init) {
                        r = init(fd, child, made, err);
                        if (r == -ENOENT)
                                return -ENOENT; /* removed meanwhile by its last user: again */
                        if (r < 0)
                                return r;
                }
                closep(&fd);
                fd = TAKE_FD(child);
        }
        return 0;
}

/*
 * The same walk without an init step: mkdir(2) of each level by its whole path, two calls for
 * "berth/<id>" where opening every level took eight. The paths are the host's cgroup file system,
 * which has no symlinks; -ENOENT again means a level vanished.
 */
static int make_dirs_by_path(struct cgroup_hierarchy *h, char **parts, const char *root, struct berr **err)
{
        _cleanup_free_ char *path = xstrdup(root);
        size_t n = strv_length(parts);

        h->created = 0;
        for (size_t i = 0; i < n; i++) {
                char *next = path_join(path, parts[i]);

                free(path);
                path = next;
                if (mkdir(path, 0755) == 0) {
                        if (h->created == 0)
                                h->created = (unsigned) (n - i);
                } else if (errno == ENOENT) {
                        if (i == 0 && access(root, F_OK) < 0)
                                return berr_sys(err, "open cgroup hierarchy '%s'", root);
                        return -ENOENT;
                } else if (errno != EEXIST) {
                        return berr_sys(err, "mkdir cgroup '%s' under '%s'", parts[i], root);
                }
        }
        return 0;
}

int cgroup_make_dirs(const struct cgroup *cg, struct cgroup_hierarchy *h,
                     int (*init)(int parentfd, int dirfd, bool made, struct berr **err), struct berr **err)
{
        _cleanup_free_ char *root = hierarchy_dir_path(cg, h, "");
        _cleanup_(strv_freep) char **parts = strv_split(h->path, "/");
        size_t n = strv_length(parts);
        int r = -ENOENT;

        if (n > CGROUP_MAX_DEPTH)
                return berr_set(err, EINVAL, "cgroup path '%s' is too deep", h->path);
        for (int attempt = 0; attempt < 8 && r == -ENOENT; attempt++)
                r = init ? make_dirs_once(cg, h, parts, root, init, err) : make_dirs_by_path(h, parts, root, err);
        if (r == -ENOENT)
                return berr_set(err, ENOENT, "cgroup '%s' under '%s' kept vanishing while created", h->path, root);
        if (r < 0)
                return r;
        if (h->created < cg->min_created && cg->min_created <= n)
                h->created = cg->min_created;
        return 0;
}

int cgroup_create(struct cgroup *cg, struct berr **err)
{
        int r = cg->ops->create(cg, err);

        if (r < 0) {
                (void) cgroup_destroy(cg, NULL); /* best effort: the first error is the one to report */
                return berr_wrap(err, "create cgroup '%s'", cgroup_get_path(cg));
        }
        return 0;
}

/* Opens cgroup.procs by its whole path: one open(2) where the directory and then the file took two. */
static int enter_one(const struct cgroup *cg, const struct cgroup_hierarchy *h, const char *pid, struct berr **err)
{
        _cleanup_free_ char *dir = hierarchy_dir_path(cg, h, h->path), *file = path_join(dir, "cgroup.procs");
        _cleanup_close_ int fd = open_for_write(AT_FDCWD, file, err);

        if (fd < 0)
                return fd;
        trace_write(-1, dir, "cgroup.procs", pid);
        return write_value(fd, "cgroup.procs", pid, err);
}

int cgroup_enter(struct cgroup *cg, pid_t pid, struct berr **err)
{
        char buf[32];

        (void) snprintf(buf, sizeof(buf), "%d", (int) pid);
        for (size_t i = 0; i < cg->n_hier; i++) {
                int r = enter_one(cg, &cg->hier[i], buf, err);

                if (r < 0)
                        return berr_wrap(err, "move pid %d into cgroup '%s%s'", (int) pid,
                                         cg->hier[i].name[0] ? cg->hier[i].name : "", cg->hier[i].path);
        }
        return 0;
}

int cgroup_apply(struct cgroup *cg, const struct oci_resources *res, struct berr **err)
{
        int r = cg->ops->apply(cg, res, err);

        if (r < 0)
                return berr_wrap(err, "apply resources to cgroup '%s'", cgroup_get_path(cg));
        return 0;
}

int cgroup_wait_state(struct cgroup *cg, int (*check)(struct cgroup *cg, struct berr **err), unsigned timeout_ms,
                      struct berr **err)
{
        struct timespec ts = { 0, 1000000 };
        unsigned waited_ms = 0;
        int r;

        for (;;) {
                r = check(cg, err);
                if (r != 0)
                        return r;
                if (waited_ms >= timeout_ms)
                        return berr_set(err, ETIMEDOUT, "state not reached after %u ms", timeout_ms);
                (void) nanosleep(&ts, NULL);
                waited_ms += (unsigned) (ts.tv_nsec / 1000000);
                if (ts.tv_nsec < 16000000)
                        ts.tv_nsec *= 2;
        }
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct berr **err)
{
        int r = cg->ops->freeze(cg, frozen, err);

        if (r < 0)
                return berr_wrap(err, "%s cgroup '%s'", frozen ? "freeze" : "thaw", cgroup_get_path(cg));
        return 0;
}

int cgroup_is_frozen(struct cgroup *cg, struct berr **err)
{
        return cg->ops->is_frozen(cg, err);
}

/*
 * Calls fn(dirfd, subfd, name, depth + 1, userdata) for each cgroup directly
 * below dirfd (its subdirectories, not followed through links); one that is
 * gone before it is opened is passed over. Stops at the first error.
 */
static int for_each_child(int dirfd, unsigned depth,
                          int (*fn)(int dirfd, int sub, const char *name, unsigned depth, void *userdata,
                                    struct berr **err),
                          void *userdata, struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open cgroup directory");
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return berr_sys(err, "fdopendir");
        }
        while ((de = readdir(d))) {
                _cleanup_close_ int sub = -1;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub < 0)
                        continue; /* removed meanwhile */
                r = fn(dirfd, sub, de->d_name, depth + 1, userdata, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct collect_pids {
        pid_t **pids;
        size_t *n;
};

static int collect_child_pids(int dirfd, int sub, const char *name, unsigned depth, void *userdata,
                              struct berr **err)
{
        struct collect_pids *c = userdata;

        return cgroup_collect_pids(sub, depth, c->pids, c->n, err);
}

int cgroup_collect_pids(int dirfd, unsigned depth, pid_t **pids, size_t *n, struct berr **err)
{
        _cleanup_free_ char *text = NULL;
        int r;

        if (depth > CGROUP_MAX_DEPTH)
                return berr_set(err, ELOOP, "cgroups nested deeper than %d", CGROUP_MAX_DEPTH);
        r = cgroup_read(dirfd, "cgroup.procs", &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return berr_errno(err, r, "read 'cgroup.procs'");
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                int pid;

                if (nl)
                        *nl = 0;
                if (parse_int(line, &pid) < 0 || pid <= 0)
                        return berr_set(err, EINVAL, "cgroup.procs: bad pid '%s'", line);
                if (*n >= CGROUP_MAX_PIDS)
                        return berr_set(err, E2BIG, "more than %u processes", CGROUP_MAX_PIDS);
                *pids = xreallocarray(*pids, *n + 1, sizeof(pid_t));
                (*pids)[(*n)++] = pid;
                line = nl ? nl + 1 : NULL;
        }
        return for_each_child(dirfd, depth, collect_child_pids, &(struct collect_pids){ pids, n }, err);
}

int cgroup_get_pids(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct berr **err)
{
        struct cgroup_hierarchy *h = cgroup_primary_hierarchy(cg);
        _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, h, err);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        if (fd < 0)
                return fd;
        r = cgroup_collect_pids(fd, 0, &pids, &n, err);
        if (r < 0)
                return berr_wrap(err, "list processes of cgroup '%s'", h->path);
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static int signal_pids(struct cgroup *cg, int sig, struct berr **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        r = cgroup_get_pids(cg, &pids, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        return berr_sys(err, "kill %d with signal %d", (int) pids[i], sig);
        return 0;
}

int cgroup_kill_all(struct cgroup *cg, int sig, struct berr **err)
{
        bool thaw = false;
        int r;

        r = cg->ops->kill_all(cg, sig, err);
        if (r != 0)
                return r < 0 ? berr_wrap(err, "kill processes of cgroup '%s'", cgroup_get_path(cg)) : 0;

        /* Freeze first so that no process forks a child we would miss, signal, thaw. A paused
         * container gets SIGKILL too, but a frozen v1 task only dies once thawed: thaw it then. */
        if (cgroup_find_hierarchy(cg, "freezer")) {
                int frozen = cgroup_is_frozen(cg, NULL);
                thaw = (frozen == 0 && cg->ops->freeze(cg, true, NULL) >= 0) || (frozen == 1 && sig == SIGKILL);
        }
        r = signal_pids(cg, sig, err);
        if (thaw)
                (void) cg->ops->freeze(cg, false, NULL); /* the kill's error matters more */
        if (r < 0)
                return berr_wrap(err, "kill processes of cgroup '%s'", cgroup_get_path(cg));
        return 0;
}

int cgroup_get_oom_kills(struct cgroup *cg, uint64_t *ret, struct berr **err)
{
        uint64_t n = 0;
        int r = cg->ops->oom_kills(cg, &n, err);

        if (r < 0)
                return berr_wrap(err, "OOM kills of cgroup '%s'", cgroup_get_path(cg));
        *ret = n;
        return 0;
}

int cgroup_get_stats(struct cgroup *cg, struct cgroup_stats *ret, struct berr **err)
{
        struct cgroup_stats st = {};
        int r = cg->ops->get_stats(cg, &st, err);

        if (r < 0)
                return berr_wrap(err, "statistics of cgroup '%s'", cgroup_get_path(cg));
        *ret = st;
        return 0;
}

int cgroup_open_oom_notify(struct cgroup *cg, struct berr **err)
{
        int r = cg->ops->open_oom_notify(cg, err);

        if (r < 0)
                return berr_wrap(err, "OOM notification for cgroup '%s'", cgroup_get_path(cg));
        return r;
}

short cgroup_oom_notify_events(const struct cgroup *cg)
{
        return cg->mode == CGROUP_MODE_V2 ? POLLPRI : POLLIN;
}

static int rmdir_retry(int dirfd, const char *name, int attempts, struct berr **err)
{
        struct timespec ts = { 0, 1000000 };

        for (int i = 0;; i++) {
                if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= attempts)
                        return berr_sys(err, "rmdir cgroup '%s'", name);
                (void) nanosleep(&ts, NULL);
                if (ts.tv_nsec < 32000000)
                        ts.tv_nsec *= 2;
        }
}

/* Removes the cgroups below dirfd, deepest first (a container may have made its own). */
static int rmdir_children(int dirfd, unsigned depth, struct berr **err);

static int rmdir_child(int dirfd, int sub, const char *name, unsigned depth, void *userdata, struct berr **err)
{
        int r = rmdir_children(sub, depth, err);

        if (r < 0)
                return r;
        return rmdir_retry(dirfd, name, RMDIR_ATTEMPTS, err);
}

static int rmdir_children(int dirfd, unsigned depth, struct berr **err)
{
        if (depth > CGROUP_MAX_DEPTH)
                return berr_set(err, ELOOP, "cgroups nested deeper than %d", CGROUP_MAX_DEPTH);
        return for_each_child(dirfd, depth, rmdir_child, NULL, err);
}

static int destroy_hierarchy(struct cgroup *cg, struct cgroup_hierarchy *h, struct berr **err)
{
        _cleanup_free_ char *root = hierarchy_dir_path(cg, h, "");
        _cleanup_free_ char *path = xstrdup(h->path), *leaf = hierarchy_dir_path(cg, h, h->path);
        unsigned levels;
        bool leaf_gone;
        int r;

        /* Containers seldom make cgroups of their own: try rmdir(2) first, which fails (EBUSY) while
         * the directory holds another cgroup, and walk the children (a dozen calls per hierarchy) only
         * then. */
        leaf_gone = rmdir(leaf) == 0 || errno == ENOENT;
        if (!leaf_gone) {
                _cleanup_close_ int fd = cgroup_open_hierarchy_dir(cg, h, NULL);

                if (fd >= 0) {
                        r = rmdir_children(fd, 0, err);
                        if (r < 0)
                                return berr_wrap(err, "remove cgroup '%s'", h->path);
                }
        }
        /* The container's own directory, then the parents that cgroup_create() made, while empty. */
        /* not created by this object (a delete without saved state): the default parent is still ours */
        levels = h->created ? h->created : cg->min_created ? cg->min_created : 1;
        for (unsigned i = 0; i < levels; i++) {
                _cleanup_free_ char *dir = NULL;
                char *slash = strrchr(path, '/');

                if (!slash || slash == path + strlen(path) - 1 || streq(path, "/"))
                        break;
                if (i == 0 && leaf_gone) {
                        *slash = 0;
                        continue;
                }
                dir = xasprintf("%s%s", root, path);
                /* A parent shared with other containers is busy for good: try it once. */
                r = rmdir_retry(AT_FDCWD, dir, i == 0 ? RMDIR_ATTEMPTS : 0, i == 0 ? err : NULL);
                if (r < 0) {
                        if (i == 0)
                                return berr_wrap(err, "remove cgroup '%s'", h->path);
                        break; /* a parent still used by another container stays */
                }
                *slash = 0;
        }
        return 0;
}

static int wait_empty(struct cgroup *cg, struct berr **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        r = cgroup_get_pids(cg, &pids, &n, err);
        if (r < 0)
                return r == -ENOENT ? 1 : r;
        return n == 0 ? 1 : 0;
}

int cgroup_destroy(struct cgroup *cg, struct berr **err)
{
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        r = cgroup_get_pids(cg, &pids, &n, NULL);
        if (r >= 0 && n > 0) {
                r = cgroup_kill_all(cg, SIGKILL, err);
                if (r < 0)
                        return r;
                r = cgroup_wait_state(cg, wait_empty, KILL_WAIT_MS, err);
                if (r < 0)
                        return berr_wrap(err, "wait for the processes of cgroup '%s' to exit", cgroup_get_path(cg));
        }
        for (size_t i = 0; i < cg->n_hier; i++) {
                r = destroy_hierarchy(cg, &cg->hier[i], err);
                if (r < 0)
                        return r;
        }
        return 0;
}
