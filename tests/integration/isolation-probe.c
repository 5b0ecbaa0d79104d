/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test driver for the in-container setup steps, used by
 * tests/integration/isolation-*.bats before the real runtime exists: it
 * builds a struct oci_spec from command-line flags, enters new namespaces
 * (mount, pid, ipc, uts, optionally user and net), runs the same functions
 * the runtime runs (mounts, sysctl, hostname, early process settings,
 * seccomp, identity) and execs the command. Everything happens in a private
 * mount namespace that dies with the probe: nothing is left on the host.
 *
 *   isolation-probe [flags] ROOTFS -- CMD [ARGS...]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/mounts.h"
#include "runtime/process.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/sysctl.h"

#define MAX_ITEMS 64

static struct oci_mount mounts[MAX_ITEMS];
static struct oci_device devices[MAX_ITEMS];
static struct oci_seccomp_rule rules[MAX_ITEMS];
static struct oci_namespace namespaces[8];
static struct oci_id_mapping idmap_u, idmap_g, userns_map = { 0, 100000, 65536 };
static struct oci_rlimit rlimits[8];
static char *masked[MAX_ITEMS], *readonly[MAX_ITEMS], *sysctls[2 * MAX_ITEMS + 1];
static char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL };
static bool arg_userns, arg_netns, arg_no_pivot, arg_default_mounts, arg_console;
static struct cgroup *cg; /* --cgroup: a cgroup created for the probe, removed at the end */

static void die(const char *what, struct berr *err)
{
        fprintf(stderr, "isolation-probe: %s: %s\n", what, berr_msg(err));
        exit(streq(what, "exec") && err && err->code == ENOENT ? 127 : 125);
}

static void add_default_mounts(struct oci_spec *s)
{
        static const struct {
                const char *dest, *type, *src, *opts;
        } d[] = {
                { "/proc", "proc", "proc", "" },
                { "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k" },
                { "/dev/pts", "devpts", "devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620" },
                { "/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k" },
                { "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev" },
                { "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro" },
        };

        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                struct oci_mount *m = &mounts[s->n_mounts++];
                m->destination = xstrdup(d[i].dest);
                m->type = xstrdup(d[i].type);
                m->source = xstrdup(d[i].src);
                m->options = strv_split(d[i].opts, ",");
        }
}

/* DEST:TYPE:SOURCE:opt,opt (TYPE may be empty for binds). */
static void add_mount(struct oci_spec *s, const char *arg)
{
        char *copy = xstrdup(arg), *parts[4] = {};
        char *p = copy;
        struct oci_mount *m;

        for (int i = 0; i < 4; i++)
                parts[i] = strsep(&p, ":");
        if (s->n_mounts >= MAX_ITEMS || !parts[0])
                exit(2);
        m = &mounts[s->n_mounts++];
        m->destination = xstrdup(parts[0]);
        m->type = parts[1] && *parts[1] ? xstrdup(parts[1]) : NULL;
        m->source = parts[2] && *parts[2] ? xstrdup(parts[2]) : NULL;
        m->options = strv_split(parts[3] ? parts[3] : "", ",");
        free(copy);
}

/* TYPE:MAJOR:MINOR:PATH[:MODE[:UID:GID]] */
static void add_device(struct oci_spec *s, const char *arg)
{
        _cleanup_(strv_freep) char **f = strv_split(arg, ":");
        struct oci_device *d = &devices[s->linux.n_devices++];

        if (strv_length(f) < 4)
                exit(2);
        d->type = f[0][0];
        d->major = strtol(f[1], NULL, 10);
        d->minor = strtol(f[2], NULL, 10);
        d->path = xstrdup(f[3]);
        if (f[4]) {
                d->has_file_mode = true;
                d->file_mode = (uint32_t) strtoul(f[4], NULL, 8);
        }
        if (strv_length(f) >= 7) {
                d->has_uid = d->has_gid = true;
                d->uid = (uint32_t) strtoul(f[5], NULL, 10);
                d->gid = (uint32_t) strtoul(f[6], NULL, 10);
        }
}

/* NAME:ACTION[:ERRNO] with ACTION errno|kill|trap|allow|log */
static void add_rule(struct oci_seccomp *sc, const char *arg)
{
        _cleanup_(strv_freep) char **f = strv_split(arg, ":");
        struct oci_seccomp_rule *r = &rules[sc->n_rules++];

        if (strv_length(f) < 2)
                exit(2);
        strv_push(&r->names, f[0]);
        r->action = streq(f[1], "errno") ? OCI_SECCOMP_ERRNO
                    : streq(f[1], "kill") ? OCI_SECCOMP_KILL_PROCESS
                    : streq(f[1], "trap") ? OCI_SECCOMP_TRAP
                    : streq(f[1], "log")  ? OCI_SECCOMP_LOG
                                          : OCI_SECCOMP_ALLOW;
        if (f[2]) {
                r->has_errno_ret = true;
                r->errno_ret = (uint32_t) strtoul(f[2], NULL, 10);
        }
}

static void set_caps(struct oci_process *p, const char *arg)
{
        _cleanup_(strv_freep) char **names = strv_split(arg, ",");

        p->capabilities.present = true;
        for (char **n = names; n && *n; n++) {
                cap_value_t v;
                if (cap_from_name(*n, &v) < 0) {
                        fprintf(stderr, "isolation-probe: unknown capability '%s'\n", *n);
                        exit(2);
                }
                for (int s = 0; s < _OCI_CAP_SET_MAX; s++)
                        p->capabilities.sets[s] |= UINT64_C(1) << v;
        }
}

static void add_ns(struct oci_spec *s, enum oci_namespace_type t)
{
        namespaces[s->linux.n_namespaces++].type = t;
}

static void usage(void)
{
        fprintf(stderr, "usage: isolation-probe [--default-mounts] [--mount DEST:TYPE:SRC:OPTS] [--masked P] "
                        "[--readonly P] [--ro-root] [--device T:MAJ:MIN:PATH[:MODE[:UID:GID]]] [--no-pivot] "
                        "[--seccomp NAME:ACTION[:ERRNO]] [--nnp] [--caps A,B] [--user UID:GID[:G1,G2]] [--userns] "
                        "[--netns] [--hostname H] [--sysctl K=V] [--nofile SOFT:HARD] [--idmap HOSTID] "
                        "[--propagation rslave|rshared|rprivate] [--console] [--cgroup] ROOTFS -- CMD...\n");
        exit(2);
}

static void parse_args(int argc, char **argv, struct oci_spec *s, char **ret_rootfs)
{
        static const struct option opts[] = {
                { "default-mounts", no_argument, NULL, 'D' }, { "mount", required_argument, NULL, 'm' },
                { "masked", required_argument, NULL, 'M' },   { "readonly", required_argument, NULL, 'r' },
                { "ro-root", no_argument, NULL, 'R' },        { "device", required_argument, NULL, 'd' },
                { "no-pivot", no_argument, NULL, 'P' },       { "seccomp", required_argument, NULL, 's' },
                { "nnp", no_argument, NULL, 'n' },            { "caps", required_argument, NULL, 'c' },
                { "user", required_argument, NULL, 'u' },     { "userns", no_argument, NULL, 'U' },
                { "netns", no_argument, NULL, 'N' },          { "hostname", required_argument, NULL, 'h' },
                { "sysctl", required_argument, NULL, 'S' },   { "nofile", required_argument, NULL, 'f' },
                { "idmap", required_argument, NULL, 'i' },    { "propagation", required_argument, NULL, 'p' },
                { "console", no_argument, NULL, 'C' },        { "cgroup", no_argument, NULL, 'G' },
                {},
        };
        size_t n_masked = 0, n_ro = 0, n_sysctl = 0;
        int c;

        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0) {
                switch (c) {
                case 'D':
                        arg_default_mounts = true;
                        break;
                case 'm':
                        if (arg_default_mounts && s->n_mounts == 0)
                                add_default_mounts(s);
                        add_mount(s, optarg);
                        break;
                case 'M':
                        masked[n_masked++] = optarg;
                        break;
                case 'r':
                        readonly[n_ro++] = optarg;
                        break;
                case 'R':
                        s->root_readonly = true;
                        break;
                case 'd':
                        add_device(s, optarg);
                        break;
                case 'P':
                        arg_no_pivot = true;
                        break;
                case 's':
                        if (!s->linux.seccomp) {
                                s->linux.seccomp = xzalloc(sizeof(*s->linux.seccomp));
                                s->linux.seccomp->default_action = OCI_SECCOMP_ALLOW;
                                s->linux.seccomp->rules = rules;
                        }
                        add_rule(s->linux.seccomp, optarg);
                        break;
                case 'n':
                        s->process.no_new_privileges = true;
                        break;
                case 'c':
                        set_caps(&s->process, optarg);
                        break;
                case 'u': {
                        _cleanup_(strv_freep) char **f = strv_split(optarg, ":");
                        if (strv_length(f) < 2)
                                usage();
                        s->process.user.uid = (uint32_t) atoi(f[0]);
                        s->process.user.gid = (uint32_t) atoi(f[1]);
                        if (f[2]) {
                                _cleanup_(strv_freep) char **g = strv_split(f[2], ",");
                                s->process.user.additional_gids = xcalloc(strv_length(g) + 1, sizeof(uint32_t));
                                for (char **x = g; *x; x++)
                                        s->process.user.additional_gids[s->process.user.n_additional_gids++] =
                                                (uint32_t) atoi(*x);
                        }
                        break;
                }
                case 'U':
                        arg_userns = true;
                        break;
                case 'C':
                        arg_console = true;
                        break;
                case 'G': {
                        struct berr *err = NULL;
                        _cleanup_free_ char *id = xasprintf("isolation-probe-%d", (int) getpid());
                        if (cgroup_new(NULL, NULL, id, &cg, &err) < 0 || cgroup_create(cg, &err) < 0)
                                die("cgroup", err);
                        break;
                }
                case 'N':
                        arg_netns = true;
                        break;
                case 'h':
                        s->hostname = optarg;
                        break;
                case 'S': {
                        char *eq = strchr(optarg, '=');
                        if (!eq)
                                usage();
                        *eq = 0;
                        sysctls[n_sysctl++] = optarg;
                        sysctls[n_sysctl++] = eq + 1;
                        break;
                }
                case 'f': {
                        _cleanup_(strv_freep) char **f = strv_split(optarg, ":");
                        if (strv_length(f) != 2)
                                usage();
                        rlimits[0] = (struct oci_rlimit){ RLIMIT_NOFILE, strtoull(f[1], NULL, 10),
                                                          strtoull(f[0], NULL, 10) };
                        s->process.n_rlimits = 1;
                        break;
                }
                case 'i':
                        /* The last --mount gets an idmapping: host id HOSTID shows as 0 (one id). */
                        idmap_u = idmap_g = (struct oci_id_mapping){ 0, (uint32_t) atoi(optarg), 1 };
                        if (s->n_mounts == 0)
                                usage();
                        mounts[s->n_mounts - 1].uid_mappings = &idmap_u;
                        mounts[s->n_mounts - 1].gid_mappings = &idmap_g;
                        mounts[s->n_mounts - 1].n_uid_mappings = mounts[s->n_mounts - 1].n_gid_mappings = 1;
                        break;
                case 'p':
                        s->linux.rootfs_propagation = streq(optarg, "rshared")   ? MS_SHARED | MS_REC
                                                      : streq(optarg, "rprivate") ? MS_PRIVATE | MS_REC
                                                                                  : MS_SLAVE | MS_REC;
                        break;
                default:
                        usage();
                }
        }
        if (arg_default_mounts && s->n_mounts == 0)
                add_default_mounts(s);
        if (optind >= argc - 1)
                usage();
        *ret_rootfs = argv[optind++];
        if (!streq(argv[optind], "--") || optind + 1 >= argc)
                usage();
        s->process.args = argv + optind + 1;
}

static void build_spec(struct oci_spec *s)
{
        s->mounts = mounts;
        s->linux.devices = devices;
        s->linux.masked_paths = masked;
        s->linux.readonly_paths = readonly;
        s->linux.sysctl = sysctls;
        s->linux.namespaces = namespaces;
        s->process.env = env;
        s->process.cwd = "/";
        s->process.rlimits = rlimits;
        add_ns(s, OCI_NS_MOUNT);
        add_ns(s, OCI_NS_PID);
        add_ns(s, OCI_NS_IPC);
        add_ns(s, OCI_NS_UTS);
        if (arg_netns)
                add_ns(s, OCI_NS_NETWORK);
        if (arg_userns) {
                add_ns(s, OCI_NS_USER);
                s->linux.uid_mappings = s->linux.gid_mappings = &userns_map;
                s->linux.n_uid_mappings = s->linux.n_gid_mappings = 1;
        }
}

/* A pty of the container's own devpts on /dev/console, as the lifecycle's console code will do. */
static void bind_console(void)
{
        struct berr *err = NULL;
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
        char name[64];

        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0) {
                perror("isolation-probe: pty");
                exit(125);
        }
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0) {
                perror("isolation-probe: open pty");
                exit(125);
        }
        if (mounts_bind_console(slave, &err) < 0)
                die("console", err);
        close(slave);
}

/* pid 1 of the new pid namespace: the steps of the runtime's init, then execve. */
static void container_init(const struct oci_spec *s, const char *rootfs)
{
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
        struct berr *err = NULL;
        char *path = NULL;

        if (mounts_plan_new(s, arg_no_pivot, &plan, &err) < 0)
                die("plan", err);
        if (s->linux.seccomp && seccomp_program_new(s->linux.seccomp, &prog, &err) < 0)
                die("seccomp", err);
        if (mounts_setup_rootfs(s, plan, rootfs, cg, &err) < 0)
                die("rootfs", err);
        if (arg_console)
                bind_console();
        if (sysctl_apply(s, &err) < 0 || uts_apply(s, &err) < 0)
                die("sysctl", err);
        if (process_apply_early(&s->process, &err) < 0)
                die("process", err);
        if (process_chdir(&s->process, &err) < 0)
                die("cwd", err);
        if (exec_lookup(&s->process, &path, &err) < 0)
                die("exec", err);
        if (prog && !s->process.no_new_privileges && seccomp_program_load(prog, &err) < 0)
                die("seccomp", err);
        if (process_apply_identity(&s->process, &err) < 0)
                die("identity", err);
        if (prog && s->process.no_new_privileges && seccomp_program_load(prog, &err) < 0)
                die("seccomp", err);
        execve(path, s->process.args, s->process.env);
        fprintf(stderr, "isolation-probe: execve '%s': %s\n", path, strerror(errno));
        exit(126);
}

static int wait_child(pid_t pid)
{
        int st;

        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return 125;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void write_maps(pid_t pid)
{
        _cleanup_free_ char *u = xasprintf("/proc/%d/uid_map", (int) pid), *g = xasprintf("/proc/%d/gid_map", (int) pid);
        _cleanup_free_ char *line = xasprintf("0 %u %u\n", userns_map.host_id, userns_map.size);
        struct berr *err = NULL;

        if (write_file_at(AT_FDCWD, u, line, &err) < 0 || write_file_at(AT_FDCWD, g, line, &err) < 0)
                die("id maps", err);
}

int main(int argc, char **argv)
{
        static struct oci_spec spec;
        int up[2], down[2];
        char *rootfs = NULL, c = 0;
        pid_t a;
        int rc;

        parse_args(argc, argv, &spec, &rootfs);
        build_spec(&spec);
        if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0)
                return 125;
        a = fork();
        if (a < 0)
                return 125;
        if (a == 0) {
                int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (arg_netns ? CLONE_NEWNET : 0);
                pid_t b;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (arg_userns) {
                        if (unshare(CLONE_NEWUSER) < 0 || write(up[1], "u", 1) != 1 || read(down[0], &c, 1) != 1)
                                _exit(125);
                        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                                _exit(125);
                }
                if (cg) {
                        struct berr *err = NULL;
                        if (cgroup_enter(cg, getpid(), &err) < 0)
                                die("cgroup", err);
                }
                if (unshare(flags) < 0) {
                        perror("isolation-probe: unshare");
                        _exit(125);
                }
                b = fork();
                if (b < 0)
                        _exit(125);
                if (b == 0) {
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        container_init(&spec, rootfs);
                }
                _exit(wait_child(b));
        }
        if (arg_userns) {
                if (read(up[0], &c, 1) != 1)
                        return wait_child(a); /* the child failed; no cgroup with a user namespace */
                write_maps(a);
                if (write(down[1], "g", 1) != 1)
                        return 125;
        }
        rc = wait_child(a);
        if (cg) {
                struct berr *err = NULL;
                if (cgroup_destroy(cg, &err) < 0)
                        die("cgroup cleanup", err);
                cg = cgroup_free(cg);
        }
        return rc;
}
