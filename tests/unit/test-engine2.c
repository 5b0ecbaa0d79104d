/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of engine2's pure parts: -v and --mount parsing, volume names, the OCI and inspect views of a
 * container's mounts, diff classification, CPU %. */
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "engine/control.h"
#include "engine/fsops.h"
#include "engine/health.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

static const char *str(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;

        return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static bool boolean(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;

        return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

TEST(parse_bind)
{
        _cleanup_(json_object_putp) struct json_object *a = NULL, *b = NULL, *c = NULL, *x = NULL;

        ASSERT_OK(volume_parse_bind("data:/data:ro", &a, NULL));
        ASSERT_STREQ(str(a, "Type"), "volume");
        ASSERT_STREQ(str(a, "Source"), "data");
        ASSERT_STREQ(str(a, "Target"), "/data");
        ASSERT_TRUE(boolean(a, "ReadOnly"));
        ASSERT_OK(volume_parse_bind("/host:/ctr", &b, NULL));
        ASSERT_STREQ(str(b, "Type"), "bind");
        ASSERT_FALSE(boolean(b, "ReadOnly"));
        ASSERT_OK(volume_parse_bind("/anon", &c, NULL));
        ASSERT_STREQ(str(c, "Type"), "volume");
        ASSERT_STREQ(str(c, "Source"), "");
        ASSERT_FAIL(volume_parse_bind("data:relative", &x, NULL));
        ASSERT_FAIL(volume_parse_bind("data:/x/../y", &x, NULL));
        ASSERT_FAIL(volume_parse_bind("data:/x:bogus", &x, NULL));
        ASSERT_FAIL(volume_parse_bind("a:b:c:d", &x, NULL));
        ASSERT_FAIL(volume_parse_bind(":/x", &x, NULL));
}

TEST(parse_mount)
{
        _cleanup_(json_object_putp) struct json_object *v = NULL, *b = NULL, *t = NULL, *x = NULL;
        struct json_object *to = NULL, *sz = NULL;

        ASSERT_OK(volume_parse_mount("type=volume,source=data,target=/d,readonly", &v, NULL));
        ASSERT_STREQ(str(v, "Source"), "data");
        ASSERT_STREQ(str(v, "Target"), "/d");
        ASSERT_TRUE(boolean(v, "ReadOnly"));
        ASSERT_OK(volume_parse_mount("type=bind,src=/h,dst=/c,ro=false", &b, NULL));
        ASSERT_STREQ(str(b, "Type"), "bind");
        ASSERT_FALSE(boolean(b, "ReadOnly"));
        ASSERT_OK(volume_parse_mount("type=tmpfs,dst=/t,tmpfs-size=1m", &t, NULL));
        ASSERT_TRUE(json_object_object_get_ex(t, "TmpfsOptions", &to));
        ASSERT_TRUE(json_object_object_get_ex(to, "SizeBytes", &sz));
        ASSERT_EQ(json_object_get_int64(sz), 1 << 20);
        ASSERT_FAIL(volume_parse_mount("type=volume,src=x", &x, NULL));               /* no target */
        ASSERT_FAIL(volume_parse_mount("type=nfs,dst=/x", &x, NULL));                 /* unknown type */
        ASSERT_FAIL(volume_parse_mount("type=bind,src=rel,dst=/x", &x, NULL));        /* relative source */
        ASSERT_FAIL(volume_parse_mount("type=tmpfs,src=x,dst=/x", &x, NULL));         /* tmpfs with source */
        ASSERT_FAIL(volume_parse_mount("type=volume,src=bad/name,dst=/x", &x, NULL)); /* bad volume name */
        ASSERT_FAIL(volume_parse_mount("dst=/x,colour=red", &x, NULL));               /* unknown key */
        ASSERT_FAIL(volume_parse_mount("type=tmpfs,dst=/t,tmpfs-size=lots", &x, NULL));
}

TEST(volume_names)
{
        ASSERT_OK(volume_name_validate("ab", NULL));
        ASSERT_OK(volume_name_validate("my_vol.1-x", NULL));
        ASSERT_FAIL(volume_name_validate("a", NULL));
        ASSERT_FAIL(volume_name_validate("-ab", NULL));
        ASSERT_FAIL(volume_name_validate("a/b", NULL));
        ASSERT_FAIL(volume_name_validate("..", NULL));
}

TEST(spec_and_inspect_mounts)
{
        const char *doc = "{\"BerthMounts\": ["
                          "{\"Type\": \"volume\", \"Name\": \"v\", \"Source\": \"/r/volumes/v/_data\","
                          " \"Destination\": \"/d\", \"RW\": false},"
                          "{\"Type\": \"tmpfs\", \"Source\": \"\", \"Destination\": \"/t\", \"RW\": true,"
                          " \"TmpfsSize\": 1048576}]}";
        _cleanup_(json_object_putp) struct json_object *cfg = NULL, *mounts = json_new_array(), *ins = json_new_array();
        _cleanup_(strv_freep) char **dests = NULL;
        _cleanup_free_ char *text = NULL, *itext = NULL;

        ASSERT_OK(json_parse_buf(doc, strlen(doc), &cfg, NULL));
        ASSERT_OK(volume_spec_mounts(cfg, mounts, &dests, NULL));
        ASSERT_EQ(json_object_array_length(mounts), 2);
        text = json_dump(mounts, false);
        ASSERT_TRUE(strstr(text, "\"source\":\"\\/r\\/volumes\\/v\\/_data\"") || strstr(text, "/r/volumes/v/_data"));
        ASSERT_TRUE(strstr(text, "\"rbind\"") != NULL);
        ASSERT_TRUE(strstr(text, "\"ro\"") != NULL);
        ASSERT_TRUE(strstr(text, "\"size=1048576\"") != NULL);
        ASSERT_TRUE(strv_contains(dests, "/d") && strv_contains(dests, "/t"));
        volume_inspect_mounts(cfg, ins);
        itext = json_dump(ins, false);
        ASSERT_TRUE(strstr(itext, "\"Driver\":\"local\"") != NULL);
        ASSERT_TRUE(strstr(itext, "\"RW\":false") != NULL);
}

TEST(spec_mounts_refuse_bad_destination)
{
        const char *doc =
                "{\"BerthMounts\": [{\"Type\": \"volume\", \"Source\": \"/x\", \"Destination\": \"../etc\"}]}";
        _cleanup_(json_object_putp) struct json_object *cfg = NULL, *mounts = json_new_array();
        _cleanup_(strv_freep) char **dests = NULL;

        ASSERT_OK(json_parse_buf(doc, strlen(doc), &cfg, NULL));
        ASSERT_FAIL(volume_spec_mounts(cfg, mounts, &dests, NULL));
}

TEST(diff_kind)
{
        ASSERT_EQ(fsops_diff_kind(S_IFCHR | 0, makedev(0, 0), true), 'D');
        ASSERT_EQ(fsops_diff_kind(S_IFCHR | 0644, makedev(1, 3), false), 'A');
        ASSERT_EQ(fsops_diff_kind(S_IFREG | 0644, 0, true), 'C');
        ASSERT_EQ(fsops_diff_kind(S_IFDIR | 0755, 0, false), 'A');
        ASSERT_TRUE(fsops_diff_hidden("etc/hosts"));
        ASSERT_FALSE(fsops_diff_hidden("etc/passwd"));
}

TEST(cpu_percent)
{
        /* half a CPU second over one second of wall time */
        ASSERT_TRUE(engine_stats_cpu_percent(1000000000ULL, 1500000000ULL, 0, 1000000000ULL) > 49.99);
        ASSERT_TRUE(engine_stats_cpu_percent(1000000000ULL, 1500000000ULL, 0, 1000000000ULL) < 50.01);
        ASSERT_TRUE(engine_stats_cpu_percent(5, 5, 0, 100) == 0.0);
        ASSERT_TRUE(engine_stats_cpu_percent(6, 5, 0, 100) == 0.0);
        ASSERT_TRUE(engine_stats_cpu_percent(1, 5, 100, 100) == 0.0);
}

TEST(update_memory_keeps_the_swap_total)
{
        const int64_t M = 1 << 20;
        _cleanup_(berr_freep) struct berr *err = NULL;
        int64_t mem = 0, swap = 0;

        /* -m 64m --memory-swap 96m, then -m 80m: the 96m total stays (v2's swap.max becomes 16m) */
        ASSERT_OK(engine_update_memory(64 * M, 96 * M, &(struct engine_update){.memory = 80 * M}, &mem, &swap, NULL));
        ASSERT_EQ(mem, 80 * M);
        ASSERT_EQ(swap, 96 * M);
        /* -m 64m alone had docker's twice-memory total */
        ASSERT_OK(engine_update_memory(64 * M, 0, &(struct engine_update){.memory = 100 * M}, &mem, &swap, NULL));
        ASSERT_EQ(swap, 128 * M);
        /* a new total alone keeps the limit, so v2 can derive swap.max */
        ASSERT_OK(engine_update_memory(64 * M, 96 * M, &(struct engine_update){.memory_swap = 200 * M}, &mem, &swap,
                                       NULL));
        ASSERT_EQ(mem, 64 * M);
        ASSERT_EQ(swap, 200 * M);
        ASSERT_OK(engine_update_memory(64 * M, -1, &(struct engine_update){.memory = 300 * M}, &mem, &swap, NULL));
        ASSERT_EQ(swap, -1);
        /* never limited: the swap stays unlimited, as on v1 */
        ASSERT_OK(engine_update_memory(0, 0, &(struct engine_update){.memory = 32 * M}, &mem, &swap, NULL));
        ASSERT_EQ(mem, 32 * M);
        ASSERT_EQ(swap, 0);

        ASSERT_FAIL(
                engine_update_memory(64 * M, 96 * M, &(struct engine_update){.memory = 128 * M}, &mem, &swap, &err));
        ASSERT_ERR_CONTAINS(err, "smaller than already set memoryswap");
        err = berr_free(err);
        ASSERT_FAIL(engine_update_memory(
                64 * M, 96 * M, &(struct engine_update){.memory = 128 * M, .memory_swap = 100 * M}, &mem, &swap, &err));
        ASSERT_ERR_CONTAINS(err, "larger than memory limit");
        err = berr_free(err);
        ASSERT_FAIL(engine_update_memory(0, 0, &(struct engine_update){.memory_swap = 100 * M}, &mem, &swap, &err));
        ASSERT_ERR_CONTAINS(err, "Memory limit");
        err = berr_free(err);
        ASSERT_EQ(mem, 32 * M); /* untouched on failure */
}

TEST(health_transitions)
{
        struct health_state s = {.status = HEALTH_STARTING};

        health_apply_result(&s, false, true, 2); /* in the start period: not counted */
        ASSERT_EQ(s.status, HEALTH_STARTING);
        ASSERT_EQ(s.failing_streak, 0);
        health_apply_result(&s, false, false, 2);
        ASSERT_EQ(s.status, HEALTH_STARTING);
        ASSERT_EQ(s.failing_streak, 1);
        health_apply_result(&s, false, false, 2);
        ASSERT_EQ(s.status, HEALTH_UNHEALTHY);
        ASSERT_EQ(s.failing_streak, 2);
        health_apply_result(&s, true, false, 2);
        ASSERT_EQ(s.status, HEALTH_HEALTHY);
        ASSERT_EQ(s.failing_streak, 0);
        health_apply_result(&s, false, true, 2); /* counted once healthy */
        ASSERT_EQ(s.failing_streak, 1);
        ASSERT_STREQ(health_status_to_string(HEALTH_UNHEALTHY), "unhealthy");
}

TEST(health_durations)
{
        int64_t ns;

        ASSERT_OK(health_parse_duration("30s", &ns));
        ASSERT_EQ(ns, 30000000000LL);
        ASSERT_OK(health_parse_duration("1m30s", &ns));
        ASSERT_EQ(ns, 90000000000LL);
        ASSERT_OK(health_parse_duration("500ms", &ns));
        ASSERT_EQ(ns, 500000000LL);
        ASSERT_OK(health_parse_duration("1.5h", &ns));
        ASSERT_EQ(ns, 5400000000000LL);
        ASSERT_OK(health_parse_duration("0", &ns));
        ASSERT_EQ(ns, 0);
        ASSERT_FAIL(health_parse_duration("10", &ns));
        ASSERT_FAIL(health_parse_duration("-1s", &ns));
        ASSERT_FAIL(health_parse_duration("s", &ns));
        ASSERT_FAIL(health_parse_duration("", &ns));
        ASSERT_FAIL(health_parse_duration("1x", &ns));
        ASSERT_FAIL(health_parse_duration("99999999999h", &ns));
}
