/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for runtime/process.c and runtime/sysctl.c. Settings that change
 * the process are tried in a forked child and reported through its exit
 * status; the ones that need root (namespaces for sysctl and hostname) skip
 * without it.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/process.h"
#include "runtime/spec.h"
#include "runtime/sysctl.h"
#include "tap.h"

/* Runs fn in a child; returns its exit status (or 200 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
        int status = 0;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0)
                _exit(fn(arg));
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

static void make_file(const char *path, mode_t mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd >= 0) {
                (void) write(fd, "#!/bin/sh\n", 10);
                (void) fchmod(fd, mode);
                close(fd);
        }
}

TEST(exec_lookup_path_search) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *found = NULL, *cwd = get_current_dir_name(), *path_env = NULL;
        char *args_ok[] = { "tool", NULL }, *args_noexec[] = { "data", NULL }, *args_missing[] = { "nothere", NULL };
        char *env[] = { "HOME=/", NULL, NULL };
        struct oci_process p = { .env = env };

        ASSERT_OK(mkdir("bin1", 0755));
        ASSERT_OK(mkdir("bin2", 0755));
        ASSERT_OK(mkdir("bin2/sub", 0755));
        make_file("bin2/tool", 0755);
        make_file("bin1/data", 0644);
        path_env = xasprintf("PATH=%s/bin1:relative:%s/bin2:/nonexistent", cwd, cwd);
        env[1] = path_env;

        p.args = args_ok;
        ASSERT_OK_ERR(exec_lookup(&p, &found, &err), &err);
        ASSERT_TRUE(endswith(found, "/bin2/tool"));

        p.args = args_noexec;
        ASSERT_EQ(exec_lookup(&p, &found, &err), -EACCES);
        ASSERT_ERR_CONTAINS(err, "exec 'data': permission denied");
        err = berr_free(err);

        p.args = args_missing;
        ASSERT_EQ(exec_lookup(&p, &found, &err), -ENOENT);
        ASSERT_STREQ(berr_msg(err), "exec: 'nothere': executable file not found in $PATH");
        err = berr_free(err);

        /* A directory of that name is not an executable. */
        {
                char *args_dir[] = { "sub", NULL };
                p.args = args_dir;
                ASSERT_EQ(exec_lookup(&p, &found, &err), -EACCES);
                err = berr_free(err);
        }
}

TEST(exec_lookup_with_slash_and_default_path) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *found = NULL;
        char *a1[] = { "./x", NULL }, *a2[] = { "./missing", NULL }, *a3[] = { "sh", NULL }, *a4[] = { "", NULL };
        struct oci_process p = { 0 };

        make_file("x", 0755);
        p.args = a1;
        ASSERT_OK_ERR(exec_lookup(&p, &found, &err), &err);
        ASSERT_STREQ(found, "./x");
        p.args = a2;
        ASSERT_EQ(exec_lookup(&p, &found, &err), -ENOENT);
        err = berr_free(err);
        p.args = a3; /* no env: the default PATH */
        free(found);
        found = NULL;
        ASSERT_OK_ERR(exec_lookup(&p, &found, &err), &err);
        ASSERT_TRUE(endswith(found, "/sh"));
        p.args = a4;
        ASSERT_EQ(exec_lookup(&p, &found, &err), -EINVAL);
        err = berr_free(err);
        p.args = NULL;
        ASSERT_EQ(exec_lookup(&p, &found, &err), -EINVAL);
}

static int child_rlimits(void *arg)
{
        struct rlimit rl;
        struct oci_rlimit lim[] = { { .type = RLIMIT_NOFILE, .soft = 100, .hard = 200 },
                                    { .type = RLIMIT_CORE, .soft = 0, .hard = 0 } };
        struct oci_process p = { .rlimits = lim, .n_rlimits = 2 };

        if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 50, 400 }) < 0)
                return 10;
        if (process_apply_early(&p, NULL) < 0)
                return 1;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 100 || rl.rlim_max != 200)
                return 2;
        if (getrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
                return 3;
        return 0;
}

TEST(rlimits_raise_soft_within_hard) {
        ASSERT_EQ(in_child(child_rlimits, NULL), 0);
}

static int child_raise_hard(void *arg)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_rlimit lim = { .type = RLIMIT_NOFILE, .soft = 64, .hard = 1000 };
        struct oci_process p = { .rlimits = &lim, .n_rlimits = 1 };

        if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 64, 500 }) < 0)
                return 10;
        if (process_apply_early(&p, &err) == 0)
                return 77; /* this process has CAP_SYS_RESOURCE: nothing to check */
        if (berr_code(err) != EPERM)
                return 2;
        if (!strstr(berr_msg(err), "process.rlimits[0] (RLIMIT_NOFILE): raise the hard limit from 500 to 1000"))
                return 3;
        return strstr(berr_msg(err), "CAP_SYS_RESOURCE") ? 0 : 4;
}

TEST(rlimits_raising_hard_names_cap_sys_resource) {
        int r = in_child(child_raise_hard, NULL);

        if (r == 77)
                SKIP("this process may raise hard limits");
        ASSERT_EQ(r, 0);
}

TEST(rlimits_soft_above_hard_refused) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_rlimit lim = { .type = RLIMIT_NOFILE, .soft = 10, .hard = 5 };
        struct oci_process p = { .rlimits = &lim, .n_rlimits = 1 };

        ASSERT_EQ(process_apply_early(&p, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.rlimits[0] (RLIMIT_NOFILE): soft limit 10 above hard limit 5");
}

static int child_early(void *arg)
{
        struct oci_process *p = arg;
        _cleanup_free_ char *oom = NULL;
        size_t len;
        mode_t m;

        if (process_apply_early(p, NULL) < 0)
                return 1;
        m = umask(0);
        if (m != (p->user.has_umask ? p->user.umask : 0022))
                return 2;
        if (read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", 64, &oom, &len, NULL) < 0 || atoi(oom) != 500)
                return 3;
        if (sched_getscheduler(0) != SCHED_BATCH)
                return 4;
        if (syscall(SYS_ioprio_get, 1, 0) != ((2 << 13) | 6))
                return 5;
        return 0;
}

TEST(early_umask_oom_scheduler_ioprio) {
        struct oci_process p = {
                .has_oom_score_adj = true,
                .oom_score_adj = 500,
                .user = { .has_umask = true, .umask = 027 },
                .scheduler = { .present = true, .policy = SCHED_BATCH, .nice = 5 },
                .io_priority = { .present = true, .class = 2, .priority = 6 },
        };

        ASSERT_EQ(in_child(child_early, &p), 0);
        p.user.has_umask = false; /* runc's default */
        ASSERT_EQ(in_child(child_early, &p), 0);
}

TEST(early_errors) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_process p = { .has_oom_score_adj = true, .oom_score_adj = 5000 };

        ASSERT_EQ(process_apply_early(&p, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.oomScoreAdj 5000 out of range");
        err = berr_free(err);
        p.has_oom_score_adj = false;
        p.io_priority = (struct oci_io_priority){ .present = true, .class = 9, .priority = 0 };
        ASSERT_EQ(process_apply_early(&p, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.ioPriority: class 9");
        err = berr_free(err);
        p.io_priority.present = false;
        p.scheduler = (struct oci_scheduler){ .present = true, .policy = 77 };
        ASSERT_EQ(process_apply_early(&p, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.scheduler: sched_setattr (policy 77)");
}

static int child_deadline(void *arg)
{
        struct oci_process p = {
                .scheduler = { .present = true, .policy = 6 /* SCHED_DEADLINE */, .runtime = 1000000,
                               .deadline = 10000000, .period = 10000000 },
        };
        _cleanup_(berr_freep) struct berr *err = NULL;

        if (process_apply_early(&p, &err) < 0)
                return berr_code(err) == EPERM || berr_code(err) == EBUSY ? 77 : 1;
        return sched_getscheduler(0) == 6 ? 0 : 2;
}

TEST(scheduler_deadline) {
        int r = in_child(child_deadline, NULL);

        if (r == 77)
                SKIP("SCHED_DEADLINE refused here (no privilege or no bandwidth in this cgroup)");
        ASSERT_EQ(r, 0);
}

static int child_personality(void *arg)
{
        struct oci_personality pers = { .present = true, .domain = PER_LINUX32 };
        struct utsname u;

        if (process_apply_personality(&pers, NULL) < 0)
                return 1;
        if ((personality(0xffffffff) & 0xff) != PER_LINUX32)
                return 2;
        if (uname(&u) < 0 || !strstr(u.machine, "86"))
                return 3; /* x86_64 reports i686 under PER_LINUX32 */
        return 0;
}

TEST(personality_linux32) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_personality bad = { .present = true, .domain = 0x42 };
        struct utsname u;

        if (uname(&u) < 0 || !streq(u.machine, "x86_64"))
                SKIP("not x86_64");
        ASSERT_EQ(in_child(child_personality, NULL), 0);
        ASSERT_EQ(process_apply_personality(&bad, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "linux.personality: unsupported domain");
}

static int child_affinity(void *arg)
{
        cpu_set_t set;

        if (process_apply_cpu_affinity("0", 0, NULL) < 0)
                return 1;
        if (sched_getaffinity(0, sizeof(set), &set) < 0 || CPU_COUNT(&set) != 1 || !CPU_ISSET(0, &set))
                return 2;
        return 0;
}

TEST(cpu_affinity) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        static const char *const bad[] = { "a-b", "3-1", "1,,x", "99999", "-1", "1-" };

        ASSERT_EQ(in_child(child_affinity, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_EQ(process_apply_cpu_affinity(bad[i], 0, &err), -EINVAL);
                ASSERT_ERR_CONTAINS(err, "process.execCPUAffinity");
                err = berr_free(err);
        }
        ASSERT_OK(process_apply_cpu_affinity(NULL, 0, NULL));
}

TEST(chdir_names_directory) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_process p = { .cwd = "/nonexistent/dir" };

        ASSERT_EQ(process_chdir(&p, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "process.cwd '/nonexistent/dir'");
}

static int child_lsm(void *arg)
{
        struct oci_process *p = arg;
        _cleanup_(berr_freep) struct berr *err = NULL;

        if (process_apply_identity(p, &err) == 0)
                return 1;
        printf("# %s\n", berr_msg(err));
        fflush(stdout);
        if (getuid() != 0 && geteuid() == 0)
                return 2; /* nothing may have changed before the refusal */
        return strstr(berr_msg(err), "is not enabled on this host") ? 0 : 3;
}

TEST(lsm_label_without_lsm_is_an_error) {
        struct oci_process p = { .apparmor_profile = "docker-default" };

        if (access("/sys/module/apparmor/parameters/enabled", F_OK) == 0)
                SKIP("AppArmor is present here");
        ASSERT_EQ(in_child(child_lsm, &p), 0);
        p.apparmor_profile = NULL;
        p.selinux_label = "system_u:system_r:container_t:s0";
        if (access("/sys/fs/selinux/enforce", F_OK) == 0)
                SKIP("SELinux is present here");
        ASSERT_EQ(in_child(child_lsm, &p), 0);
}

/* sysctl validation. */

static int validate(char **kv, enum oci_namespace_type *nss, size_t n, struct berr **err)
{
        struct oci_namespace ns[8] = {};
        struct oci_spec spec = { 0 };

        for (size_t i = 0; i < n; i++)
                ns[i].type = nss[i];
        spec.linux.namespaces = ns;
        spec.linux.n_namespaces = n;
        spec.linux.sysctl = kv;
        return sysctl_validate(&spec, err);
}

TEST(sysctl_allowed_with_namespace) {
        enum oci_namespace_type both[] = { OCI_NS_IPC, OCI_NS_NETWORK };
        char *kv[] = { "kernel.shmmax", "1000", "kernel.msgmnb", "1", "kernel.sem", "1 2 3 4", "kernel.shm_rmid_forced",
                       "1", "fs.mqueue.msg_max", "10", "net.ipv4.ip_forward", "1",
                       "net/ipv4/conf/eth0.100/forwarding", "1", NULL };

        ASSERT_OK(validate(kv, both, 2, NULL));
}

TEST(sysctl_refused) {
        enum oci_namespace_type ipc[] = { OCI_NS_IPC }, net[] = { OCI_NS_NETWORK };
        const struct {
                const char *key;
                enum oci_namespace_type *ns;
                size_t n;
                const char *msg;
        } cases[] = {
                { "kernel.shmmax", net, 1, "linux.sysctl 'kernel.shmmax': needs an IPC namespace" },
                { "fs.mqueue.queues_max", NULL, 0, "needs an IPC namespace" },
                { "net.ipv4.ip_forward", ipc, 1, "linux.sysctl 'net.ipv4.ip_forward': needs a network namespace" },
                { "kernel.hostname", ipc, 1, "use the hostname field" },
                { "kernel.domainname", ipc, 1, "use the domainname field" },
                { "vm.swappiness", ipc, 1, "linux.sysctl 'vm.swappiness': not in a separate kernel namespace" },
                { "kernel.core_pattern", ipc, 1, "not in a separate kernel namespace" },
                { "net/../../kernel/core_pattern", net, 1, "invalid sysctl name" },
                { "/net/ipv4", net, 1, "invalid sysctl name" },
                { "net..ipv4", net, 1, "invalid sysctl name" },
                { "", net, 1, "invalid sysctl name" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                char *kv[] = { (char *) cases[i].key, "1", NULL };

                ASSERT_FAIL(validate(kv, cases[i].ns, cases[i].n, &err));
                ASSERT_ERR_CONTAINS(err, cases[i].msg);
        }
}

TEST(sysctl_host_netns_by_path_refused) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_namespace ns = { .type = OCI_NS_NETWORK, .path = "/proc/self/ns/net" };
        char *kv[] = { "net.ipv4.ip_forward", "1", NULL };
        struct oci_spec spec = { 0 };

        spec.linux.namespaces = &ns;
        spec.linux.n_namespaces = 1;
        spec.linux.sysctl = kv;
        ASSERT_FAIL(sysctl_validate(&spec, &err));
        ASSERT_ERR_CONTAINS(err, "the network namespace is the host's");
}

TEST(hostname_needs_uts) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_spec spec = { .hostname = "box" };

        ASSERT_EQ(sysctl_validate(&spec, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "hostname: setting it needs a private UTS namespace");
        err = berr_free(err);
        spec.hostname = NULL;
        spec.domainname = "example.org";
        ASSERT_EQ(uts_apply(&spec, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "domainname: setting it needs a private UTS namespace");
}

static int child_ns_sysctl_uts(void *arg)
{
        struct oci_namespace ns[] = { { .type = OCI_NS_IPC }, { .type = OCI_NS_UTS } };
        char *kv[] = { "kernel.shmmni", "1234", "kernel/msgmni", "77", NULL };
        struct oci_spec spec = { .hostname = "berth-test", .domainname = "berth.example" };
        _cleanup_free_ char *v = NULL;
        struct utsname u;
        size_t len;

        spec.linux.namespaces = ns;
        spec.linux.n_namespaces = 2;
        spec.linux.sysctl = kv;
        if (unshare(CLONE_NEWIPC | CLONE_NEWUTS) < 0)
                return 10;
        if (sysctl_apply(&spec, NULL) < 0)
                return 1;
        if (read_file_at(AT_FDCWD, "/proc/sys/kernel/shmmni", 64, &v, &len, NULL) < 0 || atoi(v) != 1234)
                return 2;
        free(v);
        v = NULL;
        if (read_file_at(AT_FDCWD, "/proc/sys/kernel/msgmni", 64, &v, &len, NULL) < 0 || atoi(v) != 77)
                return 3;
        if (uts_apply(&spec, NULL) < 0)
                return 4;
        if (uname(&u) < 0 || !streq(u.nodename, "berth-test") || !streq(u.domainname, "berth.example"))
                return 5;
        return 0;
}

TEST(sysctl_and_hostname_applied_in_new_namespaces) {
        if (geteuid() != 0)
                SKIP("needs root for new IPC and UTS namespaces");
        ASSERT_EQ(in_child(child_ns_sysctl_uts, NULL), 0);
}

static int child_oom_lower(void *arg)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        /* Below the minimum this process ever had (0 here) needs CAP_SYS_RESOURCE. */
        struct oci_process p = { .has_oom_score_adj = true, .oom_score_adj = -100 };

        if (write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", "0", NULL) < 0)
                return 77; /* started above 0 with a raised minimum: cannot set up the case */
        if (process_apply_early(&p, &err) == 0)
                return 77; /* this process has CAP_SYS_RESOURCE */
        printf("# %s\n", berr_msg(err));
        return strstr(berr_msg(err), "lowering it from 0 to -100 needs CAP_SYS_RESOURCE") ? 0 : 2;
}

TEST(oom_score_adj_lowering_names_cap_sys_resource) {
        int r = in_child(child_oom_lower, NULL);

        if (r == 77)
                SKIP("this process may lower oom_score_adj (or starts above 0)");
        ASSERT_EQ(r, 0);
}
