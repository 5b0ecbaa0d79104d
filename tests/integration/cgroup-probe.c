/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup-probe: drives src/runtime/cgroup.h from the command line for the
 * integration tests (cgroup-v1.bats on this host, cgroup-v2.bats inside the
 * UML guest). Not installed. One invocation runs a list of actions on one
 * container cgroup:
 *
 *   cgroup-probe [--path CGROUPS_PATH] [--id ID] [--load DESCRIPTION] ACTION...
 *
 *   create | destroy | describe | mode | path
 *   dir CONTROLLER        the container's directory for a controller (v2: the only one)
 *   set KEY=VALUE         adds to the resources that `apply` writes:
 *                         memory.limit memory.swap memory.reservation pids cpu.shares cpu.quota
 *                         cpu.period cpu.cpus io.weight io.rbps io.wbps io.riops io.wiops (MAJ:MIN:N)
 *                         device (allow|deny:TYPE:MAJ:MIN:ACCESS, -1 for any) unified (FILE:VALUE)
 *                         network.classID hugepage (SIZE:LIMIT) rt.runtime
 *   defaults              adds the default device rules (cgroup_default_device_rules)
 *   apply                 cgroup_apply with what `set` gathered
 *   run CMD...            runs CMD inside the cgroup, waits, prints "exit=N" or "signal=N"; ends the list
 *   spawn CMD...          starts CMD inside the cgroup, prints "pid=N", does not wait; ends the list
 *   freeze | thaw | frozen | pids | kill SIG | stats | oom-fd
 *   oom-run CMD...        opens the OOM notification fd, runs CMD inside, then prints "oom-event=1" if the
 *                         fd reported cgroup_oom_notify_events() within 5 s, else "oom-event=0"; ends the list
 *   mount-run ROOT DEST ns|nons ro|rw CMD...
 *                         in a private mount namespace (and with "ns" a new cgroup namespace entered
 *                         from inside the cgroup), cgroup_mount_in_container(ROOT, DEST), then exec CMD
 *                         there; the mounts vanish with the namespace; ends the list
 *
 * Errors go to stderr as "cgroup-probe: <message>" and end the program with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"

#define MAX_RULES 64

struct probe {
        struct oci_resources res;
        struct oci_device_rule rules[MAX_RULES];
        struct oci_throttle_device thr[_OCI_THROTTLE_MAX][8];
        struct oci_hugepage_limit huge[4];
        char *unified[32];
        size_t n_unified;
};

static int fail(struct berr *err, const char *what)
{
        fprintf(stderr, "cgroup-probe: %s%s%s\n", what, err ? ": " : "", err ? berr_msg(err) : "");
        berr_free(err);
        return 1;
}

static int parse_dev_triple(const char *v, int64_t *maj, int64_t *min, uint64_t *n)
{
        long long a, b;
        unsigned long long c;

        if (sscanf(v, "%lld:%lld:%llu", &a, &b, &c) != 3)
                return -EINVAL;
        *maj = a;
        *min = b;
        *n = c;
        return 0;
}

static int set_throttle(struct probe *p, enum oci_throttle_kind k, const char *v)
{
        size_t *n = &p->res.block_io.n_throttle[k];
        struct oci_throttle_device *d;

        if (*n >= ELEMENTSOF(p->thr[k]))
                return -E2BIG;
        d = &p->thr[k][*n];
        if (parse_dev_triple(v, &d->major, &d->minor, &d->rate) < 0)
                return -EINVAL;
        p->res.block_io.throttle[k] = p->thr[k];
        p->res.has_block_io = true;
        (*n)++;
        return 0;
}

static int set_device(struct probe *p, const char *v)
{
        struct oci_device_rule *d;
        char verdict[8], type, access[4] = "";
        long long maj, min;

        if (p->res.n_devices >= MAX_RULES)
                return -E2BIG;
        if (sscanf(v, "%7[a-z]:%c:%lld:%lld:%3[rwm]", verdict, &type, &maj, &min, access) < 4)
                return -EINVAL;
        d = &p->rules[p->res.n_devices++];
        *d = (struct oci_device_rule){ .allow = streq(verdict, "allow"), .type = type, .major = maj, .minor = min };
        memcpy(d->access, access, sizeof(d->access));
        p->res.devices = p->rules;
        return 0;
}

static int set_one(struct probe *p, const char *kv)
{
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *key = NULL;
        const char *v;
        int64_t i = 0;
        uint64_t u = 0;

        if (!eq)
                return -EINVAL;
        key = xstrndup(kv, (size_t) (eq - kv));
        v = eq + 1;
        (void) parse_int64(v, 10, &i); /* each key below parses what it needs */
        (void) parse_uint64(v, 10, &u);
        if (streq(key, "memory.limit"))
                p->res.memory.has_limit = true, p->res.memory.limit = i, p->res.has_memory = true;
        else if (streq(key, "memory.swap"))
                p->res.memory.has_swap = true, p->res.memory.swap = i, p->res.has_memory = true;
        else if (streq(key, "memory.reservation"))
                p->res.memory.has_reservation = true, p->res.memory.reservation = i, p->res.has_memory = true;
        else if (streq(key, "pids"))
                p->res.has_pids = true, p->res.pids_limit = i;
        else if (streq(key, "cpu.shares"))
                p->res.cpu.has_shares = true, p->res.cpu.shares = u, p->res.has_cpu = true;
        else if (streq(key, "cpu.quota"))
                p->res.cpu.has_quota = true, p->res.cpu.quota = i, p->res.has_cpu = true;
        else if (streq(key, "cpu.period"))
                p->res.cpu.has_period = true, p->res.cpu.period = u, p->res.has_cpu = true;
        else if (streq(key, "cpu.cpus"))
                p->res.cpu.cpus = (char *) v, p->res.has_cpu = true;
        else if (streq(key, "rt.runtime"))
                p->res.cpu.has_realtime_runtime = true, p->res.cpu.realtime_runtime = i, p->res.has_cpu = true;
        else if (streq(key, "io.weight"))
                p->res.block_io.has_weight = true, p->res.block_io.weight = (uint16_t) u, p->res.has_block_io = true;
        else if (streq(key, "io.rbps"))
                return set_throttle(p, OCI_THROTTLE_READ_BPS, v);
        else if (streq(key, "io.wbps"))
                return set_throttle(p, OCI_THROTTLE_WRITE_BPS, v);
        else if (streq(key, "io.riops"))
                return set_throttle(p, OCI_THROTTLE_READ_IOPS, v);
        else if (streq(key, "io.wiops"))
                return set_throttle(p, OCI_THROTTLE_WRITE_IOPS, v);
        else if (streq(key, "device"))
                return set_device(p, v);
        else if (streq(key, "network.classID"))
                p->res.has_network = true, p->res.has_class_id = true, p->res.class_id = (uint32_t) u;
        else if (streq(key, "hugepage")) {
                const char *colon = strchr(v, ':');
                if (!colon || p->res.n_hugepage_limits >= ELEMENTSOF(p->huge) ||
                    parse_uint64(colon + 1, 10, &u) < 0)
                        return -EINVAL;
                p->huge[p->res.n_hugepage_limits] =
                        (struct oci_hugepage_limit){ .page_size = xstrndup(v, (size_t) (colon - v)), .limit = u };
                p->res.hugepage_limits = p->huge;
                p->res.n_hugepage_limits++;
        } else if (streq(key, "unified")) {
                const char *colon = strchr(v, ':');
                if (!colon || p->n_unified + 3 > ELEMENTSOF(p->unified))
                        return -EINVAL;
                p->unified[p->n_unified++] = xstrndup(v, (size_t) (colon - v));
                p->unified[p->n_unified++] = xstrdup(colon + 1);
                p->res.unified = p->unified;
        } else
                return -EINVAL;
        return 0;
}

static int run_in(struct cgroup *cg, char **argv, bool wait_it)
{
        int sync[2], status;
        pid_t pid;
        char c;

        /* the child has joined the cgroup once the pipe closes (at its exec, O_CLOEXEC) */
        if (pipe2(sync, O_CLOEXEC) < 0)
                return fail(NULL, "pipe");
        pid = fork();
        if (pid < 0)
                return fail(NULL, "fork");
        if (pid == 0) {
                struct berr *err = NULL;
                close(sync[0]);
                if (!wait_it) {
                        /* detached: keep no pipe of the caller (bats' run waits for its end) */
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
                                _exit(125);
                }
                if (cgroup_enter(cg, getpid(), &err) < 0) {
                        fprintf(stderr, "cgroup-probe: %s\n", berr_msg(err));
                        _exit(126);
                }
                execvp(argv[0], argv);
                fprintf(stderr, "cgroup-probe: exec '%s': %m\n", argv[0]);
                _exit(127);
        }
        close(sync[1]);
        while (read(sync[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(sync[0]);
        if (!wait_it) {
                printf("pid=%d\n", (int) pid);
                return 0;
        }
        if (waitpid(pid, &status, 0) < 0)
                return fail(NULL, "waitpid");
        if (WIFSIGNALED(status))
                printf("signal=%d\n", WTERMSIG(status));
        else
                printf("exit=%d\n", WEXITSTATUS(status));
        return 0;
}

static int mount_run(struct cgroup *cg, char **argv)
{
        bool ns = streq(argv[2], "ns"), ro = streq(argv[3], "ro");
        _cleanup_close_ int rootfd = -1;
        struct berr *err = NULL;

        if (ns) {
                /* the namespace is rooted at the cgroup of the process that makes it */
                if (cgroup_enter(cg, getpid(), &err) < 0)
                        return fail(err, "enter");
                if (unshare(CLONE_NEWCGROUP) < 0)
                        return fail(NULL, "unshare(CLONE_NEWCGROUP)");
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return fail(NULL, "private mount namespace");
        rootfd = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return fail(NULL, "open root");
        if (cgroup_mount_in_container(cg, rootfd, argv[1], ro, ns, &err) < 0)
                return fail(err, "mount");
        fflush(stdout);
        execvp(argv[4], argv + 4);
        return fail(NULL, "exec");
}

static int action(struct cgroup *cg, struct probe *p, int argc, char **argv, int *i)
{
        const char *a = argv[*i];
        struct berr *err = NULL;

        if (streq(a, "create")) {
                if (cgroup_create(cg, &err) < 0)
                        return fail(err, "create");
        } else if (streq(a, "destroy")) {
                if (cgroup_destroy(cg, &err) < 0)
                        return fail(err, "destroy");
        } else if (streq(a, "describe")) {
                _cleanup_free_ char *d = cgroup_describe(cg);
                printf("%s\n", d);
        } else if (streq(a, "mode")) {
                printf("%s\n", cgroup_get_mode(cg) == CGROUP_MODE_V2 ? "v2" : "v1");
        } else if (streq(a, "path")) {
                printf("%s\n", cgroup_get_path(cg));
        } else if (streq(a, "set") && *i + 1 < argc) {
                if (set_one(p, argv[++*i]) < 0)
                        return fail(NULL, "bad set argument");
        } else if (streq(a, "defaults")) {
                size_t n;
                const struct oci_device_rule *d = cgroup_default_device_rules(&n);
                if (cgroup_add_device_rules(cg, d, n, &err) < 0)
                        return fail(err, "defaults");
        } else if (streq(a, "apply")) {
                if (cgroup_apply(cg, &p->res, &err) < 0)
                        return fail(err, "apply");
        } else if (streq(a, "freeze") || streq(a, "thaw")) {
                if (cgroup_freeze(cg, streq(a, "freeze"), &err) < 0)
                        return fail(err, a);
        } else if (streq(a, "frozen")) {
                int r = cgroup_is_frozen(cg, &err);
                if (r < 0)
                        return fail(err, "frozen");
                printf("frozen=%d\n", r);
        } else if (streq(a, "pids")) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                if (cgroup_get_pids(cg, &pids, &n, &err) < 0)
                        return fail(err, "pids");
                printf("npids=%zu\n", n);
        } else if (streq(a, "kill") && *i + 1 < argc) {
                int sig;
                if (parse_signal(argv[++*i], &sig) < 0)
                        return fail(NULL, "bad signal");
                if (cgroup_kill_all(cg, sig, &err) < 0)
                        return fail(err, "kill");
        } else if (streq(a, "stats")) {
                struct cgroup_stats st;
                if (cgroup_get_stats(cg, &st, &err) < 0)
                        return fail(err, "stats");
                printf("cpu_usage_ns=%" PRIu64 "\nmemory_usage=%" PRIu64 "\nmemory_limit=%" PRIu64
                       "\nmemory_max_usage=%" PRIu64 "\noom_kills=%" PRIu64 "\npids_current=%" PRIu64
                       "\npids_limit=%" PRIu64 "\nblkio_read_bytes=%" PRIu64 "\nblkio_write_bytes=%" PRIu64 "\n",
                       st.cpu_usage_ns, st.memory_usage, st.memory_limit, st.memory_max_usage, st.oom_kills,
                       st.pids_current, st.pids_limit, st.blkio_read_bytes, st.blkio_write_bytes);
        } else if (streq(a, "oom-fd")) {
                _cleanup_close_ int fd = cgroup_open_oom_notify(cg, &err);
                if (fd < 0)
                        return fail(err, "oom-fd");
                printf("oom-fd=ok\n");
        } else if (streq(a, "oom-run") && *i + 1 < argc) {
                _cleanup_close_ int fd = cgroup_open_oom_notify(cg, &err);
                struct pollfd pfd;
                int r;
                if (fd < 0)
                        return fail(err, "oom-fd");
                fflush(stdout);
                r = run_in(cg, argv + *i + 1, true);
                *i = argc;
                if (r != 0)
                        return r;
                pfd = (struct pollfd){ .fd = fd, .events = cgroup_oom_notify_events(cg) };
                r = poll(&pfd, 1, 5000);
                printf("oom-event=%d\n", r > 0 && (pfd.revents & cgroup_oom_notify_events(cg)) ? 1 : 0);
                return 0;
        } else if (streq(a, "mount-run") && *i + 5 < argc) {
                int r = mount_run(cg, argv + *i + 1);
                *i = argc;
                return r;
        } else if ((streq(a, "run") || streq(a, "spawn")) && *i + 1 < argc) {
                int r;
                fflush(stdout);
                r = run_in(cg, argv + *i + 1, streq(a, "run"));
                *i = argc;
                return r;
        } else
                return fail(NULL, "unknown action or missing argument");
        return 0;
}

int main(int argc, char **argv)
{
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        const char *path = NULL, *id = "probe", *load = NULL;
        struct berr *err = NULL;
        struct probe p = {};
        int i = 1;

        for (; i + 1 < argc && startswith(argv[i], "--"); i += 2) {
                if (streq(argv[i], "--path"))
                        path = argv[i + 1];
                else if (streq(argv[i], "--id"))
                        id = argv[i + 1];
                else if (streq(argv[i], "--load"))
                        load = argv[i + 1];
                else
                        return fail(NULL, "unknown option");
        }
        if (load) {
                _cleanup_free_ char *d = NULL;
                if (read_file_at(AT_FDCWD, load, 1 << 20, &d, NULL, &err) < 0 || cgroup_load(NULL, d, &cg, &err) < 0)
                        return fail(err, "load");
        } else if (cgroup_new(NULL, path, id, &cg, &err) < 0)
                return fail(err, "new");
        for (; i < argc; i++) {
                int r = action(cg, &p, argc, argv, &i);
                if (r != 0)
                        return r;
                fflush(stdout);
        }
        for (size_t k = 0; k < p.res.n_hugepage_limits; k++)
                free(p.huge[k].page_size);
        for (size_t k = 0; k < p.n_unified; k++)
                free(p.unified[k]);
        return 0;
}
