/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth exec: a new process in a running container, through the in-process
 * runtime or the container's external one (engine_exec: the process, or the
 * runtime, is our child; its stdio is ours, or a pty whose master we receive
 * over a console socket and copy to and from our terminal).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/extrt.h"
#include "engine/spec-gen.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/container.h"

static int recv_fd(int sock)
{
        char data[256];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } cbuf;
        struct iovec iov = { data, sizeof(data) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
                             .msg_controllen = sizeof(cbuf.buf) };
        struct cmsghdr *cm;
        int fd;

        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) < 0)
                return -errno;
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS)
                return -EPROTO;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* Copies between our terminal and the pty master until the process (pid) exits. */
static int pty_proxy(int listen_fd, pid_t pid)
{
        struct termios saved, raw;
        bool is_raw = false;
        int master = -1, status = 0, conn;
        char buf[8192];
        struct winsize ws;

        struct pollfd lp = { .fd = listen_fd, .events = POLLIN };
        while (poll(&lp, 1, 100) == 0) {
                if (waitpid(pid, &status, WNOHANG) == pid)
                        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn >= 0) {
                master = recv_fd(conn);
                close(conn);
        }
        if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                raw = saved;
                cfmakeraw(&raw);
                raw.c_oflag = saved.c_oflag;
                is_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
        while (master >= 0) {
                struct pollfd p[2] = { { .fd = master, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        break;
                if (p[0].revents) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n <= 0)
                                break;
                        (void) write_all(STDOUT_FILENO, buf, (size_t) n);
                }
                if (p[1].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
                        if (n <= 0)
                                p[1].fd = -1;
                        else
                                (void) write_all(master, buf, (size_t) n);
                }
        }
        if (is_raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        safe_close(master);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "interactive", no_argument, NULL, 'i' }, { "tty", no_argument, NULL, 't' },
                { "detach", no_argument, NULL, 'd' },      { "env", required_argument, NULL, 'e' },
                { "user", required_argument, NULL, 'u' },  { "workdir", required_argument, NULL, 'w' },
                { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(engine_container_freep) struct engine_container *c = NULL;
        _cleanup_(strv_freep) char **env = NULL, **gids = NULL;
        _cleanup_free_ char *dir = NULL, *rootfs = NULL, *userspec = NULL, *sockdir = NULL, *sockpath = NULL;
        _cleanup_close_ int rootfd = -1, listen_fd = -1;
        bool interactive = false, tty = false, detach = false;
        const char *user = NULL, *workdir = NULL;
        struct spec_user u;
        struct exec_opts eo = { 0 };
        struct engine *e;
        int ch, r, status = 0;

        while ((ch = getopt_long(argc, argv, "+itde:u:w:h", opts, NULL)) != -1) {
                switch (ch) {
                case 'i':
                        interactive = true;
                        break;
                case 't':
                        tty = true;
                        break;
                case 'd':
                        detach = true;
                        break;
                case 'e':
                        if (!strchr(optarg, '=')) {
                                const char *v = getenv(optarg);
                                if (v)
                                        strv_push_take(&env, xasprintf("%s=%s", optarg, v));
                        } else
                                strv_push(&env, optarg);
                        break;
                case 'u':
                        user = optarg;
                        break;
                case 'w':
                        workdir = optarg;
                        break;
                case 'h':
                        puts("Usage:  berth exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a "
                             "running container\n\nOptions:\n  -d, --detach           Detached mode\n"
                             "  -e, --env list         Set environment variables\n"
                             "  -i, --interactive      Keep STDIN open even if not attached\n"
                             "  -t, --tty              Allocate a pseudo-TTY\n"
                             "  -u, --user string      Username or UID (format: <name|uid>[:<group|gid>])\n"
                             "  -w, --workdir string   Working directory inside the container");
                        return 0;
                default:
                        return cli_usage_error("exec", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind < 2)
                return cli_usage_error("exec", "\"exec\" requires at least 2 arguments.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = engine_container_find(e, argv[optind], &c, &err);
        if (r == 0) {
                fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[optind]);
                return EXIT_FAILED;
        }
        if (r < 0)
                return cli_error(err);
        if (c->state != ENGINE_STATE_RUNNING) {
                fprintf(stderr, "Error response from daemon: container %s is not running\n", c->id);
                return EXIT_FAILED;
        }
        if (workdir && workdir[0] != '/') {
                fprintf(stderr, "Error response from daemon: the working directory '%s' is invalid, it needs to be "
                                "an absolute path\n", workdir);
                return EXIT_FAILED;
        }
        dir = engine_container_dir(e, c->id);
        rootfs = xasprintf("%s/rootfs", dir);
        rootfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (!user)
                user = json_object_get_string(json_object_object_get(json_object_object_get(c->config, "Config"), "User"));
        if (spec_gen_resolve_user(rootfd, user, NULL, &u, &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", berr_msg(err));
                return 126;
        }
        userspec = xasprintf("%u:%u", (unsigned) u.uid, (unsigned) u.gid);
        for (size_t i = 0; i < u.n_groups; i++)
                strv_push_take(&gids, xasprintf("%u", (unsigned) u.groups[i]));
        eo.id = c->id;
        eo.args = argv + optind + 1;
        eo.tty = tty;
        eo.cwd = workdir;
        eo.env = env;
        eo.user = userspec;
        eo.additional_gids = gids;
        eo.detach = detach;
        if (!interactive || detach) {
                int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (devnull >= 0) {
                        dup2(devnull, STDIN_FILENO);
                        close(devnull);
                }
        }
        if (detach) {
                /* the process outlives us: give it no terminal of ours */
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull >= 0) {
                        dup2(devnull, STDOUT_FILENO);
                        dup2(devnull, STDERR_FILENO);
                        close(devnull);
                }
                eo.tty = false;
        }
        if (eo.tty) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                char tmpl[] = "/tmp/berth-exec.XXXXXX";
                pid_t pid;

                if (!mkdtemp(tmpl))
                        return cli_error(err), EXIT_FAILED;
                sockdir = xstrdup(tmpl);
                sockpath = xasprintf("%s/console.sock", sockdir);
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sockpath);
                listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(listen_fd, 1) < 0) {
                        fprintf(stderr, "Error: console socket: %m\n");
                        rmdir(sockdir);
                        return EXIT_FAILED;
                }
                eo.console_socket = sockpath;
                fflush(stdout);
                pid = fork();
                if (pid == 0) {
                        struct berr *x = NULL;
                        int st = 0;
                        if (engine_exec(e, c, &eo, &st, &x) < 0) {
                                fprintf(stderr, "Error response from daemon: %s\n", berr_msg(x));
                                _exit(engine_start_error_exit_code(x) == 127 ? 127 : 126);
                        }
                        _exit(st);
                }
                status = pid > 0 ? pty_proxy(listen_fd, pid) : EXIT_FAILED;
                unlink(sockpath);
                rmdir(sockdir);
                return status;
        }
        fflush(stdout);
        if (engine_exec(e, c, &eo, &status, &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", berr_msg(err));
                return engine_start_error_exit_code(err) == 127 ? 127 : 126;
        }
        return status;
}
