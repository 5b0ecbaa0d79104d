/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Memory, strings, string vectors and checked number parsing. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The x*alloc helpers abort() on out-of-memory; they never return NULL. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);   /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
/* Returns a pointer just past prefix in s, or NULL. */
const char *startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* NULL-terminated string vectors; all owned unless said otherwise. */
size_t strv_length(char *const *v);
char **strv_free(char **v);
static inline void strv_freep(char ***p)
{
        if (*p)
                strv_free(*p);
}
char **strv_dup(char *const *v);
/* Appends a copy of s. *v may be NULL. */
void strv_push(char ***v, const char *s);
/* Appends s itself; *v takes ownership. */
void strv_push_take(char ***v, char *s);
bool strv_contains(char *const *v, const char *s);
/* Joins with sep; returns an owned string ("" for an empty vector). */
char *strv_join(char *const *v, const char *sep);
/* Splits on any of the characters in seps, dropping empty fields. */
char **strv_split(const char *s, const char *seps);

/* Checked integer parsing: whole string, base 10 (or 0x/0 prefixes with base 0), range checked.
 * Return 0 or -EINVAL/-ERANGE; *ret untouched on failure. */
int parse_int64(const char *s, int base, int64_t *ret);
int parse_uint64(const char *s, int base, uint64_t *ret);
int parse_int(const char *s, int *ret);
int parse_uint32(const char *s, uint32_t *ret);
/* "64m", "1g", "512k", "100" (bytes); units are powers of 1024, case-insensitive, optional trailing 'b'. */
int parse_size(const char *s, uint64_t *ret);
/* Signal by name ("KILL", "SIGKILL", "sigterm") or number; returns 0 and sets *ret. */
int parse_signal(const char *s, int *ret);
/* "SIGKILL" for 9; NULL if unknown. Borrowed static string. */
const char *signal_name(int sig);

struct timespec;
/* ts as RFC 3339 in UTC with nanoseconds ("2026-11-29T10:45:00.123456789Z"); returns the length, 0
 * when buf (32 bytes are enough for any year up to 9999) is too small. Computed by hand: gmtime_r and
 * strftime load the local time zone on their first call (a file read, and heap kept), which UTC
 * never needs. */
size_t utc_format_rfc3339(const struct timespec *ts, char *buf, size_t len);
/* The same for now (CLOCK_REALTIME); returns buf. */
char *utc_now_rfc3339(char *buf, size_t len);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian; month 1-12). */
int64_t utc_days_from_civil(int y, unsigned m, unsigned d);
