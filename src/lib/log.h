/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Logging. Library code logs only at debug level; programs report errors once,
 * at the top. Output goes to stderr unless a program opens a log file
 * (berth-runtime --log), in text or in runc's JSON lines format.
 */

#include <stdbool.h>

enum log_level {
        LOG_LEVEL_DEBUG,
        LOG_LEVEL_INFO,
        LOG_LEVEL_WARN,
        LOG_LEVEL_ERROR,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -22,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Program name printed before text messages on stderr ("berth: ..."). Borrowed. */
void log_set_program(const char *name);
/* Sends messages to path (appended); json selects runc's {"level","msg","time"} lines.
 * Returns 0 or -errno. The fd is close-on-exec. */
int log_open_file(const char *path, bool json);
/* Selects JSON lines on stderr too (runc --log-format json without --log). */
void log_set_json(bool json);
void log_close(void);
/* The fd messages go to (2 unless a file was opened). */
int log_get_fd(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)                                                                                                 \
        do {                                                                                                           \
                if (log_get_level() <= LOG_LEVEL_DEBUG)                                                                \
                        log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                                         \
        } while (0)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
