/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers every module uses: allocation that aborts on OOM, string
 * vectors and integer parsing that refuses anything but a whole, in-range number.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "lib/util.h"

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                abort();
        return p;
}

void *xzalloc(size_t n)
{
        void *p = calloc(1, n ? n : 1);
        if (!p)
                abort();
        return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
        void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
        if (!p)
                abort();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                abort();
        return p;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
        p = reallocarray(p, nmemb ? nmemb : 1, size ? size : 1);
        if (!p)
                abort();
        return p;
}

char *xstrdup(const char *s)
{
        char *r;
        if (!s)
                return NULL;
        r = strdup(s);
        if (!r)
                abort();
        return r;
}

char *xstrndup(const char *s, size_t n)
{
        char *r;
        if (!s)
                return NULL;
        r = strndup(s, n);
        if (!r)
                abort();
        return r;
}

char *xasprintf(const char *fmt, ...)
{
        char *r = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&r, fmt, ap) < 0)
                abort();
        va_end(ap);
        return r;
}

const char *startswith(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

bool endswith(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

size_t strv_length(char *const *v)
{
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

char **strv_free(char **v)
{
        if (v) {
                for (char **p = v; *p; p++)
                        free(*p);
                free(v);
        }
        return NULL;
}

char **strv_dup(char *const *v)
{
        size_t n = strv_length(v);
        char **r = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                r[i] = xstrdup(v[i]);
        return r;
}

void strv_push_take(char ***v, char *s)
{
        size_t n = strv_length(*v);
        *v = xreallocarray(*v, n + 2, sizeof(char *));
        (*v)[n] = s;
        (*v)[n + 1] = NULL;
}

void strv_push(char ***v, const char *s)
{
        strv_push_take(v, xstrdup(s));
}

bool strv_contains(char *const *v, const char *s)
{
        if (v)
                for (; *v; v++)
                        if (streq(*v, s))
                                return true;
        return false;
}

char *strv_join(char *const *v, const char *sep)
{
        size_t len = 1, seplen = strlen(sep), n = strv_length(v);
        char *r, *p;

        for (size_t i = 0; i < n; i++)
                len += strlen(v[i]) + seplen;
        p = r = xmalloc(len);
        *p = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        p = stpcpy(p, sep);
                p = stpcpy(p, v[i]);
        }
        return r;
}

char **strv_split(const char *s, const char *seps)
{
        char **r = xcalloc(1, sizeof(char *));
        while (s && *s) {
                size_t n = strcspn(s, seps);
                if (n > 0)
                        strv_push_take(&r, xstrndup(s, n));
                s += n;
                if (*s)
                        s++;
        }
        return r;
}

int parse_int64(const char *s, int base, int64_t *ret)
{
        char *end = NULL;
        long long v;

        if (!s || !*s || isspace((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || !end || *end != 0 || end == s)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_uint64(const char *s, int base, uint64_t *ret)
{
        char *end = NULL;
        unsigned long long v;

        if (!s || !*s || isspace((unsigned char) *s) || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || !end || *end != 0 || end == s)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_int(const char *s, int *ret)
{
        int64_t v;
        int r = parse_int64(s, 10, &v);
        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_uint32(const char *s, uint32_t *ret)
{
        uint64_t v;
        int r = parse_uint64(s, 10, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
        static const struct {
                char c;
                unsigned shift;
        } units[] = { { 'k', 10 }, { 'm', 20 }, { 'g', 30 }, { 't', 40 }, { 'p', 50 } };
        char buf[64];
        size_t n;
        unsigned shift = 0;
        uint64_t v;
        int r;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n + 1);
        if (n > 1 && tolower((unsigned char) buf[n - 1]) == 'b')
                buf[--n] = 0;
        if (n > 1) {
                char c = (char) tolower((unsigned char) buf[n - 1]);
                for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                        if (units[i].c == c) {
                                shift = units[i].shift;
                                buf[--n] = 0;
                                break;
                        }
        }
        r = parse_uint64(buf, 10, &v);
        if (r < 0)
                return r;
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = v << shift;
        return 0;
}

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },         { "INT", SIGINT },       { "QUIT", SIGQUIT },     { "ILL", SIGILL },
        { "TRAP", SIGTRAP },       { "ABRT", SIGABRT },     { "IOT", SIGIOT },       { "BUS", SIGBUS },
        { "FPE", SIGFPE },         { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },       { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT },   { "CHLD", SIGCHLD },     { "CONT", SIGCONT },     { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP },       { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },     { "URG", SIGURG },
        { "XCPU", SIGXCPU },       { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH },     { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

int parse_signal(const char *s, int *ret)
{
        const char *name;
        int v;

        if (!s || !*s)
                return -EINVAL;
        if (parse_int(s, &v) == 0) {
                if (v <= 0 || v > SIGRTMAX)
                        return -EINVAL;
                *ret = v;
                return 0;
        }
        name = s;
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
                if (strcasecmp(name, signals[i].name) == 0) {
                        *ret = signals[i].sig;
                        return 0;
                }
        if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
                bool is_min = strncasecmp(name, "RTMIN", 5) == 0;
                int off = 0;
                if (name[5]) {
                        if ((name[5] != '+' && name[5] != '-') || parse_int(name + 6, &off) < 0 || off < 0)
                                return -EINVAL;
                        if (name[5] == '-')
                                off = -off;
                }
                v = (is_min ? SIGRTMIN : SIGRTMAX) + off;
                if (v < SIGRTMIN || v > SIGRTMAX)
                        return -EINVAL;
                *ret = v;
                return 0;
        }
        return -EINVAL;
}

const char *signal_name(int sig)
{
        static const char *const full[] = {
                [SIGHUP] = "SIGHUP",     [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",   [SIGILL] = "SIGILL",
                [SIGTRAP] = "SIGTRAP",   [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",     [SIGFPE] = "SIGFPE",
                [SIGKILL] = "SIGKILL",   [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",   [SIGUSR2] = "SIGUSR2",
                [SIGPIPE] = "SIGPIPE",   [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",   [SIGSTKFLT] = "SIGSTKFLT",
                [SIGCHLD] = "SIGCHLD",   [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP",   [SIGTSTP] = "SIGTSTP",
                [SIGTTIN] = "SIGTTIN",   [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",     [SIGXCPU] = "SIGXCPU",
                [SIGXFSZ] = "SIGXFSZ",   [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",   [SIGWINCH] = "SIGWINCH",
                [SIGIO] = "SIGIO",       [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
        };
        if (sig <= 0 || (size_t) sig >= sizeof(full) / sizeof(full[0]))
                return NULL;
        return full[sig];
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), after H. Hinnant's algorithm. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned) (z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t yy = (int64_t) yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;

        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y = (int) (yy + (*m <= 2));
}

int64_t utc_days_from_civil(int y, unsigned m, unsigned d)
{
        int64_t yy = (int64_t) y - (m <= 2);
        int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
        unsigned yoe = (unsigned) (yy - era * 400);
        unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * 146097 + (int64_t) doe - 719468;
}

size_t utc_format_rfc3339(const struct timespec *ts, char *buf, size_t len)
{
        int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400;
        unsigned m, d;
        int y, n;

        if (rem < 0) {
                rem += 86400;
                days--;
        }
        civil_from_days(days, &y, &m, &d);
        n = snprintf(buf, len, "%04d-%02u-%02uT%02u:%02u:%02u.%09luZ", y, m, d, (unsigned) (rem / 3600),
                     (unsigned) (rem / 60 % 60), (unsigned) (rem % 60), (unsigned long) ts->tv_nsec);
        return n < 0 || (size_t) n >= len ? 0 : (size_t) n;
}

char *utc_now_rfc3339(char *buf, size_t len)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        if (utc_format_rfc3339(&ts, buf, len) == 0 && len > 0)
                buf[0] = 0;
        return buf;
}
