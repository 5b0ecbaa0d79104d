/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Aligned columns and the human-readable units of the docker CLI (sizes,
 * durations, short IDs), shared by every listing command.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/table.h"
#include "lib/cleanup.h"
#include "lib/util.h"

#define TABLE_MIN_WIDTH 10
#define TABLE_PADDING   3

struct table {
        char **lines;
};

struct table *table_new(void)
{
        return xzalloc(sizeof(struct table));
}

void table_add_line(struct table *t, const char *line)
{
        strv_push(&t->lines, line);
}

/* Display width of UTF-8 text: counts code points, not bytes. */
static size_t text_width(const char *s, size_t n)
{
        size_t w = 0;

        for (size_t i = 0; i < n; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80)
                        w++;
        return w;
}

void table_flush(struct table *t, FILE *out)
{
        size_t ncols = 0, *width;

        for (size_t i = 0; t->lines && t->lines[i]; i++) {
                size_t tabs = 0;
                for (const char *p = t->lines[i]; *p; p++)
                        tabs += *p == '\t';
                if (tabs > ncols)
                        ncols = tabs;
        }
        width = xcalloc(ncols + 1, sizeof(size_t));
        for (size_t i = 0; t->lines && t->lines[i]; i++) {
                const char *p = t->lines[i];
                for (size_t c = 0; c < ncols; c++) {
                        const char *tab = strchr(p, '\t');
                        size_t w;
                        if (!tab)
                                break;
                        w = text_width(p, (size_t)(tab - p)) + TABLE_PADDING;
                        if (w < TABLE_MIN_WIDTH)
                                w = TABLE_MIN_WIDTH;
                        if (w > width[c])
                                width[c] = w;
                        p = tab + 1;
                }
        }
        for (size_t i = 0; t->lines && t->lines[i]; i++) {
                const char *p = t->lines[i];
                for (size_t c = 0;; c++) {
                        const char *tab = strchr(p, '\t');
                        if (!tab) {
                                fputs(p, out);
                                break;
                        }
                        fwrite(p, 1, (size_t)(tab - p), out);
                        for (size_t k = text_width(p, (size_t)(tab - p)); k < width[c]; k++)
                                fputc(' ', out);
                        p = tab + 1;
                }
                fputc('\n', out);
        }
        free(width);
        t->lines = strv_free(t->lines);
}

struct table *table_free(struct table *t)
{
        if (!t)
                return NULL;
        strv_free(t->lines);
        free(t);
        return NULL;
}

const char *format_size(double size, char *buf, size_t len)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
        size_t i = 0;

        while (size >= 1000.0 && i + 1 < ELEMENTSOF(units)) {
                size /= 1000.0;
                i++;
        }
        snprintf(buf, len, "%.3g%s", size, units[i]);
        return buf;
}

const char *format_duration(long long secs, char *buf, size_t len)
{
        long long minutes = secs / 60, hours = (secs + 1800) / 3600;

        if (secs < 1)
                snprintf(buf, len, "Less than a second");
        else if (secs == 1)
                snprintf(buf, len, "1 second");
        else if (secs < 60)
                snprintf(buf, len, "%lld seconds", secs);
        else if (minutes == 1)
                snprintf(buf, len, "About a minute");
        else if (minutes < 60)
                snprintf(buf, len, "%lld minutes", minutes);
        else if (hours == 1)
                snprintf(buf, len, "About an hour");
        else if (hours < 48)
                snprintf(buf, len, "%lld hours", hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, len, "%lld days", hours / 24);
        else if (hours < 24 * 30 * 2)
                snprintf(buf, len, "%lld weeks", hours / 24 / 7);
        else if (hours < 24 * 365 * 2)
                snprintf(buf, len, "%lld months", hours / 24 / 30);
        else
                snprintf(buf, len, "%lld years", secs / 3600 / 24 / 365);
        return buf;
}

const char *format_since(long long when, char *buf, size_t len)
{
        char d[64];

        if (when <= 0) {
                snprintf(buf, len, "N/A");
                return buf;
        }
        snprintf(buf, len, "%s ago", format_duration((long long)time(NULL) - when, d, sizeof(d)));
        return buf;
}

const char *format_time_utc(long long when, char *buf, size_t len)
{
        time_t t = (time_t)when;
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(buf, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        return buf;
}

const char *format_short_id(const char *id, char *buf)
{
        const char *hex = startswith(id, "sha256:");

        const char *src = hex ? hex : id;
        size_t i = 0;

        for (; i < 12 && src[i]; i++)
                buf[i] = src[i];
        buf[i] = 0;
        return buf;
}
