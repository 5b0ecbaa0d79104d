/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs OCI hooks: each hook is executed with its args and env, the container
 * state JSON on stdin, and stdout/stderr inherited. A hook with a timeout is
 * killed (SIGKILL) when it overruns; the error names the kind, index and path.
 * Where the hook runs (runtime or container namespaces) is the caller's
 * business: this code forks from wherever it is called.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/container-internal.h"
#include "runtime/spec.h"

static int wait_with_timeout(pid_t pid, int timeout_s, int *ret_status, struct berr **err)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        int status;
        pid_t r;

        if (pidfd >= 0 && timeout_s > 0) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                int n;

                do
                        n = poll(&p, 1, timeout_s * 1000);
                while (n < 0 && errno == EINTR);
                if (n == 0) {
                        (void) kill(pid, SIGKILL); /* waited for below */
                        (void) waitpid(pid, NULL, 0);
                        return berr_set(err, ETIMEDOUT, "timed out after %d s", timeout_s);
                }
        }
        do
                r = waitpid(pid, &status, 0);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return berr_sys(err, "wait");
        *ret_status = status;
        return 0;
}

static int hook_run_one(const struct oci_hook *h, const char *state_json, struct berr **err)
{
        _cleanup_close_ int rfd = -1, wfd = -1;
        int pfd[2], status;
        char *const empty[] = { NULL };
        char *const default_args[] = { h->path, NULL };
        pid_t pid;
        int r;

        if (pipe2(pfd, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        rfd = pfd[0];
        wfd = pfd[1];
        pid = fork();
        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                if (dup2(rfd, 0) < 0)
                        _exit(127);
                linux_reset_signals();
                execve(h->path, h->args && h->args[0] ? h->args : default_args, h->env ? h->env : empty);
                _exit(127);
        }
        rfd = safe_close(rfd);
        /* Non-blocking: a hook that never reads stdin must not block us; SIGPIPE is ignored by the program
         * and MSG-less write(2) on a pipe then fails with EPIPE, which is fine. */
        (void) fcntl(wfd, F_SETFL, O_NONBLOCK);
        if (state_json)
                (void) write_all(wfd, state_json, strlen(state_json)); /* the hook may not read it */
        wfd = safe_close(wfd);
        r = wait_with_timeout(pid, h->has_timeout ? h->timeout : 0, &status, err);
        if (r < 0)
                return r;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return berr_set(err, EIO, "exited with status %d", WEXITSTATUS(status));
        return berr_set(err, EIO, "killed by signal %s", signal_name(WTERMSIG(status)) ?: "?");
}

int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json, struct berr **err)
{
        for (size_t i = 0; i < n; i++) {
                int r = hook_run_one(&hooks[i], state_json, err);
                if (r < 0)
                        return berr_wrap(err, "%s hook[%zu] '%s'", kind, i, hooks[i].path);
        }
        return 0;
}
