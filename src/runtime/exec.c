/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `exec`: a new process in a running container. The runtime process itself
 * never enters the container; it forks a child that:
 *   1. makes itself non-dumpable (a process in the container cannot open
 *      /proc/<pid>/exe, the runtime binary, nor its fds; see below),
 *   2. enters the container's cgroup, while it still sees the host's
 *      /sys/fs/cgroup,
 *   3. joins every namespace of the init that differs from ours with one
 *      setns(pidfd, flags) (5.8+: the kernel orders them, user first); when
 *      the init shares our mount namespace, chroots into the init's root,
 *   4. clones the real process with CLONE_PARENT (a new pid namespace only
 *      applies to children; CLONE_PARENT makes it our child so we can wait
 *      for it), sends its pid (SYNC_PID) and exits.
 * The process sets up its terminal, applies the container's identity,
 * capabilities and seccomp (process.h's order), sends SYNC_READY and execs;
 * the parent sees EOF on the sync socket (close-on-exec) or SYNC_ERROR.
 *
 * /proc/self/exe: we chose PR_SET_DUMPABLE 0 over runc's sealed memfd copy
 * of the binary. A non-dumpable process's /proc/<pid>/exe and fd links can
 * only be followed with CAP_SYS_PTRACE over it, which container processes do
 * not have by default (Docker's and runc's default capability sets); it
 * costs nothing, where a memfd copy costs a copy of the binary per start.
 * A container granted CAP_SYS_PTRACE in the host user namespace is trusted
 * with the host anyway.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/container-internal.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define PROCESS_FILE_MAX_BYTES (1u << 20)
#define EXEC_EXTRA_MAX 4096

struct exec_ctx {
        const struct exec_opts *opts;
        struct oci_spec *spec; /* the saved config, with process replaced */
        struct seccomp_program *seccomp;
        struct cgroup *cg;
        int pidfd;
        pid_t pid; /* the init */
        unsigned long ns_flags;
        int sync_fd;
        int console_fd;
        unsigned preserve_fds;
};

static const struct {
        const char *name;
        unsigned long flag;
} ns_files[] = {
        { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },      { "pid", CLONE_NEWPID },
        { "net", CLONE_NEWNET },   { "ipc", CLONE_NEWIPC },     { "uts", CLONE_NEWUTS },
        { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static unsigned long namespaces_to_join(pid_t pid)
{
        unsigned long flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(ns_files); i++) {
                char path[64], self[64];
                struct stat a, b;

                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns_files[i].name);
                snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[i].name);
                if (stat(path, &a) < 0 || stat(self, &b) < 0)
                        continue;
                if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        flags |= ns_files[i].flag;
        }
        return flags;
}

static void env_set(char ***env, const char *kv)
{
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t) (eq - kv) : strlen(kv);

        for (size_t i = 0; *env && (*env)[i]; i++)
                if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
                        free((*env)[i]);
                        (*env)[i] = xstrdup(kv);
                        return;
                }
        strv_push(env, kv);
}

static int exec_build_process(struct exec_ctx *ec, struct berr **err)
{
        const struct exec_opts *o = ec->opts;
        struct oci_process *p = &ec->spec->process;
        int r;

        if (o->process_file) {
                _cleanup_free_ char *data = NULL;
                struct oci_process np = { 0 };
                size_t len;

                r = read_file_at(AT_FDCWD, streq(o->process_file, "-") ? "/dev/stdin" : o->process_file,
                                 PROCESS_FILE_MAX_BYTES, &data, &len, err);
                if (r < 0)
                        return berr_wrap(err, "--process");
                r = spec_parse_process(data, len, &np, err);
                if (r < 0)
                        return berr_wrap(err, "--process '%s'", o->process_file);
                oci_process_done(p);
                *p = np;
        } else {
                if (!o->args || !o->args[0])
                        return berr_set(err, EINVAL, "exec: no command given");
                strv_free(p->args);
                p->args = strv_dup(o->args);
                p->terminal = o->tty;
                if (o->tty)
                        p->has_console_size = false;
        }
        if (o->cwd) {
                free(p->cwd);
                p->cwd = xstrdup(o->cwd);
        }
        for (size_t i = 0; o->env && o->env[i]; i++)
                env_set(&p->env, o->env[i]);
        if (o->user) {
                _cleanup_free_ char *u = xstrdup(o->user);
                char *colon = strchr(u, ':');
                uint32_t uid, gid = 0;

                if (colon)
                        *colon = 0;
                if (parse_uint32(u, &uid) < 0 || (colon && parse_uint32(colon + 1, &gid) < 0))
                        return berr_set(err, EINVAL, "--user '%s': expected uid[:gid]", o->user);
                p->user.uid = uid;
                p->user.gid = colon ? gid : 0;
        }
        for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++) {
                uint32_t g;
                if (parse_uint32(o->additional_gids[i], &g) < 0)
                        return berr_set(err, EINVAL, "--additional-gids '%s': not a number", o->additional_gids[i]);
                if (p->user.n_additional_gids >= EXEC_EXTRA_MAX)
                        return berr_set(err, EINVAL, "too many --additional-gids");
                p->user.additional_gids = xreallocarray(p->user.additional_gids, p->user.n_additional_gids + 1,
                                                        sizeof(uint32_t));
                p->user.additional_gids[p->user.n_additional_gids++] = g;
        }
        for (size_t i = 0; o->caps && o->caps[i]; i++) {
                int cap = oci_capability_from_string(o->caps[i]);
                if (cap < 0)
                        return berr_set(err, EINVAL, "--cap '%s': unknown capability", o->caps[i]);
                p->capabilities.present = true;
                for (int s = 0; s < _OCI_CAP_SET_MAX; s++)
                        if (s != OCI_CAP_INHERITABLE && s != OCI_CAP_AMBIENT)
                                p->capabilities.sets[s] |= UINT64_C(1) << cap;
        }
        if (o->no_new_privs)
                p->no_new_privileges = true;
        if (o->apparmor) {
                free(p->apparmor_profile);
                p->apparmor_profile = xstrdup(o->apparmor);
        }
        if (o->process_label) {
                free(p->selinux_label);
                p->selinux_label = xstrdup(o->process_label);
        }
        if (!p->args || !p->args[0])
                return berr_set(err, EINVAL, "exec: process.args must not be empty");
        if (p->terminal && !o->console_socket)
                return berr_set(err, EINVAL, "exec: --tty needs --console-socket");
        return 0;
}

__attribute__((noreturn)) static void exec_process_main(struct exec_ctx *ec)
{
        const struct oci_process *p = &ec->spec->process;
        _cleanup_free_ char *path = NULL;
        struct berr *err = NULL;
        bool seccomp_done = false;
        int ours[3];

        if (sync_expect(ec->sync_fd, SYNC_GO, NULL, NULL, &err) < 0)
                sync_fail(ec->sync_fd, err);
        if (p->terminal && console_setup(ec->console_fd, p, false, &err) < 0)
                sync_fail(ec->sync_fd, err);
        safe_close(ec->console_fd);
        if (linux_prepare_process(p, ec->seccomp, -1, &seccomp_done, &path, &err) < 0)
                sync_fail(ec->sync_fd, err);
        if (sync_send(ec->sync_fd, SYNC_READY, NULL, 0, -1, &err) < 0)
                sync_fail(ec->sync_fd, err);
        ours[0] = ec->sync_fd;
        ours[1] = log_get_fd();
        ours[2] = ec->pidfd;
        linux_exec(p, path, ec->seccomp, seccomp_done, LINUX_ALL_SIGNALS, ec->preserve_fds, NULL, ours, 3, &err);
        sync_fail(ec->sync_fd, err);
}

/*
 * setns(CLONE_NEWNS) also sets the root to the container's. Without a mount
 * namespace of its own the container shares ours, and its root is a chroot:
 * take the init's, /proc/<pid>/root.
 */
static int enter_init_root(pid_t pid, struct berr **err)
{
        char path[64];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof(path), "/proc/%d/root", (int) pid);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open the container's root");
        if (fchdir(fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return berr_sys(err, "enter the container's root");
        return 0;
}

__attribute__((noreturn)) static void exec_joiner_main(struct exec_ctx *ec)
{
        struct berr *err = NULL;
        int32_t pid32;
        pid_t pid;

        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (cgroup_enter(ec->cg, getpid(), &err) < 0)
                sync_fail(ec->sync_fd, err);
        if (ec->ns_flags && setns(ec->pidfd, (int) ec->ns_flags) < 0) {
                berr_sys(&err, "join the namespaces of the container");
                sync_fail(ec->sync_fd, err);
        }
        if (!(ec->ns_flags & CLONE_NEWNS) && enter_init_root(ec->pid, &err) < 0)
                sync_fail(ec->sync_fd, err);
        pid = (pid_t) syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
        if (pid < 0) {
                berr_sys(&err, "clone");
                sync_fail(ec->sync_fd, err);
        }
        if (pid == 0)
                exec_process_main(ec);
        pid32 = pid;
        if (sync_send(ec->sync_fd, SYNC_PID, &pid32, sizeof(pid32), -1, &err) < 0)
                sync_fail(ec->sync_fd, err);
        _exit(0);
}

static int exec_prepare(const struct runtime_ctx *ctx, struct exec_ctx *ec, struct container_state *st,
                        struct berr **err)
{
        _cleanup_close_ int dirfd = -1;
        int r;

        r = container_open(ctx, ec->opts->id, false, &dirfd, st, err);
        if (r < 0)
                return r;
        if (!state_pid_alive(st))
                return berr_set(err, EINVAL, "cannot exec in container '%s': it is stopped", st->id);
        r = state_load_spec(dirfd, &ec->spec, err);
        if (r < 0)
                return r;
        r = exec_build_process(ec, err);
        if (r < 0)
                return r;
        if (ec->spec->linux.seccomp) {
                r = seccomp_program_new_cached(ec->spec->linux.seccomp, ctx->root, &ec->seccomp, err);
                if (r < 0)
                        return berr_wrap(err, "linux.seccomp");
        }
        r = cgroup_load(NULL, st->cgroup, &ec->cg, err);
        if (r < 0)
                return r;
        if (cgroup_is_frozen(ec->cg, NULL) == 1)
                return berr_set(err, EINVAL, "cannot exec in container '%s': it is paused", st->id);
        ec->pidfd = (int) syscall(SYS_pidfd_open, st->pid, 0);
        ec->pid = st->pid;
        if (ec->pidfd < 0 || !state_pid_alive(st))
                return berr_set(err, ESRCH, "cannot exec in container '%s': it is stopped", st->id);
        ec->ns_flags = namespaces_to_join(st->pid);
        if (ec->opts->console_socket && ec->spec->process.terminal) {
                ec->console_fd = console_socket_connect(ec->opts->console_socket, err);
                if (ec->console_fd < 0)
                        return ec->console_fd;
        }
        return 0;
}

static int exec_spawn(struct exec_ctx *ec, pid_t *ret_pid, struct berr **err)
{
        _cleanup_free_ char *payload = NULL;
        int sv[2], status;
        pid_t joiner;
        size_t len;
        int32_t pid;
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return berr_sys(err, "socketpair");
        ec->sync_fd = sv[1];
        joiner = fork();
        if (joiner < 0) {
                safe_close(sv[0]);
                return berr_sys(err, "fork");
        }
        if (joiner == 0) {
                safe_close(sv[0]);
                exec_joiner_main(ec);
        }
        ec->sync_fd = safe_close(ec->sync_fd);
        ec->sync_fd = sv[0];
        ec->console_fd = safe_close(ec->console_fd);
        r = sync_expect(ec->sync_fd, SYNC_PID, &payload, &len, err);
        (void) waitpid(joiner, &status, 0);
        if (r < 0)
                return r;
        if (len != sizeof(pid))
                return berr_set(err, EPROTO, "bad pid message");
        memcpy(&pid, payload, sizeof(pid));
        *ret_pid = pid;
        r = sync_send(ec->sync_fd, SYNC_GO, NULL, 0, -1, err);
        if (r < 0)
                goto fail;
        r = sync_expect(ec->sync_fd, SYNC_READY, NULL, NULL, err);
        if (r < 0)
                goto fail;
        r = sync_expect_exec(ec->sync_fd, err);
        if (r == 0)
                return 0;
fail:
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
        return r;
}

int container_exec(const struct runtime_ctx *ctx, const struct exec_opts *opts, int *ret_status, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        struct exec_ctx ec = { .opts = opts, .pidfd = -1, .sync_fd = -1, .console_fd = -1 };
        sigset_t set, old;
        pid_t pid = 0;
        int r;

        *ret_status = 0;
        if (opts->preserve_fds > 65536)
                return berr_set(err, EINVAL, "--preserve-fds %u is too large", opts->preserve_fds);
        ec.preserve_fds = opts->preserve_fds;
        sigprocmask(SIG_SETMASK, NULL, &old);
        if (!opts->detach && container_block_signals(&set) < 0)
                return berr_sys(err, "block signals");
        r = exec_prepare(ctx, &ec, &st, err);
        if (r >= 0)
                r = exec_spawn(&ec, &pid, err);
        if (r >= 0 && opts->pid_file)
                r = container_write_pid_file(opts->pid_file, pid, err);
        if (r >= 0 && !opts->detach)
                r = container_wait_forwarding(pid, &set, ret_status, err);
        sigprocmask(SIG_SETMASK, &old, NULL);
        safe_close(ec.pidfd);
        safe_close(ec.sync_fd);
        safe_close(ec.console_fd);
        spec_free(ec.spec);
        seccomp_program_free(ec.seccomp);
        cgroup_free(ec.cg);
        if (r < 0)
                return berr_wrap(err, "exec in container '%s'", opts->id);
        return 0;
}
