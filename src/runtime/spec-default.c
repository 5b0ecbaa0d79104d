/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Documents the runtime writes rather than reads: the starter config.json of
 * `berth-runtime spec` (the same defaults as `runc spec`, so tools and
 * tutorials written for runc keep working) and the runtime-spec "state"
 * document that `state` prints and hooks receive on stdin.
 */
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct default_mount {
        const char *destination, *type, *source;
        const char *options[8];
};

static const struct default_mount default_mounts[] = {
        {"/proc", "proc", "proc", {NULL}},
        {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
        {"/dev/pts",
         "devpts",
         "devpts",
         {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
        {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
        {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
        {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* Without a network namespace of its own, a rootless container cannot mount sysfs: bind the host's. */
static const struct default_mount rootless_sys = {
        "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static const char *const default_masked[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        NULL,
};

static const char *const default_readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static struct json_object *strv_json(const char *const *v)
{
        return json_strv_new((char *const *)v);
}

static struct json_object *process_json(void)
{
        struct json_object *p = json_new_object(), *user = json_new_object(), *caps = json_new_object();
        struct json_object *rlimits = json_new_array(), *nofile = json_new_object();
        static const char *const args[] = {"sh", NULL};
        static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                          "TERM=xterm", NULL};

        json_add_bool(p, "terminal", true);
        json_add_int(user, "uid", 0);
        json_add_int(user, "gid", 0);
        json_add(p, "user", user);
        json_add(p, "args", strv_json(args));
        json_add(p, "env", strv_json(env));
        json_add_string(p, "cwd", "/");
        json_add(caps, "bounding", strv_json(default_caps));
        json_add(caps, "effective", strv_json(default_caps));
        json_add(caps, "permitted", strv_json(default_caps));
        json_add(caps, "ambient", strv_json(default_caps));
        json_add(p, "capabilities", caps);
        json_add_string(nofile, "type", "RLIMIT_NOFILE");
        json_add_int(nofile, "hard", 1024);
        json_add_int(nofile, "soft", 1024);
        json_append(rlimits, nofile);
        json_add(p, "rlimits", rlimits);
        json_add_bool(p, "noNewPrivileges", true);
        return p;
}

static struct json_object *mount_json(const struct default_mount *dm, bool rootless)
{
        struct json_object *m = json_new_object(), *opts = json_new_array();

        json_add_string(m, "destination", dm->destination);
        json_add_string(m, "type", dm->type);
        json_add_string(m, "source", dm->source);
        for (const char *const *o = dm->options; *o; o++) {
                /* in a user namespace mapping only the caller, gid 5 (tty) does not exist */
                if (rootless && (startswith(*o, "gid=") || startswith(*o, "uid=")))
                        continue;
                json_append(opts, json_object_new_string(*o));
        }
        if (json_object_array_length(opts) > 0)
                json_add(m, "options", opts);
        else
                json_object_put(opts);
        return m;
}

static struct json_object *mappings_json(unsigned id)
{
        struct json_object *a = json_new_array(), *m = json_new_object();

        json_add_int(m, "containerID", 0);
        json_add_int(m, "hostID", id);
        json_add_int(m, "size", 1);
        json_append(a, m);
        return a;
}

static void add_namespace(struct json_object *a, const char *type)
{
        struct json_object *ns = json_new_object();

        json_add_string(ns, "type", type);
        json_append(a, ns);
}

static bool cgroup2_unified(void)
{
        struct statfs sfs;

        return statfs("/sys/fs/cgroup", &sfs) == 0 && (unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static struct json_object *linux_json(bool rootless)
{
        struct json_object *l = json_new_object(), *ns = json_new_array();

        if (rootless) {
                json_add(l, "uidMappings", mappings_json((unsigned)geteuid()));
                json_add(l, "gidMappings", mappings_json((unsigned)getegid()));
        } else {
                struct json_object *res = json_new_object(), *devs = json_new_array(), *deny = json_new_object();

                json_add_bool(deny, "allow", false);
                json_add_string(deny, "access", "rwm");
                json_append(devs, deny);
                json_add(res, "devices", devs);
                json_add(l, "resources", res);
        }
        add_namespace(ns, "pid");
        if (!rootless)
                add_namespace(ns, "network");
        add_namespace(ns, "ipc");
        add_namespace(ns, "uts");
        add_namespace(ns, "mount");
        /* as runc: a private cgroup namespace only where the host is cgroup v2 only */
        if (cgroup2_unified())
                add_namespace(ns, "cgroup");
        if (rootless)
                add_namespace(ns, "user");
        json_add(l, "namespaces", ns);
        json_add(l, "maskedPaths", strv_json(default_masked));
        json_add(l, "readonlyPaths", strv_json(default_readonly));
        return l;
}

char *spec_default_json(bool rootless)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        struct json_object *root = json_new_object(), *mounts = json_new_array();

        json_add_string(o, "ociVersion", BERTH_SPEC_VERSION);
        json_add(o, "process", process_json());
        json_add_string(root, "path", "rootfs");
        json_add_bool(root, "readonly", true);
        json_add(o, "root", root);
        json_add_string(o, "hostname", "runc");
        for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++) {
                const struct default_mount *dm = &default_mounts[i];
                if (rootless && streq(dm->type, "sysfs"))
                        dm = &rootless_sys;
                json_append(mounts, mount_json(dm, rootless));
        }
        json_add(o, "mounts", mounts);
        json_add(o, "linux", linux_json(rootless));
        return json_dump(o, true);
}

char *spec_state_json(const char *id, const char *status, pid_t pid, const char *bundle, char **annotations)
{
        _cleanup_json_ struct json_object *o = json_new_object();

        json_add_string(o, "ociVersion", BERTH_SPEC_VERSION);
        json_add_string(o, "id", id);
        json_add_string(o, "status", status);
        json_add_int(o, "pid", pid > 0 ? pid : 0);
        json_add_string(o, "bundle", bundle);
        if (annotations && annotations[0]) {
                struct json_object *a = json_new_object();
                for (char **p = annotations; p[0] && p[1]; p += 2)
                        json_add_string(a, p[0], p[1]);
                json_add(o, "annotations", a);
        }
        return json_dump(o, false);
}
