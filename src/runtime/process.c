/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container process's last steps before execve(2): rlimits, OOM score,
 * personality, scheduler, I/O priority, umask, then identity (groups, uids
 * with capabilities kept across the switch, the capability sets from
 * caps.c, no_new_privs, LSM exec labels), CPU affinity and the PATH lookup
 * of args[0]. Seccomp is seccomp.c's; the order of the calls is the
 * lifecycle's, as process.h describes.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/process.h"
#include "runtime/spec.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CPU_AFFINITY_MAX_CPUS 8192
#define PATH_ENV_MAX_LEN 65536

#ifndef IOPRIO_WHO_PROCESS
#define IOPRIO_WHO_PROCESS 1
#endif
#define IOPRIO_CLASS_SHIFT 13

/* struct sched_attr of sched_setattr(2); glibc 2.36 has no wrapper. */
struct berth_sched_attr {
        uint32_t size;
        uint32_t sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime;
        uint64_t sched_deadline;
        uint64_t sched_period;
};

static const char *const rlimit_names[] = {
        [RLIMIT_CPU] = "RLIMIT_CPU",         [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
        [RLIMIT_DATA] = "RLIMIT_DATA",       [RLIMIT_STACK] = "RLIMIT_STACK",
        [RLIMIT_CORE] = "RLIMIT_CORE",       [RLIMIT_RSS] = "RLIMIT_RSS",
        [RLIMIT_NPROC] = "RLIMIT_NPROC",     [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
        [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK", [RLIMIT_AS] = "RLIMIT_AS",
        [RLIMIT_LOCKS] = "RLIMIT_LOCKS",     [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
        [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
        [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",   [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
};

static const char *rlimit_name(int type)
{
        return type >= 0 && (size_t) type < ELEMENTSOF(rlimit_names) && rlimit_names[type] ? rlimit_names[type]
                                                                                             : "unknown rlimit";
}

static int apply_rlimit(const struct oci_rlimit *rl, struct berr **err)
{
        struct rlimit cur, want = {
                .rlim_cur = rl->soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t) rl->soft,
                .rlim_max = rl->hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t) rl->hard,
        };

        if (rl->soft > rl->hard)
                return berr_set(err, EINVAL, "soft limit %" PRIu64 " above hard limit %" PRIu64, rl->soft, rl->hard);
        if (prlimit(0, rl->type, NULL, &cur) < 0)
                return berr_sys(err, "get");
        if (prlimit(0, rl->type, &want, NULL) == 0)
                return 0;
        if (errno == EPERM && want.rlim_max > cur.rlim_max)
                return berr_set(err, EPERM,
                                "raise the hard limit from %llu to %llu: Operation not permitted (raising a hard limit "
                                "needs CAP_SYS_RESOURCE, which this runtime does not have)",
                                (unsigned long long) cur.rlim_max, (unsigned long long) want.rlim_max);
        return berr_sys(err, "set soft %" PRIu64 " hard %" PRIu64, rl->soft, rl->hard);
}

static int apply_scheduler(const struct oci_scheduler *s, struct berr **err)
{
        struct berth_sched_attr attr = {
                .size = sizeof(attr),
                .sched_policy = (uint32_t) s->policy,
                .sched_flags = s->flags,
                .sched_nice = s->nice,
                .sched_priority = (uint32_t) s->priority,
                .sched_runtime = s->runtime,
                .sched_deadline = s->deadline,
                .sched_period = s->period,
        };

        if (!s->present)
                return 0;
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
                return berr_sys(err, "process.scheduler: sched_setattr (policy %d)", s->policy);
        return 0;
}

static int apply_ioprio(const struct oci_io_priority *io, struct berr **err)
{
        if (!io->present)
                return 0;
        if (io->class < 1 || io->class > 3 || io->priority < 0 || io->priority > 7)
                return berr_set(err, EINVAL, "process.ioPriority: class %d priority %d out of range", io->class,
                                io->priority);
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (io->class << IOPRIO_CLASS_SHIFT) | io->priority) < 0)
                return berr_sys(err, "process.ioPriority: ioprio_set");
        return 0;
}

static int apply_oom_score_adj(const struct oci_process *p, struct berr **err)
{
        char buf[16];
        int r;

        if (!p->has_oom_score_adj)
                return 0;
        if (p->oom_score_adj < -1000 || p->oom_score_adj > 1000)
                return berr_set(err, EINVAL, "process.oomScoreAdj %d out of range (-1000..1000)", p->oom_score_adj);
        (void) snprintf(buf, sizeof(buf), "%d", p->oom_score_adj); /* fits: range checked above */
        r = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, NULL);
        if (r == 0)
                return 0;
        if (r == -EACCES || r == -EPERM) {
                _cleanup_free_ char *cur = NULL;
                size_t len;

                if (read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", 32, &cur, &len, NULL) >= 0 &&
                    p->oom_score_adj < atoi(cur))
                        return berr_set(err, EACCES,
                                        "process.oomScoreAdj: lowering it from %d to %d needs CAP_SYS_RESOURCE, which "
                                        "this runtime does not have", atoi(cur), p->oom_score_adj);
        }
        return berr_errno(err, r, "process.oomScoreAdj: write '%s'", buf);
}

int process_apply_early(const struct oci_process *p, struct berr **err)
{
        int r;

        for (size_t i = 0; i < p->n_rlimits; i++) {
                r = apply_rlimit(&p->rlimits[i], err);
                if (r < 0)
                        return berr_wrap(err, "process.rlimits[%zu] (%s)", i, rlimit_name(p->rlimits[i].type));
        }
        r = apply_oom_score_adj(p, err);
        if (r < 0)
                return r;
        r = apply_scheduler(&p->scheduler, err);
        if (r < 0)
                return r;
        r = apply_ioprio(&p->io_priority, err);
        if (r < 0)
                return r;
        /* runc's default umask is 0022 when process.user.umask is absent. */
        (void) umask(p->user.has_umask ? (mode_t) (p->user.umask & 0777) : 0022);
        return 0;
}

int process_apply_personality(const struct oci_personality *pers, struct berr **err)
{
        if (!pers->present)
                return 0;
        if (pers->domain != PER_LINUX && pers->domain != PER_LINUX32)
                return berr_set(err, EINVAL, "linux.personality: unsupported domain %#lx", pers->domain);
        if (personality(pers->domain) < 0)
                return berr_sys(err, "linux.personality: personality(%#lx)", pers->domain);
        return 0;
}

int process_chdir(const struct oci_process *p, struct berr **err)
{
        const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";

        if (chdir(cwd) < 0)
                return berr_sys(err, "process.cwd '%s'", cwd);
        return 0;
}

static bool apparmor_enabled(void)
{
        _cleanup_free_ char *v = NULL;
        size_t len;

        if (read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 16, &v, &len, NULL) < 0)
                return false;
        return v[0] == 'Y';
}

static bool selinux_enabled(void)
{
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

/*
 * Like runc: a label for an LSM that is not active is an error, not silently
 * dropped, since the user asked for confinement that would not happen.
 */
static int check_lsm_labels(const struct oci_process *p, struct berr **err)
{
        if (p->apparmor_profile && *p->apparmor_profile && !apparmor_enabled())
                return berr_set(err, EINVAL, "process.apparmorProfile '%s': AppArmor is not enabled on this host",
                                p->apparmor_profile);
        if (p->selinux_label && *p->selinux_label && !selinux_enabled())
                return berr_set(err, EINVAL, "process.selinuxLabel '%s': SELinux is not enabled on this host",
                                p->selinux_label);
        return 0;
}

static int apply_lsm_labels(const struct oci_process *p, struct berr **err)
{
        if (p->apparmor_profile && *p->apparmor_profile) {
                _cleanup_free_ char *v = xasprintf("exec %s", p->apparmor_profile);

                if (write_file_at(AT_FDCWD, "/proc/self/attr/apparmor/exec", v, NULL) < 0 &&
                    write_file_at(AT_FDCWD, "/proc/self/attr/exec", v, err) < 0)
                        return berr_wrap(err, "process.apparmorProfile '%s'", p->apparmor_profile);
        }
        if (p->selinux_label && *p->selinux_label) {
                if (write_file_at(AT_FDCWD, "/proc/self/attr/exec", p->selinux_label, err) < 0)
                        return berr_wrap(err, "process.selinuxLabel '%s'", p->selinux_label);
        }
        return 0;
}

static int set_groups(const struct oci_user *u, struct berr **err)
{
        _cleanup_free_ gid_t *gids = xcalloc(u->n_additional_gids ? u->n_additional_gids : 1, sizeof(gid_t));

        if (u->n_additional_gids > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "process.user.additionalGids: more than %d", SPEC_MAX_ITEMS);
        for (size_t i = 0; i < u->n_additional_gids; i++)
                gids[i] = u->additional_gids[i];
        if (setgroups(u->n_additional_gids, gids) == 0)
                return 0;
        /* A user namespace with setgroups "deny" refuses even an empty list: nothing to clear then. */
        if (errno == EPERM && u->n_additional_gids == 0)
                return 0;
        return berr_sys(err, "process.user.additionalGids: setgroups");
}

int process_apply_identity(const struct oci_process *p, struct berr **err)
{
        const struct oci_user *u = &p->user;
        int r;

        /* Refuse a label that cannot be applied before changing anything. */
        r = check_lsm_labels(p, err);
        if (r < 0)
                return r;
        r = caps_drop_bounding(&p->capabilities, err);
        if (r < 0)
                return berr_wrap(err, "process.capabilities.bounding");
        r = set_groups(u, err);
        if (r < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return berr_sys(err, "PR_SET_KEEPCAPS");
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return berr_sys(err, "process.user.gid %u: setresgid", u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return berr_sys(err, "process.user.uid %u: setresuid", u->uid);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return berr_sys(err, "PR_SET_KEEPCAPS");
        r = caps_apply(&p->capabilities, err);
        if (r < 0)
                return berr_wrap(err, "process.capabilities");
        if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return berr_sys(err, "process.noNewPrivileges");
        return apply_lsm_labels(p, err);
}

/* "0-3,8,10-11" into set; errors name the bad part. */
static int parse_cpu_list(const char *cpus, cpu_set_t *set, size_t size, struct berr **err)
{
        _cleanup_(strv_freep) char **parts = strv_split(cpus, ",");

        if (!parts || !parts[0])
                return berr_set(err, EINVAL, "empty CPU list '%s'", cpus);
        for (char **p = parts; *p; p++) {
                _cleanup_free_ char *a = xstrdup(*p);
                char *dash = strchr(a, '-');
                uint32_t lo, hi;

                if (dash)
                        *dash = 0;
                if (parse_uint32(a, &lo) < 0 || (dash ? parse_uint32(dash + 1, &hi) : (hi = lo, 0)) < 0 || hi < lo)
                        return berr_set(err, EINVAL, "invalid CPU range '%s' in '%s'", *p, cpus);
                if (hi >= CPU_AFFINITY_MAX_CPUS)
                        return berr_set(err, EINVAL, "CPU %u in '%s' above the limit %d", hi, cpus,
                                        CPU_AFFINITY_MAX_CPUS - 1);
                for (uint32_t c = lo; c <= hi; c++)
                        CPU_SET_S(c, size, set);
        }
        return 0;
}

int process_apply_cpu_affinity(const char *cpus, pid_t pid, struct berr **err)
{
        size_t size = CPU_ALLOC_SIZE(CPU_AFFINITY_MAX_CPUS);
        cpu_set_t *set;
        int r;

        if (!cpus || !*cpus)
                return 0;
        set = CPU_ALLOC(CPU_AFFINITY_MAX_CPUS);
        if (!set)
                abort();
        CPU_ZERO_S(size, set);
        r = parse_cpu_list(cpus, set, size, err);
        if (r >= 0 && sched_setaffinity(pid, size, set) < 0)
                r = berr_sys(err, "sched_setaffinity '%s'", cpus);
        CPU_FREE(set);
        return r < 0 ? berr_wrap(err, "process.execCPUAffinity") : 0;
}

/* 1: an executable file, 0: absent, -EACCES: there but not executable (a directory, no x bit). */
static int check_exec(const char *path)
{
        struct stat sb;

        if (stat(path, &sb) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        if (!S_ISREG(sb.st_mode) || access(path, X_OK) < 0)
                return -EACCES;
        return 1;
}

int exec_lookup(const struct oci_process *p, char **ret_path, struct berr **err)
{
        _cleanup_(strv_freep) char **dirs = NULL;
        const char *cmd = p->args ? p->args[0] : NULL, *path = DEFAULT_PATH;
        bool seen_eacces = false;
        int r;

        if (!cmd || !*cmd)
                return berr_set(err, EINVAL, "process.args is empty");
        if (strchr(cmd, '/')) {
                r = check_exec(cmd);
                if (r == 0)
                        return berr_set(err, ENOENT, "exec '%s': no such file or directory", cmd);
                if (r < 0)
                        return berr_errno(err, r, "exec '%s'", cmd);
                *ret_path = xstrdup(cmd);
                return 0;
        }
        for (char **e = p->env; e && *e; e++)
                if (startswith(*e, "PATH="))
                        path = *e + 5; /* the last one wins, as in a shell */
        if (strlen(path) > PATH_ENV_MAX_LEN)
                return berr_set(err, EINVAL, "PATH longer than %d bytes", PATH_ENV_MAX_LEN);
        dirs = strv_split(path, ":");
        for (char **d = dirs; d && *d; d++) {
                _cleanup_free_ char *cand = NULL;

                if ((*d)[0] != '/')
                        continue; /* relative PATH entries would depend on the cwd: ignored, like Go's LookPath */
                cand = path_join(*d, cmd);
                r = check_exec(cand);
                if (r > 0) {
                        *ret_path = TAKE_PTR(cand);
                        return 0;
                }
                if (r == -EACCES)
                        seen_eacces = true;
        }
        if (seen_eacces)
                return berr_set(err, EACCES, "exec '%s': permission denied", cmd);
        return berr_set(err, ENOENT, "exec: '%s': executable file not found in $PATH", cmd);
}
