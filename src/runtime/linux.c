/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init, from clone(2) to execve(2). It talks to the parent
 * (create/run) over the sync socket:
 *   1. [new user namespace] SYNC_USERMAP: the parent writes uid_map/gid_map
 *      (from outside, as user_namespaces(7) requires) and acks; the init
 *      then becomes root of its namespace;
 *   2. [new time namespace] unshare(CLONE_NEWTIME): the init stays outside,
 *      only its future children would enter;
 *   3. SYNC_SETUP: the parent writes the clock offsets, moves the init into
 *      the container's cgroup, applies the resources and runs the
 *      createRuntime and prestart hooks in the runtime's namespaces; it acks
 *      with the state JSON for the hooks that run in here;
 *   4. the init enters the time namespace (setns on time_for_children; it is
 *      single-threaded) and unshares the cgroup namespace, now rooted at the
 *      container's cgroup;
 *   5. hostname, domainname, sysctls (per-namespace files in /proc/sys are
 *      those of the writer's namespaces), the exec fifo (opened O_RDWR so it
 *      never blocks; host path, so before pivot_root), createContainer hooks,
 *      then mounts_setup_rootfs() ends in the new root (without a mount
 *      namespace: chroot into the rootfs bind the parent made);
 *   6. the terminal (inside the container: its devpts), then the process
 *      attributes in process.h's order, and the executable lookup, so a
 *      missing command fails `create`, not `start`;
 *   7. SYNC_CREATED: the parent records the state and exits (create) or
 *      continues (run); the init blocks until `start` writes a byte to the
 *      fifo (or SYNC_START in run), runs startContainer hooks, execs.
 * Any failure before 7 goes back as SYNC_ERROR and the init exits 127; the
 * parent then kills and removes everything. The init is not dumpable from
 * the first instruction: processes in the container cannot open
 * /proc/<init>/exe (the runtime binary) nor its fds while it runs our code.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/container-internal.h"
#include "runtime/mounts.h"
#include "runtime/process.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/sysctl.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

uint64_t linux_ignored_signals(void)
{
        _cleanup_free_ char *text = NULL;
        const char *line;
        char *end = NULL;
        uint64_t mask;

        if (read_file_at(AT_FDCWD, "/proc/self/status", PROC_STATUS_MAX_BYTES, &text, NULL, NULL) < 0)
                return LINUX_ALL_SIGNALS;
        line = strstr(text, "\nSigIgn:");
        if (!line)
                return LINUX_ALL_SIGNALS;
        errno = 0;
        mask = strtoull(line + strlen("\nSigIgn:"), &end, 16);
        if (errno != 0 || !end || *end != '\n')
                return LINUX_ALL_SIGNALS;
        return mask;
}

void linux_reset_signals_in(uint64_t which)
{
        sigset_t all;

        for (int sig = 1; sig < NSIG && sig <= 64; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (which & (UINT64_C(1) << (sig - 1))))
                        (void) signal(sig, SIG_DFL); /* EINVAL for the realtime signals glibc reserves */
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
}

void linux_reset_signals(void)
{
        linux_reset_signals_in(LINUX_ALL_SIGNALS);
}

void linux_prepare_fds(unsigned keep, const int *ours, size_t n_ours)
{
        if (syscall(SYS_close_range, 3 + keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                /* close_range needs 5.11; the host has 6.x, but keep a slow path. */
                for (int fd = 3 + (int) keep; fd < 65536; fd++)
                        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        for (unsigned i = 0; i < keep; i++) {
                int fd = 3 + (int) i;
                bool mine = false;
                for (size_t k = 0; k < n_ours; k++)
                        mine = mine || ours[k] == fd;
                if (!mine)
                        (void) fcntl(fd, F_SETFD, 0); /* EBADF when the caller did not pass it: fine */
        }
}

int linux_prepare_process(const struct oci_process *p, struct seccomp_program *seccomp, int sync_fd,
                          bool *ret_seccomp_done, char **ret_path, struct berr **err)
{
        bool loaded = false;
        int r;

        r = process_apply_early(p, err);
        if (r < 0)
                return r;
        if (seccomp && (!p->no_new_privileges || seccomp_program_uses_notify(seccomp))) {
                r = seccomp_program_load(seccomp, err);
                if (r < 0)
                        return berr_wrap(err, "seccomp");
                loaded = true;
                if (r > 0) {
                        _cleanup_close_ int listener = r;
                        if (sync_fd < 0)
                                return berr_set(err, EINVAL, "seccomp: notify is not supported here");
                        if (sync_send(sync_fd, SYNC_SECCOMP_FD, NULL, 0, listener, err) < 0 ||
                            sync_expect(sync_fd, SYNC_SECCOMP_FD_ACK, NULL, NULL, err) < 0)
                                return berr_wrap(err, "seccomp listener");
                }
        }
        r = process_apply_identity(p, err);
        if (r < 0)
                return r;
        if (chdir(p->cwd ? p->cwd : "/") < 0)
                return berr_sys(err, "change to cwd '%s' in the container", p->cwd ? p->cwd : "/");
        r = exec_lookup(p, ret_path, err);
        if (r < 0)
                return r;
        *ret_seccomp_done = loaded;
        return 0;
}

int linux_exec(const struct oci_process *p, const char *path, struct seccomp_program *seccomp, bool seccomp_done,
               uint64_t reset_signals, unsigned preserve_fds, char **extra_env, const int *ours, size_t n_ours,
               struct berr **err)
{
        _cleanup_(strv_freep) char **env = NULL;
        int r;

        env = strv_dup(p->env);
        for (size_t i = 0; extra_env && extra_env[i]; i++)
                strv_push(&env, extra_env[i]);
        if (!env)
                env = xzalloc(sizeof(char *));
        linux_reset_signals_in(reset_signals);
        linux_prepare_fds(preserve_fds, ours, n_ours);
        if (seccomp && !seccomp_done) {
                /* The last step: with noNewPrivileges the filter may forbid what the steps above needed. */
                r = seccomp_program_load(seccomp, err);
                if (r < 0)
                        return berr_wrap(err, "seccomp");
        }
        execve(path, p->args, env);
        return berr_sys(err, "exec '%s'", p->args[0]);
}

static int init_namespaces(const struct init_config *cfg, bool from_intermediate, char **ret_state_json,
                           struct berr **err)
{
        const struct oci_spec *spec = cfg->spec;
        unsigned long flags = nsexec_new_flags(spec);
        size_t len;
        int r;

        /* 0. cloned by an intermediate: wait until the parent has our pid (SYNC_PID). */
        if (from_intermediate && sync_expect(cfg->sync_fd, SYNC_GO, NULL, NULL, err) < 0)
                return -EIO;
        /* 1. */
        if ((flags & CLONE_NEWUSER) && !from_intermediate) {
                if (sync_send(cfg->sync_fd, SYNC_USERMAP, NULL, 0, -1, err) < 0 ||
                    sync_expect(cfg->sync_fd, SYNC_USERMAP_ACK, NULL, NULL, err) < 0)
                        return -EIO;
        }
        if (flags & CLONE_NEWUSER) {
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        return berr_sys(err, "become root in the user namespace (is id 0 mapped?)");
        }
        /* 2. */
        if ((flags & CLONE_NEWTIME) && unshare(CLONE_NEWTIME) < 0)
                return berr_sys(err, "create time namespace");
        /* 3. */
        r = sync_send(cfg->sync_fd, SYNC_SETUP, NULL, 0, -1, err);
        if (r < 0)
                return r;
        r = sync_expect(cfg->sync_fd, SYNC_SETUP_ACK, ret_state_json, &len, err);
        if (r < 0)
                return r;
        /* 4. */
        if (flags & CLONE_NEWTIME) {
                _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
                        return berr_sys(err, "enter time namespace");
        }
        if ((flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return berr_sys(err, "create cgroup namespace");
        return 0;
}

static int init_system(const struct init_config *cfg, struct berr **err)
{
        const struct oci_spec *spec = cfg->spec;

        if (!cfg->no_new_keyring) {
                /* A private session keyring: keys of other containers must not be visible. EACCES/ENOSYS: the
                 * kernel or an LSM disabled keyrings, which is fine. */
                if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS &&
                    errno != EACCES && errno != EPERM)
                        return berr_sys(err, "create session keyring");
        }
        if (uts_apply(spec, err) < 0)
                return -EINVAL;
        /* Before pivot_root: the host's /proc is writable, and its per-namespace files are ours. */
        return sysctl_apply(spec, err);
}

struct create_container_hooks {
        const struct oci_spec *spec;
        const char *state_json;
};

static int run_create_container_hooks(void *userdata, struct berr **err)
{
        const struct create_container_hooks *h = userdata;
        const struct oci_spec *spec = h->spec;

        if (spec->hooks.n_hooks[OCI_HOOK_CREATE_CONTAINER] == 0)
                return 0;
        return hooks_run(spec->hooks.hooks[OCI_HOOK_CREATE_CONTAINER], spec->hooks.n_hooks[OCI_HOOK_CREATE_CONTAINER],
                         "createContainer", h->state_json, err);
}

__attribute__((noreturn)) static void init_fail_late(int sync_fd, bool parent_gone, struct berr *err)
{
        if (!parent_gone)
                sync_fail(sync_fd, err);
        dprintf(2, "berth-runtime: container init: %s\n", berr_msg(err));
        _exit(127);
}

void linux_init_main(const struct init_config *cfg, bool from_intermediate)
{
        const struct oci_spec *spec = cfg->spec;
        struct berr *err = NULL;
        _cleanup_free_ char *state_json = NULL, *path = NULL;
        int fifo_fd = -1, ours[4];
        bool seccomp_done = false;
        struct create_container_hooks hook_ctx;
        const struct mounts_hook before_pivot = { run_create_container_hooks, &hook_ctx };
        char c;

        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (init_namespaces(cfg, from_intermediate, &state_json, &err) < 0 || init_system(cfg, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        /* 5. */
        if (cfg->fifo_dirfd >= 0) {
                fifo_fd = openat(cfg->fifo_dirfd, STATE_FIFO, O_RDWR | O_CLOEXEC);
                if (fifo_fd < 0) {
                        berr_sys(&err, "open exec fifo");
                        sync_fail(cfg->sync_fd, err);
                }
                (void) close(cfg->fifo_dirfd); /* the state dir must not stay reachable from the container */
        }
        /* createContainer hooks run after the mounts and before pivot_root (runtime-spec, config.md). */
        hook_ctx = (struct create_container_hooks){ .spec = spec, .state_json = state_json };
        if (mounts_setup_rootfs_hooked(spec, cfg->plan, cfg->rootfs, cfg->cg, &before_pivot, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        /* 6. */
        if (spec->process.terminal) {
                if (cfg->console_fd < 0) {
                        berr_set(&err, EINVAL, "process.terminal is set but no --console-socket was given");
                        sync_fail(cfg->sync_fd, err);
                }
                if (console_setup(cfg->console_fd, &spec->process, true, &err) < 0)
                        sync_fail(cfg->sync_fd, err);
        }
        if (cfg->console_fd >= 0)
                (void) close(cfg->console_fd);
        if (linux_prepare_process(&spec->process, cfg->seccomp, cfg->sync_fd, &seccomp_done, &path, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        /* 7. */
        (void) prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        if (sync_send(cfg->sync_fd, SYNC_CREATED, NULL, 0, -1, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        if (fifo_fd >= 0) {
                ssize_t n;
                do
                        n = read(fifo_fd, &c, 1);
                while (n < 0 && errno == EINTR);
                if (n != 1) {
                        berr_sys(&err, "wait for start on the exec fifo");
                        init_fail_late(cfg->sync_fd, true, err);
                }
        } else if (sync_expect(cfg->sync_fd, SYNC_START, NULL, NULL, &err) < 0) {
                init_fail_late(cfg->sync_fd, true, err);
        }
        if (spec->hooks.n_hooks[OCI_HOOK_START_CONTAINER] > 0 &&
            hooks_run(spec->hooks.hooks[OCI_HOOK_START_CONTAINER], spec->hooks.n_hooks[OCI_HOOK_START_CONTAINER],
                      "startContainer", state_json, &err) < 0)
                init_fail_late(cfg->sync_fd, fifo_fd >= 0, err);
        ours[0] = cfg->sync_fd;
        ours[1] = fifo_fd;
        ours[2] = log_get_fd();
        ours[3] = -1;
        linux_exec(&spec->process, path, cfg->seccomp, seccomp_done, cfg->ignored_signals, cfg->preserve_fds,
                   cfg->extra_env, ours, 3, &err);
        init_fail_late(cfg->sync_fd, fifo_fd >= 0, err);
}
