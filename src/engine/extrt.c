/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The external runtime's command line (extrt.h). Each call forks and execs
 * the runtime with a minimal argument vector built from the caller's
 * options; stdout and stderr go to memfds, so a large output cannot block
 * the runtime and the error names what the runtime said.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/extrt.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/container.h"

const char *engine_container_runtime(const struct engine_container *c)
{
        struct json_object *hc = NULL, *rt = NULL;
        const char *s;

        if (!c->config || !json_object_object_get_ex(c->config, "HostConfig", &hc) ||
            !json_object_object_get_ex(hc, "Runtime", &rt))
                return NULL;
        s = json_object_get_string(rt);
        return s && *s ? s : NULL;
}

char *engine_runtime_root_of(const struct engine *e, const char *runtime)
{
        const char *base;

        if (!runtime)
                return xstrdup(e->runtime_root);
        base = strrchr(runtime, '/');
        return xasprintf("%s/%s", e->runroot, base ? base + 1 : runtime);
}

static char **runtime_argv(const char *runtime, const char *root, char *const *args)
{
        char **v = NULL;

        strv_push(&v, runtime);
        strv_push(&v, "--root");
        strv_push(&v, root);
        for (; args && *args; args++)
                strv_push(&v, *args);
        return v;
}

static int wait_child(pid_t pid, int *ret_status, struct berr **err)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berr_sys(err, "wait for the runtime");
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

static int read_memfd(int fd, size_t max, char **ret, struct berr **err)
{
        size_t len = 0;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return berr_sys(err, "rewind the runtime's output");
        return read_all(fd, max, ret, &len, err);
}

int extrt_run(const char *runtime, const char *root, char *const *args, char **ret_out, struct berr **err)
{
        _cleanup_(strv_freep) char **argv = runtime_argv(runtime, root, args);
        _cleanup_close_ int out = memfd_create("runtime-out", MFD_CLOEXEC), errfd = memfd_create("runtime-err",
                                                                                                  MFD_CLOEXEC);
        _cleanup_free_ char *errtext = NULL;
        int status = 0, r;
        pid_t pid;

        if (out < 0 || errfd < 0)
                return berr_sys(err, "memfd");
        pid = fork();
        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDONLY);

                if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
                        _exit(127);
                execv(runtime, argv);
                dprintf(2, "exec '%s': %s", runtime, strerror(errno));
                _exit(127);
        }
        r = wait_child(pid, &status, err);
        if (r < 0)
                return r;
        if (status != 0) {
                (void) read_memfd(errfd, EXTRT_STDERR_MAX, &errtext, NULL);
                if (errtext)
                        errtext[strcspn(errtext, "\n")] = 0;
                return berr_set(err, EIO, "runtime '%s' %s failed (status %d): %s", runtime, args[0], status,
                                errtext && *errtext ? errtext : "no message");
        }
        if (ret_out)
                return read_memfd(out, EXTRT_OUTPUT_MAX, ret_out, err);
        return 0;
}

/* runc's exec flags for eo. */
static char **exec_args(const struct exec_opts *eo)
{
        char **v = NULL;

        strv_push(&v, "exec");
        if (eo->tty) {
                strv_push(&v, "--tty");
                /* runc takes a console socket only when it detaches; otherwise it makes the pty itself
                 * and copies it to and from its own stdio, which is ours */
                if (eo->console_socket && eo->detach)
                        strv_push_take(&v, xasprintf("--console-socket=%s", eo->console_socket));
        }
        if (eo->detach)
                strv_push(&v, "--detach");
        if (eo->cwd)
                strv_push_take(&v, xasprintf("--cwd=%s", eo->cwd));
        for (char **x = eo->env; x && *x; x++)
                strv_push_take(&v, xasprintf("--env=%s", *x));
        if (eo->user)
                strv_push_take(&v, xasprintf("--user=%s", eo->user));
        for (char **g = eo->additional_gids; g && *g; g++)
                strv_push_take(&v, xasprintf("--additional-gids=%s", *g));
        strv_push(&v, eo->id);
        for (char **a = eo->args; a && *a; a++)
                strv_push(&v, *a);
        return v;
}

int engine_exec(struct engine *e, const struct engine_container *c, const struct exec_opts *eo, int *ret_status,
                struct berr **err)
{
        const char *runtime = engine_container_runtime(c);
        _cleanup_free_ char *root = engine_runtime_root_of(e, runtime);
        _cleanup_(strv_freep) char **args = NULL, **argv = NULL;
        struct runtime_ctx ctx = {.root = root};
        pid_t pid;

        if (!runtime)
                return container_exec(&ctx, eo, ret_status, err);
        args = exec_args(eo);
        argv = runtime_argv(runtime, root, args);
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                execv(runtime, argv);
                dprintf(2, "exec '%s': %s\n", runtime, strerror(errno));
                _exit(126);
        }
        return wait_child(pid, ret_status, err);
}
