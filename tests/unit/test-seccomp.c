/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for runtime/seccomp.c: building programs (and the errors that
 * name the bad part), and loading them in a forked child that set
 * no_new_privs, so the filter is checked against the real kernel without root.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "tap.h"

#define NAMES(...) ((char *[]){ __VA_ARGS__, NULL })

static struct oci_seccomp_rule R(char **names, enum oci_seccomp_action a, int errno_ret)
{
        return (struct oci_seccomp_rule){
                .names = names,
                .action = a,
                .has_errno_ret = errno_ret >= 0,
                .errno_ret = errno_ret >= 0 ? (uint32_t) errno_ret : 0,
        };
}

/* Child code after the filter is loaded; returns the exit status the parent checks. */
typedef int (*child_fn)(void);

/* Builds (through the cache under cache_root unless NULL), forks, sets no_new_privs, loads, runs fn.
 * Returns the raw wait status. */
static int run_filtered_cached(const struct oci_seccomp *sc, const char *cache_root, child_fn fn)
{
        _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        int status = 0;
        pid_t pid;

        if ((cache_root ? seccomp_program_new_cached(sc, cache_root, &prog, &err)
                        : seccomp_program_new(sc, &prog, &err)) < 0) {
                printf("# build: %s\n", berr_msg(err));
                return -1;
        }
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                if (seccomp_program_load(prog, NULL) < 0)
                        _exit(101);
                _exit(fn());
        }
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return status;
}

static int run_filtered(const struct oci_seccomp *sc, child_fn fn)
{
        return run_filtered_cached(sc, NULL, fn);
}

static int child_mkdir_exdev(void)
{
        if (mkdir("blocked", 0755) == 0)
                return 1;
        if (errno != EXDEV)
                return 2;
        if (rmdir("missing") == 0 || errno != ENOENT) /* other syscalls still work */
                return 3;
        return 0;
}

TEST(errno_action_blocks_syscall) {
        struct oci_seccomp_rule rules[] = { R(NAMES("mkdir", "mkdirat"), OCI_SECCOMP_ERRNO, EXDEV) };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 1 };
        int st = run_filtered(&sc, child_mkdir_exdev);

        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
        ASSERT_EQ(access("blocked", F_OK), -1);
}

static int child_getppid_eperm(void)
{
        return syscall(SYS_getppid) == -1 && errno == EPERM ? 0 : 1;
}

static int truncateat_name(int dfd, const char *name, off_t size)
{
        _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CLOEXEC);

        return fd < 0 ? -1 : ftruncate(fd, size);
}

/* Number of cache entries; with truncate_to >= 0 each is truncated to that size. *ret_ino: the sum of
 * their inode numbers, which changes when an entry is rewritten (written anew and renamed over). */
static size_t cache_files(const char *root, off_t truncate_to, ino_t *ret_ino)
{
        _cleanup_free_ char *dir = xasprintf("%s/.seccomp-cache", root);
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        ino_t ino = 0;
        size_t n = 0;

        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                ino += de->d_ino;
                if (truncate_to >= 0 && truncateat_name(dirfd(d), de->d_name, truncate_to) < 0)
                        return 0;
        }
        if (ret_ino)
                *ret_ino = ino;
        return n;
}

static int child_mkdir_eperm(void)
{
        return mkdir("blocked", 0755) < 0 && errno == EPERM ? 0 : 1;
}

/* Each profile gets its own entry; a second build of the same one is served from the cache (no new
 * entry) and filters the same; a damaged entry is ignored and replaced. */
TEST(cached_programs_filter_like_compiled_ones) {
        char root[] = "/tmp/berth-test-seccomp.XXXXXX";
        struct oci_seccomp_rule exdev[] = { R(NAMES("mkdir", "mkdirat"), OCI_SECCOMP_ERRNO, EXDEV) };
        struct oci_seccomp_rule eperm[] = { R(NAMES("mkdir", "mkdirat"), OCI_SECCOMP_ERRNO, EPERM) };
        struct oci_seccomp a = { .default_action = OCI_SECCOMP_ALLOW, .rules = exdev, .n_rules = 1 };
        struct oci_seccomp b = { .default_action = OCI_SECCOMP_ALLOW, .rules = eperm, .n_rules = 1 };
        ino_t ino_first = 0, ino;
        int st;

        ASSERT_TRUE(mkdtemp(root) != NULL);
        for (int round = 0; round < 2; round++) {
                st = run_filtered_cached(&a, root, child_mkdir_exdev);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                ASSERT_EQ(cache_files(root, -1, round == 0 ? &ino_first : &ino), 1);
        }
        ASSERT_EQ(ino, ino_first); /* the second build read the entry and wrote nothing */
        st = run_filtered_cached(&b, root, child_mkdir_eperm);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        /* every entry damaged: each is then refused, compiled again and rewritten */
        ASSERT_EQ(cache_files(root, 100, &ino_first), 2);
        st = run_filtered_cached(&b, root, child_mkdir_eperm);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        st = run_filtered_cached(&a, root, child_mkdir_exdev);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        ASSERT_EQ(cache_files(root, -1, &ino), 2);
        ASSERT_TRUE(ino != ino_first);
        ASSERT_OK(rm_rf_at(AT_FDCWD, root, NULL));
        ASSERT_EQ(access("blocked", F_OK), -1);
}

/* A cache directory that others may write (a state root in a shared place) is neither read nor
 * written: another user could plant a permissive program in it. */
TEST(cache_in_a_directory_others_can_write_is_not_used) {
        char root[] = "/tmp/berth-test-seccomp.XXXXXX";
        struct oci_seccomp_rule exdev[] = { R(NAMES("mkdir", "mkdirat"), OCI_SECCOMP_ERRNO, EXDEV) };
        struct oci_seccomp a = { .default_action = OCI_SECCOMP_ALLOW, .rules = exdev, .n_rules = 1 };
        _cleanup_free_ char *dir = NULL;
        int st;

        ASSERT_TRUE(mkdtemp(root) != NULL);
        dir = xasprintf("%s/.seccomp-cache", root);
        ASSERT_EQ(mkdir(dir, 0700), 0);
        ASSERT_EQ(chmod(dir, 0777), 0);
        st = run_filtered_cached(&a, root, child_mkdir_exdev);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        ASSERT_EQ(cache_files(root, -1, NULL), 0);
        ASSERT_EQ(chmod(dir, 0700), 0); /* the control: private, it is used */
        st = run_filtered_cached(&a, root, child_mkdir_exdev);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        ASSERT_EQ(cache_files(root, -1, NULL), 1);
        ASSERT_OK(rm_rf_at(AT_FDCWD, root, NULL));
}

TEST(errno_without_value_is_eperm) {
        struct oci_seccomp_rule rules[] = { R(NAMES("getppid"), OCI_SECCOMP_ERRNO, -1) };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 1 };
        int st = run_filtered(&sc, child_getppid_eperm);

        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_default_enosys(void)
{
        if (syscall(SYS_getppid) != -1 || errno != ENOSYS)
                return 1;
        if (syscall(SYS_getpid) <= 0) /* allowed explicitly */
                return 2;
        return 0;
}

TEST(default_errno_ret) {
        struct oci_seccomp_rule rules[] = {
                /* ASan's runtime in the child needs memory and signal syscalls to report. */
                R(NAMES("exit_group", "exit", "getpid", "rt_sigreturn", "mmap", "munmap", "mprotect", "madvise",
                        "write", "futex", "rt_sigprocmask", "rt_sigaction", "gettid", "tgkill", "sigaltstack"),
                  OCI_SECCOMP_ALLOW, -1),
        };
        struct oci_seccomp sc = {
                .default_action = OCI_SECCOMP_ERRNO,
                .has_default_errno_ret = true,
                .default_errno_ret = ENOSYS,
                .rules = rules,
                .n_rules = 1,
        };
        int st = run_filtered(&sc, child_default_enosys);

        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_getppid(void)
{
        (void) syscall(SYS_getppid);
        return 0;
}

TEST(kill_process_and_trap_send_sigsys) {
        static const enum oci_seccomp_action acts[] = { OCI_SECCOMP_KILL_PROCESS, OCI_SECCOMP_TRAP, OCI_SECCOMP_KILL,
                                                        OCI_SECCOMP_KILL_THREAD };

        for (size_t i = 0; i < ELEMENTSOF(acts); i++) {
                struct oci_seccomp_rule rules[] = { R(NAMES("getppid"), acts[i], -1) };
                struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 1 };
                int st = run_filtered(&sc, child_getppid);

                ASSERT_TRUE(WIFSIGNALED(st));
                ASSERT_EQ(WTERMSIG(st), SIGSYS);
        }
}

static int child_log_and_trace(void)
{
        /* LOG allows; TRACE without a tracer fails the call with ENOSYS. */
        if (syscall(SYS_getpid) <= 0)
                return 1;
        if (syscall(SYS_getppid) != -1 || errno != ENOSYS)
                return 2;
        return 0;
}

TEST(log_and_trace_actions) {
        struct oci_seccomp_rule rules[] = {
                R(NAMES("getpid"), OCI_SECCOMP_LOG, -1),
                R(NAMES("getppid"), OCI_SECCOMP_TRACE, 7),
        };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 2 };
        int st = run_filtered(&sc, child_log_and_trace);

        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_getpriority_args(void)
{
        if (syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0)
                return 1;
        if (syscall(SYS_getpriority, PRIO_USER, 0) != -1 || errno != EXDEV)
                return 2;
        if (syscall(SYS_getpriority, PRIO_PGRP, 0) != -1 || errno != EXDEV)
                return 3;
        return 0;
}

TEST(same_index_args_are_alternatives) {
        /* Two conditions on argument 0: runc makes them two rules, so either matches. */
        struct oci_seccomp_arg args[] = {
                { .index = 0, .value = PRIO_USER, .op = OCI_SECCOMP_OP_EQ },
                { .index = 0, .value = PRIO_PGRP, .op = OCI_SECCOMP_OP_EQ },
        };
        struct oci_seccomp_rule rules[] = { R(NAMES("getpriority"), OCI_SECCOMP_ERRNO, EXDEV) };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 1 };
        int st;

        rules[0].args = args;
        rules[0].n_args = 2;
        st = run_filtered(&sc, child_getpriority_args);
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_two_index_and(void)
{
        if (syscall(SYS_getpriority, PRIO_USER, 1) < 0 && errno == EXDEV)
                return 1; /* only one condition holds: must be allowed */
        if (syscall(SYS_getpriority, PRIO_USER, 0) != -1 || errno != EXDEV)
                return 2;
        return 0;
}

TEST(different_index_args_are_all_required) {
        struct oci_seccomp_arg args[] = {
                { .index = 0, .value = PRIO_USER, .op = OCI_SECCOMP_OP_EQ },
                { .index = 1, .value = 0, .op = OCI_SECCOMP_OP_EQ },
        };
        struct oci_seccomp_rule rules[] = { R(NAMES("getpriority"), OCI_SECCOMP_ERRNO, EXDEV) };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 1 };
        int st;

        rules[0].args = args;
        rules[0].n_args = 2;
        st = run_filtered(&sc, child_two_index_and);
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_umask_masked(void)
{
        if (syscall(SYS_umask, 0022) < 0)
                return 1;
        if (syscall(SYS_umask, 0777) != -1 || errno != EXDEV)
                return 2;
        if (syscall(SYS_umask, 0702) != -1 || errno != EXDEV)
                return 3;
        return 0;
}

TEST(masked_eq_and_comparisons) {
        /* (arg0 & 0700) == 0700 blocked; also arg0 > 01000 blocked (GT), and NE/LT/LE/GE build. */
        struct oci_seccomp_arg a1[] = { { .index = 0, .value = 0700, .value_two = 0700, .op = OCI_SECCOMP_OP_MASKED_EQ } };
        struct oci_seccomp_arg a2[] = { { .index = 0, .value = 01000, .op = OCI_SECCOMP_OP_GT } };
        struct oci_seccomp_arg a3[] = {
                { .index = 0, .value = 5, .op = OCI_SECCOMP_OP_NE }, { .index = 1, .value = 5, .op = OCI_SECCOMP_OP_LT },
                { .index = 2, .value = 5, .op = OCI_SECCOMP_OP_LE }, { .index = 3, .value = 5, .op = OCI_SECCOMP_OP_GE },
        };
        struct oci_seccomp_rule rules[] = {
                R(NAMES("umask"), OCI_SECCOMP_ERRNO, EXDEV),
                R(NAMES("umask"), OCI_SECCOMP_ERRNO, EXDEV),
                R(NAMES("sethostname"), OCI_SECCOMP_ERRNO, EPERM),
        };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 3 };
        int st;

        rules[0].args = a1;
        rules[0].n_args = 1;
        rules[1].args = a2;
        rules[1].n_args = 1;
        rules[2].args = a3;
        rules[2].n_args = 4;
        st = run_filtered(&sc, child_umask_masked);
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int child_notify_fd(void)
{
        return 0;
}

TEST(notify_returns_listener_fd) {
        _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_seccomp_rule rules[] = { R(NAMES("getppid"), OCI_SECCOMP_NOTIFY, -1) };
        char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
        struct oci_seccomp sc = {
                .default_action = OCI_SECCOMP_ALLOW,
                .rules = rules,
                .n_rules = 1,
                .listener_path = "/run/x.sock",
                .flags = flags,
        };
        int status = 0;
        pid_t pid;

        (void) child_notify_fd;
        ASSERT_OK_ERR(seccomp_program_new(&sc, &prog, &err), &err);
        ASSERT_TRUE(seccomp_program_uses_notify(prog));
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
                int fd;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(1);
                fd = seccomp_program_load(prog, NULL);
                if (fd < 0)
                        _exit(2);
                if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
                        _exit(3);
                _exit(0);
        }
        ASSERT_TRUE(pid > 0);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static int child_ok(void)
{
        return mkdir("made", 0755) == 0 ? 0 : 1;
}

TEST(flags_log_and_spec_allow_load) {
        struct oci_seccomp_rule rules[] = { R(NAMES("getppid"), OCI_SECCOMP_ERRNO, EPERM) };
        char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
                          NULL };
        char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
        struct oci_seccomp sc = {
                .default_action = OCI_SECCOMP_ALLOW,
                .rules = rules,
                .n_rules = 1,
                .flags = flags,
                .architectures = archs,
        };
        int st = run_filtered(&sc, child_ok);

        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

TEST(rule_equal_to_default_is_dropped_and_unknown_names_skipped) {
        _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_seccomp_rule rules[] = {
                R(NAMES("read", "write"), OCI_SECCOMP_ALLOW, -1),
                R(NAMES("no_such_syscall_xyz", "getppid"), OCI_SECCOMP_ERRNO, EPERM),
                R(NAMES("socketcall"), OCI_SECCOMP_ERRNO, EPERM), /* x86 only: a pseudo number here, fine */
        };
        struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = rules, .n_rules = 3 };

        ASSERT_OK_ERR(seccomp_program_new(&sc, &prog, &err), &err);
        ASSERT_FALSE(seccomp_program_uses_notify(prog));
}

TEST(build_errors_name_the_part) {
        struct oci_seccomp_arg bad_index = { .index = 6, .value = 1, .op = OCI_SECCOMP_OP_EQ };
        struct oci_seccomp_arg bad_op = { .index = 0, .value = 1, .op = _OCI_SECCOMP_OP_INVALID };
        char *bad_arch[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_BOGUS", NULL };
        char *bad_flag[] = { "SECCOMP_FILTER_FLAG_NOPE", NULL };
        struct {
                struct oci_seccomp sc;
                struct oci_seccomp_rule rule;
                const char *msg;
        } cases[] = {
                { { .default_action = OCI_SECCOMP_ALLOW }, R(NAMES("nope1", "nope2"), OCI_SECCOMP_ERRNO, 1),
                  "linux.seccomp.syscalls[0]: no known syscall among the names (first: 'nope1')" },
                { { .default_action = OCI_SECCOMP_ALLOW, .architectures = bad_arch }, R(NAMES("getpid"), OCI_SECCOMP_ERRNO, 1),
                  "unknown architecture 'SCMP_ARCH_BOGUS'" },
                { { .default_action = OCI_SECCOMP_ALLOW, .flags = bad_flag }, R(NAMES("getpid"), OCI_SECCOMP_ERRNO, 1),
                  "unknown flag 'SECCOMP_FILTER_FLAG_NOPE'" },
                { { .default_action = OCI_SECCOMP_ALLOW }, R(NAMES("getpid"), OCI_SECCOMP_NOTIFY, -1),
                  "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath" },
                { { .default_action = OCI_SECCOMP_NOTIFY, .listener_path = "/x" }, R(NAMES("getpid"), OCI_SECCOMP_ALLOW, -1),
                  "cannot be the default action" },
                { { .default_action = OCI_SECCOMP_ALLOW }, R(NAMES("getpid"), OCI_SECCOMP_ERRNO, 5000),
                  "linux.seccomp.syscalls[0]: SCMP_ACT_ERRNO value 5000 out of range" },
                { { .default_action = OCI_SECCOMP_ERRNO, .has_default_errno_ret = true, .default_errno_ret = 99999 },
                  R(NAMES("getpid"), OCI_SECCOMP_ALLOW, -1), "linux.seccomp.defaultAction: SCMP_ACT_ERRNO value 99999" },
                { { .default_action = OCI_SECCOMP_ALLOW }, R(NAMES("getpid"), _OCI_SECCOMP_ACTION_INVALID, -1),
                  "unknown action" },
                { { .default_action = OCI_SECCOMP_ALLOW }, R(NULL, OCI_SECCOMP_ERRNO, 1),
                  "linux.seccomp.syscalls[0]: no syscall names" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;

                cases[i].sc.rules = &cases[i].rule;
                cases[i].sc.n_rules = 1;
                ASSERT_EQ(seccomp_program_new(&cases[i].sc, &prog, &err), -EINVAL);
                ASSERT_ERR_CONTAINS(err, cases[i].msg);
                ASSERT_TRUE(prog == NULL);
        }
        {
                _cleanup_(seccomp_program_freep) struct seccomp_program *prog = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                struct oci_seccomp_rule r = R(NAMES("getpid"), OCI_SECCOMP_ERRNO, 1);
                struct oci_seccomp sc = { .default_action = OCI_SECCOMP_ALLOW, .rules = &r, .n_rules = 1 };

                r.args = &bad_index;
                r.n_args = 1;
                ASSERT_FAIL(seccomp_program_new(&sc, &prog, &err));
                ASSERT_ERR_CONTAINS(err, "linux.seccomp.syscalls[0]: args[0]: argument index 6 out of range");
                err = berr_free(err);
                r.args = &bad_op;
                ASSERT_FAIL(seccomp_program_new(&sc, &prog, &err));
                ASSERT_ERR_CONTAINS(err, "unknown operator");
        }
}

TEST(send_listener_passes_fd_and_state) {
        _cleanup_close_ int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), conn = -1, got = -1;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        char data[256] = {};
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl;
        struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
        int p[2];
        struct stat a, b;
        const char *state = "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1}";

        strcpy(addr.sun_path, "l.sock"); /* relative to the test's own temporary cwd */
        ASSERT_TRUE(srv >= 0);
        ASSERT_OK(bind(srv, (struct sockaddr *) &addr, sizeof(addr)));
        ASSERT_OK(listen(srv, 1));
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        ASSERT_OK_ERR(seccomp_send_listener(addr.sun_path, p[0], state, &err), &err);
        conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
        ASSERT_TRUE(conn >= 0);
        ASSERT_TRUE(recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) > 0);
        ASSERT_STREQ(data, state);
        ASSERT_TRUE(CMSG_FIRSTHDR(&msg) != NULL);
        ASSERT_EQ(CMSG_FIRSTHDR(&msg)->cmsg_type, SCM_RIGHTS);
        memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
        ASSERT_OK(fstat(got, &a));
        ASSERT_OK(fstat(p[0], &b));
        ASSERT_EQ(a.st_ino, b.st_ino);
        close(p[0]);
        close(p[1]);
        err = berr_free(err);
        ASSERT_FAIL(seccomp_send_listener("/nonexistent/sock", 0, state, &err));
        ASSERT_ERR_CONTAINS(err, "connect to seccomp listener '/nonexistent/sock'");
}

TEST(known_names_for_features) {
        _cleanup_(strv_freep) char **acts = seccomp_known_actions();
        _cleanup_(strv_freep) char **archs = seccomp_known_archs();
        _cleanup_(strv_freep) char **flags = seccomp_known_flags();

        ASSERT_TRUE(strv_contains(acts, "SCMP_ACT_NOTIFY"));
        ASSERT_TRUE(strv_contains(acts, "SCMP_ACT_KILL_PROCESS"));
        ASSERT_TRUE(strv_contains(archs, "SCMP_ARCH_X86_64"));
        ASSERT_TRUE(strv_contains(archs, "SCMP_ARCH_AARCH64"));
        ASSERT_FALSE(strv_contains(archs, "SCMP_ARCH_BOGUS"));
        ASSERT_TRUE(strv_contains(flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
        ASSERT_EQ(strv_length(flags), 4);
}
