/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The attached client's loop, shared by run, start -a and attach: monitor
 * frames to stdout/stderr, stdin (and the detach sequence) and signals to the
 * monitor, the terminal raw while a tty is attached.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/monitor.h"
#include "lib/fileio.h"

static void send_size(int fd)
{
        struct winsize ws;
        uint16_t v[2];

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0)
                return;
        v[0] = ws.ws_row;
        v[1] = ws.ws_col;
        (void)monitor_send(fd, MONITOR_RESIZE, v, sizeof(v));
}

/* Forwards stdin bytes, holding back a partial detach sequence. 1: detach now. */
static int forward_stdin(int fd, struct cli_detach *d, const unsigned char *in, size_t len)
{
        unsigned char out[MONITOR_FRAME_MAX];
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                if (d && d->n > 0 && in[i] == d->keys[d->matched]) {
                        if (++d->matched == d->n)
                                return 1;
                        continue;
                }
                if (d && d->matched) { /* not the sequence after all: the held bytes go through */
                        memcpy(out + o, d->keys, d->matched);
                        o += d->matched;
                        d->matched = 0;
                        if (in[i] == d->keys[0]) {
                                d->matched = 1;
                                continue;
                        }
                }
                out[o++] = in[i];
        }
        if (o > 0)
                (void)monitor_send(fd, MONITOR_STDIN, out, o);
        return 0;
}

int cli_attach_loop(int fd, bool with_stdin, bool tty, bool sig_proxy, struct cli_detach *d)
{
        static char buf[MONITOR_FRAME_MAX];
        struct termios saved, raw;
        bool is_raw = false, stdin_open = with_stdin;
        sigset_t mask, old;
        int sigfd, code = -1;

        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        if (sig_proxy && !tty) {
                sigaddset(&mask, SIGINT);
                sigaddset(&mask, SIGTERM);
                sigaddset(&mask, SIGHUP);
                sigaddset(&mask, SIGQUIT);
                sigaddset(&mask, SIGUSR1);
                sigaddset(&mask, SIGUSR2);
        }
        sigprocmask(SIG_BLOCK, &mask, &old);
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (tty && with_stdin && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
                raw = saved;
                cfmakeraw(&raw);
                raw.c_oflag = saved.c_oflag;
                is_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
        if (tty)
                send_size(fd);
        for (;;) {
                struct pollfd p[3] = {
                        {.fd = fd, .events = POLLIN},
                        {.fd = sigfd, .events = POLLIN},
                        {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
                };

                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH)
                                        send_size(fd);
                                else
                                        (void)monitor_send_int(fd, MONITOR_SIGNAL, (int32_t)si.ssi_signo);
                        }
                }
                if (p[2].revents) {
                        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf) - 1);
                        if (n > 0) {
                                if (forward_stdin(fd, d, (unsigned char *)buf, (size_t)n) == 1) {
                                        code = -2;
                                        break;
                                }
                        } else if (n == 0 || errno != EINTR) {
                                stdin_open = false;
                                (void)monitor_send(fd, MONITOR_STDIN_CLOSE, NULL, 0);
                        }
                }
                if (p[0].revents) {
                        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                        int32_t v;

                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                continue;
                        if (n <= 0)
                                break;
                        if (buf[0] == MONITOR_STDOUT)
                                (void)write_all(STDOUT_FILENO, buf + 1, (size_t)n - 1);
                        else if (buf[0] == MONITOR_STDERR)
                                (void)write_all(STDERR_FILENO, buf + 1, (size_t)n - 1);
                        else if (buf[0] == MONITOR_EXIT && n >= 5) {
                                memcpy(&v, buf + 1, 4);
                                code = v;
                                break;
                        }
                }
        }
        if (is_raw)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        if (sigfd >= 0)
                close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return code;
}
