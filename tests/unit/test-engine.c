/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the engine's pure parts: names, run flags, OCI config generation, json-file log, restart policy. */
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/logs.h"
#include "engine/monitor.h"
#include "engine/recorder.h"
#include "engine/records.h"
#include "engine/runopts.h"
#include "engine/spec-gen.h"
#include "image/db.h"
#include "image/image-internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/path.h"
#include "lib/util.h"
#include "tests/unit/tap.h"

TEST(name_generate_and_validate)
{
        for (int i = 0; i < 50; i++) {
                _cleanup_free_ char *n = engine_name_generate();
                char *us = strchr(n, '_');
                ASSERT_TRUE(us && us != n && us[1]);
                ASSERT_OK(engine_name_validate(n, NULL));
        }
        ASSERT_OK(engine_name_validate("/web-1.x_y", NULL));
        ASSERT_FAIL(engine_name_validate("", NULL));
        ASSERT_FAIL(engine_name_validate("-lead", NULL));
        ASSERT_FAIL(engine_name_validate("has space", NULL));
        ASSERT_FAIL(engine_name_validate("a/b", NULL));
}

TEST(id_generate)
{
        char a[ENGINE_ID_LEN + 1], b[ENGINE_ID_LEN + 1];

        engine_id_generate(a);
        engine_id_generate(b);
        ASSERT_EQ(strlen(a), 64);
        ASSERT_EQ(strspn(a, "0123456789abcdef"), 64);
        ASSERT_TRUE(strcmp(a, b) != 0);
}

TEST(state_names)
{
        for (int s = 0; s < _ENGINE_STATE_MAX; s++)
                ASSERT_EQ(engine_state_from_string(engine_state_to_string((enum engine_state) s)), s);
        ASSERT_EQ(engine_state_from_string("bogus"), _ENGINE_STATE_INVALID);
}

static struct json_object *cfg_get(struct json_object *o, const char *a, const char *b)
{
        struct json_object *x = json_object_object_get(o, a);
        return b ? json_object_object_get(x, b) : x;
}

TEST(runopts_flags_fold_into_config)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct runopts ro = { 0 };
        char *cmd[] = { "echo", "hi", NULL };
        _cleanup_json_ struct json_object *c = NULL;

        ASSERT_OK_ERR(runopts_apply(&ro, 'e', "A=1", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, 'm', "64m", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_CPUS, "1.5", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_PIDS_LIMIT, "10", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_RESTART, "on-failure:3", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_LOG_OPT, "max-size=1k", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, 'l', "k=v", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_TMPFS, "/t:size=1m", &err), &err);
        ASSERT_OK_ERR(runopts_apply(&ro, OPT_ENTRYPOINT, "", &err), &err);
        ro.cmd = cmd;
        ro.n_cmd = 2;
        ASSERT_OK_ERR(runopts_finish(&ro, true, &err), &err);
        c = runopts_to_config(&ro);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(cfg_get(c, "Config", "Env"), 0)), "A=1");
        ASSERT_EQ(json_object_get_int64(cfg_get(c, "HostConfig", "Memory")), 64 << 20);
        ASSERT_EQ(json_object_get_int64(cfg_get(c, "HostConfig", "NanoCpus")), 1500000000);
        ASSERT_EQ(json_object_get_int64(cfg_get(c, "HostConfig", "PidsLimit")), 10);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(cfg_get(c, "HostConfig", "RestartPolicy"), "Name")),
                     "on-failure");
        ASSERT_EQ(json_object_get_int(json_object_object_get(cfg_get(c, "HostConfig", "RestartPolicy"),
                                                             "MaximumRetryCount")),
                  3);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(cfg_get(c, "Config", "Labels"), "k")), "v");
        ASSERT_EQ(json_object_array_length(cfg_get(c, "Config", "Entrypoint")), 0);
        ASSERT_EQ(json_object_array_length(cfg_get(c, "Config", "Cmd")), 2);
        ASSERT_STREQ(json_object_get_string(cfg_get(c, "HostConfig", "NetworkMode")), "none");
        runopts_done(&ro);
}

TEST(runopts_rejects_bad_values)
{
        struct runopts ro = { 0 };

        ASSERT_FAIL(runopts_apply(&ro, 'm', "lots", NULL));
        ASSERT_FAIL(runopts_apply(&ro, 'm', "1k", NULL)); /* below docker's 6MB minimum */
        ASSERT_FAIL(runopts_apply(&ro, OPT_CPUS, "-1", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_CPUS, "x", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_RESTART, "sometimes", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_RESTART, "always:3", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_OOM_SCORE_ADJ, "2000", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_NETWORK, "mynet", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_LOG_OPT, "max-file=0", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_LOG_OPT, "colour=blue", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_SYSCTL, "novalue", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_STOP_SIGNAL, "SIGNOPE", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_SECURITY_OPT, "bogus", NULL));
        ASSERT_FAIL(runopts_apply(&ro, OPT_TMPFS, "relative", NULL));
        ASSERT_OK(runopts_apply(&ro, OPT_RM, NULL, NULL));
        ASSERT_OK(runopts_apply(&ro, OPT_RESTART, "always", NULL));
        ASSERT_FAIL(runopts_finish(&ro, false, NULL));
        runopts_done(&ro);
}

TEST(runopts_ulimit_device_env_file)
{
        _cleanup_json_ struct json_object *u = NULL, *d = NULL, *env = json_new_array();
        const char *text = "# comment\n\nA=1\r\n  B=two words\nUNSET_VAR_FOR_TEST\n";

        ASSERT_OK(runopts_parse_ulimit("nofile=100:200", &u, NULL));
        ASSERT_EQ(json_object_get_int64(json_object_object_get(u, "Soft")), 100);
        ASSERT_EQ(json_object_get_int64(json_object_object_get(u, "Hard")), 200);
        ASSERT_FAIL(runopts_parse_ulimit("nofile=300:200", &d, NULL));
        ASSERT_FAIL(runopts_parse_ulimit("nofile", &d, NULL));
        ASSERT_OK(runopts_parse_device("/dev/null:/dev/x:rw", &d, NULL));
        ASSERT_STREQ(json_object_get_string(json_object_object_get(d, "PathInContainer")), "/dev/x");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(d, "CgroupPermissions")), "rw");
        json_object_put(d);
        d = NULL;
        ASSERT_FAIL(runopts_parse_device("/dev/null:/dev/x:rwz", &d, NULL));
        ASSERT_FAIL(runopts_parse_device("relative", &d, NULL));
        unsetenv("UNSET_VAR_FOR_TEST");
        ASSERT_OK(runopts_parse_env_file(text, strlen(text), env, NULL));
        ASSERT_EQ(json_object_array_length(env), 2);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(env, 0)), "A=1");
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(env, 1)), "B=two words");
}

TEST(caps_default_add_drop)
{
        _cleanup_(strv_freep) char **caps = NULL, **none = NULL;
        char *add[] = { "net_admin", NULL }, *drop[] = { "CAP_CHOWN", NULL }, *all[] = { "ALL", NULL },
             *bogus[] = { "BOGUS", NULL }, *raw[] = { "NET_RAW", NULL };

        ASSERT_OK(spec_gen_caps(NULL, NULL, false, &caps, NULL));
        ASSERT_EQ(strv_length(caps), 14);
        ASSERT_TRUE(strv_contains(caps, "CAP_CHOWN") && strv_contains(caps, "CAP_AUDIT_WRITE"));
        ASSERT_FALSE(strv_contains(caps, "CAP_SYS_ADMIN"));
        caps = strv_free(caps);
        ASSERT_OK(spec_gen_caps(add, drop, false, &caps, NULL));
        ASSERT_TRUE(strv_contains(caps, "CAP_NET_ADMIN"));
        ASSERT_FALSE(strv_contains(caps, "CAP_CHOWN"));
        ASSERT_EQ(strv_length(caps), 14);
        ASSERT_OK(spec_gen_caps(raw, all, false, &none, NULL));
        ASSERT_EQ(strv_length(none), 1);
        ASSERT_STREQ(none[0], "CAP_NET_RAW");
        ASSERT_FAIL(spec_gen_caps(bogus, NULL, false, &caps, NULL));
}

static int write_root(void)
{
        _cleanup_close_ int fd = -1;

        ASSERT_OK(mkdir("root", 0755));
        ASSERT_OK(mkdir("root/etc", 0755));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "root/etc/passwd",
                                       "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
                                       68, 0644, NULL));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "root/etc/group",
                                       "root:x:0:\nalice:x:1000:\nstaff:x:50:alice,bob\nwheel:x:10:root\n", 62,
                                       0644, NULL));
        /* a symlink that would point the lookup at the host, were it followed outside the root */
        ASSERT_OK(symlink("/etc/shadow", "root/etc/shadowlink"));
        fd = open("root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return TAKE_FD(fd);
}

TEST(resolve_user_in_root)
{
        _cleanup_close_ int root = write_root();
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct spec_user u;
        char *add[] = { "wheel", "77", NULL }, *bad[] = { "nogroup", NULL };

        ASSERT_OK(spec_gen_resolve_user(root, "alice", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 1000);
        ASSERT_EQ(u.gid, 1000);
        ASSERT_EQ(u.n_groups, 1);
        ASSERT_EQ(u.groups[0], 50);
        ASSERT_STREQ(u.home, "/home/alice");
        ASSERT_OK(spec_gen_resolve_user(root, "1000:50", add, &u, NULL));
        ASSERT_EQ(u.uid, 1000);
        ASSERT_EQ(u.gid, 50);
        ASSERT_EQ(u.n_groups, 2);
        ASSERT_EQ(u.groups[0], 10);
        ASSERT_EQ(u.groups[1], 77);
        ASSERT_OK(spec_gen_resolve_user(root, "4242", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 4242);
        ASSERT_EQ(u.gid, 0);
        ASSERT_OK(spec_gen_resolve_user(root, "", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 0);
        ASSERT_STREQ(u.home, "/root");
        ASSERT_FAIL(spec_gen_resolve_user(root, "mallory", NULL, &u, &err));
        ASSERT_ERR_CONTAINS(err, "unable to find user mallory");
        ASSERT_FAIL(spec_gen_resolve_user(root, "alice", bad, &u, NULL));
        ASSERT_FAIL(spec_gen_resolve_user(-1, "alice", NULL, &u, NULL));
}

/* spec_gen for an attaching terminal of rows x cols (0: none) */
static struct json_object *gen_sized(const char *config_json, int rootfd, unsigned rows, unsigned cols)
{
        _cleanup_json_ struct json_object *cfg = NULL;
        _cleanup_free_ char *out = NULL;
        struct json_object *spec = NULL;
        struct berr *err = NULL;
        struct spec_gen_input in = { .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                     .rootfs_fd = rootfd, .container_dir = "/c", .init_path = "/usr/lib/berth-init",
                                     .cgroups_path = "berth/x", .rows = rows, .cols = cols };

        if (json_parse_buf(config_json, strlen(config_json), &cfg, NULL) < 0)
                return NULL;
        in.config = cfg;
        if (spec_gen(&in, &out, &err) < 0) {
                fprintf(stderr, "# spec_gen: %s\n", berr_msg(err));
                berr_free(err);
                return NULL;
        }
        (void) json_parse_buf(out, strlen(out), &spec, NULL);
        return spec;
}

static struct json_object *gen(const char *config_json, int rootfd)
{
        return gen_sized(config_json, rootfd, 0, 0);
}

/* The terminal's size goes into config.json, so the runtime sizes the pty before the process starts. */
TEST(spec_gen_console_size)
{
        _cleanup_json_ struct json_object *tty = gen_sized("{\"Config\":{\"Cmd\":[\"sh\"],\"Tty\":true}}", -1, 31, 101);
        _cleanup_json_ struct json_object *plain = gen_sized("{\"Config\":{\"Cmd\":[\"sh\"]}}", -1, 31, 101);
        _cleanup_json_ struct json_object *unknown = gen_sized("{\"Config\":{\"Cmd\":[\"sh\"],\"Tty\":true}}", -1, 0, 0);
        struct json_object *size;

        ASSERT_TRUE(tty && plain && unknown);
        size = json_object_object_get(json_object_object_get(tty, "process"), "consoleSize");
        ASSERT_EQ(json_object_get_int(json_object_object_get(size, "height")), 31);
        ASSERT_EQ(json_object_get_int(json_object_object_get(size, "width")), 101);
        ASSERT_TRUE(json_object_object_get(json_object_object_get(plain, "process"), "consoleSize") == NULL);
        ASSERT_TRUE(json_object_object_get(json_object_object_get(unknown, "process"), "consoleSize") == NULL);
}

static bool has_mount(struct json_object *spec, const char *dest, const char *opt)
{
        struct json_object *m = json_object_object_get(spec, "mounts");

        for (size_t i = 0; i < json_object_array_length(m); i++) {
                struct json_object *e = json_object_array_get_idx(m, i), *o;
                if (!streq(json_object_get_string(json_object_object_get(e, "destination")), dest))
                        continue;
                if (!opt)
                        return true;
                o = json_object_object_get(e, "options");
                for (size_t j = 0; j < json_object_array_length(o); j++)
                        if (streq(json_object_get_string(json_object_array_get_idx(o, j)), opt))
                                return true;
        }
        return false;
}

static bool has_ns(struct json_object *spec, const char *type)
{
        struct json_object *ns = json_object_object_get(json_object_object_get(spec, "linux"), "namespaces");

        for (size_t i = 0; i < json_object_array_length(ns); i++)
                if (streq(json_object_get_string(json_object_object_get(json_object_array_get_idx(ns, i), "type")),
                          type))
                        return true;
        return false;
}

TEST(spec_gen_defaults)
{
        _cleanup_close_ int root = write_root();
        _cleanup_json_ struct json_object *s =
                gen("{\"Config\":{\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"A=1\"],\"User\":\"alice\"},\"HostConfig\":{}}", root);
        struct json_object *p, *l;

        ASSERT_TRUE(s != NULL);
        p = json_object_object_get(s, "process");
        l = json_object_object_get(s, "linux");
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_object_object_get(p, "args"), 0)), "echo");
        ASSERT_EQ(json_object_get_int(json_object_object_get(json_object_object_get(p, "user"), "uid")), 1000);
        ASSERT_STREQ(json_object_get_string(json_object_object_get(s, "hostname")), "0123456789ab");
        ASSERT_EQ(json_object_array_length(json_object_object_get(json_object_object_get(p, "capabilities"),
                                                                   "bounding")),
                  14);
        ASSERT_FALSE(json_object_get_boolean(json_object_object_get(p, "noNewPrivileges")));
        ASSERT_TRUE(json_object_object_get(l, "seccomp") != NULL);
        ASSERT_TRUE(json_object_array_length(json_object_object_get(l, "maskedPaths")) >= 10);
        ASSERT_TRUE(json_object_array_length(json_object_object_get(l, "readonlyPaths")) == 5);
        ASSERT_TRUE(has_mount(s, "/dev/shm", "size=67108864"));
        ASSERT_TRUE(has_mount(s, "/etc/hostname", "rbind"));
        ASSERT_TRUE(has_mount(s, "/etc/hosts", NULL));
        ASSERT_TRUE(has_mount(s, "/etc/resolv.conf", NULL));
        ASSERT_TRUE(has_mount(s, "/sys", "ro"));
        ASSERT_FALSE(has_mount(s, "/sbin/docker-init", NULL));
        ASSERT_STREQ(json_object_get_string(json_object_object_get(l, "cgroupsPath")), "berth/x");
        ASSERT_TRUE(has_ns(s, "network"));
        ASSERT_FALSE(has_ns(s, "cgroup")); /* no CgroupnsMode: the host's, as with "host" */
}

TEST(spec_gen_cgroupns)
{
        _cleanup_json_ struct json_object *priv =
                gen("{\"Config\":{\"Cmd\":[\"x\"]},\"HostConfig\":{\"CgroupnsMode\":\"private\"}}", -1);
        _cleanup_json_ struct json_object *host =
                gen("{\"Config\":{\"Cmd\":[\"x\"]},\"HostConfig\":{\"CgroupnsMode\":\"host\"}}", -1);

        ASSERT_TRUE(priv && host);
        ASSERT_TRUE(has_ns(priv, "cgroup"));
        ASSERT_FALSE(has_ns(host, "cgroup"));
}

TEST(spec_gen_flags)
{
        _cleanup_json_ struct json_object *s = gen(
                "{\"Config\":{\"Cmd\":[\"sh\"],\"Entrypoint\":[\"/bin/x\"],\"WorkingDir\":\"/w\",\"Tty\":true},"
                "\"HostConfig\":{\"Init\":true,\"Memory\":67108864,\"NanoCpus\":500000000,\"PidsLimit\":7,"
                "\"ReadonlyRootfs\":true,\"ShmSize\":1048576,\"NetworkMode\":\"host\",\"OomScoreAdj\":-5,"
                "\"SecurityOpt\":[\"no-new-privileges\",\"seccomp=unconfined\"],\"Sysctls\":{\"net.x\":\"1\"},"
                "\"Binds\":[\"/tmp:/data:ro\"],\"Tmpfs\":{\"/t\":\"size=1m\"},"
                "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":20}]}}",
                -1);
        struct json_object *p, *l, *r;

        ASSERT_TRUE(s != NULL);
        p = json_object_object_get(s, "process");
        l = json_object_object_get(s, "linux");
        r = json_object_object_get(l, "resources");
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_object_object_get(p, "args"), 0)),
                     SPEC_GEN_INIT_PATH);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_object_object_get(p, "args"), 2)), "/bin/x");
        ASSERT_STREQ(json_object_get_string(json_object_object_get(p, "cwd")), "/w");
        ASSERT_TRUE(json_object_get_boolean(json_object_object_get(p, "terminal")));
        ASSERT_TRUE(json_object_get_boolean(json_object_object_get(p, "noNewPrivileges")));
        ASSERT_EQ(json_object_get_int(json_object_object_get(p, "oomScoreAdj")), -5);
        ASSERT_EQ(json_object_array_length(json_object_object_get(p, "rlimits")), 1);
        ASSERT_EQ(json_object_get_int64(json_object_object_get(json_object_object_get(r, "memory"), "limit")), 67108864);
        ASSERT_EQ(json_object_get_int64(json_object_object_get(json_object_object_get(r, "memory"), "swap")), 134217728);
        ASSERT_EQ(json_object_get_int64(json_object_object_get(json_object_object_get(r, "cpu"), "quota")), 50000);
        ASSERT_EQ(json_object_get_int64(json_object_object_get(json_object_object_get(r, "pids"), "limit")), 7);
        ASSERT_TRUE(json_object_object_get(l, "seccomp") == NULL);
        ASSERT_TRUE(json_object_get_boolean(json_object_object_get(json_object_object_get(s, "root"), "readonly")));
        ASSERT_TRUE(has_mount(s, "/dev/shm", "size=1048576"));
        ASSERT_TRUE(has_mount(s, "/data", "ro"));
        ASSERT_TRUE(has_mount(s, "/t", "size=1m"));
        ASSERT_TRUE(has_mount(s, SPEC_GEN_INIT_PATH, "ro"));
        ASSERT_FALSE(has_ns(s, "network"));
}

TEST(spec_gen_rejects)
{
        ASSERT_TRUE(gen("{\"Config\":{},\"HostConfig\":{}}", -1) == NULL); /* no command */
        ASSERT_TRUE(gen("{\"Config\":{\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"},\"HostConfig\":{}}", -1) == NULL);
        ASSERT_TRUE(gen("{\"Config\":{\"Cmd\":[\"x\"]},\"HostConfig\":{\"Binds\":[\"/a:relative\"]}}", -1) == NULL);
        ASSERT_TRUE(gen("{\"Config\":{\"Cmd\":[\"x\"]},\"HostConfig\":{\"Binds\":[\"/a:/x:bogus\"]}}", -1) == NULL);
        ASSERT_TRUE(gen("{\"Config\":{\"Cmd\":[\"x\"]},\"HostConfig\":{\"Ulimits\":[{\"Name\":\"bogus\"}]}}", -1) ==
                    NULL);
}

TEST(seccomp_default_profile)
{
        _cleanup_(strv_freep) char **caps = NULL;
        _cleanup_json_ struct json_object *p = NULL, *admin = NULL;
        _cleanup_free_ char *text = NULL, *admin_text = NULL;
        char *sa[] = { "SYS_ADMIN", NULL };
        _cleanup_(strv_freep) char **caps2 = NULL;

        ASSERT_OK(spec_gen_caps(NULL, NULL, false, &caps, NULL));
        p = spec_gen_seccomp_default(caps);
        text = json_dump(p, false);
        ASSERT_TRUE(strstr(text, "\"defaultAction\":\"SCMP_ACT_ERRNO\"") != NULL);
        ASSERT_TRUE(strstr(text, "\"read\"") && strstr(text, "\"execve\""));
        ASSERT_TRUE(strstr(text, "\"mount\"") == NULL);
        ASSERT_TRUE(strstr(text, "\"ptrace\"") == NULL);
        ASSERT_OK(spec_gen_caps(sa, NULL, false, &caps2, NULL));
        admin = spec_gen_seccomp_default(caps2);
        admin_text = json_dump(admin, false);
        ASSERT_TRUE(strstr(admin_text, "\"mount\"") != NULL);
}

TEST(jsonlog_encode_as_docker)
{
        struct timespec ts = { 1700000000, 123456789 };
        char out[512];
        size_t n;

        n = jsonlog_encode("hi \"there\" <b>&\t\n", 17, JSONLOG_STDOUT, &ts, out, sizeof(out));
        out[n] = 0;
        ASSERT_STREQ(out, "{\"log\":\"hi \\\"there\\\" \\u003cb\\u003e\\u0026\\t\\n\",\"stream\":\"stdout\","
                          "\"time\":\"2023-11-14T22:13:20.123456789Z\"}\n");
        n = jsonlog_encode("\xff\x01é", 4, JSONLOG_STDERR, &ts, out, sizeof(out));
        out[n] = 0;
        ASSERT_TRUE(strstr(out, "{\"log\":\"\\ufffd\\u0001é\",\"stream\":\"stderr\"") == out);
        ASSERT_EQ(jsonlog_encode("x", 1, JSONLOG_STDOUT, &ts, out, 10), 0);
}

TEST(jsonlog_time_roundtrip)
{
        struct timespec ts = { 951782400, 5 }; /* 2000-02-29 */
        char buf[40];
        int64_t ns;

        jsonlog_format_time(&ts, buf, sizeof(buf));
        ASSERT_STREQ(buf, "2000-02-29T00:00:00.000000005Z");
        ASSERT_OK(jsonlog_parse_time(buf, &ns));
        ASSERT_EQ(ns, 951782400000000005LL);
        ASSERT_OK(jsonlog_parse_time("2000-02-29T01:00:00+01:00", &ns));
        ASSERT_EQ(ns, 951782400000000000LL);
        ASSERT_FAIL(jsonlog_parse_time("2000-13-01T00:00:00Z", &ns));
        ASSERT_FAIL(jsonlog_parse_time("yesterday", &ns));
}

TEST(jsonlog_writer_lines_partials_rotation)
{
        static struct jsonlog_writer w;
        _cleanup_free_ char *data = NULL, *rot = NULL;
        struct jsonlog_entry e;
        size_t len;
        char *nl;

        ASSERT_OK(jsonlog_open(&w, "log", 200, 2, NULL));
        jsonlog_write(&w, JSONLOG_STDOUT, "one\ntw", 6);
        jsonlog_write(&w, JSONLOG_STDOUT, "o\n", 2);
        jsonlog_write(&w, JSONLOG_STDERR, "partial", 7);
        jsonlog_close(&w);
        ASSERT_OK(read_file_at(AT_FDCWD, "log", 1 << 20, &data, &len, NULL));
        ASSERT_TRUE(access("log.1", F_OK) == 0); /* the third entry did not fit in 200 bytes */
        ASSERT_OK(read_file_at(AT_FDCWD, "log.1", 1 << 20, &rot, &len, NULL));
        nl = strchr(rot, '\n');
        ASSERT_OK(jsonlog_parse_line(rot, (size_t) (nl - rot + 1), &e, NULL));
        ASSERT_STREQ(e.log, "one\n");
        ASSERT_EQ(e.stream, JSONLOG_STDOUT);
        jsonlog_entry_done(&e);
        ASSERT_OK(jsonlog_parse_line(nl + 1, strlen(nl + 1), &e, NULL));
        ASSERT_STREQ(e.log, "two\n");
        jsonlog_entry_done(&e);
        ASSERT_OK(jsonlog_parse_line(data, strlen(data), &e, NULL));
        ASSERT_STREQ(e.log, "partial");
        ASSERT_EQ(e.stream, JSONLOG_STDERR);
        jsonlog_entry_done(&e);
        ASSERT_FAIL(jsonlog_parse_line("{\"nolog\":1}", 11, &e, NULL));
        ASSERT_FAIL(jsonlog_parse_line("not json", 8, &e, NULL));
}

TEST(restart_policy)
{
        enum monitor_restart p;
        unsigned max;

        ASSERT_OK(monitor_restart_parse("on-failure:5", &p, &max, NULL));
        ASSERT_EQ(p, MONITOR_RESTART_ON_FAILURE);
        ASSERT_EQ(max, 5);
        ASSERT_OK(monitor_restart_parse("unless-stopped", &p, &max, NULL));
        ASSERT_FAIL(monitor_restart_parse("on-failure:x", &p, &max, NULL));
        ASSERT_TRUE(monitor_restart_wanted(MONITOR_RESTART_ON_FAILURE, 2, 1, 1, false));
        ASSERT_FALSE(monitor_restart_wanted(MONITOR_RESTART_ON_FAILURE, 2, 2, 1, false));
        ASSERT_FALSE(monitor_restart_wanted(MONITOR_RESTART_ON_FAILURE, 0, 9, 0, false));
        ASSERT_TRUE(monitor_restart_wanted(MONITOR_RESTART_ALWAYS, 0, 9, 0, false));
        ASSERT_FALSE(monitor_restart_wanted(MONITOR_RESTART_ALWAYS, 0, 9, 0, true));
        ASSERT_FALSE(monitor_restart_wanted(MONITOR_RESTART_NO, 0, 0, 1, false));
        ASSERT_EQ(monitor_restart_delay_ms(0), 100);
        ASSERT_EQ(monitor_restart_delay_ms(3), 800);
        ASSERT_EQ(monitor_restart_delay_ms(30), 60000);
}

/* The monitor's recorder writes the record through its own connection, goes away when idle, and a
 * request after that starts a new one; a removed record is reported, not an error. */
/* A store in a new directory (dir, a mkdtemp template) with one created container (id): the
 * recorder tests' fixture. Returns the database's path. */
static char *recorder_fixture(char *dir, struct db **db, char id[ENGINE_ID_LEN + 1])
{
        _cleanup_(engine_container_freep) struct engine_container *c = xzalloc(sizeof(*c));
        char *dbp;

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        dbp = path_join(dir, "berth.db");
        ASSERT_OK(db_open(dbp, db, NULL));
        ASSERT_OK(db_migrate(*db, "image", image_migrations, image_migrations_count, NULL));
        ASSERT_OK(records_migrate(*db, NULL));
        ASSERT_OK(db_exec(*db, "INSERT INTO images (id, size, added) VALUES ('sha256:00', 0, 0)", NULL));
        engine_id_generate(id);
        c->id = xstrdup(id);
        c->name = xstrdup("rec");
        c->image_id = xstrdup("sha256:00");
        c->image_name = xstrdup("busybox");
        c->config = json_object_new_object();
        c->state = ENGINE_STATE_CREATED;
        c->created = xstrdup("2026-01-01T00:00:00.000000000Z");
        ASSERT_OK(records_insert(*db, c, NULL));
        return dbp;
}

TEST(recorder_records_and_restarts_when_idle)
{
        char dir[] = "/tmp/berth-test-recorder-XXXXXX";
        _cleanup_(db_closep) struct db *db = NULL;
        _cleanup_(engine_container_freep) struct engine_container *got = NULL;
        struct recorder rc = RECORDER_NONE;
        struct recorder_req q = { .op = RECORDER_RUNNING, .pid = 4242, .monitor_pid = 77 };
        struct recorder_reply a;
        char id[ENGINE_ID_LEN + 1];
        _cleanup_free_ char *dbp = recorder_fixture(dir, &db, id);
        pid_t first;
        struct timespec idle = { .tv_sec = 0, .tv_nsec = (RECORDER_IDLE_MS + 200) * 1000000L };

        ASSERT_OK(recorder_call(&rc, dbp, id, dir, &q, &a));
        ASSERT_TRUE(a.found);
        first = rc.pid;
        ASSERT_TRUE(first > 0);
        ASSERT_OK(records_get(db, id, &got, NULL));
        ASSERT_EQ(got->state, ENGINE_STATE_RUNNING);
        ASSERT_EQ(got->pid, 4242);
        ASSERT_EQ(got->monitor_pid, 77);
        ASSERT_TRUE(got->started_at != NULL);
        got = engine_container_free(got);

        /* idle: it exits by itself; the next request goes to a new one */
        nanosleep(&idle, NULL);
        ASSERT_EQ(waitpid(first, NULL, WNOHANG), first);
        q = (struct recorder_req){ .op = RECORDER_EXITED, .exit_code = 3, .oom = true };
        ASSERT_OK(recorder_call(&rc, dbp, id, dir, &q, &a));
        ASSERT_TRUE(rc.pid > 0 && rc.pid != first);
        ASSERT_FALSE(a.manually_stopped);
        ASSERT_OK(records_get(db, id, &got, NULL));
        ASSERT_EQ(got->state, ENGINE_STATE_EXITED);
        ASSERT_EQ(got->exit_code, 3);
        ASSERT_TRUE(got->oom_killed);
        got = engine_container_free(got);

        /* `berth stop` marked it while it ran: the exit reports it and keeps the mark */
        ASSERT_OK(records_set_manually_stopped(db, id, true, NULL));
        q = (struct recorder_req){ .op = RECORDER_EXITED, .exit_code = 143 };
        ASSERT_OK(recorder_call(&rc, dbp, id, dir, &q, &a));
        ASSERT_TRUE(a.found);
        ASSERT_TRUE(a.manually_stopped);
        ASSERT_OK(records_get(db, id, &got, NULL));
        ASSERT_TRUE(got->manually_stopped);
        ASSERT_EQ(got->exit_code, 143);
        ASSERT_FALSE(got->oom_killed);
        got = engine_container_free(got);

        q = (struct recorder_req){ .op = RECORDER_REMOVE };
        ASSERT_OK(recorder_call(&rc, dbp, id, dir, &q, &a));
        ASSERT_TRUE(a.found);
        ASSERT_EQ(records_get(db, id, &got, NULL), 0);
        /* gone already: nothing to write, no error */
        q = (struct recorder_req){ .op = RECORDER_EXITED };
        ASSERT_OK(recorder_call(&rc, dbp, id, dir, &q, &a));
        ASSERT_FALSE(a.found);
        /* a request it does not know is refused with a message */
        q = (struct recorder_req){ .op = 99 };
        ASSERT_TRUE(recorder_call(&rc, dbp, id, dir, &q, &a) < 0);
        ASSERT_TRUE(strstr(a.msg, "unknown recorder request") != NULL);
        recorder_stop(&rc);
        ASSERT_EQ(rc.fd, -1);
        ASSERT_OK(rm_rf_at(AT_FDCWD, dir, NULL));
}

/* --rm's removal takes the record's config with it, to find anonymous volumes without a second read. */
TEST(records_delete_config_returns_the_config)
{
        char dir[] = "/tmp/berth-test-recorder-XXXXXX";
        _cleanup_(db_closep) struct db *db = NULL;
        _cleanup_(engine_container_freep) struct engine_container *got = NULL;
        _cleanup_free_ char *cfg = NULL, *again = NULL;
        char id[ENGINE_ID_LEN + 1];
        _cleanup_free_ char *dbp = recorder_fixture(dir, &db, id);

        ASSERT_EQ(records_delete_config(db, id, &cfg, NULL), 1);
        ASSERT_TRUE(cfg != NULL);
        ASSERT_TRUE(streq(cfg, "{}"));
        ASSERT_EQ(records_get(db, id, &got, NULL), 0);
        ASSERT_EQ(records_delete_config(db, id, &again, NULL), 0); /* gone: nothing, no error */
        ASSERT_TRUE(again == NULL);
        ASSERT_OK(rm_rf_at(AT_FDCWD, dir, NULL));
}

/* The monitor's RUNNING goes out before it waits for anything: requests are answered in order, and a
 * recorder gone before it answered is told apart from a refusal. */
TEST(recorder_send_then_receive_in_order)
{
        char dir[] = "/tmp/berth-test-recorder-XXXXXX";
        _cleanup_(db_closep) struct db *db = NULL;
        _cleanup_(engine_container_freep) struct engine_container *got = NULL;
        struct recorder rc = RECORDER_NONE;
        struct recorder_req run = { .op = RECORDER_RUNNING, .pid = 4343, .monitor_pid = 78 };
        struct recorder_req ex = { .op = RECORDER_EXITED, .exit_code = 5 };
        struct recorder_reply a;
        char id[ENGINE_ID_LEN + 1];
        _cleanup_free_ char *dbp = recorder_fixture(dir, &db, id);

        ASSERT_OK(recorder_send(&rc, dbp, id, dir, &run));
        ASSERT_OK(recorder_send(&rc, dbp, id, dir, &ex));
        ASSERT_OK(recorder_receive(&rc, &a));
        ASSERT_EQ(a.r, 0);
        ASSERT_TRUE(a.found);
        ASSERT_FALSE(a.manually_stopped);
        ASSERT_OK(recorder_receive(&rc, &a));
        ASSERT_EQ(a.r, 0);
        ASSERT_OK(records_get(db, id, &got, NULL));
        ASSERT_EQ(got->state, ENGINE_STATE_EXITED); /* RUNNING first, then EXITED */
        ASSERT_EQ(got->exit_code, 5);
        ASSERT_EQ(got->pid, 0);

        /* a refusal is a reply */
        run.op = 99;
        ASSERT_OK(recorder_send(&rc, dbp, id, dir, &run));
        ASSERT_OK(recorder_receive(&rc, &a));
        ASSERT_TRUE(a.r < 0);
        ASSERT_TRUE(strstr(a.msg, "unknown recorder request") != NULL);

        /* gone before it answered: no reply */
        ASSERT_OK(kill(rc.pid, SIGKILL));
        ASSERT_EQ(waitpid(rc.pid, NULL, 0), rc.pid);
        rc.pid = -1;
        ASSERT_EQ(recorder_receive(&rc, &a), -EPIPE);
        recorder_stop(&rc);
        ASSERT_OK(rm_rf_at(AT_FDCWD, dir, NULL));
}
