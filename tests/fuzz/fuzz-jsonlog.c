/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the json-file log read back by `berth logs` (engine/logs.c):
 * a log file on disk can be damaged, so each line is hostile. The same bytes
 * go through the RFC 3339 time parser (also used for --since/--until) and, as
 * a message, through the writer's encoder, whose output must read back.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/logs.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const char *msg, size_t n)
{
        static char out[JSONLOG_ENTRY_MAX];
        struct timespec ts = { .tv_sec = 1700000000 + (time_t) (n * 7919), .tv_nsec = (long) (n * 104729 % 1000000000) };
        enum jsonlog_stream stream = n % 2 ? JSONLOG_STDERR : JSONLOG_STDOUT;
        struct jsonlog_entry e;
        bool ascii = true;
        size_t len;

        if (n > JSONLOG_LINE_MAX)
                return;
        len = jsonlog_encode(msg, n, stream, &ts, out, sizeof(out));
        if (len == 0 || out[len - 1] != '\n')
                abort(); /* JSONLOG_ENTRY_MAX is the worst case of a line */
        if (jsonlog_parse_line(out, len - 1, &e, NULL) < 0)
                abort();
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) msg[i] >= 0x80)
                        ascii = false;
        if (e.stream != stream || e.time_ns != (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec ||
            (ascii && (e.len != n || memcmp(e.log, msg, n) != 0)))
                abort();
        jsonlog_entry_done(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = NULL;
        struct jsonlog_entry e;
        struct berr *err = NULL;
        int64_t t;

        if (size > 1 << 20)
                return 0;
        if (jsonlog_parse_line((const char *) data, size, &e, &err) == 0)
                jsonlog_entry_done(&e);
        berr_free(err);
        s = xstrndup((const char *) data, size);
        (void) jsonlog_parse_time(s, &t);
        roundtrip((const char *) data, size);
        return 0;
}
