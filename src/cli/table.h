/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Column output as the docker CLI prints it: cells separated by '\t' are
 * aligned like Go's text/tabwriter with docker's settings (minimum width 10,
 * padding 3, spaces); the text after a line's last tab is not padded.
 */

#include <stdio.h>

struct table;

struct table *table_new(void);
/* Adds a line; tabs separate cells. */
void table_add_line(struct table *t, const char *line);
/* Writes every line aligned, then forgets them. */
void table_flush(struct table *t, FILE *out);
struct table *table_free(struct table *t);
static inline void table_freep(struct table **p)
{
        if (*p)
                table_free(*p);
}

/* docker's units.HumanSizeWithPrecision(size, 3): "4.26MB", "512B", decimal units. Into buf. */
const char *format_size(double size, char *buf, size_t len);
/* docker's units.HumanDuration: "2 hours", "About a minute", "3 weeks". Into buf. */
const char *format_duration(long long secs, char *buf, size_t len);
/* "2 hours ago" from a time in seconds since the epoch ("N/A" for 0). Into buf. */
const char *format_since(long long when, char *buf, size_t len);
/* docker's "2024-01-02 03:04:05 +0000 UTC". Into buf. */
const char *format_time_utc(long long when, char *buf, size_t len);
/* 12 hex digits of an ID, without "sha256:". Into buf (>= 13 bytes). */
const char *format_short_id(const char *id, char *buf);
