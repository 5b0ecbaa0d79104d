/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: --format's Go-template subset and the table writer
 * (src/cli/format.c, table.c), and `inspect`'s indented JSON printer over a
 * hostile document. The CLI files are not in libberth: compiled in here, as
 * tests/unit/test-cli.c does.
 * Input: the template, a NUL, then field values separated by NULs.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/format.c"
#include "cli/table.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fmt_field fields[] = {
        { "ID", "CONTAINER ID" }, { "Image", "IMAGE" }, { "Names", "NAMES" }, { "Status", "STATUS" }, { NULL, NULL },
};
#define N_FIELDS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        _cleanup_json_ struct json_object *doc = NULL;
        const char *values[N_FIELDS] = { "3c2bcb2557a5", NULL, "", "Up 3 seconds" };
        struct berr *err = NULL;
        FILE *out;
        size_t at;

        if (size > 64 * 1024)
                return 0;
        text = xmalloc(size + 1);
        memcpy(text, data, size);
        text[size] = 0;
        at = strlen(text) + 1;
        for (size_t i = 0; i < N_FIELDS && at <= size; i++) {
                values[i] = text + at;
                at += strlen(text + at) + 1;
        }
        out = fopen("/dev/null", "we");
        if (!out)
                abort();
        if (formatter_new(text, "table {{.ID}}\\t{{.Image}}\\t{{.Names}}", fields, &f, &err) == 0) {
                formatter_add(f, values, NULL);
                formatter_add(f, (const char *const[]){ "a\tb", "\xc3\xa9t\xc3\xa9", "x\ny", NULL }, NULL);
                formatter_flush(f, out);
        }
        berr_free(err);
        err = NULL;
        if (json_parse_buf((const char *) data, size, &doc, &err) == 0) {
                _cleanup_free_ char *s = format_json_indent(doc);
                fputs(s, out);
        }
        berr_free(err);
        fclose(out);
        return 0;
}
