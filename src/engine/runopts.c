/* SPDX-License-Identifier: Apache-2.0 */
/*
 * docker run's flags checked and folded into Config and HostConfig. Errors
 * read as docker's ("invalid argument \"x\" for \"-m, --memory\" flag: ...").
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/monitor.h"
#include "engine/health.h"
#include "engine/runopts.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

void runopts_done(struct runopts *ro)
{
        if (ro->cfg)
                json_object_put(ro->cfg);
        if (ro->hc)
                json_object_put(ro->hc);
        ro->cfg = ro->hc = NULL;
}

static struct json_object *array_of(struct json_object *o, const char *key)
{
        struct json_object *a = NULL;

        if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array)) {
                a = json_new_array();
                json_add(o, key, a);
        }
        return a;
}

static struct json_object *object_of(struct json_object *o, const char *key)
{
        struct json_object *a = NULL;

        if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_object)) {
                a = json_new_object();
                json_add(o, key, a);
        }
        return a;
}

static void push(struct json_object *o, const char *key, const char *value)
{
        json_append(array_of(o, key), json_object_new_string(value));
}

static int bad(struct berr **err, const char *value, const char *flag, const char *why)
{
        return berr_set(err, EINVAL, "invalid argument \"%s\" for \"%s\" flag: %s", value, flag, why);
}

static int parse_bytes(const char *value, const char *flag, int64_t *ret, struct berr **err)
{
        uint64_t v;

        if (streq(value, "-1") && streq(flag, "--memory-swap")) {
                *ret = -1;
                return 0;
        }
        if (parse_size(value, &v) < 0 || v > INT64_MAX)
                return bad(err, value, flag, "invalid size");
        *ret = (int64_t) v;
        return 0;
}

int runopts_parse_cpus(const char *s, int64_t *ret_nano, struct berr **err)
{
        char *end = NULL;
        double d;

        errno = 0;
        d = strtod(s, &end);
        if (errno || !end || *end || end == s || !(d == d) || d < 0 || d > 1e6)
                return bad(err, s, "--cpus", "failed to parse as a rational number");
        *ret_nano = (int64_t) (d * 1e9 + 0.5);
        return 0;
}

static int parse_rlimit_value(const char *s, int64_t *ret)
{
        if (streq(s, "-1") || streq(s, "unlimited")) {
                *ret = -1;
                return 0;
        }
        return parse_int64(s, 10, ret);
}

int runopts_parse_ulimit(const char *s, struct json_object **ret, struct berr **err)
{
        _cleanup_free_ char *copy = xstrdup(s);
        char *eq = strchr(copy, '='), *colon;
        int64_t soft, hard;
        struct json_object *o;

        if (!eq || eq == copy)
                return berr_set(err, EINVAL, "invalid ulimit argument: %s", s);
        *eq++ = 0;
        colon = strchr(eq, ':');
        if (colon)
                *colon++ = 0;
        if (parse_rlimit_value(eq, &soft) < 0 || (colon && parse_rlimit_value(colon, &hard) < 0))
                return berr_set(err, EINVAL, "invalid ulimit argument: %s", s);
        if (!colon)
                hard = soft;
        if (soft != -1 && hard != -1 && soft > hard)
                return berr_set(err, EINVAL, "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                                (long long) soft, (long long) hard);
        o = json_new_object();
        json_add_string(o, "Name", copy);
        json_add_int(o, "Soft", soft);
        json_add_int(o, "Hard", hard);
        *ret = o;
        return 0;
}

int runopts_parse_device(const char *s, struct json_object **ret, struct berr **err)
{
        _cleanup_(strv_freep) char **p = strv_split(s, ":");
        size_t n = strv_length(p);
        const char *perm = "rwm", *dst;
        struct json_object *o;

        if (n < 1 || n > 3 || p[0][0] != '/')
                return berr_set(err, EINVAL, "invalid device specification: %s", s);
        dst = p[0];
        if (n == 2) {
                if (p[1][0] == '/')
                        dst = p[1];
                else
                        perm = p[1];
        } else if (n == 3) {
                dst = p[1];
                perm = p[2];
        }
        if (dst[0] != '/' || strspn(perm, "rwm") != strlen(perm) || !*perm)
                return berr_set(err, EINVAL, "invalid device specification: %s", s);
        o = json_new_object();
        json_add_string(o, "PathOnHost", p[0]);
        json_add_string(o, "PathInContainer", dst);
        json_add_string(o, "CgroupPermissions", perm);
        *ret = o;
        return 0;
}

static void env_add(struct json_object *env, const char *kv)
{
        const char *eq = strchr(kv, '=');

        if (!eq) {
                const char *v = getenv(kv);
                _cleanup_free_ char *s = NULL;
                if (!v)
                        return; /* docker drops a bare name that is not set */
                s = xasprintf("%s=%s", kv, v);
                json_append(env, json_object_new_string(s));
                return;
        }
        json_append(env, json_object_new_string(kv));
}

int runopts_parse_env_file(const char *text, size_t len, struct json_object *env, struct berr **err)
{
        _cleanup_free_ char *copy = xstrndup(text, len);
        char *save = NULL;
        size_t lineno = 0;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                size_t n;

                lineno++;
                while (*line == ' ' || *line == '\t')
                        line++;
                n = strlen(line);
                if (n > 0 && line[n - 1] == '\r')
                        line[--n] = 0;
                if (n == 0 || line[0] == '#')
                        continue;
                if (line[0] == '=')
                        return berr_set(err, EINVAL, "invalid environment variable: %s", line);
                if (strcspn(line, "= \t") < strcspn(line, "=") && strchr(line, '='))
                        return berr_set(err, EINVAL, "variable '%s' contains whitespaces", line);
                env_add(env, line);
        }
        return 0;
}

static int read_env_file(struct runopts *ro, const char *path, struct berr **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_at(AT_FDCWD, path, RUNOPTS_ENV_FILE_MAX, &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "open env file '%s'", path);
        return runopts_parse_env_file(data, len, array_of(ro->cfg, "Env"), err);
}

static int add_kv(struct json_object *map, const char *value, const char *what, struct berr **err)
{
        const char *eq = strchr(value, '=');
        _cleanup_free_ char *k = NULL;

        if (!eq || eq == value)
                return berr_set(err, EINVAL, "invalid %s format '%s': expected KEY=VALUE", what, value);
        k = xstrndup(value, (size_t) (eq - value));
        json_add_string(map, k, eq + 1);
        return 0;
}

static int read_seccomp_file(struct runopts *ro, const char *opt, struct berr **err)
{
        const char *v = startswith(opt, "seccomp=");
        _cleanup_free_ char *data = NULL, *stored = NULL;
        _cleanup_json_ struct json_object *check = NULL;
        size_t len = 0;
        int r;

        if (!v)
                v = startswith(opt, "seccomp:");
        if (!v || streq(v, "unconfined")) {
                push(ro->hc, "SecurityOpt", opt);
                return 0;
        }
        /* as docker's CLI does: the profile's content travels in the option, so the file may go away */
        r = read_file_at(AT_FDCWD, v, RUNOPTS_ENV_FILE_MAX, &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "opening seccomp profile (%s) failed", v);
        r = json_parse_buf(data, len, &check, err);
        if (r < 0)
                return berr_wrap(err, "seccomp profile '%s'", v);
        stored = xasprintf("seccomp=%s", data);
        push(ro->hc, "SecurityOpt", stored);
        return 0;
}

static int security_opt(struct runopts *ro, const char *value, struct berr **err)
{
        if (startswith(value, "seccomp=") || startswith(value, "seccomp:"))
                return read_seccomp_file(ro, value, err);
        if (streq(value, "no-new-privileges") || streq(value, "no-new-privileges:true") ||
            streq(value, "no-new-privileges=true") || streq(value, "no-new-privileges:false") ||
            streq(value, "no-new-privileges=false")) {
                push(ro->hc, "SecurityOpt", value);
                return 0;
        }
        if (startswith(value, "label") || startswith(value, "apparmor"))
                return berr_set(err, ENOTSUP, "security option '%s' is not supported: no LSM support", value);
        return berr_set(err, EINVAL, "Invalid --security-opt: %s", value);
}

static void ensure(struct runopts *ro)
{
        if (!ro->cfg)
                ro->cfg = json_new_object();
        if (!ro->hc)
                ro->hc = json_new_object();
}

static int set_bytes(struct json_object *o, const char *key, const char *value, const char *flag,
                     struct berr **err)
{
        int64_t v;
        int r = parse_bytes(value, flag, &v, err);

        if (r < 0)
                return r;
        json_add_int(o, key, v);
        return 0;
}

/* --health-* and --no-healthcheck into Config.Healthcheck (docker's shape, durations in ns). */
static int health_option(struct json_object *h, int opt, const char *value, struct berr **err)
{
        int64_t ns = 0;
        int n;

        switch (opt) {
        case OPT_HEALTH_CMD: {
                struct json_object *t = json_new_array();
                json_append(t, json_object_new_string("CMD-SHELL"));
                json_append(t, json_object_new_string(value));
                json_add(h, "Test", t);
                return 0;
        }
        case OPT_NO_HEALTHCHECK: {
                struct json_object *t = json_new_array();
                json_append(t, json_object_new_string("NONE"));
                json_add(h, "Test", t);
                return 0;
        }
        case OPT_HEALTH_RETRIES:
                if (parse_int(value, &n) < 0 || n < 0)
                        return berr_set(err, EINVAL, "invalid argument \"%s\" for \"--health-retries\" flag", value);
                json_add_int(h, "Retries", n);
                return 0;
        default:
                break;
        }
        if (health_parse_duration(value, &ns) < 0 || (ns != 0 && ns < 1000000))
                return berr_set(err, EINVAL, "invalid argument \"%s\" for health flag: a duration of at least 1ms",
                                value);
        json_add_int(h, opt == OPT_HEALTH_INTERVAL ? "Interval" : opt == OPT_HEALTH_TIMEOUT ? "Timeout" : "StartPeriod",
                     ns);
        return 0;
}

/*
 * The executable an external runtime option names: an absolute path as it is, a bare name
 * ("runc", "crun") looked up in PATH as podman does; NULL when there is none. Relative paths
 * with a slash are refused: the monitor runs in another directory.
 */
static char *runtime_lookup(const char *value)
{
        const char *search = getenv("PATH");

        if (value[0] == '/')
                return access(value, X_OK) == 0 ? xstrdup(value) : NULL;
        if (!*value || strchr(value, '/') || streq(value, ".") || streq(value, ".."))
                return NULL;
        if (!search || !*search)
                search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const char *p = search; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && p[0] == '/') {
                        _cleanup_free_ char *c = xasprintf("%.*s/%s", (int)n, p, value);
                        struct stat st;
                        if (stat(c, &st) == 0 && S_ISREG(st.st_mode) && access(c, X_OK) == 0)
                                return TAKE_PTR(c);
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        return NULL;
}

int runopts_apply(struct runopts *ro, int opt, const char *value, struct berr **err)
{
        struct json_object *o = NULL;
        int64_t v;
        int iv, r;

        ensure(ro);
        switch (opt) {
        case 'i':
                ro->interactive = true;
                json_add_bool(ro->cfg, "OpenStdin", true);
                return 0;
        case 't':
                ro->tty = true;
                json_add_bool(ro->cfg, "Tty", true);
                return 0;
        case OPT_RM:
                ro->autoremove = true;
                json_add_bool(ro->hc, "AutoRemove", true);
                return 0;
        case OPT_NAME:
                ro->name = value;
                return 0;
        case 'e':
                env_add(array_of(ro->cfg, "Env"), value);
                return 0;
        case OPT_ENV_FILE:
                return read_env_file(ro, value, err);
        case 'w':
                json_add_string(ro->cfg, "WorkingDir", value);
                return 0;
        case 'u':
                json_add_string(ro->cfg, "User", value);
                return 0;
        case OPT_ENTRYPOINT: {
                struct json_object *a = json_new_array();
                if (*value)
                        json_append(a, json_object_new_string(value));
                json_add(ro->cfg, "Entrypoint", a);
                return 0;
        }
        case 'h':
                if (strlen(value) > 63)
                        return bad(err, value, "-h, --hostname", "hostname too long");
                json_add_string(ro->cfg, "Hostname", value);
                return 0;
        case OPT_READ_ONLY:
                json_add_bool(ro->hc, "ReadonlyRootfs", true);
                return 0;
        case 'm':
                r = parse_bytes(value, "-m, --memory", &v, err);
                if (r < 0)
                        return r;
                if (v < 6 * 1024 * 1024)
                        return berr_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
                json_add_int(ro->hc, "Memory", v);
                return 0;
        case OPT_MEMORY_SWAP:
                return set_bytes(ro->hc, "MemorySwap", value, "--memory-swap", err);
        case OPT_SHM_SIZE:
                r = parse_bytes(value, "--shm-size", &v, err);
                if (r < 0)
                        return r;
                if (v <= 0)
                        return bad(err, value, "--shm-size", "must be positive");
                json_add_int(ro->hc, "ShmSize", v);
                return 0;
        case OPT_CPUS:
                r = runopts_parse_cpus(value, &v, err);
                if (r < 0)
                        return r;
                json_add_int(ro->hc, "NanoCpus", v);
                return 0;
        case 'c':
                if (parse_int64(value, 10, &v) < 0 || v < 0)
                        return bad(err, value, "-c, --cpu-shares", "invalid number");
                json_add_int(ro->hc, "CpuShares", v);
                return 0;
        case OPT_CPUSET_CPUS:
                if (strspn(value, "0123456789,-") != strlen(value) || !*value)
                        return berr_set(err, EINVAL, "invalid value %s for cpuset cpus", value);
                json_add_string(ro->hc, "CpusetCpus", value);
                return 0;
        case OPT_PIDS_LIMIT:
                if (parse_int64(value, 10, &v) < 0)
                        return bad(err, value, "--pids-limit", "invalid number");
                json_add_int(ro->hc, "PidsLimit", v);
                return 0;
        case OPT_ULIMIT:
                r = runopts_parse_ulimit(value, &o, err);
                if (r < 0)
                        return r;
                json_append(array_of(ro->hc, "Ulimits"), o);
                return 0;
        case OPT_CAP_ADD:
                push(ro->hc, "CapAdd", value);
                return 0;
        case OPT_CAP_DROP:
                push(ro->hc, "CapDrop", value);
                return 0;
        case OPT_PRIVILEGED:
                json_add_bool(ro->hc, "Privileged", true);
                return 0;
        case OPT_SECURITY_OPT:
                return security_opt(ro, value, err);
        case OPT_DEVICE:
                r = runopts_parse_device(value, &o, err);
                if (r < 0)
                        return r;
                json_append(array_of(ro->hc, "Devices"), o);
                return 0;
        case OPT_SYSCTL:
                return add_kv(object_of(ro->hc, "Sysctls"), value, "sysctl", err);
        case OPT_OOM_SCORE_ADJ:
                if (parse_int(value, &iv) < 0 || iv < -1000 || iv > 1000)
                        return berr_set(err, EINVAL, "Invalid value %s, range for oom score adj is [-1000, 1000]",
                                        value);
                json_add_int(ro->hc, "OomScoreAdj", iv);
                return 0;
        case OPT_NETWORK:
                if (!streq(value, "none") && !streq(value, "host") && !streq(value, "default") &&
                    !streq(value, "bridge"))
                        return berr_set(err, ENOTSUP, "network %s not found (only none and host are supported)",
                                        value);
                json_add_string(ro->hc, "NetworkMode", value);
                return 0;
        case OPT_INIT:
                json_add_bool(ro->hc, "Init", true);
                return 0;
        case OPT_RESTART: {
                enum monitor_restart p;
                unsigned max;
                r = monitor_restart_parse(value, &p, &max, err);
                if (r < 0)
                        return r;
                o = json_new_object();
                json_add_string(o, "Name", p == MONITOR_RESTART_NO ? "no" : monitor_restart_to_string(p));
                json_add_int(o, "MaximumRetryCount", max);
                json_add(ro->hc, "RestartPolicy", o);
                return 0;
        }
        case OPT_STOP_SIGNAL:
                if (parse_signal(value, &iv) < 0)
                        return berr_set(err, EINVAL, "Invalid signal: %s", value);
                json_add_string(ro->cfg, "StopSignal", value);
                return 0;
        case OPT_STOP_TIMEOUT:
                if (parse_int(value, &iv) < 0)
                        return bad(err, value, "--stop-timeout", "invalid number");
                json_add_int(ro->cfg, "StopTimeout", iv);
                return 0;
        case 'l': {
                const char *eq = strchr(value, '=');
                _cleanup_free_ char *k = xstrndup(value, eq ? (size_t) (eq - value) : strlen(value));
                json_add_string(object_of(ro->cfg, "Labels"), k, eq ? eq + 1 : "");
                return 0;
        }
        case OPT_LOG_OPT: {
                struct json_object *lc = object_of(ro->hc, "LogConfig");
                const char *eq = strchr(value, '=');
                uint64_t sz;
                uint32_t n;

                if (!eq)
                        return berr_set(err, EINVAL, "invalid log opt '%s': expected KEY=VALUE", value);
                if (startswith(value, "max-size=")) {
                        if (parse_size(eq + 1, &sz) < 0 || sz == 0)
                                return berr_set(err, EINVAL, "invalid max-size '%s'", eq + 1);
                } else if (startswith(value, "max-file=")) {
                        if (parse_uint32(eq + 1, &n) < 0 || n < 1)
                                return berr_set(err, EINVAL, "invalid value for max-file: %s", eq + 1);
                } else if (!startswith(value, "compress=") && !startswith(value, "labels=") &&
                           !startswith(value, "env=") && !startswith(value, "tag=")) {
                        return berr_set(err, EINVAL, "unknown log opt '%.*s' for json-file log driver",
                                        (int) (eq - value), value);
                }
                return add_kv(object_of(lc, "Config"), value, "log opt", err);
        }
        case OPT_LOG_DRIVER:
                if (!streq(value, "json-file"))
                        return berr_set(err, ENOTSUP, "log driver '%s' is not supported (json-file only)", value);
                return 0;
        case OPT_GROUP_ADD:
                push(ro->hc, "GroupAdd", value);
                return 0;
        case OPT_TMPFS: {
                const char *colon = strchr(value, ':');
                _cleanup_free_ char *dst = xstrndup(value, colon ? (size_t) (colon - value) : strlen(value));
                if (dst[0] != '/')
                        return berr_set(err, EINVAL, "invalid tmpfs mount point '%s'", dst);
                json_add_string(object_of(ro->hc, "Tmpfs"), dst, colon ? colon + 1 : "");
                return 0;
        }
        case OPT_HEALTH_CMD:
        case OPT_HEALTH_INTERVAL:
        case OPT_HEALTH_RETRIES:
        case OPT_HEALTH_TIMEOUT:
        case OPT_HEALTH_START_PERIOD:
        case OPT_NO_HEALTHCHECK:
                return health_option(object_of(ro->cfg, "Healthcheck"), opt, value, err);
        case OPT_MOUNT: {
                struct json_object *m = NULL;
                if (volume_parse_mount(value, &m, err) < 0)
                        return -EINVAL;
                json_append(array_of(ro->hc, "Mounts"), m);
                return 0;
        }
        case 'v':
                push(ro->hc, "Binds", value);
                return 0;
        case OPT_RUNTIME: {
                _cleanup_free_ char *path = runtime_lookup(value);
                if (!path)
                        return berr_set(err, EINVAL,
                                        "--runtime '%s': no such executable (give its absolute path or a name in PATH)",
                                        value);
                json_add_string(ro->hc, "Runtime", path);
                return 0;
        }
        default:
                return berr_set(err, EINVAL, "unknown flag");
        }
}

int runopts_finish(struct runopts *ro, bool detach, struct berr **err)
{
        struct json_object *rp = NULL, *a;

        ensure(ro);
        if (ro->autoremove && json_object_object_get_ex(ro->hc, "RestartPolicy", &rp)) {
                const char *name = json_object_get_string(json_object_object_get(rp, "Name"));
                if (name && !streq(name, "no"))
                        return berr_set(err, EINVAL, "Conflicting options: --restart and --rm");
        }
        if (ro->n_cmd > 0) {
                a = json_new_array();
                for (size_t i = 0; i < ro->n_cmd; i++)
                        json_append(a, json_object_new_string(ro->cmd[i]));
                json_add(ro->cfg, "Cmd", a);
        }
        json_add_bool(ro->cfg, "AttachStdin", !detach && ro->interactive);
        json_add_bool(ro->cfg, "AttachStdout", !detach);
        json_add_bool(ro->cfg, "AttachStderr", !detach);
        json_add_bool(ro->cfg, "StdinOnce", !detach && ro->interactive);
        if (!json_object_object_get_ex(ro->hc, "NetworkMode", NULL))
                json_add_string(ro->hc, "NetworkMode", "none");
        if (!json_object_object_get_ex(ro->hc, "LogConfig", NULL))
                json_add(ro->hc, "LogConfig", json_new_object());
        a = json_object_object_get(ro->hc, "LogConfig");
        json_add_string(a, "Type", "json-file");
        if (!json_object_object_get_ex(a, "Config", NULL))
                json_add(a, "Config", json_new_object());
        if (!json_object_object_get_ex(ro->hc, "RestartPolicy", NULL)) {
                struct json_object *p = json_new_object();
                json_add_string(p, "Name", "no");
                json_add_int(p, "MaximumRetryCount", 0);
                json_add(ro->hc, "RestartPolicy", p);
        }
        return 0;
}

struct json_object *runopts_to_config(const struct runopts *ro)
{
        struct json_object *o = json_new_object();

        json_add(o, "Config", json_object_get(ro->cfg));
        json_add(o, "HostConfig", json_object_get(ro->hc));
        return o;
}
