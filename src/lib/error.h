/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * One error type for the whole tree. A function that can fail returns int:
 * >= 0 on success, -code on failure, and fills *err (when err is not NULL)
 * with a message of the form "outer context: ...: root cause".
 */

#include <stdarg.h>

struct berr {
        int code;  /* errno value, always > 0 */
        char *msg; /* owned */
};

/* Creates the error; returns -code. code <= 0 is turned into EINVAL. */
int berr_set(struct berr **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like berr_set with code = errno, appending ": strerror(errno)". */
int berr_sys(struct berr **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like berr_set with an explicit errno value (positive or negative), appending strerror. */
int berr_errno(struct berr **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes "context: " to an existing error; returns its -code. With err == NULL: the -code of the newest
 * error created in this thread (the one being passed up), -EIO if there was none. With *err == NULL (a
 * callee returned a bare code): sets "unknown error", -EIO. */
int berr_wrap(struct berr **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Code of the error, or EIO when err is NULL. */
int berr_code(const struct berr *err);
/* Message, or "unknown error". Borrowed. */
const char *berr_msg(const struct berr *err);
/* Accepts NULL. Returns NULL. */
struct berr *berr_free(struct berr *err);
static inline void berr_freep(struct berr **p)
{
        if (*p)
                berr_free(*p);
}
