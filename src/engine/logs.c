/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The json-file log: encoding entries as docker's driver writes them (Go's
 * JSON escaping: <, > and & as \u003c..., invalid UTF-8 as U+FFFD), the
 * allocation-free writer with size-based rotation that the monitor uses, and
 * the parser `berth logs` reads entries back with.
 */

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/logs.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

size_t jsonlog_format_time(const struct timespec *ts, char *buf, size_t len)
{
        return utc_format_rfc3339(ts, buf, len);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *ret_cp)
{
        uint32_t cp;
        size_t len;

        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0)
                len = 2, cp = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                len = 3, cp = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                len = 4, cp = s[0] & 0x07;
        else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        *ret_cp = cp;
        return len;
}

#define PUT(str)                                                                                                       \
        do {                                                                                                           \
                size_t _l = strlen(str);                                                                               \
                if (o + _l > out_len)                                                                                  \
                        return 0;                                                                                      \
                memcpy(out + o, str, _l);                                                                              \
                o += _l;                                                                                               \
        } while (0)

size_t jsonlog_encode(const char *msg, size_t n, enum jsonlog_stream stream, const struct timespec *ts, char *out,
                      size_t out_len)
{
        const unsigned char *s = (const unsigned char *) msg;
        char tbuf[40], esc[8];
        size_t o = 0;

        PUT("{\"log\":\"");
        for (size_t i = 0; i < n;) {
                uint32_t cp = 0;
                size_t l = utf8_len(s + i, n - i, &cp);

                if (l == 0) {
                        PUT("\\ufffd");
                        i++;
                        continue;
                }
                if (l > 1) {
                        if (cp == 0x2028 || cp == 0x2029) {
                                snprintf(esc, sizeof(esc), "\\u%04x", (unsigned) cp);
                                PUT(esc);
                        } else {
                                if (o + l > out_len)
                                        return 0;
                                memcpy(out + o, s + i, l);
                                o += l;
                        }
                        i += l;
                        continue;
                }
                switch (s[i]) {
                case '"': PUT("\\\""); break;
                case '\\': PUT("\\\\"); break;
                case '\n': PUT("\\n"); break;
                case '\r': PUT("\\r"); break;
                case '\t': PUT("\\t"); break;
                case '<': case '>': case '&':
                        snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
                        PUT(esc);
                        break;
                default:
                        if (s[i] < 0x20) {
                                snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
                                PUT(esc);
                        } else {
                                if (o + 1 > out_len)
                                        return 0;
                                out[o++] = (char) s[i];
                        }
                }
                i++;
        }
        PUT(stream == JSONLOG_STDERR ? "\",\"stream\":\"stderr\",\"time\":\"" : "\",\"stream\":\"stdout\",\"time\":\"");
        if (jsonlog_format_time(ts, tbuf, sizeof(tbuf)) == 0)
                return 0;
        PUT(tbuf);
        PUT("\"}\n");
        return o;
}

int jsonlog_open(struct jsonlog_writer *w, const char *path, uint64_t max_size, unsigned max_file, struct berr **err)
{
        struct stat sb;

        w->fd = -1;
        w->path = path;
        w->size = 0;
        w->max_size = max_size;
        w->max_file = max_file < 1 ? 1 : max_file;
        w->plen[0] = w->plen[1] = 0;
        if (!path)
                return 0;
        w->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (w->fd < 0)
                return berr_sys(err, "open log '%s'", path);
        if (fstat(w->fd, &sb) == 0)
                w->size = (uint64_t) sb.st_size;
        return 0;
}

static void rotate(struct jsonlog_writer *w)
{
        char from[4096], to[4096];

        w->fd = safe_close(w->fd);
        if (w->max_file <= 1) {
                (void) truncate(w->path, 0); /* a failed truncate keeps appending: better than losing output */
        } else {
                for (unsigned i = w->max_file - 1; i > 0; i--) {
                        if (i == 1)
                                snprintf(from, sizeof(from), "%s", w->path);
                        else
                                snprintf(from, sizeof(from), "%s.%u", w->path, i - 1);
                        snprintf(to, sizeof(to), "%s.%u", w->path, i);
                        (void) rename(from, to); /* a missing older file is normal */
                }
        }
        w->fd = open(w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        w->size = 0;
}

static void emit(struct jsonlog_writer *w, enum jsonlog_stream stream, const char *data, size_t n)
{
        static char buf[JSONLOG_ENTRY_MAX];
        struct timespec ts;
        size_t len;

        if (w->fd < 0 && !w->path)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        len = jsonlog_encode(data, n, stream, &ts, buf, sizeof(buf));
        if (len == 0)
                return;
        if (w->max_size > 0 && w->size > 0 && w->size + len > w->max_size)
                rotate(w);
        if (w->fd < 0)
                return;
        if (write_all(w->fd, buf, len) == 0)
                w->size += len;
}

void jsonlog_write(struct jsonlog_writer *w, enum jsonlog_stream stream, const char *data, size_t n)
{
        char *p = w->partial[stream];
        size_t *pl = &w->plen[stream];

        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t take = nl ? (size_t) (nl - data) + 1 : n;

                if (*pl + take > JSONLOG_LINE_MAX) {
                        size_t room = JSONLOG_LINE_MAX - *pl;
                        memcpy(p + *pl, data, room);
                        emit(w, stream, p, JSONLOG_LINE_MAX);
                        *pl = 0;
                        data += room;
                        n -= room;
                        continue;
                }
                if (nl && *pl == 0) {
                        emit(w, stream, data, take); /* the common case: a whole line, no copy */
                } else {
                        memcpy(p + *pl, data, take);
                        *pl += take;
                        if (nl) {
                                emit(w, stream, p, *pl);
                                *pl = 0;
                        }
                }
                data += take;
                n -= take;
        }
}

void jsonlog_flush(struct jsonlog_writer *w)
{
        for (int s = 0; s < _JSONLOG_STREAM_MAX; s++)
                if (w->plen[s] > 0) {
                        emit(w, (enum jsonlog_stream) s, w->partial[s], w->plen[s]);
                        w->plen[s] = 0;
                }
}

void jsonlog_close(struct jsonlog_writer *w)
{
        jsonlog_flush(w);
        w->fd = safe_close(w->fd);
}

static int parse_digits(const char *s, size_t n, int *ret)
{
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned) (y - era * 400);
        unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * 146097 + (int64_t) doe - 719468;
}

int jsonlog_parse_time(const char *s, int64_t *ret)
{
        int y, mo, d, h, mi, se, off = 0;
        int64_t ns = 0, mult = 100000000, secs;
        const char *p;

        if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
            s[13] != ':' || s[16] != ':')
                return -EINVAL;
        if (parse_digits(s, 4, &y) < 0 || parse_digits(s + 5, 2, &mo) < 0 || parse_digits(s + 8, 2, &d) < 0 ||
            parse_digits(s + 11, 2, &h) < 0 || parse_digits(s + 14, 2, &mi) < 0 || parse_digits(s + 17, 2, &se) < 0)
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
                return -EINVAL;
        p = s + 19;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++) {
                        ns += (*p - '0') * mult;
                        mult /= 10;
                }
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int oh, om;
                if (strlen(p) != 6 || p[3] != ':' || parse_digits(p + 1, 2, &oh) < 0 || parse_digits(p + 4, 2, &om) < 0)
                        return -EINVAL;
                off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
                p += 6;
        } else {
                return -EINVAL;
        }
        if (*p)
                return -EINVAL;
        secs = days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + se - off;
        /* nanoseconds since the epoch fit in int64 from 1677 to 2262 only */
        if (__builtin_mul_overflow(secs, 1000000000LL, &secs) || __builtin_add_overflow(secs, ns, &secs))
                return -ERANGE;
        *ret = secs;
        return 0;
}

int jsonlog_parse_line(const char *line, size_t n, struct jsonlog_entry *ret, struct berr **err)
{
        struct json_object *o = NULL, *v;
        const char *stream, *t;
        int r;

        r = json_parse_buf(line, n, &o, err);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "log", &v) || !json_object_is_type(v, json_type_string)) {
                json_object_put(o);
                return berr_set(err, EINVAL, "log entry without \"log\"");
        }
        *ret = (struct jsonlog_entry){ 0 };
        ret->len = (size_t) json_object_get_string_len(v);
        ret->log = xmalloc(ret->len + 1);
        memcpy(ret->log, json_object_get_string(v), ret->len);
        ret->log[ret->len] = 0;
        stream = json_object_object_get_ex(o, "stream", &v) ? json_object_get_string(v) : "stdout";
        ret->stream = stream && streq(stream, "stderr") ? JSONLOG_STDERR : JSONLOG_STDOUT;
        t = json_object_object_get_ex(o, "time", &v) ? json_object_get_string(v) : NULL;
        if (t) {
                snprintf(ret->time, sizeof(ret->time), "%s", t);
                (void) jsonlog_parse_time(t, &ret->time_ns); /* an entry with a bad time still shows */
        }
        json_object_put(o);
        return 0;
}

void jsonlog_entry_done(struct jsonlog_entry *e)
{
        free(e->log);
        e->log = NULL;
}
