/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * docker's json-file log driver: one JSON object a line,
 *   {"log":"hello\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}
 * in <id>-json.log, rotated to .1, .2, ... when max-size is reached (max-file
 * files in all). The writer (in the monitor) allocates nothing: its buffers
 * are inside struct jsonlog_writer. The reader is for `berth logs`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct berr;

#define JSONLOG_LINE_MAX (16 * 1024) /* longer lines are split, as docker does */
#define JSONLOG_MAX_FILES 100
#define JSONLOG_ENTRY_MAX (JSONLOG_LINE_MAX * 6 + 128)

enum jsonlog_stream { JSONLOG_STDOUT, JSONLOG_STDERR, _JSONLOG_STREAM_MAX };

struct jsonlog_writer {
        int fd;
        const char *path; /* borrowed */
        uint64_t size;
        uint64_t max_size; /* 0: no rotation */
        unsigned max_file;
        size_t plen[_JSONLOG_STREAM_MAX];
        char partial[_JSONLOG_STREAM_MAX][JSONLOG_LINE_MAX];
};

/* Formats ts as RFC 3339 with nanoseconds, UTC ("...Z"); buf >= 32 bytes. No allocation, no tz. */
size_t jsonlog_format_time(const struct timespec *ts, char *buf, size_t len);
/* Encodes one entry with a trailing newline into out; returns its length (0 if out is too small). */
size_t jsonlog_encode(const char *msg, size_t n, enum jsonlog_stream stream, const struct timespec *ts, char *out,
                      size_t out_len);

/* Opens (appending) the log; fd -1 and path NULL makes a writer that discards. */
int jsonlog_open(struct jsonlog_writer *w, const char *path, uint64_t max_size, unsigned max_file, struct berr **err);
/* Logs data read from a stream: complete lines go out at once, a partial line waits for more (or
 * for flush). */
void jsonlog_write(struct jsonlog_writer *w, enum jsonlog_stream stream, const char *data, size_t n);
/* Writes out the partial lines (at EOF). */
void jsonlog_flush(struct jsonlog_writer *w);
void jsonlog_close(struct jsonlog_writer *w);

/* One entry read back. */
struct jsonlog_entry {
        char *log; /* owned */
        size_t len;
        enum jsonlog_stream stream;
        int64_t time_ns; /* since the epoch */
        char time[40];   /* as written */
};

/* Parses one line. EINVAL for a line that is not an entry. */
int jsonlog_parse_line(const char *line, size_t n, struct jsonlog_entry *ret, struct berr **err);
void jsonlog_entry_done(struct jsonlog_entry *e);
/* Nanoseconds since the epoch of an RFC 3339 time with optional fraction; -EINVAL, or -ERANGE outside
 * the years 1677 to 2262 that int64 nanoseconds hold. */
int jsonlog_parse_time(const char *s, int64_t *ret);
