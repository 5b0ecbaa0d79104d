/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI config generation: a container record (docker's Config and HostConfig
 * shapes, the image's defaults merged in at create) becomes config.json with
 * docker's defaults. Users and groups are resolved through the container's
 * own /etc/passwd and /etc/group, opened inside the root file system, so an
 * image's symlinks cannot point the lookup at the host's files.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "engine/spec-gen.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/spec.h"

static const char *const default_caps[] = {
        "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",    "CAP_FOWNER",           "CAP_MKNOD",
        "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",    "CAP_SETFCAP",          "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static const char *const all_caps[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE", NULL,
};

static const char *const masked_paths[] = {
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap", NULL,
};

static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* ---- small accessors of the record's JSON ---- */

static int64_t jint(struct json_object *o, const char *key)
{
        struct json_object *v = json_field(o, key);

        return v ? json_object_get_int64(v) : 0;
}

static bool jbool(struct json_object *o, const char *key)
{
        struct json_object *v = json_field(o, key);

        return v && json_object_get_boolean(v);
}

/* The strings of a string array, as an owned strv (NULL when absent). */
static char **jstrv(struct json_object *o, const char *key)
{
        struct json_object *a = json_field(o, key);
        char **v = NULL;

        if (!a || !json_object_is_type(a, json_type_array))
                return NULL;
        for (size_t i = 0; i < json_array_len(a); i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                if (json_object_is_type(e, json_type_string))
                        strv_push(&v, json_object_get_string(e));
        }
        return v;
}

static struct json_object *strv_json(char *const *v)
{
        return json_strv_new(v ? v : (char *const[]){ NULL });
}

/* ---- capabilities ---- */

static char *cap_normalize(const char *s)
{
        _cleanup_free_ char *up = xstrdup(s);

        for (char *p = up; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        if (startswith(up, "CAP_") || streq(up, "ALL"))
                return TAKE_PTR(up);
        return xasprintf("CAP_%s", up);
}

static bool cap_known(const char *cap)
{
        return strv_contains((char *const *) all_caps, cap);
}

int spec_gen_caps(char *const *add, char *const *drop, bool privileged, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **caps = NULL;
        bool add_all = false, drop_all = false;

        for (char *const *a = add; a && *a; a++) {
                _cleanup_free_ char *c = cap_normalize(*a);
                if (streq(c, "CAP_ALL"))
                        add_all = true;
                else if (!streq(c, "ALL") && !cap_known(c))
                        return berr_set(err, EINVAL, "unknown capability: \"%s\"", *a);
                if (streq(c, "ALL"))
                        add_all = true;
        }
        for (char *const *d = drop; d && *d; d++) {
                _cleanup_free_ char *c = cap_normalize(*d);
                if (streq(c, "ALL") || streq(c, "CAP_ALL"))
                        drop_all = true;
                else if (!cap_known(c))
                        return berr_set(err, EINVAL, "unknown capability: \"%s\"", *d);
        }
        if (privileged || add_all) {
                /* "all" is what we hold: a capability outside our bounding set cannot be granted */
                for (const char *const *a = all_caps; *a; a++) {
                        int nr = oci_capability_from_string(*a);
                        if (nr >= 0 && prctl(PR_CAPBSET_READ, (unsigned long) nr) == 1)
                                strv_push(&caps, *a);
                }
        } else if (!drop_all) {
                caps = strv_dup((char *const *) default_caps);
        }
        if (!privileged && !add_all) {
                for (char *const *a = add; a && *a; a++) {
                        _cleanup_free_ char *c = cap_normalize(*a);
                        if (!strv_contains(caps, c))
                                strv_push(&caps, c);
                }
        }
        if (!privileged) {
                for (char *const *d = drop; d && *d; d++) {
                        _cleanup_free_ char *c = cap_normalize(*d);
                        size_t j = 0;

                        if (streq(c, "ALL") || streq(c, "CAP_ALL"))
                                continue;
                        /* an explicit add wins over a drop of ALL, not over a drop by name */
                        for (size_t i = 0; caps && caps[i]; i++) {
                                if (streq(caps[i], c))
                                        free(caps[i]);
                                else
                                        caps[j++] = caps[i];
                        }
                        if (caps)
                                caps[j] = NULL;
                }
        }
        if (!caps)
                caps = xzalloc(sizeof(char *));
        *ret = TAKE_PTR(caps);
        return 0;
}

/* ---- users ---- */

static int read_in_root(int rootfd, const char *path, char **ret)
{
        _cleanup_close_ int fd = path_open_in_root(rootfd, path, O_RDONLY, 0, NULL);
        size_t len;

        if (fd < 0)
                return fd;
        return read_all(fd, SPEC_GEN_PASSWD_MAX, ret, &len, NULL);
}

static bool is_number(const char *s, uint32_t *ret)
{
        return parse_uint32(s, ret) == 0;
}

/* Finds a passwd or group line by name (field 0) or number (field 2). Fills fields (7 max). */
static bool find_entry(char *data, const char *name, uint32_t num, bool by_num, char **fields, size_t n_fields)
{
        char *save = NULL;

        for (char *line = data ? strtok_r(data, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
                char *f[7] = { 0 };
                size_t nf = 0;
                char *p = line;
                uint32_t id;

                if (*line == '#')
                        continue;
                while (nf < 7) {
                        f[nf++] = p;
                        p = strchr(p, ':');
                        if (!p)
                                break;
                        *p++ = 0;
                }
                if (nf < 3)
                        continue;
                if (by_num ? (is_number(f[2], &id) && id == num) : streq(f[0], name)) {
                        for (size_t i = 0; i < n_fields; i++)
                                fields[i] = i < nf ? f[i] : (char *) "";
                        return true;
                }
        }
        return false;
}

static int lookup_group(int rootfd, const char *what, gid_t *ret, struct berr **err)
{
        _cleanup_free_ char *grp = NULL;
        char *f[4];
        uint32_t n;

        if (is_number(what, &n)) {
                *ret = n;
                return 0;
        }
        if (rootfd >= 0)
                (void) read_in_root(rootfd, "/etc/group", &grp); /* no file: names cannot resolve */
        if (!grp || !find_entry(grp, what, 0, false, f, 4) || !is_number(f[2], &n))
                return berr_set(err, EINVAL, "unable to find group %s: no matching entries in group file", what);
        *ret = n;
        return 0;
}

/* Supplementary groups listing user by name in /etc/group. */
static void member_groups(int rootfd, const char *user, gid_t primary, struct spec_user *u)
{
        _cleanup_free_ char *grp = NULL;
        char *save = NULL;

        if (rootfd < 0 || !user || read_in_root(rootfd, "/etc/group", &grp) < 0)
                return;
        for (char *line = strtok_r(grp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[4] = { 0 }, *p = line, *msave = NULL;
                size_t nf = 0;
                uint32_t gid;

                while (nf < 4) {
                        f[nf++] = p;
                        p = strchr(p, ':');
                        if (!p)
                                break;
                        *p++ = 0;
                }
                if (nf < 4 || !is_number(f[2], &gid) || gid == primary)
                        continue;
                for (char *m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave))
                        if (streq(m, user) && u->n_groups < SPEC_GEN_GROUPS_MAX)
                                u->groups[u->n_groups++] = gid;
        }
}

int spec_gen_resolve_user(int rootfd, const char *user, char *const *group_add, struct spec_user *ret,
                          struct berr **err)
{
        _cleanup_free_ char *spec = xstrdup(user && *user ? user : "0");
        _cleanup_free_ char *pw = NULL;
        struct spec_user u = { 0 };
        char *group = strchr(spec, ':'), *f[7];
        const char *name = NULL;
        uint32_t n;
        bool found = false;
        int r;

        if (group)
                *group++ = 0;
        if (rootfd >= 0)
                (void) read_in_root(rootfd, "/etc/passwd", &pw); /* images without passwd run numeric users */
        snprintf(u.home, sizeof(u.home), "/");
        if (is_number(spec, &n)) {
                u.uid = n;
                if (pw && find_entry(pw, NULL, n, true, f, 7)) {
                        found = true;
                        name = f[0];
                }
        } else {
                if (!pw || !find_entry(pw, spec, 0, false, f, 7) || !is_number(f[2], &n))
                        return berr_set(err, EINVAL, "unable to find user %s: no matching entries in passwd file",
                                        spec);
                u.uid = n;
                found = true;
                name = f[0];
        }
        if (found) {
                if (is_number(f[3], &n))
                        u.gid = n;
                if (f[5] && *f[5])
                        snprintf(u.home, sizeof(u.home), "%s", f[5]);
        }
        if (group && *group) {
                r = lookup_group(rootfd, group, &u.gid, err);
                if (r < 0)
                        return r;
        } else if (found) {
                _cleanup_free_ char *name_copy = xstrdup(name);
                member_groups(rootfd, name_copy, u.gid, &u);
        }
        for (char *const *g = group_add; g && *g; g++) {
                gid_t gid;

                r = lookup_group(rootfd, *g, &gid, err);
                if (r < 0)
                        return r;
                if (u.n_groups >= SPEC_GEN_GROUPS_MAX)
                        return berr_set(err, E2BIG, "more than %d groups", SPEC_GEN_GROUPS_MAX);
                u.groups[u.n_groups++] = gid;
        }
        *ret = u;
        return 0;
}

/* ---- mounts ---- */

static struct json_object *mount_new(const char *dest, const char *type, const char *source, const char *const *opts)
{
        struct json_object *m = json_new_object(), *o = json_new_array();

        json_add_string(m, "destination", dest);
        json_add_string(m, "type", type);
        json_add_string(m, "source", source);
        for (; opts && *opts; opts++)
                json_append(o, json_object_new_string(*opts));
        json_add(m, "options", o);
        return m;
}

static void mount_add_opt(struct json_object *m, const char *opt)
{
        struct json_object *o = json_field(m, "options");

        json_append(o, json_object_new_string(opt));
}

static bool mounted_by_user(char *const *dests, const char *dest)
{
        return strv_contains(dests, dest);
}

static int add_binds(struct json_object *mounts, struct json_object *hc, char ***dests, struct berr **err)
{
        _cleanup_(strv_freep) char **binds = jstrv(hc, "Binds");

        for (char **b = binds; b && *b; b++) {
                _cleanup_(strv_freep) char **parts = strv_split(*b, ":");
                const char *const bind_opts[] = { "rbind", "rprivate", NULL };
                struct json_object *m;
                size_t n = strv_length(parts);

                if (n < 2 || n > 3)
                        continue; /* anonymous volume: volume_spec_mounts() */
                if (parts[0][0] != '/')
                        continue; /* named volume: volume_spec_mounts() */
                if (parts[1][0] != '/' || path_has_dotdot(parts[1]))
                        return berr_set(err, EINVAL, "invalid volume specification: '%s': the destination must be "
                                                     "an absolute path",
                                        *b);
                if (access(parts[0], F_OK) < 0 && mkdir_parents_at(AT_FDCWD, parts[0], 0755, err) < 0)
                        return berr_wrap(err, "create bind source '%s'", parts[0]);
                m = mount_new(parts[1], "bind", parts[0], bind_opts);
                if (n == 3) {
                        _cleanup_(strv_freep) char **opts = strv_split(parts[2], ",");
                        for (char **o = opts; o && *o; o++) {
                                if (streq(*o, "ro") || streq(*o, "rw"))
                                        mount_add_opt(m, *o);
                                else if (!streq(*o, "z") && !streq(*o, "Z") && !streq(*o, "rprivate"))
                                        return json_object_put(m),
                                               berr_set(err, EINVAL, "invalid mode '%s' in volume '%s'", *o, *b);
                        }
                }
                json_append(mounts, m);
                strv_push(dests, parts[1]);
        }
        return 0;
}

static int add_tmpfs(struct json_object *mounts, struct json_object *hc, char ***dests, struct berr **err)
{
        struct json_object *t = json_field(hc, "Tmpfs");

        if (!json_object_is_type(t, json_type_object))
                return 0;
        json_object_object_foreach(t, dest, val)
        {
                const char *const base[] = { "nosuid", "nodev", "noexec", NULL };
                const char *opts = json_object_get_string(val);
                _cleanup_(strv_freep) char **v = strv_split(opts ? opts : "", ",");
                struct json_object *m;

                if (dest[0] != '/' || path_has_dotdot(dest))
                        return berr_set(err, EINVAL, "invalid tmpfs mount point '%s'", dest);
                m = mount_new(dest, "tmpfs", "tmpfs", base);
                for (char **o = v; o && *o; o++)
                        mount_add_opt(m, *o);
                json_append(mounts, m);
                strv_push(dests, dest);
        }
        return 0;
}

static struct json_object *gen_mounts(const struct spec_gen_input *in, struct json_object *hc, bool privileged,
                                      struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *mounts = json_new_array();
        _cleanup_(strv_freep) char **dests = NULL;
        _cleanup_free_ char *shm_size = NULL, *hostname = NULL, *hosts = NULL, *resolv = NULL;
        int64_t shm = jint(hc, "ShmSize");
        const char *const proc_opts[] = { "nosuid", "noexec", "nodev", NULL };
        const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
        const char *const pts_opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
                                         NULL };
        const char *const sys_opts[] = { "nosuid", "noexec", "nodev", privileged ? "rw" : "ro", NULL };
        const char *const mq_opts[] = { "nosuid", "noexec", "nodev", NULL };
        const char *const bind_opts[] = { "rbind", "rprivate", NULL };
        const char *shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777", NULL, NULL };
        const char *const init_opts[] = { "bind", "ro", "nosuid", "nodev", NULL };
        struct json_object *m;

        if (add_binds(mounts, hc, &dests, err) < 0 || add_tmpfs(mounts, hc, &dests, err) < 0 ||
            volume_spec_mounts(in->config, mounts, &dests, err) < 0)
                return NULL;
        /* docker's defaults go first; the user's mounts (already in the array) must come after them */
        {
                _cleanup_(json_object_putp) struct json_object *user = TAKE_PTR(mounts);
                mounts = json_new_array();

                json_append(mounts, mount_new("/proc", "proc", "proc", proc_opts));
                json_append(mounts, mount_new("/dev", "tmpfs", "tmpfs", dev_opts));
                json_append(mounts, mount_new("/dev/pts", "devpts", "devpts", pts_opts));
                json_append(mounts, mount_new("/sys", "sysfs", "sysfs", sys_opts));
                m = mount_new("/sys/fs/cgroup", "cgroup", "cgroup", mq_opts);
                mount_add_opt(m, privileged ? "rw" : "ro");
                json_append(mounts, m);
                json_append(mounts, mount_new("/dev/mqueue", "mqueue", "mqueue", mq_opts));
                if (!mounted_by_user(dests, "/dev/shm")) {
                        shm_size = xasprintf("size=%lld",
                                             (long long) (shm > 0 ? (uint64_t) shm : SPEC_GEN_DEFAULT_SHM_SIZE));
                        shm_opts[4] = shm_size;
                        json_append(mounts, mount_new("/dev/shm", "tmpfs", "shm", shm_opts));
                }
                hostname = path_join(in->container_dir, "hostname");
                hosts = path_join(in->container_dir, "hosts");
                resolv = path_join(in->container_dir, "resolv.conf");
                if (!mounted_by_user(dests, "/etc/resolv.conf"))
                        json_append(mounts, mount_new("/etc/resolv.conf", "bind", resolv, bind_opts));
                if (!mounted_by_user(dests, "/etc/hostname"))
                        json_append(mounts, mount_new("/etc/hostname", "bind", hostname, bind_opts));
                if (!mounted_by_user(dests, "/etc/hosts"))
                        json_append(mounts, mount_new("/etc/hosts", "bind", hosts, bind_opts));
                if (jbool(hc, "Init")) {
                        if (!in->init_path)
                                return berr_set(err, ENOENT, "--init: the berth-init program is not installed"),
                                       NULL;
                        json_append(mounts, mount_new(SPEC_GEN_INIT_PATH, "bind", in->init_path, init_opts));
                }
                for (size_t i = 0; i < json_array_len(user); i++)
                        json_append(mounts, json_object_get(json_object_array_get_idx(user, i)));
        }
        return TAKE_PTR(mounts);
}

/* ---- devices and resources ---- */

/* --privileged: every device node of the host's /dev, as docker gives. */
#define PRIVILEGED_MAX_DEVICES 2048
#define PRIVILEGED_MAX_DEPTH 4

static struct json_object *device_new(const char *path, const struct stat *sb)
{
        struct json_object *od = json_new_object();

        json_add_string(od, "path", path);
        json_add_string(od, "type", S_ISCHR(sb->st_mode) ? "c" : "b");
        json_add_int(od, "major", major(sb->st_rdev));
        json_add_int(od, "minor", minor(sb->st_rdev));
        json_add_int(od, "fileMode", sb->st_mode & 0777);
        json_add_int(od, "uid", sb->st_uid);
        json_add_int(od, "gid", sb->st_gid);
        return od;
}

static bool host_dev_skipped(const char *dir, const char *name)
{
        /* the container gets its own instances of these; the console is its terminal, if any */
        static const char *const skip[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev", NULL };

        if (streq(dir, "/dev") && streq(name, "console"))
                return true;
        return streq(dir, "/dev") && strv_contains((char *const *) skip, name);
}

static int add_host_devices(const char *dir, unsigned depth, struct json_object *out, struct berr **err)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        int r;

        if (!d)
                return berr_sys(err, "--privileged: read '%s'", dir);
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat sb;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") || host_dev_skipped(dir, de->d_name))
                        continue;
                path = path_join(dir, de->d_name);
                if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* gone meanwhile */
                if (S_ISDIR(sb.st_mode) && depth < PRIVILEGED_MAX_DEPTH) {
                        r = add_host_devices(path, depth + 1, out, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!S_ISCHR(sb.st_mode) && !S_ISBLK(sb.st_mode))
                        continue;
                if (json_object_array_length(out) >= PRIVILEGED_MAX_DEVICES)
                        return berr_set(err, E2BIG, "--privileged: more than %d devices in /dev",
                                        PRIVILEGED_MAX_DEVICES);
                json_append(out, device_new(path, &sb));
        }
        return 0;
}

static int add_devices(struct json_object *linux_obj, struct json_object *res_devices, struct json_object *hc,
                       struct berr **err)
{
        struct json_object *devs = json_field(hc, "Devices"), *out = json_new_array();
        int r;

        json_add(linux_obj, "devices", out);
        if (jbool(hc, "Privileged")) {
                r = add_host_devices("/dev", 0, out, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; devs && i < json_array_len(devs); i++) {
                struct json_object *d = json_object_array_get_idx(devs, i), *rule;
                const char *host = json_field_string(d, "PathOnHost"), *ctr = json_field_string(d, "PathInContainer"),
                           *perm = json_field_string(d, "CgroupPermissions");
                struct stat sb;

                if (!host || stat(host, &sb) < 0)
                        return berr_sys(err, "error gathering device information while adding custom device \"%s\"",
                                        host ? host : "");
                if (!S_ISCHR(sb.st_mode) && !S_ISBLK(sb.st_mode))
                        return berr_set(err, EINVAL, "\"%s\" is not a device", host);
                sb.st_uid = 0;
                sb.st_gid = 0;
                json_append(out, device_new(ctr && *ctr ? ctr : host, &sb));
                rule = json_new_object();
                json_add_bool(rule, "allow", true);
                json_add_string(rule, "type", S_ISCHR(sb.st_mode) ? "c" : "b");
                json_add_int(rule, "major", major(sb.st_rdev));
                json_add_int(rule, "minor", minor(sb.st_rdev));
                json_add_string(rule, "access", perm && *perm ? perm : "rwm");
                json_append(res_devices, rule);
        }
        return 0;
}

int64_t spec_gen_memory_swap(int64_t memory, int64_t memory_swap)
{
        if (memory_swap > 0 || memory_swap == -1)
                return memory_swap;
        if (memory <= 0)
                return 0;
        /* docker: as much swap as memory unless told; a total past int64 is no limit at all */
        return memory > INT64_MAX / 2 ? -1 : 2 * memory;
}

static struct json_object *gen_resources(struct json_object *hc, bool privileged)
{
        struct json_object *res = json_new_object(), *devs = json_new_array(), *deny = json_new_object();
        int64_t mem = jint(hc, "Memory"), swap = jint(hc, "MemorySwap"), nano = jint(hc, "NanoCpus"),
                shares = jint(hc, "CpuShares"), pids = jint(hc, "PidsLimit");
        const char *cpuset = json_field_string(hc, "CpusetCpus");

        json_add_bool(deny, "allow", privileged);
        json_add_string(deny, "access", "rwm");
        json_append(devs, deny);
        json_add(res, "devices", devs);
        if (mem > 0 || swap != 0) {
                struct json_object *m = json_new_object();
                swap = spec_gen_memory_swap(mem, swap);
                if (mem > 0)
                        json_add_int(m, "limit", mem);
                if (swap != 0)
                        json_add_int(m, "swap", swap);
                json_add(res, "memory", m);
        }
        if (nano > 0 || shares > 0 || (cpuset && *cpuset)) {
                struct json_object *c = json_new_object();
                if (nano > 0) {
                        json_add_int(c, "period", 100000);
                        /* quota per 100 ms period: nano * 100000 / 1e9, without the product's overflow */
                        json_add_int(c, "quota", nano / 10000);
                }
                if (shares > 0)
                        json_add_int(c, "shares", shares);
                if (cpuset && *cpuset)
                        json_add_string(c, "cpus", cpuset);
                json_add(res, "cpu", c);
        }
        if (pids > 0) {
                struct json_object *p = json_new_object();
                json_add_int(p, "limit", pids);
                json_add(res, "pids", p);
        }
        return res;
}

static int rlimit_name(const char *name, char *buf, size_t len)
{
        static const char *const known[] = { "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                                             "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
                                             "as", NULL };

        if (!strv_contains((char *const *) known, name))
                return -EINVAL;
        snprintf(buf, len, "RLIMIT_%s", name);
        for (char *p = buf; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return 0;
}

static int gen_rlimits(struct json_object *proc, struct json_object *hc, struct berr **err)
{
        struct json_object *ul = json_field(hc, "Ulimits"), *out;

        if (!ul || json_array_len(ul) == 0)
                return 0;
        out = json_new_array();
        json_add(proc, "rlimits", out);
        for (size_t i = 0; i < json_array_len(ul); i++) {
                struct json_object *u = json_object_array_get_idx(ul, i), *o;
                const char *name = json_field_string(u, "Name");
                char type[32];

                if (!name || rlimit_name(name, type, sizeof(type)) < 0)
                        return berr_set(err, EINVAL, "invalid ulimit type: %s", name ? name : "");
                o = json_new_object();
                json_add_string(o, "type", type);
                json_add(o, "hard", json_object_new_uint64((uint64_t) jint(u, "Hard")));
                json_add(o, "soft", json_object_new_uint64((uint64_t) jint(u, "Soft")));
                json_append(out, o);
        }
        return 0;
}

/* ---- process ---- */

static bool env_has(char *const *env, const char *key)
{
        size_t n = strlen(key);

        for (; env && *env; env++)
                if (strncmp(*env, key, n) == 0 && (*env)[n] == '=')
                        return true;
        return false;
}

static int gen_process(const struct spec_gen_input *in, struct json_object *cfg, struct json_object *hc,
                       char *const *caps, const char *hostname, struct json_object **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *p = json_new_object();
        _cleanup_(strv_freep) char **entry = jstrv(cfg, "Entrypoint"), **cmd = jstrv(cfg, "Cmd"),
                            **group_add = jstrv(hc, "GroupAdd");
        _cleanup_(strv_freep) char **args = NULL, **env = NULL;
        _cleanup_(strv_freep) char **cenv = jstrv(cfg, "Env"), **secopts = jstrv(hc, "SecurityOpt");
        struct json_object *user, *capo, *gids;
        const char *cwd = json_field_string(cfg, "WorkingDir");
        struct spec_user u;
        bool tty = jbool(cfg, "Tty"), nnp = false;
        int r;

        if (jbool(hc, "Init")) {
                strv_push(&args, SPEC_GEN_INIT_PATH);
                strv_push(&args, "--");
        }
        for (char **a = entry; a && *a; a++)
                strv_push(&args, *a);
        for (char **a = cmd; a && *a; a++)
                strv_push(&args, *a);
        if (strv_length(args) == (jbool(hc, "Init") ? 2u : 0u))
                return berr_set(err, EINVAL, "no command specified");
        r = spec_gen_resolve_user(in->rootfs_fd, json_field_string(cfg, "User"), group_add, &u, err);
        if (r < 0)
                return r;
        env = strv_dup(cenv);
        if (!env_has(env, "PATH"))
                strv_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!env_has(env, "HOSTNAME"))
                strv_push_take(&env, xasprintf("HOSTNAME=%s", hostname));
        if (tty && !env_has(env, "TERM"))
                strv_push(&env, "TERM=xterm");
        if (!env_has(env, "HOME"))
                strv_push_take(&env, xasprintf("HOME=%s", u.home));
        json_add_bool(p, "terminal", tty);
        if (tty && in->rows > 0 && in->cols > 0) {
                /* the runtime sizes the pty before the process starts: it may ask at once */
                struct json_object *size = json_new_object();
                json_add_int(size, "height", in->rows);
                json_add_int(size, "width", in->cols);
                json_add(p, "consoleSize", size);
        }
        user = json_new_object();
        json_add_int(user, "uid", u.uid);
        json_add_int(user, "gid", u.gid);
        gids = json_new_array();
        for (size_t i = 0; i < u.n_groups; i++)
                json_append(gids, json_object_new_int64(u.groups[i]));
        json_add(user, "additionalGids", gids);
        json_add(p, "user", user);
        json_add(p, "args", strv_json(args));
        json_add(p, "env", strv_json(env));
        if (cwd && *cwd && (cwd[0] != '/' || path_has_dotdot(cwd)))
                return berr_set(err, EINVAL, "the working directory '%s' is invalid, it needs to be an absolute path",
                                cwd);
        json_add_string(p, "cwd", cwd && *cwd ? cwd : "/");
        if (cwd && *cwd && in->rootfs_fd >= 0) {
                /* docker creates a missing working directory */
                int fd = path_mkdir_in_root(in->rootfs_fd, cwd, 0755, err);
                if (fd < 0)
                        return berr_wrap(err, "create working directory '%s'", cwd);
                close(fd);
        }
        capo = json_new_object();
        json_add(capo, "bounding", strv_json(caps));
        json_add(capo, "effective", strv_json(caps));
        json_add(capo, "permitted", strv_json(caps));
        json_add(p, "capabilities", capo);
        for (char **o = secopts; o && *o; o++)
                if (streq(*o, "no-new-privileges") || streq(*o, "no-new-privileges:true") ||
                    streq(*o, "no-new-privileges=true"))
                        nnp = true;
        json_add_bool(p, "noNewPrivileges", nnp);
        if (json_field(hc, "OomScoreAdj"))
                json_add_int(p, "oomScoreAdj", jint(hc, "OomScoreAdj"));
        r = gen_rlimits(p, hc, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

/* Docker's profile format is close to runtime-spec's: keep the fields the runtime knows. */
static int seccomp_from_user(const char *text, struct json_object **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *in = NULL;
        struct json_object *out = json_new_object(), *sys, *v;
        int r;

        r = json_parse_buf(text, strlen(text), &in, err);
        if (r < 0) {
                json_object_put(out);
                return berr_wrap(err, "seccomp profile");
        }
        if ((v = json_field(in, "defaultAction")))
                json_add(out, "defaultAction", json_object_get(v));
        if ((v = json_field(in, "defaultErrnoRet")))
                json_add(out, "defaultErrnoRet", json_object_get(v));
        if ((v = json_field(in, "architectures")))
                json_add(out, "architectures", json_object_get(v));
        sys = json_new_array();
        json_add(out, "syscalls", sys);
        for (size_t i = 0; (v = json_field(in, "syscalls")) && i < json_array_len(v); i++) {
                struct json_object *s = json_object_array_get_idx(v, i), *o = json_new_object(), *x;
                if ((x = json_field(s, "names")))
                        json_add(o, "names", json_object_get(x));
                else if ((x = json_field(s, "name"))) {
                        struct json_object *a = json_new_array();
                        json_append(a, json_object_get(x));
                        json_add(o, "names", a);
                }
                if ((x = json_field(s, "action")))
                        json_add(o, "action", json_object_get(x));
                if ((x = json_field(s, "errnoRet")))
                        json_add(o, "errnoRet", json_object_get(x));
                if ((x = json_field(s, "args")))
                        json_add(o, "args", json_object_get(x));
                json_append(sys, o);
        }
        *ret = out;
        return 0;
}

static void add_ns(struct json_object *a, const char *type)
{
        struct json_object *ns = json_new_object();

        json_add_string(ns, "type", type);
        json_append(a, ns);
}

static void add_paths(struct json_object *l, const char *key, const char *const *paths)
{
        json_add(l, key, json_strv_new((char *const *) paths));
}

static int gen_linux(const struct spec_gen_input *in, struct json_object *hc, char *const *caps, bool privileged,
                     struct json_object **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *l = json_new_object();
        _cleanup_(strv_freep) char **secopts = jstrv(hc, "SecurityOpt");
        struct json_object *ns = json_new_array(), *res, *sysctl;
        const char *net = json_field_string(hc, "NetworkMode");
        const char *seccomp = NULL;
        int r;

        add_ns(ns, "pid");
        add_ns(ns, "ipc");
        add_ns(ns, "uts");
        add_ns(ns, "mount");
        if (!net || !streq(net, "host"))
                add_ns(ns, "network");
        if (streq_ptr(json_field_string(hc, "CgroupnsMode"), "private"))
                add_ns(ns, "cgroup");
        json_add(l, "namespaces", ns);
        res = gen_resources(hc, privileged);
        json_add(l, "resources", res);
        r = add_devices(l, json_field(res, "devices"), hc, err);
        if (r < 0)
                return r;
        if ((sysctl = json_field(hc, "Sysctls")))
                json_add(l, "sysctl", json_object_get(sysctl));
        json_add_string(l, "cgroupsPath", in->cgroups_path);
        if (!privileged) {
                add_paths(l, "maskedPaths", masked_paths);
                add_paths(l, "readonlyPaths", readonly_paths);
        }
        for (char **o = secopts; o && *o; o++) {
                const char *v = startswith(*o, "seccomp=");
                if (!v)
                        v = startswith(*o, "seccomp:");
                if (v)
                        seccomp = v;
        }
        if (!privileged && !(seccomp && streq(seccomp, "unconfined"))) {
                struct json_object *sc = NULL;
                if (seccomp) {
                        r = seccomp_from_user(seccomp, &sc, err);
                        if (r < 0)
                                return r;
                } else {
                        sc = spec_gen_seccomp_default(caps);
                }
                json_add(l, "seccomp", sc);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int spec_gen(const struct spec_gen_input *in, char **ret, struct berr **err)
{
        _cleanup_(json_object_putp) struct json_object *spec = json_new_object();
        struct json_object *cfg = json_field(in->config, "Config"), *hc = json_field(in->config, "HostConfig");
        struct json_object *proc = NULL, *root, *mounts, *l = NULL;
        _cleanup_(strv_freep) char **cap_add = jstrv(hc, "CapAdd"), **cap_drop = jstrv(hc, "CapDrop");
        _cleanup_(strv_freep) char **caps = NULL;
        const char *hostname = json_field_string(cfg, "Hostname");
        bool privileged = jbool(hc, "Privileged");
        int r;

        r = spec_gen_caps(cap_add, cap_drop, privileged, &caps, err);
        if (r < 0)
                return r;
        char short_id[13];

        snprintf(short_id, sizeof(short_id), "%s", in->id);
        if (!hostname || !*hostname)
                hostname = short_id;
        /* the oldest version with every field we write: older runtimes (crun 1.8) refuse newer ones */
        json_add_string(spec, "ociVersion", "1.0.2");
        r = gen_process(in, cfg, hc, caps, hostname, &proc, err);
        if (r < 0)
                return r;
        json_add(spec, "process", proc);
        root = json_new_object();
        json_add_string(root, "path", "rootfs");
        json_add_bool(root, "readonly", jbool(hc, "ReadonlyRootfs"));
        json_add(spec, "root", root);
        json_add_string(spec, "hostname", hostname);
        mounts = gen_mounts(in, hc, privileged, err);
        if (!mounts)
                return err && *err ? -berr_code(*err) : -EINVAL;
        json_add(spec, "mounts", mounts);
        r = gen_linux(in, hc, caps, privileged, &l, err);
        if (r < 0)
                return r;
        json_add(spec, "linux", l);
        /* compact, as containerd writes it: 40 % smaller than indented, and the runtime parses it
         * again for every start */
        *ret = json_dump(spec, false);
        return 0;
}
