/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json mounts -> a validated mount plan, without touching the kernel.
 * Every option runc knows is translated here: the classic MS_* flags (set and
 * cleared), propagation, bind/rbind, the recursive r* attributes that need
 * mount_setattr(AT_RECURSIVE), idmap/ridmap and tmpcopyup; anything else on a
 * file system mount is passed to mount(2) as data ("size=64m,mode=755"). The
 * application of the plan lives in mounts.c, devices in devices.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/mounts-internal.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"

enum opt_kind {
        OPT_FLAG_SET,   /* MS_* into flags */
        OPT_FLAG_CLEAR, /* MS_* out of flags, remembered in clear_flags */
        OPT_PROPAGATION,
        OPT_REC_SET,    /* MOUNT_ATTR_* into recursive_set */
        OPT_REC_CLEAR,  /* MOUNT_ATTR_* into recursive_clr */
        OPT_REC_ATIME,  /* one of the atime modes, recursively */
        OPT_BIND,
        OPT_RBIND,
        OPT_IDMAP,
        OPT_RIDMAP,
        OPT_TMPCOPYUP,
        OPT_IGNORE,     /* accepted, nothing to do at this level */
};

struct mount_opt {
        const char *name;
        enum opt_kind kind;
        unsigned long value;
};

static const struct mount_opt mount_opts[] = {
        { "defaults", OPT_IGNORE, 0 },
        { "ro", OPT_FLAG_SET, MS_RDONLY },
        { "rw", OPT_FLAG_CLEAR, MS_RDONLY },
        { "nosuid", OPT_FLAG_SET, MS_NOSUID },
        { "suid", OPT_FLAG_CLEAR, MS_NOSUID },
        { "nodev", OPT_FLAG_SET, MS_NODEV },
        { "dev", OPT_FLAG_CLEAR, MS_NODEV },
        { "noexec", OPT_FLAG_SET, MS_NOEXEC },
        { "exec", OPT_FLAG_CLEAR, MS_NOEXEC },
        { "sync", OPT_FLAG_SET, MS_SYNCHRONOUS },
        { "async", OPT_FLAG_CLEAR, MS_SYNCHRONOUS },
        { "dirsync", OPT_FLAG_SET, MS_DIRSYNC },
        { "remount", OPT_FLAG_SET, MS_REMOUNT },
        { "mand", OPT_FLAG_SET, MS_MANDLOCK },
        { "nomand", OPT_FLAG_CLEAR, MS_MANDLOCK },
        { "noatime", OPT_FLAG_SET, MS_NOATIME },
        { "atime", OPT_FLAG_CLEAR, MS_NOATIME },
        { "nodiratime", OPT_FLAG_SET, MS_NODIRATIME },
        { "diratime", OPT_FLAG_CLEAR, MS_NODIRATIME },
        { "relatime", OPT_FLAG_SET, MS_RELATIME },
        { "norelatime", OPT_FLAG_CLEAR, MS_RELATIME },
        { "strictatime", OPT_FLAG_SET, MS_STRICTATIME },
        { "nostrictatime", OPT_FLAG_CLEAR, MS_STRICTATIME },
        { "lazytime", OPT_FLAG_SET, MS_LAZYTIME },
        { "nolazytime", OPT_FLAG_CLEAR, MS_LAZYTIME },
        { "silent", OPT_FLAG_SET, MS_SILENT },
        { "loud", OPT_FLAG_CLEAR, MS_SILENT },
        { "iversion", OPT_FLAG_SET, MS_I_VERSION },
        { "noiversion", OPT_FLAG_CLEAR, MS_I_VERSION },
        { "nosymfollow", OPT_FLAG_SET, MS_NOSYMFOLLOW },
        { "symfollow", OPT_FLAG_CLEAR, MS_NOSYMFOLLOW },
        { "shared", OPT_PROPAGATION, MS_SHARED },
        { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
        { "slave", OPT_PROPAGATION, MS_SLAVE },
        { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
        { "private", OPT_PROPAGATION, MS_PRIVATE },
        { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
        { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
        { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
        { "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },
        { "rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY },
        { "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },
        { "rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID },
        { "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },
        { "rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV },
        { "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },
        { "rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
        { "rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME },
        { "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
        { "rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
        { "rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME },
        { "rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME },
        { "ratime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME },
        { "bind", OPT_BIND, 0 },
        { "rbind", OPT_RBIND, 0 },
        { "idmap", OPT_IDMAP, 0 },
        { "ridmap", OPT_RIDMAP, 0 },
        { "tmpcopyup", OPT_TMPCOPYUP, 0 },
        /* Options podman and docker handle themselves before calling the runtime; harmless here. */
        { "z", OPT_IGNORE, 0 },
        { "Z", OPT_IGNORE, 0 },
        { "U", OPT_IGNORE, 0 },
        { "copy", OPT_IGNORE, 0 },
        { "nocopy", OPT_IGNORE, 0 },
        { "notmpcopyup", OPT_IGNORE, 0 },
};

/* Files under /proc that may be bind-mounted over (lxcfs and similar), as runc allows. */
static const char *const proc_bind_allowed[] = {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",   "/proc/stat",
        "/proc/swaps",   "/proc/uptime",    "/proc/loadavg",   "/proc/slabinfo",
        "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

static const struct mount_opt *mount_opt_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(mount_opts); i++)
                if (streq(mount_opts[i].name, name))
                        return &mount_opts[i];
        return NULL;
}

const char *mount_step_kind_to_string(enum mount_step_kind k)
{
        switch (k) {
        case MOUNT_STEP_BIND:
                return "bind";
        case MOUNT_STEP_FS:
                return "fs";
        case MOUNT_STEP_CGROUP:
                return "cgroup";
        case _MOUNT_STEP_KIND_MAX:
        case _MOUNT_STEP_KIND_INVALID:
                break;
        }
        return NULL;
}

struct opt_state {
        bool bind, rbind, idmap, ridmap, tmpcopyup;
        char *data; /* owned, joined with ',' */
        size_t data_len;
        char **unknown; /* owned strv: options that are neither known nor key=value */
};

static int apply_option(const char *opt, struct mount_step *st, struct opt_state *os, struct berr **err)
{
        const struct mount_opt *o;

        if (strlen(opt) > MOUNT_OPTION_MAX_LEN)
                return berr_set(err, EINVAL, "option longer than %d bytes", MOUNT_OPTION_MAX_LEN);
        if (!*opt)
                return 0;
        o = mount_opt_find(opt);
        if (!o) {
                char *n;

                if (strchr(opt, ',')) /* would smuggle several options into the data string */
                        return berr_set(err, EINVAL, "invalid option '%s': contains ','", opt);
                os->data_len += strlen(opt) + 1;
                if (os->data_len > MOUNT_DATA_MAX_LEN)
                        return berr_set(err, EINVAL, "data options longer than %d bytes", MOUNT_DATA_MAX_LEN);
                n = os->data ? xasprintf("%s,%s", os->data, opt) : xstrdup(opt);
                free(os->data);
                os->data = n;
                if (!strchr(opt, '='))
                        strv_push(&os->unknown, opt);
                return 0;
        }
        switch (o->kind) {
        case OPT_FLAG_SET:
                st->flags |= o->value;
                st->clear_flags &= ~o->value;
                break;
        case OPT_FLAG_CLEAR:
                st->flags &= ~o->value;
                st->clear_flags |= o->value;
                break;
        case OPT_PROPAGATION:
                st->propagation = o->value; /* the last one wins */
                break;
        case OPT_REC_SET:
                st->recursive_set |= o->value;
                st->recursive_clr &= ~o->value;
                break;
        case OPT_REC_CLEAR:
                st->recursive_clr |= o->value;
                st->recursive_set &= ~o->value;
                break;
        case OPT_REC_ATIME:
                st->recursive_set = (st->recursive_set & ~(unsigned long) MOUNT_ATTR__ATIME) | o->value;
                st->recursive_clr |= MOUNT_ATTR__ATIME; /* the kernel wants the whole field cleared first */
                break;
        case OPT_BIND:
                os->bind = true;
                break;
        case OPT_RBIND:
                os->rbind = true;
                break;
        case OPT_IDMAP:
                os->idmap = true;
                break;
        case OPT_RIDMAP:
                os->ridmap = true;
                break;
        case OPT_TMPCOPYUP:
                os->tmpcopyup = true;
                break;
        case OPT_IGNORE:
                break;
        }
        return 0;
}

static bool proc_bind_is_allowed(const char *dest)
{
        for (size_t i = 0; i < ELEMENTSOF(proc_bind_allowed); i++)
                if (streq(dest, proc_bind_allowed[i]))
                        return true;
        return false;
}

static int check_destination(const struct mount_step *st, struct berr **err)
{
        const char *under_proc = startswith(st->destination, "/proc");

        if (streq(st->destination, "/"))
                return berr_set(err, EINVAL, "cannot mount over the root file system '/'");
        if (under_proc && (*under_proc == 0 || *under_proc == '/')) {
                if (*under_proc == 0) {
                        if (st->kind != MOUNT_STEP_FS || !streq(st->fstype, "proc"))
                                return berr_set(err, EINVAL, "only a proc file system may be mounted at '/proc'");
                } else if (!proc_bind_is_allowed(st->destination)) {
                        return berr_set(err, EPERM, "mounting over '%s' is not allowed (only a few /proc files, as for lxcfs)",
                                        st->destination);
                }
        }
        return 0;
}

static int plan_step_idmap(const struct oci_spec *spec, const struct oci_mount *m, const struct opt_state *os,
                           struct mount_step *st, struct berr **err)
{
        bool has_maps = m->n_uid_mappings > 0 || m->n_gid_mappings > 0;

        if (!os->idmap && !os->ridmap && !has_maps)
                return 0;
        if (st->kind != MOUNT_STEP_BIND)
                return berr_set(err, EINVAL, "idmapped mounts are supported for bind mounts only");
        if (has_maps && (m->n_uid_mappings == 0 || m->n_gid_mappings == 0))
                return berr_set(err, EINVAL, "idmapped mount needs both uidMappings and gidMappings");
        if (!has_maps && (spec->linux.n_uid_mappings == 0 || spec->linux.n_gid_mappings == 0))
                return berr_set(err, EINVAL,
                                "option 'idmap' without uidMappings/gidMappings needs the container's user namespace mappings");
        st->idmapped = true;
        st->recursive_idmap = os->ridmap;
        return 0;
}

static int plan_step(const struct oci_spec *spec, const struct oci_mount *m, struct mount_step *st, struct berr **err)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_(strv_freep) char **unknown = NULL;
        struct opt_state os = {};
        int r = 0;

        for (char **o = m->options; o && *o && r >= 0; o++)
                r = apply_option(*o, st, &os, err);
        data = os.data;
        unknown = os.unknown;
        if (r < 0)
                return r;
        if (!m->destination || !*m->destination)
                return berr_set(err, EINVAL, "missing destination");
        /* runc accepts relative destinations (taken from "/") with a warning; so do we. */
        if (m->destination[0] == '/') {
                st->destination = path_clean(m->destination);
        } else {
                _cleanup_free_ char *abs = xasprintf("/%s", m->destination);
                st->destination = path_clean(abs);
        }
        if (os.bind || os.rbind || streq_ptr(m->type, "bind") || streq_ptr(m->type, "rbind")) {
                st->kind = MOUNT_STEP_BIND;
                st->flags |= MS_BIND | ((os.rbind || streq_ptr(m->type, "rbind")) ? MS_REC : 0);
                if (!m->source || !*m->source)
                        return berr_set(err, EINVAL, "bind mount without a source");
                /* mount(2) ignores data for binds; runc 1.1 and crun 1.8 accept unknown options there too. */
                for (char **u = unknown; u && *u; u++)
                        log_debug("mount at '%s': ignoring option '%s' of a bind mount", st->destination, *u);
                st->source = xstrdup(m->source);
        } else if (!m->type || !*m->type || streq(m->type, "none")) {
                return berr_set(err, EINVAL, "no file system type and not a bind mount");
        } else {
                bool is_cgroup = streq(m->type, "cgroup") || streq(m->type, "cgroup2");

                st->kind = is_cgroup ? MOUNT_STEP_CGROUP : MOUNT_STEP_FS;
                st->fstype = xstrdup(m->type);
                st->source = xstrdup(m->source && *m->source ? m->source : m->type);
                st->data = TAKE_PTR(data);
        }
        if (os.tmpcopyup && !(st->kind == MOUNT_STEP_FS && streq(st->fstype, "tmpfs")))
                return berr_set(err, EINVAL, "option 'tmpcopyup' needs a tmpfs mount");
        st->tmpcopyup = os.tmpcopyup;
        /* A bind mount with flags needs the remount step; the idmap and recursive attrs are separate. */
        st->readonly_remount = st->kind == MOUNT_STEP_BIND &&
                               ((st->flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT)) || st->clear_flags);
        r = plan_step_idmap(spec, m, &os, st, err);
        if (r < 0)
                return r;
        return check_destination(st, err);
}

/* Local scan instead of spec_has_namespace(): the plan must not depend on the parser's object file. */
static bool plan_has_ns(const struct oci_spec *spec, enum oci_namespace_type type)
{
        for (size_t i = 0; i < spec->linux.n_namespaces; i++)
                if (spec->linux.namespaces[i].type == type)
                        return true;
        return false;
}

static void mount_step_done(struct mount_step *st)
{
        free(st->source);
        free(st->destination);
        free(st->fstype);
        free(st->data);
}

struct mount_plan *mounts_plan_free(struct mount_plan *plan)
{
        if (!plan)
                return NULL;
        for (size_t i = 0; i < plan->n_steps; i++)
                mount_step_done(&plan->steps[i]);
        free(plan->steps);
        free(plan);
        return NULL;
}

/*
 * Without a mount namespace the container's mounts live in the caller's
 * namespace, where the container's root and the caller can unmount them:
 * masks and read-only paths would promise a protection they cannot give
 * (runc refuses them too), and rootfsPropagation would change the
 * propagation of the caller's "/". Refuse, naming the field.
 */
static int plan_check_without_mountns(const struct oci_spec *spec, const struct mount_plan *plan, struct berr **err)
{
        static const char *const why = "needs a mount namespace (linux.namespaces has no \"mount\")";

        if (plan->has_mountns)
                return 0;
        if (spec->linux.masked_paths && spec->linux.masked_paths[0])
                return berr_set(err, EINVAL, "linux.maskedPaths %s", why);
        if (spec->linux.readonly_paths && spec->linux.readonly_paths[0])
                return berr_set(err, EINVAL, "linux.readonlyPaths %s", why);
        if (spec->linux.rootfs_propagation)
                return berr_set(err, EINVAL, "linux.rootfsPropagation %s", why);
        return 0;
}

int mounts_plan_new(const struct oci_spec *spec, bool no_pivot, struct mount_plan **ret, struct berr **err)
{
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = xzalloc(sizeof(*plan));
        int r;

        if (spec->n_mounts > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "mounts: more than %d entries", SPEC_MAX_ITEMS);
        plan->steps = xcalloc(spec->n_mounts ? spec->n_mounts : 1, sizeof(*plan->steps));
        plan->default_devices = true;
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const struct oci_mount *m = &spec->mounts[i];
                struct mount_step *st = &plan->steps[plan->n_steps++];

                st->mount_index = i;
                r = plan_step(spec, m, st, err);
                if (r < 0)
                        return berr_wrap(err, "mounts[%zu] (%s)", i, m->destination ? m->destination : "no destination");
                /* A /dev brought in from outside already has its nodes: do not create any (runc's rule). */
                if (st->kind == MOUNT_STEP_BIND && streq(st->destination, "/dev"))
                        plan->default_devices = false;
        }
        r = devices_validate(spec, err);
        if (r < 0)
                return r;
        plan->rootfs_propagation = spec->linux.rootfs_propagation;
        plan->readonly_rootfs = spec->root_readonly;
        plan->no_pivot = no_pivot;
        plan->has_userns = plan_has_ns(spec, OCI_NS_USER);
        plan->has_cgroupns = plan_has_ns(spec, OCI_NS_CGROUP);
        plan->has_mountns = plan_has_ns(spec, OCI_NS_MOUNT);
        r = plan_check_without_mountns(spec, plan, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(plan);
        return 0;
}
