/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regressions found by the fuzz targets (tests/fuzz, docs/fuzzing.md): each
 * test replays what a target found, as a readable case. The inputs are also
 * in the targets' corpora. The CLI's parsers are static in their command
 * files: included here (the rest of the CLI is linked, see meson.build).
 */
#include <json-c/json.h>
#include <string.h>

#include "cli/cmd-control.c"
#include "cli/cmd-logs.c"
#include "cli/cmd-ps.c"
/* its local 'fields' would shadow cmd-ps.c's: harmless here, each file is its own unit in berth */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include "cli/cmd-volume.c"
#pragma GCC diagnostic pop

#include "engine/logs.h"
#include "engine/spec-gen.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/fuzz/fuzz-spec-gen.h"
#include "tests/unit/tap.h"

static int gen(const char *record, char **ret, struct berr **err)
{
        _cleanup_json_ struct json_object *config = NULL;
        struct spec_gen_input in;

        if (json_parse_buf(record, strlen(record), &config, err) < 0)
                return -EINVAL;
        in = fuzz_spec_gen_input(config);
        return spec_gen(&in, ret, err);
}

/* fuzz-jsonlog: a damaged log line's year 9999 overflowed int64 nanoseconds (UB) */
TEST(jsonlog_time_out_of_range)
{
        int64_t ns = 0;

        ASSERT_EQ(jsonlog_parse_time("9999-12-31T23:59:59.999999999Z", &ns), -ERANGE);
        ASSERT_EQ(jsonlog_parse_time("0000-01-01T00:00:00Z", &ns), -ERANGE);
        ASSERT_OK(jsonlog_parse_time("2262-04-11T23:47:16.854775807Z", &ns));
        ASSERT_EQ(ns, INT64_MAX);
        ASSERT_EQ(jsonlog_parse_time("2262-04-11T23:47:16.854775808Z", &ns), -ERANGE);
        ASSERT_OK(jsonlog_parse_time("1970-01-01T00:00:00Z", &ns));
        ASSERT_EQ(ns, 0);
}

/* fuzz-record: fields of a damaged record with the wrong JSON type aborted in json-c's asserts */
TEST(record_with_wrong_types)
{
        _cleanup_json_ struct json_object *config = NULL, *mounts = json_new_array();
        _cleanup_free_ char *spec = NULL;
        struct berr *err = NULL;
        const char *rec = "{\"Config\":{\"Cmd\":[\"true\",null,1],\"Entrypoint\":{},\"Env\":\"A=1\"},"
                          "\"HostConfig\":{\"Binds\":{},\"Devices\":\"x\",\"Ulimits\":{\"a\":1},\"Tmpfs\":[\"/x\"],"
                          "\"CapAdd\":\"ALL\",\"SecurityOpt\":\"seccomp=x\"},\"BerthMounts\":{\"Type\":\"tmpfs\"}}";

        ASSERT_OK(json_parse_buf(rec, strlen(rec), &config, NULL));
        volume_inspect_mounts(config, mounts);
        ASSERT_EQ(json_array_len(mounts), 0);
        ASSERT_OK_ERR(gen(rec, &spec, &err), &err);
        ASSERT_TRUE(strstr(spec, "\"/x\"") == NULL); /* a Tmpfs that is not an object is ignored */
        berr_free(err);
}

TEST(json_array_len_of_anything)
{
        _cleanup_json_ struct json_object *s = json_object_new_string("x"), *a = json_new_array();

        json_append(a, json_object_new_int(1));
        ASSERT_EQ(json_array_len(NULL), 0);
        ASSERT_EQ(json_array_len(s), 0);
        ASSERT_EQ(json_array_len(a), 1);
}

/* fuzz-cli: logs --since/--until and prune's until= overflowed (UB) on huge numbers */
TEST(cli_times_out_of_range)
{
        int64_t when = 0;
        long long until = 0;

        ASSERT_EQ(parse_when("99999999999999999", &when), -ERANGE);
        ASSERT_EQ(parse_when("9999999999999999h", &when), -ERANGE);
        ASSERT_OK(parse_when("1700000000", &when));
        ASSERT_EQ(when, 1700000000000000000LL);
        ASSERT_OK(parse_when("10m", &when));
        ASSERT_TRUE(when > 1700000000000000000LL);
        ASSERT_EQ(parse_until("9223372036854775807h", &until), -ERANGE);
        ASSERT_OK(parse_until("1h", &until));
        ASSERT_TRUE(until > 1700000000);
}

/* fuzz-cli: ps --filter on a damaged record: a null label value, an image id shorter than "sha256:" */
TEST(cli_ps_filter_damaged_record)
{
        const char *cfg = "{\"Config\":{\"Labels\":{\"a\":null,\"b\":\"1\"}}}";
        struct engine_container c = {
                .id = (char *) "0123",
                .name = (char *) "web",
                .image_id = (char *) "sha",
                .image_name = (char *) "busybox",
                .state = ENGINE_STATE_EXITED,
        };

        ASSERT_OK(json_parse_buf(cfg, strlen(cfg), &c.config, NULL));
        ASSERT_FALSE(matches(&c, (char *[]){ (char *) "label=a=x", NULL }));
        ASSERT_TRUE(matches(&c, (char *[]){ (char *) "label=a", NULL }));
        ASSERT_TRUE(matches(&c, (char *[]){ (char *) "label=b=1", NULL }));
        ASSERT_FALSE(matches(&c, (char *[]){ (char *) "ancestor=x", NULL }));
        ASSERT_TRUE(matches(&c, (char *[]){ (char *) "ancestor=sha", NULL }));
        c.image_id = (char *) "sha256:3c2bcb2557a5";
        ASSERT_TRUE(matches(&c, (char *[]){ (char *) "ancestor=3c2b", NULL }));
        json_object_put(c.config);
}

/* fuzz-cli: volume ls --filter label=k=v crashed on a null label value */
TEST(cli_volume_filter_null_label)
{
        struct vfilter f = { .dangling = -1 };
        struct engine_volume v = { .name = (char *) "data" };
        const char *labels = "{\"a\":null,\"b\":\"1\"}";

        ASSERT_OK(json_parse_buf(labels, strlen(labels), &v.labels, NULL));
        strv_push(&f.labels, "a=x");
        ASSERT_FALSE(match(NULL, &f, &v));
        f.labels = strv_free(f.labels);
        strv_push(&f.labels, "b=1");
        strv_push(&f.names, "at");
        ASSERT_TRUE(match(NULL, &f, &v));
        strv_free(f.labels);
        strv_free(f.names);
        json_object_put(v.labels);
}

/* fuzz-runopts: --cpus 100535 (allowed up to 1e6) overflowed the quota's int64 product (UB) */
TEST(spec_gen_cpu_quota_of_many_cpus)
{
        _cleanup_free_ char *spec = NULL;
        struct berr *err = NULL;

        ASSERT_OK_ERR(gen("{\"Config\":{\"Cmd\":[\"true\"]},\"HostConfig\":{\"NanoCpus\":100535000000000}}", &spec,
                          &err),
                      &err);
        ASSERT_TRUE(strstr(spec, "\"quota\":10053500000") != NULL);
        free(spec);
        spec = NULL;
        ASSERT_OK_ERR(gen("{\"Config\":{\"Cmd\":[\"true\"]},\"HostConfig\":{\"NanoCpus\":1500000000}}", &spec, &err),
                      &err);
        ASSERT_TRUE(strstr(spec, "\"quota\":150000") != NULL);
}
