/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A console-socket receiver for the runtime tests (not installed): listens
 * on a unix socket, accepts one connection, takes the pty master the runtime
 * sends with SCM_RIGHTS, optionally writes --input to it, and copies what the
 * container writes to stdout until the pty hangs up.
 *
 *   recvtty [--input TEXT] SOCKET-PATH
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int recv_fd(int conn)
{
        char name[256];
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c;
        int fd = -1;

        if (recvmsg(conn, &msg, 0) < 0)
                return -1;
        for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

int main(int argc, char **argv)
{
        const char *input = NULL, *path;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int lfd, conn, master;
        char buf[4096];

        if (argc == 4 && strcmp(argv[1], "--input") == 0) {
                input = argv[2];
                path = argv[3];
        } else if (argc == 2) {
                path = argv[1];
        } else {
                fprintf(stderr, "usage: recvtty [--input TEXT] SOCKET-PATH\n");
                return 2;
        }
        if (strlen(path) >= sizeof(sa.sun_path))
                return 2;
        strcpy(sa.sun_path, path);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
                perror("recvtty: listen");
                return 1;
        }
        conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
                perror("recvtty: accept");
                return 1;
        }
        master = recv_fd(conn);
        if (master < 0) {
                fprintf(stderr, "recvtty: no fd received\n");
                return 1;
        }
        close(conn);
        close(lfd);
        unlink(path);
        if (input && write(master, input, strlen(input)) < 0)
                perror("recvtty: write input");
        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break; /* EIO once every slave fd is closed */
                if (write(1, buf, (size_t) n) < 0)
                        break;
        }
        return 0;
}
