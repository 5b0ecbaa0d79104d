/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-runtime: src/runtime behind runc's command line, so containerd,
 * podman (conmon) and other OCI tools drive it unchanged. This file parses
 * arguments the way runc's CLI library does (options before positional
 * arguments, --name value, --name=value, single-dash long names, short
 * aliases), calls one library function per command, prints tables and maps
 * errors to exit status 1 (run and exec exit with the process's status).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/spec.h"

#define RESOURCES_MAX_BYTES (1u << 20)
#define PS_OUTPUT_MAX (16u << 20)

/* Global options. */
static const char *arg_root = CONTAINER_DEFAULT_ROOT;
static const char *arg_log;
static const char *arg_log_format = "text";
static bool arg_debug;
static bool arg_systemd_cgroup;
static const char *arg_rootless;
static const char *arg_criu;

/* Command options. */
static const char *arg_bundle, *arg_pid_file, *arg_console_socket, *arg_format, *arg_process, *arg_cwd,
        *arg_user, *arg_interval, *arg_resources, *arg_apparmor, *arg_process_label, *arg_preserve_fds;
static bool arg_no_pivot, arg_no_new_keyring, arg_detach, arg_keep, arg_all, arg_force, arg_quiet, arg_stats,
        arg_tty, arg_no_new_privs, arg_rootless_spec, arg_no_subreaper, arg_help;
static char **arg_env, **arg_caps, **arg_gids;
static const char *arg_memory, *arg_memory_reservation, *arg_memory_swap, *arg_kernel_memory, *arg_cpu_shares,
        *arg_cpu_quota, *arg_cpu_period, *arg_cpu_rt_period, *arg_cpu_rt_runtime, *arg_cpuset_cpus, *arg_cpuset_mems,
        *arg_pids_limit, *arg_blkio_weight;

enum opt_kind { OPT_FLAG, OPT_STRING, OPT_STRV };

struct opt {
        const char *name;
        char short_name;
        enum opt_kind kind;
        void *ptr;
};

#define END_OPTS { NULL, 0, OPT_FLAG, NULL }

static const struct opt global_opts[] = {
        { "root", 0, OPT_STRING, &arg_root },
        { "log", 0, OPT_STRING, &arg_log },
        { "log-format", 0, OPT_STRING, &arg_log_format },
        { "debug", 0, OPT_FLAG, &arg_debug },
        { "systemd-cgroup", 0, OPT_FLAG, &arg_systemd_cgroup },
        { "rootless", 0, OPT_STRING, &arg_rootless },
        { "criu", 0, OPT_STRING, &arg_criu },
        { "help", 'h', OPT_FLAG, &arg_help },
        END_OPTS,
};

#define CREATE_OPTS                                                                                                    \
        { "bundle", 'b', OPT_STRING, &arg_bundle }, { "pid-file", 0, OPT_STRING, &arg_pid_file },                      \
                { "console-socket", 0, OPT_STRING, &arg_console_socket },                                              \
                { "no-pivot", 0, OPT_FLAG, &arg_no_pivot }, { "no-new-keyring", 0, OPT_FLAG, &arg_no_new_keyring },    \
                { "preserve-fds", 0, OPT_STRING, &arg_preserve_fds },                                                  \
                { "no-subreaper", 0, OPT_FLAG, &arg_no_subreaper }, { "help", 'h', OPT_FLAG, &arg_help }

static const struct opt create_opts[] = { CREATE_OPTS, END_OPTS };
static const struct opt run_opts[] = { CREATE_OPTS, { "detach", 'd', OPT_FLAG, &arg_detach },
                                       { "keep", 0, OPT_FLAG, &arg_keep }, END_OPTS };
static const struct opt none_opts[] = { { "help", 'h', OPT_FLAG, &arg_help }, END_OPTS };
static const struct opt kill_opts[] = { { "all", 'a', OPT_FLAG, &arg_all }, { "help", 'h', OPT_FLAG, &arg_help },
                                        END_OPTS };
static const struct opt delete_opts[] = { { "force", 'f', OPT_FLAG, &arg_force }, { "help", 'h', OPT_FLAG, &arg_help },
                                          END_OPTS };
static const struct opt list_opts[] = { { "quiet", 'q', OPT_FLAG, &arg_quiet },
                                        { "format", 'f', OPT_STRING, &arg_format },
                                        { "help", 'h', OPT_FLAG, &arg_help }, END_OPTS };
static const struct opt ps_opts[] = { { "format", 'f', OPT_STRING, &arg_format }, { "help", 'h', OPT_FLAG, &arg_help },
                                      END_OPTS };
static const struct opt events_opts[] = { { "stats", 0, OPT_FLAG, &arg_stats },
                                          { "interval", 0, OPT_STRING, &arg_interval },
                                          { "help", 'h', OPT_FLAG, &arg_help }, END_OPTS };
static const struct opt spec_opts[] = { { "bundle", 'b', OPT_STRING, &arg_bundle },
                                        { "rootless", 0, OPT_FLAG, &arg_rootless_spec },
                                        { "help", 'h', OPT_FLAG, &arg_help }, END_OPTS };
static const struct opt exec_opts_table[] = {
        { "process", 'p', OPT_STRING, &arg_process },
        { "tty", 't', OPT_FLAG, &arg_tty },
        { "console-socket", 0, OPT_STRING, &arg_console_socket },
        { "cwd", 0, OPT_STRING, &arg_cwd },
        { "env", 'e', OPT_STRV, &arg_env },
        { "user", 'u', OPT_STRING, &arg_user },
        { "additional-gids", 'g', OPT_STRV, &arg_gids },
        { "cap", 'c', OPT_STRV, &arg_caps },
        { "no-new-privs", 0, OPT_FLAG, &arg_no_new_privs },
        { "detach", 'd', OPT_FLAG, &arg_detach },
        { "pid-file", 0, OPT_STRING, &arg_pid_file },
        { "preserve-fds", 0, OPT_STRING, &arg_preserve_fds },
        { "apparmor", 0, OPT_STRING, &arg_apparmor },
        { "process-label", 0, OPT_STRING, &arg_process_label },
        { "ignore-paused", 0, OPT_FLAG, &arg_quiet },
        { "help", 'h', OPT_FLAG, &arg_help },
        END_OPTS,
};
static const struct opt update_opts[] = {
        { "resources", 'r', OPT_STRING, &arg_resources },
        { "memory", 0, OPT_STRING, &arg_memory },
        { "memory-reservation", 0, OPT_STRING, &arg_memory_reservation },
        { "memory-swap", 0, OPT_STRING, &arg_memory_swap },
        { "kernel-memory", 0, OPT_STRING, &arg_kernel_memory },
        { "cpu-shares", 0, OPT_STRING, &arg_cpu_shares },
        { "cpu-quota", 0, OPT_STRING, &arg_cpu_quota },
        { "cpu-period", 0, OPT_STRING, &arg_cpu_period },
        { "cpu-rt-period", 0, OPT_STRING, &arg_cpu_rt_period },
        { "cpu-rt-runtime", 0, OPT_STRING, &arg_cpu_rt_runtime },
        { "cpuset-cpus", 0, OPT_STRING, &arg_cpuset_cpus },
        { "cpuset-mems", 0, OPT_STRING, &arg_cpuset_mems },
        { "pids-limit", 0, OPT_STRING, &arg_pids_limit },
        { "blkio-weight", 0, OPT_STRING, &arg_blkio_weight },
        { "help", 'h', OPT_FLAG, &arg_help },
        END_OPTS,
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
        char msg[4096];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s", msg);
        if (log_get_fd() != STDERR_FILENO)
                fprintf(stderr, "berth-runtime: %s\n", msg);
        return 1;
}

static int fail_err(struct berr *err)
{
        int r = fail("%s", berr_msg(err));
        berr_free(err);
        return r;
}

static bool parse_bool_value(const char *v, bool *ret)
{
        if (streq(v, "true") || streq(v, "1")) {
                *ret = true;
                return true;
        }
        if (streq(v, "false") || streq(v, "0")) {
                *ret = false;
                return true;
        }
        return false;
}

/* Parses options until the first positional argument (or "--"); returns the index of that argument or -1. */
static int parse_opts(int argc, char **argv, int i, const struct opt *opts, const char *cmd)
{
        for (; i < argc; i++) {
                const char *a = argv[i], *name, *value = NULL, *eq;
                const struct opt *o = NULL;
                size_t nlen;

                if (streq(a, "--"))
                        return i + 1;
                if (a[0] != '-' || a[1] == 0)
                        return i;
                name = a[1] == '-' ? a + 2 : a + 1;
                eq = strchr(name, '=');
                nlen = eq ? (size_t) (eq - name) : strlen(name);
                for (const struct opt *p = opts; p->name; p++)
                        if ((strlen(p->name) == nlen && strncmp(p->name, name, nlen) == 0) ||
                            (a[1] != '-' && nlen == 1 && p->short_name == name[0]))
                                o = p;
                if (!o) {
                        fail("%s: unknown option '%s'", cmd, a);
                        return -1;
                }
                if (eq)
                        value = eq + 1;
                if (o->kind == OPT_FLAG) {
                        if (value && !parse_bool_value(value, (bool *) o->ptr)) {
                                fail("%s: option '%s' takes true or false", cmd, a);
                                return -1;
                        }
                        if (!value)
                                *(bool *) o->ptr = true;
                        continue;
                }
                if (!value) {
                        if (i + 1 >= argc) {
                                fail("%s: option '%s' needs a value", cmd, a);
                                return -1;
                        }
                        value = argv[++i];
                }
                if (o->kind == OPT_STRING)
                        *(const char **) o->ptr = value;
                else
                        strv_push((char ***) o->ptr, value);
        }
        return i;
}

static int need_id(int argc, char **argv, int i, const char *cmd, const char **ret)
{
        if (i < 0)
                return -1;
        if (i >= argc) {
                fail("%s: requires a container id", cmd);
                return -1;
        }
        *ret = argv[i];
        return 0;
}

static int parse_preserve(unsigned *ret)
{
        uint32_t n = 0;

        if (arg_preserve_fds && parse_uint32(arg_preserve_fds, &n) < 0)
                return fail("--preserve-fds '%s' is not a number", arg_preserve_fds);
        *ret = n;
        return 0;
}

static int cmd_create_or_run(int argc, char **argv, int i, const struct runtime_ctx *ctx, bool run)
{
        struct create_opts o = { 0 };
        struct berr *err = NULL;
        int status = 0;

        i = parse_opts(argc, argv, i, run ? run_opts : create_opts, argv[i - 1]);
        if (need_id(argc, argv, i, run ? "run" : "create", &o.id) < 0)
                return 1;
        if (parse_preserve(&o.preserve_fds))
                return 1;
        o.bundle = arg_bundle;
        o.pid_file = arg_pid_file;
        o.console_socket = arg_console_socket;
        o.no_pivot = arg_no_pivot;
        o.no_new_keyring = arg_no_new_keyring;
        o.detach = arg_detach;
        o.keep = arg_keep;
        if (!run) {
                if (container_create(ctx, &o, &err) < 0)
                        return fail_err(err);
                return 0;
        }
        if (container_run(ctx, &o, &status, &err) < 0)
                return fail_err(err);
        return status;
}

static int cmd_simple(int argc, char **argv, int i, const struct runtime_ctx *ctx, const char *cmd)
{
        struct berr *err = NULL;
        const char *id;
        int r = 0;

        i = parse_opts(argc, argv, i, none_opts, cmd);
        if (need_id(argc, argv, i, cmd, &id) < 0)
                return 1;
        if (streq(cmd, "start"))
                r = container_start(ctx, id, &err);
        else if (streq(cmd, "pause"))
                r = container_pause(ctx, id, true, &err);
        else if (streq(cmd, "resume"))
                r = container_pause(ctx, id, false, &err);
        else if (streq(cmd, "state")) {
                _cleanup_free_ char *json = NULL;
                r = container_state_json(ctx, id, &json, &err);
                if (r >= 0)
                        printf("%s\n", json);
        }
        if (r < 0)
                return fail_err(err);
        return 0;
}

static int cmd_kill(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct berr *err = NULL;
        const char *id;
        int sig = SIGTERM;

        i = parse_opts(argc, argv, i, kill_opts, "kill");
        if (need_id(argc, argv, i, "kill", &id) < 0)
                return 1;
        if (i + 1 < argc && parse_signal(argv[i + 1], &sig) < 0)
                return fail("kill: unknown signal '%s'", argv[i + 1]);
        if (container_kill(ctx, id, sig, arg_all, &err) < 0)
                return fail_err(err);
        return 0;
}

static int cmd_delete(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct berr *err = NULL;
        const char *id;
        int ret = 0;

        i = parse_opts(argc, argv, i, delete_opts, "delete");
        if (need_id(argc, argv, i, "delete", &id) < 0)
                return 1;
        /* runc accepts several ids. */
        for (; i < argc; i++) {
                if (container_delete(ctx, argv[i], arg_force, &err) < 0) {
                        /* --force on a container that does not exist is not an error (runc, crun). */
                        if (arg_force && berr_code(err) == ENOENT) {
                                err = berr_free(err);
                                continue;
                        }
                        ret = fail_err(err);
                        err = NULL;
                }
        }
        return ret;
}

static void print_table(char ***rows, size_t nrows, size_t ncols)
{
        size_t width[16] = { 0 };

        for (size_t r = 0; r < nrows; r++)
                for (size_t c = 0; c < ncols && c < 16; c++)
                        if (strlen(rows[r][c]) > width[c])
                                width[c] = strlen(rows[r][c]);
        for (size_t r = 0; r < nrows; r++) {
                for (size_t c = 0; c < ncols; c++) {
                        if (c + 1 == ncols)
                                printf("%s\n", rows[r][c]);
                        else
                                printf("%-*s", (int) (width[c] < 9 ? 12 : width[c] + 3), rows[r][c]);
                }
        }
}

static struct json_object *info_json(const struct container_info *ci)
{
        struct json_object *o = container_info_oci_json(ci);

        json_add(o, "annotations", container_annotations_json(ci->annotations));
        json_add_string(o, "owner", ci->owner ? ci->owner : "");
        return o;
}

static int cmd_list(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct berr *err = NULL;
        struct container_info *v = NULL;
        size_t n = 0;

        i = parse_opts(argc, argv, i, list_opts, "list");
        if (i < 0)
                return 1;
        if (arg_format && !streq(arg_format, "table") && !streq(arg_format, "json"))
                return fail("list: unknown format '%s'", arg_format);
        if (container_list(ctx, &v, &n, &err) < 0)
                return fail_err(err);
        if (arg_quiet) {
                for (size_t k = 0; k < n; k++)
                        printf("%s\n", v[k].id);
        } else if (arg_format && streq(arg_format, "json")) {
                _cleanup_json_ struct json_object *a = json_new_array();
                _cleanup_free_ char *text = NULL;
                for (size_t k = 0; k < n; k++)
                        json_append(a, info_json(&v[k]));
                text = json_dump(a, false);
                printf("%s\n", n ? text : "null");
        } else {
                char ***rows = xcalloc(n + 1, sizeof(char **));
                static char *header[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
                rows[0] = header;
                for (size_t k = 0; k < n; k++) {
                        rows[k + 1] = xcalloc(6, sizeof(char *));
                        rows[k + 1][0] = v[k].id;
                        rows[k + 1][1] = xasprintf("%d", (int) v[k].pid);
                        rows[k + 1][2] = (char *) container_status_to_string(v[k].status);
                        rows[k + 1][3] = v[k].bundle;
                        rows[k + 1][4] = v[k].created ? v[k].created : "";
                        rows[k + 1][5] = v[k].owner && *v[k].owner ? v[k].owner : "root";
                }
                print_table(rows, n + 1, 6);
                for (size_t k = 0; k < n; k++) {
                        free(rows[k + 1][1]);
                        free(rows[k + 1]);
                }
                free(rows);
        }
        for (size_t k = 0; k < n; k++)
                container_info_done(&v[k]);
        free(v);
        return 0;
}

/* `ps` table: runs ps(1) with the given options (default -ef) and keeps the header plus the lines
 * whose PID column is one of the container's pids, as runc does. */
static int ps_table(char **ps_args, const pid_t *pids, size_t n)
{
        _cleanup_(strv_freep) char **argv = NULL;
        _cleanup_free_ char *out = NULL;
        _cleanup_(strv_freep) char **lines = NULL;
        int pfd[2], status, pid_col = -1;
        size_t len;
        pid_t child;

        strv_push(&argv, "ps");
        if (!ps_args || !ps_args[0])
                strv_push(&argv, "-ef");
        for (size_t k = 0; ps_args && ps_args[k]; k++)
                strv_push(&argv, ps_args[k]);
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return fail("ps: pipe: %m");
        child = fork();
        if (child < 0)
                return fail("ps: fork: %m");
        if (child == 0) {
                dup2(pfd[1], 1);
                execvp("ps", argv);
                _exit(127);
        }
        close(pfd[1]);
        if (read_all(pfd[0], PS_OUTPUT_MAX, &out, &len, NULL) < 0)
                out = xstrdup("");
        close(pfd[0]);
        waitpid(child, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return fail("ps: '%s' failed", strv_join(argv, " "));
        lines = strv_split(out, "\n");
        if (!lines || !lines[0])
                return 0;
        {
                _cleanup_(strv_freep) char **cols = strv_split(lines[0], " \t");
                for (int c = 0; cols && cols[c]; c++)
                        if (streq(cols[c], "PID"))
                                pid_col = c;
        }
        if (pid_col < 0)
                return fail("ps: no PID column in the output of ps");
        printf("%s\n", lines[0]);
        for (size_t k = 1; lines[k]; k++) {
                _cleanup_(strv_freep) char **cols = strv_split(lines[k], " \t");
                int p;
                if ((int) strv_length(cols) <= pid_col || parse_int(cols[pid_col], &p) < 0)
                        continue;
                for (size_t j = 0; j < n; j++)
                        if (pids[j] == p) {
                                printf("%s\n", lines[k]);
                                break;
                        }
        }
        return 0;
}

static int cmd_ps(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct berr *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        const char *id;
        size_t n = 0;

        i = parse_opts(argc, argv, i, ps_opts, "ps");
        if (need_id(argc, argv, i, "ps", &id) < 0)
                return 1;
        if (container_pids(ctx, id, &pids, &n, &err) < 0)
                return fail_err(err);
        if (arg_format && streq(arg_format, "json")) {
                printf("[");
                for (size_t k = 0; k < n; k++)
                        printf("%s%d", k ? "," : "", (int) pids[k]);
                printf("]\n");
                return 0;
        }
        if (arg_format && !streq(arg_format, "table"))
                return fail("ps: unknown format '%s'", arg_format);
        return ps_table(argv + i + 1, pids, n);
}

static int parse_interval(const char *s, unsigned *ret)
{
        uint64_t v;
        _cleanup_free_ char *num = xstrdup(s);
        size_t l = strlen(num);
        unsigned mult = 1;

        if (l > 1 && num[l - 1] == 's' && num[l - 2] == 'm') {
                num[l - 2] = 0;
                if (parse_uint64(num, 10, &v) < 0)
                        return -EINVAL;
                *ret = v < 1000 ? 1 : (unsigned) (v / 1000);
                return 0;
        }
        if (l > 0 && num[l - 1] == 's')
                num[l - 1] = 0;
        else if (l > 0 && num[l - 1] == 'm') {
                num[l - 1] = 0;
                mult = 60;
        }
        if (parse_uint64(num, 10, &v) < 0 || v == 0 || v > 86400)
                return -EINVAL;
        *ret = (unsigned) v * mult;
        return 0;
}

static int cmd_events(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct berr *err = NULL;
        unsigned interval = 5;
        const char *id;

        i = parse_opts(argc, argv, i, events_opts, "events");
        if (need_id(argc, argv, i, "events", &id) < 0)
                return 1;
        if (arg_interval && parse_interval(arg_interval, &interval) < 0)
                return fail("events: bad --interval '%s'", arg_interval);
        if (container_events(ctx, id, arg_stats, interval, STDOUT_FILENO, &err) < 0)
                return fail_err(err);
        return 0;
}

static int cmd_exec(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct exec_opts o = { 0 };
        struct berr *err = NULL;
        int status = 0;

        i = parse_opts(argc, argv, i, exec_opts_table, "exec");
        if (need_id(argc, argv, i, "exec", &o.id) < 0)
                return 1;
        if (parse_preserve(&o.preserve_fds))
                return 1;
        o.args = argv + i + 1;
        o.process_file = arg_process;
        o.tty = arg_tty;
        o.console_socket = arg_console_socket;
        o.cwd = arg_cwd;
        o.env = arg_env;
        o.user = arg_user;
        o.additional_gids = arg_gids;
        o.caps = arg_caps;
        o.no_new_privs = arg_no_new_privs;
        o.detach = arg_detach;
        o.pid_file = arg_pid_file;
        o.apparmor = arg_apparmor;
        o.process_label = arg_process_label;
        if (container_exec(ctx, &o, &status, &err) < 0)
                return fail_err(err);
        return status;
}

static int set_i64(const char *s, const char *flag, bool *has, int64_t *v)
{
        if (!s)
                return 0;
        if (parse_int64(s, 10, v) < 0)
                return fail("update: %s '%s' is not a number", flag, s);
        *has = true;
        return 0;
}

static int set_u64(const char *s, const char *flag, bool *has, uint64_t *v)
{
        if (!s)
                return 0;
        if (parse_uint64(s, 10, v) < 0)
                return fail("update: %s '%s' is not a number", flag, s);
        *has = true;
        return 0;
}

static int set_size(const char *s, const char *flag, bool *has, int64_t *v)
{
        uint64_t u;

        if (!s)
                return 0;
        if (streq(s, "-1")) {
                *v = -1;
        } else {
                if (parse_size(s, &u) < 0 || u > INT64_MAX)
                        return fail("update: %s '%s' is not a size", flag, s);
                *v = (int64_t) u;
        }
        *has = true;
        return 0;
}

static int update_from_flags(struct oci_resources *res)
{
        struct oci_memory *m = &res->memory;
        struct oci_cpu *c = &res->cpu;
        bool dummy = false;
        uint64_t w = 0;

        if (set_size(arg_memory, "--memory", &m->has_limit, &m->limit) ||
            set_size(arg_memory_reservation, "--memory-reservation", &m->has_reservation, &m->reservation) ||
            set_size(arg_memory_swap, "--memory-swap", &m->has_swap, &m->swap) ||
            set_u64(arg_cpu_shares, "--cpu-shares", &c->has_shares, &c->shares) ||
            set_i64(arg_cpu_quota, "--cpu-quota", &c->has_quota, &c->quota) ||
            set_u64(arg_cpu_period, "--cpu-period", &c->has_period, &c->period) ||
            set_u64(arg_cpu_rt_period, "--cpu-rt-period", &c->has_realtime_period, &c->realtime_period) ||
            set_i64(arg_cpu_rt_runtime, "--cpu-rt-runtime", &c->has_realtime_runtime, &c->realtime_runtime) ||
            set_i64(arg_pids_limit, "--pids-limit", &res->has_pids, &res->pids_limit) ||
            set_u64(arg_blkio_weight, "--blkio-weight", &dummy, &w))
                return 1;
        if (arg_kernel_memory)
                log_warn("--kernel-memory is ignored: the kernel no longer supports it");
        res->has_memory = m->has_limit || m->has_reservation || m->has_swap;
        if (arg_cpuset_cpus)
                c->cpus = xstrdup(arg_cpuset_cpus);
        if (arg_cpuset_mems)
                c->mems = xstrdup(arg_cpuset_mems);
        res->has_cpu = c->has_shares || c->has_quota || c->has_period || c->has_realtime_period ||
                       c->has_realtime_runtime || c->cpus || c->mems;
        if (dummy) {
                if (w > UINT16_MAX)
                        return fail("update: --blkio-weight '%s' out of range", arg_blkio_weight);
                res->has_block_io = true;
                res->block_io.has_weight = true;
                res->block_io.weight = (uint16_t) w;
        }
        return 0;
}

static int cmd_update(int argc, char **argv, int i, const struct runtime_ctx *ctx)
{
        struct oci_resources res = { 0 };
        struct berr *err = NULL;
        const char *id;
        int r;

        i = parse_opts(argc, argv, i, update_opts, "update");
        if (need_id(argc, argv, i, "update", &id) < 0)
                return 1;
        if (arg_resources) {
                _cleanup_free_ char *data = NULL;
                size_t len;
                r = read_file_at(AT_FDCWD, streq(arg_resources, "-") ? "/dev/stdin" : arg_resources,
                                 RESOURCES_MAX_BYTES, &data, &len, &err);
                if (r >= 0)
                        r = spec_parse_resources(data, len, &res, &err);
                if (r < 0) {
                        berr_wrap(&err, "update: --resources '%s'", arg_resources);
                        return fail_err(err);
                }
        }
        r = update_from_flags(&res);
        if (r == 0 && container_update(ctx, id, &res, &err) < 0)
                r = fail_err(err);
        oci_resources_done(&res);
        return r;
}

static int cmd_spec(int argc, char **argv, int i)
{
        _cleanup_free_ char *json = NULL;
        _cleanup_close_ int dfd = -1, fd = -1;

        i = parse_opts(argc, argv, i, spec_opts, "spec");
        if (i < 0)
                return 1;
        dfd = open(arg_bundle ? arg_bundle : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return fail("spec: bundle '%s': %m", arg_bundle ? arg_bundle : ".");
        json = spec_default_json(arg_rootless_spec);
        fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST)
                return fail("spec: config.json exists in '%s': remove it first", arg_bundle ? arg_bundle : ".");
        if (fd < 0 || write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0)
                return fail("spec: write config.json: %m");
        return 0;
}

static void usage(void)
{
        printf("berth-runtime %s: an OCI runtime with runc's command line\n\n"
               "usage: berth-runtime [global options] COMMAND [options] [ID] [args]\n\n"
               "global options: --root DIR (default %s), --log FILE, --log-format text|json, --debug,\n"
               "                --systemd-cgroup, --version, --help\n\n"
               "commands:\n"
               "  create   --bundle DIR --pid-file FILE --console-socket SOCK --no-pivot --no-new-keyring\n"
               "           --preserve-fds N  ID\n"
               "  start    ID\n"
               "  run      the create options, --detach, --keep  ID\n"
               "  state    ID\n"
               "  kill     [--all] ID [SIGNAL]\n"
               "  delete   [--force] ID\n"
               "  list     [--quiet] [--format table|json]\n"
               "  ps       [--format table|json] ID [ps options]\n"
               "  exec     [--process FILE] [--tty] [--console-socket SOCK] [--cwd DIR] [--env K=V]\n"
               "           [--user UID[:GID]] [--cap CAP] [--no-new-privs] [--detach] [--pid-file FILE]\n"
               "           [--preserve-fds N] ID [COMMAND ARGS...]\n"
               "  pause    ID\n"
               "  resume   ID\n"
               "  update   [-r FILE|-] [--memory N] [--memory-swap N] [--cpu-shares N] [--cpu-quota N]\n"
               "           [--cpu-period N] [--cpuset-cpus L] [--cpuset-mems L] [--pids-limit N]\n"
               "           [--blkio-weight N] ID\n"
               "  events   [--stats] [--interval 5s] ID\n"
               "  spec     [--bundle DIR] [--rootless]\n"
               "  features\n",
               BERTH_VERSION, CONTAINER_DEFAULT_ROOT);
}

int main(int argc, char **argv)
{
        struct runtime_ctx ctx = { 0 };
        const char *cmd;
        int i;

        log_set_program("berth-runtime");
        /* A hook or ps that closes its stdin early must not kill us; children reset it before execve. */
        signal(SIGPIPE, SIG_IGN);
        if (argc >= 2 && (streq(argv[1], "--version") || streq(argv[1], "-v") || streq(argv[1], "version"))) {
                printf("berth-runtime version %s\nspec: %s\n", BERTH_VERSION, BERTH_SPEC_VERSION);
                return 0;
        }
        i = parse_opts(argc, argv, 1, global_opts, "berth-runtime");
        if (i < 0)
                return 1;
        if (!streq(arg_log_format, "text") && !streq(arg_log_format, "json"))
                return fail("unknown --log-format '%s' (text or json)", arg_log_format);
        if (arg_log && log_open_file(arg_log, streq(arg_log_format, "json")) < 0)
                return fail("open log file '%s': %m", arg_log);
        if (!arg_log && streq(arg_log_format, "json"))
                log_set_json(true);
        if (arg_debug)
                log_set_level(LOG_LEVEL_DEBUG);
        if (arg_help || i >= argc || streq(argv[i], "help")) {
                usage();
                return arg_help || (i < argc && streq(argv[i], "help")) ? 0 : 1;
        }
        ctx.root = arg_root;
        ctx.systemd_cgroup = arg_systemd_cgroup;
        ctx.rootless = arg_rootless && streq(arg_rootless, "true");
        cmd = argv[i++];
        if (argc > i && (streq(argv[i], "--help") || streq(argv[i], "-h"))) {
                usage();
                return 0;
        }
        if (streq(cmd, "create"))
                return cmd_create_or_run(argc, argv, i, &ctx, false);
        if (streq(cmd, "run"))
                return cmd_create_or_run(argc, argv, i, &ctx, true);
        if (streq(cmd, "start") || streq(cmd, "state") || streq(cmd, "pause") || streq(cmd, "resume"))
                return cmd_simple(argc, argv, i, &ctx, cmd);
        if (streq(cmd, "kill"))
                return cmd_kill(argc, argv, i, &ctx);
        if (streq(cmd, "delete"))
                return cmd_delete(argc, argv, i, &ctx);
        if (streq(cmd, "list"))
                return cmd_list(argc, argv, i, &ctx);
        if (streq(cmd, "ps"))
                return cmd_ps(argc, argv, i, &ctx);
        if (streq(cmd, "events"))
                return cmd_events(argc, argv, i, &ctx);
        if (streq(cmd, "exec"))
                return cmd_exec(argc, argv, i, &ctx);
        if (streq(cmd, "update"))
                return cmd_update(argc, argv, i, &ctx);
        if (streq(cmd, "spec"))
                return cmd_spec(argc, argv, i);
        if (streq(cmd, "features")) {
                _cleanup_free_ char *json = runtime_features_json();
                printf("%s\n", json);
                return 0;
        }
        return fail("unknown command '%s' (see --help)", cmd);
}
