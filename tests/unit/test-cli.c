/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the CLI's output helpers (src/cli/table.c, format.c): the
 * Go-template subset, table alignment as docker's tabwriter, docker's units.
 * The CLI files are not in libberth, so this test compiles them in.
 */
#include "cli/format.c"
#include "cli/table.c"
#include "tap.h"

static const struct fmt_field fields[] = {
        {"Repository", "REPOSITORY"},
        {"Tag", "TAG"},
        {"ID", "IMAGE ID"},
        {NULL, NULL},
};

static char *render(struct formatter *f)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);

        formatter_flush(f, m);
        fclose(m);
        return buf;
}

TEST(table_default_and_alignment)
{
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        _cleanup_free_ char *out = NULL;
        const char *r1[] = {"busybox", "latest", "3c2bcb2557a5"}, *r2[] = {"localhost:5000/team/app", "v1", "abc"};

        ASSERT_OK(formatter_new(NULL, "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}", fields, &f, NULL));
        ASSERT_TRUE(formatter_is_table(f));
        formatter_add(f, r1, NULL);
        formatter_add(f, r2, NULL);
        out = render(f);
        ASSERT_STREQ(out, "REPOSITORY                TAG       IMAGE ID\n"
                          "busybox                   latest    3c2bcb2557a5\n"
                          "localhost:5000/team/app   v1        abc\n");
}

TEST(templates_json_and_functions)
{
        _cleanup_(formatter_freep) struct formatter *f = NULL, *j = NULL;
        _cleanup_free_ char *out = NULL, *jout = NULL;
        const char *r[] = {"busy\"box", "Latest", "id"};

        ASSERT_OK(
                formatter_new("{{.Repository}}:{{lower .Tag}} {{json .ID}}\\t{{upper .Tag}}", NULL, fields, &f, NULL));
        ASSERT_FALSE(formatter_is_table(f));
        formatter_add(f, r, NULL);
        out = render(f);
        ASSERT_STREQ(out, "busy\"box:latest \"id\"\tLATEST\n");
        ASSERT_OK(formatter_new("json", NULL, fields, &j, NULL));
        formatter_add(j, r, NULL);
        jout = render(j);
        ASSERT_STREQ(jout, "{\"Repository\":\"busy\\\"box\",\"Tag\":\"Latest\",\"ID\":\"id\"}\n");
}

TEST(template_errors)
{
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_FAIL(formatter_new("{{.Nope}}", NULL, fields, &f, &err));
        ASSERT_ERR_CONTAINS(err, "can't evaluate field Nope");
        err = berr_free(err);
        ASSERT_FAIL(formatter_new("{{.ID", NULL, fields, &f, &err));
        ASSERT_ERR_CONTAINS(err, "unclosed");
        err = berr_free(err);
        ASSERT_FAIL(formatter_new("{{printf .ID}}", NULL, fields, &f, &err));
        ASSERT_ERR_CONTAINS(err, "not defined");
}

TEST(docker_units)
{
        char b[64];

        ASSERT_STREQ(format_size(0, b, sizeof(b)), "0B");
        ASSERT_STREQ(format_size(999, b, sizeof(b)), "999B");
        ASSERT_STREQ(format_size(2129920, b, sizeof(b)), "2.13MB");
        ASSERT_STREQ(format_size(1500000000, b, sizeof(b)), "1.5GB");
        ASSERT_STREQ(format_duration(0, b, sizeof(b)), "Less than a second");
        ASSERT_STREQ(format_duration(59, b, sizeof(b)), "59 seconds");
        ASSERT_STREQ(format_duration(90, b, sizeof(b)), "About a minute");
        ASSERT_STREQ(format_duration(3600, b, sizeof(b)), "About an hour");
        ASSERT_STREQ(format_duration(5 * 3600, b, sizeof(b)), "5 hours");
        ASSERT_STREQ(format_duration(3 * 86400, b, sizeof(b)), "3 days");
        ASSERT_STREQ(format_duration(21 * 86400, b, sizeof(b)), "3 weeks");
        ASSERT_STREQ(format_duration(200 * 86400, b, sizeof(b)), "6 months");
        ASSERT_STREQ(format_duration(800LL * 86400, b, sizeof(b)), "2 years");
        ASSERT_STREQ(format_short_id("sha256:0123456789abcdef0123", b), "0123456789ab");
}

TEST(json_indent_like_docker)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        _cleanup_free_ char *s = NULL;

        json_add(o, "A", json_new_array());
        json_add(o, "B", json_new_object());
        json_add_string(o, "C", "x/y");
        s = format_json_indent(o);
        ASSERT_STREQ(s, "{\n    \"A\": [],\n    \"B\": {},\n    \"C\": \"x/y\"\n}");
}
