/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The log sink: stderr or a file, plain text or JSON lines. Messages are
 * written with a single write(2) so lines from concurrent processes do not
 * interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

static enum log_level current_level = LOG_LEVEL_INFO;
static const char *program = "berth";
static int log_fd = STDERR_FILENO;
static bool log_json;

void log_set_level(enum log_level level)
{
        current_level = level;
}

enum log_level log_get_level(void)
{
        return current_level;
}

void log_set_program(const char *name)
{
        program = name;
}

int log_open_file(const char *path, bool json)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        log_close();
        log_fd = fd;
        log_json = json;
        return 0;
}

void log_set_json(bool json)
{
        log_json = json;
}

void log_close(void)
{
        if (log_fd > STDERR_FILENO)
                (void) close(log_fd); /* best effort at exit */
        log_fd = STDERR_FILENO;
}

int log_get_fd(void)
{
        return log_fd;
}

static const char *const level_names[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_DEBUG] = "debug",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_WARN] = "warning",
        [LOG_LEVEL_ERROR] = "error",
};

/* Escapes msg as a JSON string body into out (at most outlen bytes incl. NUL). */
static void json_escape(const char *msg, char *out, size_t outlen)
{
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *) msg; *p && o + 7 < outlen; p++) {
                if (*p == '"' || *p == '\\') {
                        out[o++] = '\\';
                        out[o++] = (char) *p;
                } else if (*p == '\n') {
                        out[o++] = '\\';
                        out[o++] = 'n';
                } else if (*p < 0x20) {
                        o += (size_t) snprintf(out + o, outlen - o, "\\u%04x", *p);
                } else {
                        out[o++] = (char) *p;
                }
        }
        out[o] = 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        char msg[4096], line[8192 + 128];
        int saved = errno, n;
        va_list ap;

        if (level < current_level || level < 0 || level >= _LOG_LEVEL_MAX)
                return;
        va_start(ap, fmt);
        (void) vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (log_json) {
                char esc[8192], ts[64];
                struct timespec now;
                struct tm tm;

                clock_gettime(CLOCK_REALTIME, &now);
                gmtime_r(&now.tv_sec, &tm);
                strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
                json_escape(msg, esc, sizeof(esc));
                n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
                             level_names[level], esc, ts, now.tv_nsec);
        } else if (level == LOG_LEVEL_ERROR) {
                n = snprintf(line, sizeof(line), "%s: %s\n", program, msg);
        } else {
                n = snprintf(line, sizeof(line), "%s: %s: %s\n", program, level_names[level], msg);
        }
        if (n > 0) {
                size_t len = (size_t) n < sizeof(line) ? (size_t) n : sizeof(line) - 1;
                ssize_t w = write(log_fd, line, len);
                (void) w; /* nowhere left to report a failing log write */
        }
        errno = saved;
}
