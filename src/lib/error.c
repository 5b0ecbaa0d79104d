/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error type: created once where a failure happens, wrapped with context
 * on the way up, and reported by the program at the top. Nothing here prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"

/*
 * The code of the newest error created in this thread, also when the caller
 * passed err == NULL: berr_wrap(NULL, ...) one or more layers up returns it,
 * so a caller that only wants the code gets the real one (as with errno).
 */
static _Thread_local int last_code;

static int berr_vset(struct berr **err, int code, const char *suffix, const char *fmt, va_list ap)
{
        char *msg = NULL;

        if (code <= 0)
                code = EINVAL;
        last_code = code;
        if (!err)
                return -code;
        if (vasprintf(&msg, fmt, ap) < 0)
                abort();
        if (suffix) {
                char *full = xasprintf("%s: %s", msg, suffix);
                free(msg);
                msg = full;
        }
        if (*err) {
                /* A second error replaces the first: the newest cause wins. */
                free((*err)->msg);
        } else {
                *err = xzalloc(sizeof(**err));
        }
        (*err)->code = code;
        (*err)->msg = msg;
        return -code;
}

int berr_set(struct berr **err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = berr_vset(err, code, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int berr_sys(struct berr **err, const char *fmt, ...)
{
        int code = errno > 0 ? errno : EIO;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = berr_vset(err, code, err ? strerror(code) : NULL, fmt, ap); /* no message asked: no strerror */
        va_end(ap);
        errno = code;
        return r;
}

int berr_errno(struct berr **err, int errnum, const char *fmt, ...)
{
        int code = errnum < 0 ? -errnum : errnum;
        va_list ap;
        int r;

        if (code == 0)
                code = EIO;
        va_start(ap, fmt);
        r = berr_vset(err, code, err ? strerror(code) : NULL, fmt, ap);
        va_end(ap);
        return r;
}

int berr_wrap(struct berr **err, const char *fmt, ...)
{
        char *ctx = NULL, *full;
        va_list ap;

        if (!err)
                return -(last_code > 0 ? last_code : EIO);
        if (!*err)
                return berr_set(err, EIO, "%s", "unknown error");
        va_start(ap, fmt);
        if (vasprintf(&ctx, fmt, ap) < 0)
                abort();
        va_end(ap);
        full = xasprintf("%s: %s", ctx, (*err)->msg ? (*err)->msg : "unknown error");
        free(ctx);
        free((*err)->msg);
        (*err)->msg = full;
        return -(*err)->code;
}

int berr_code(const struct berr *err)
{
        return err && err->code > 0 ? err->code : EIO;
}

const char *berr_msg(const struct berr *err)
{
        return err && err->msg ? err->msg : "unknown error";
}

struct berr *berr_free(struct berr *err)
{
        if (!err)
                return NULL;
        free(err->msg);
        free(err);
        return NULL;
}
