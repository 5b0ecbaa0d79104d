/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Framed messages between the runtime and the processes it clones, over a
 * SOCK_STREAM socketpair: a header {type, length} then the payload, and an
 * optional fd passed with SCM_RIGHTS on the header. The protocols that use
 * it (create, exec) describe their steps where they run them; this file
 * only moves bytes and errors. A child's error crosses as SYNC_ERROR with
 * its errno code and message, so the user sees the cause, not "exit 127".
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/container-internal.h"

struct sync_hdr {
        uint32_t type;
        uint32_t len;
};

int sync_send(int sock, enum sync_type type, const void *payload, size_t len, int fd, struct berr **err)
{
        struct sync_hdr h = { .type = (uint32_t) type, .len = (uint32_t) len };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        /* Header and payload in one sendmsg: two processes (an intermediate and the child it cloned)
         * may write to the same socket, and a message must not be split by the other's. */
        struct iovec iov[2] = { { .iov_base = &h, .iov_len = sizeof(h) },
                                { .iov_base = (void *) payload, .iov_len = len } };
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
        ssize_t n;

        if (len > SYNC_MAX_PAYLOAD)
                return berr_set(err, E2BIG, "sync message of %zu bytes too large", len);
        if (fd >= 0) {
                struct cmsghdr *c;

                memset(&u, 0, sizeof(u));
                msg.msg_control = u.buf;
                msg.msg_controllen = sizeof(u.buf);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < (ssize_t) sizeof(h))
                return berr_sys(err, "send sync message %u", (unsigned) type);
        if ((size_t) n < sizeof(h) + len &&
            write_all(sock, (const char *) payload + (n - (ssize_t) sizeof(h)), len - (size_t) (n - (ssize_t) sizeof(h))) < 0)
                return berr_sys(err, "send sync message %u", (unsigned) type);
        return 0;
}

int sync_recv(int sock, enum sync_type *ret_type, char **ret_payload, size_t *ret_len, int *ret_fd,
              struct berr **err)
{
        struct sync_hdr h;
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                              .msg_controllen = sizeof(u.buf) };
        _cleanup_free_ char *payload = NULL;
        int fd = -1;
        ssize_t n;

        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return berr_sys(err, "receive sync message");
        if (n == 0)
                return berr_set(err, EPIPE, "the other side closed the sync socket");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (n != (ssize_t) sizeof(h) || h.len > SYNC_MAX_PAYLOAD) {
                safe_close(fd);
                return berr_set(err, EPROTO, "bad sync message");
        }
        payload = xmalloc(h.len + 1);
        if (h.len > 0 && read_full(sock, payload, h.len) != (ssize_t) h.len) {
                safe_close(fd);
                return berr_set(err, EPROTO, "short sync message");
        }
        payload[h.len] = 0;
        *ret_type = (enum sync_type) h.type;
        if (ret_len)
                *ret_len = h.len;
        if (ret_payload)
                *ret_payload = TAKE_PTR(payload);
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 0;
}

int sync_error_from_payload(const char *payload, size_t len, struct berr **err)
{
        int32_t code;

        if (len < sizeof(code))
                return berr_set(err, EIO, "child failed without a message");
        memcpy(&code, payload, sizeof(code));
        if (code <= 0)
                code = EIO;
        return berr_set(err, code, "%.*s", (int) (len - sizeof(code)), payload + sizeof(code));
}

int sync_expect(int sock, enum sync_type want, char **ret_payload, size_t *ret_len, struct berr **err)
{
        _cleanup_free_ char *payload = NULL;
        enum sync_type type;
        size_t len;
        int r;

        r = sync_recv(sock, &type, &payload, &len, NULL, err);
        if (r < 0)
                return r;
        if (type == SYNC_ERROR)
                return sync_error_from_payload(payload, len, err);
        if (type != want)
                return berr_set(err, EPROTO, "unexpected sync message %u (wanted %u)", (unsigned) type,
                                (unsigned) want);
        if (ret_len)
                *ret_len = len;
        if (ret_payload)
                *ret_payload = TAKE_PTR(payload);
        return 0;
}

int sync_expect_exec(int sock, struct berr **err)
{
        _cleanup_free_ char *payload = NULL;
        enum sync_type type;
        size_t len;
        struct berr *e = NULL;
        int r;

        r = sync_recv(sock, &type, &payload, &len, NULL, &e);
        if (r == -EPIPE) {
                berr_free(e);
                return 0;
        }
        if (r < 0) {
                if (err)
                        *err = e;
                else
                        berr_free(e);
                return r;
        }
        if (type == SYNC_ERROR)
                return sync_error_from_payload(payload, len, err);
        return berr_set(err, EPROTO, "unexpected sync message %u", (unsigned) type);
}

void sync_fail(int sock, struct berr *err)
{
        const char *msg = berr_msg(err);
        int32_t code = berr_code(err);
        size_t n = strlen(msg);
        char *buf = malloc(sizeof(code) + n);

        if (buf) {
                memcpy(buf, &code, sizeof(code));
                memcpy(buf + sizeof(code), msg, n);
                (void) sync_send(sock, SYNC_ERROR, buf, sizeof(code) + n, -1, NULL); /* nothing more to do */
        }
        _exit(127);
}
