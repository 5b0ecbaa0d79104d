/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's terminal, as runc does it: the pty is allocated inside the
 * container (from its own devpts instance, after pivot_root) and the master
 * is handed to whoever listens on --console-socket with SCM_RIGHTS; the
 * slave becomes the controlling terminal and stdio of the process, and, for
 * the init, is bind-mounted on /dev/console. Copying bytes between the
 * master and a user is the receiver's job (conmon, containerd-shim, recvtty).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "runtime/container-internal.h"
#include "runtime/spec.h"

int console_socket_connect(const char *path, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof(sa.sun_path))
                return berr_set(err, ENAMETOOLONG, "console socket path '%s' too long", path);
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berr_sys(err, "console socket");
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return berr_sys(err, "connect to console socket '%s'", path);
        return TAKE_FD(fd);
}

static int send_master(int sock, int master, const char *name, struct berr **err)
{
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen(name) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c;

        memset(&u, 0, sizeof(u));
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &master, sizeof(int));
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
                return berr_sys(err, "send the console to the console socket");
        return 0;
}

int console_setup(int sock, const struct oci_process *p, bool bind_console, struct berr **err)
{
        _cleanup_close_ int master = -1, slave = -1;
        int unlock = 0, ptn = 0;
        char name[64];

        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return berr_sys(err, "console: open /dev/ptmx in the container");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
                return berr_sys(err, "console: unlock pty");
        snprintf(name, sizeof(name), "/dev/pts/%d", ptn);
        /* TIOCGPTPEER (4.13) opens the peer of this very master, whatever /dev/pts holds. */
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return berr_sys(err, "console: open pty slave");
        if (p->has_console_size) {
                struct winsize ws = { .ws_row = (unsigned short) p->console_height,
                                      .ws_col = (unsigned short) p->console_width };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return berr_sys(err, "console: set size");
        }
        if (send_master(sock, master, name, err) < 0)
                return -errno;
        master = safe_close(master);
        if (bind_console) {
                int fd = open("/dev/console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && errno != EEXIST)
                        return berr_sys(err, "console: create /dev/console");
                safe_close(fd);
                if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
                        return berr_sys(err, "console: bind '%s' on /dev/console", name);
        }
        if (setsid() < 0)
                return berr_sys(err, "console: setsid");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return berr_sys(err, "console: make the pty the controlling terminal");
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return berr_sys(err, "console: dup pty to stdio");
        return 0;
}
