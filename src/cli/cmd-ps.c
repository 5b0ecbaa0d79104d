/* SPDX-License-Identifier: Apache-2.0 */
/* berth ps: the container table as docker prints it, with --filter, --format, -q, -n, -l, --no-trunc. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "cli/table.h"
#include "engine/engine.h"
#include "engine/health.h"
#include "engine/logs.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

#define PS_FILTERS_MAX 32
#define PS_COMMAND_TRUNC 20

enum {
        F_ID, F_IMAGE, F_COMMAND, F_CREATED_AT, F_RUNNING_FOR, F_PORTS, F_STATE, F_STATUS, F_SIZE, F_NAMES,
        F_LABELS, F_MOUNTS, F_NETWORKS, _F_MAX,
};

static const struct fmt_field fields[] = {
        [F_ID] = { "ID", "CONTAINER ID" },
        [F_IMAGE] = { "Image", "IMAGE" },
        [F_COMMAND] = { "Command", "COMMAND" },
        [F_CREATED_AT] = { "CreatedAt", "CREATED AT" },
        [F_RUNNING_FOR] = { "RunningFor", "CREATED" },
        [F_PORTS] = { "Ports", "PORTS" },
        [F_STATE] = { "State", "STATE" },
        [F_STATUS] = { "Status", "STATUS" },
        [F_SIZE] = { "Size", "SIZE" },
        [F_NAMES] = { "Names", "NAMES" },
        [F_LABELS] = { "Labels", "LABELS" },
        [F_MOUNTS] = { "Mounts", "MOUNTS" },
        [F_NETWORKS] = { "Networks", "NETWORKS" },
        [_F_MAX] = { NULL, NULL },
};

static int64_t secs_of(const char *t)
{
        int64_t ns;

        if (!t || jsonlog_parse_time(t, &ns) < 0)
                return 0;
        return ns / 1000000000;
}

static char *status_of(struct engine *e, const struct engine_container *c)
{
        _cleanup_free_ char *health = c->state == ENGINE_STATE_RUNNING ? health_ps_suffix(e->db, c->id) : NULL;

        char buf[64];
        int64_t now = (int64_t) time(NULL);

        switch (c->state) {
        case ENGINE_STATE_RUNNING:
                return xasprintf("Up %s%s%s%s", format_duration(now - secs_of(c->started_at), buf, sizeof(buf)),
                                 health ? " (" : "", health ? health : "", health ? ")" : "");
        case ENGINE_STATE_PAUSED:
                return xasprintf("Up %s (Paused)", format_duration(now - secs_of(c->started_at), buf, sizeof(buf)));
        case ENGINE_STATE_RESTARTING:
                return xasprintf("Restarting (%d) %s ago", c->exit_code,
                                 format_duration(now - secs_of(c->finished_at), buf, sizeof(buf)));
        case ENGINE_STATE_EXITED:
                return xasprintf("Exited (%d) %s ago", c->exit_code,
                                 format_duration(now - secs_of(c->finished_at), buf, sizeof(buf)));
        case ENGINE_STATE_REMOVING:
                return xstrdup("Removal In Progress");
        case ENGINE_STATE_DEAD:
                return xstrdup("Dead");
        case ENGINE_STATE_CREATING:
        case ENGINE_STATE_CREATED:
        case _ENGINE_STATE_MAX:
        case _ENGINE_STATE_INVALID:
                break;
        }
        return xstrdup("Created");
}

static char *command_of(const struct engine_container *c, bool trunc)
{
        struct json_object *cfg = json_object_object_get(c->config, "Config");
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_free_ char *joined = NULL;
        const char *keys[] = { "Entrypoint", "Cmd" };

        for (int k = 0; k < 2; k++) {
                struct json_object *a = json_object_object_get(cfg, keys[k]);
                for (size_t i = 0; a && json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
                        strv_push(&words, json_object_get_string(json_object_array_get_idx(a, i)));
        }
        joined = strv_join(words, " ");
        if (trunc && strlen(joined) > PS_COMMAND_TRUNC) {
                /* docker cuts at 19 characters and adds an ellipsis */
                return xasprintf("\"%.*s…\"", PS_COMMAND_TRUNC - 1, joined);
        }
        return xasprintf("\"%s\"", joined);
}

static char *labels_of(const struct engine_container *c)
{
        struct json_object *l = json_object_object_get(json_object_object_get(c->config, "Config"), "Labels");
        _cleanup_(strv_freep) char **v = NULL;

        if (l && json_object_is_type(l, json_type_object)) {
                json_object_object_foreach(l, k, val) strv_push_take(&v, xasprintf("%s=%s", k, json_object_get_string(val)));
        }
        return strv_join(v, ",");
}

static bool label_matches(const struct engine_container *c, const char *want)
{
        struct json_object *l = json_object_object_get(json_object_object_get(c->config, "Config"), "Labels"), *v;
        const char *eq = strchr(want, '=');
        _cleanup_free_ char *k = xstrndup(want, eq ? (size_t) (eq - want) : strlen(want));

        if (!l || !json_object_object_get_ex(l, k, &v))
                return false;
        return !eq || streq_ptr(json_object_get_string(v), eq + 1); /* a damaged record may hold null */
}

static const char *state_name(const struct engine_container *c)
{
        return c->state == ENGINE_STATE_CREATING ? "created" : engine_state_to_string(c->state);
}

/* All filters of one key must... docker: values of the same key are ORed, different keys ANDed. */
static bool matches(const struct engine_container *c, char *const *filters)
{
        static const char *const keys[] = { "status", "name", "id", "label", "exited", "ancestor", NULL };

        for (const char *const *key = keys; *key; key++) {
                bool seen = false, ok = false;

                for (char *const *f = filters; f && *f; f++) {
                        const char *v = startswith(*f, *key);
                        int code;

                        if (!v || *v != '=')
                                continue;
                        v++;
                        seen = true;
                        if (streq(*key, "status"))
                                ok |= streq(state_name(c), v);
                        else if (streq(*key, "name"))
                                ok |= strstr(c->name, v) != NULL;
                        else if (streq(*key, "id"))
                                ok |= startswith(c->id, v) != NULL;
                        else if (streq(*key, "label"))
                                ok |= label_matches(c, v);
                        else if (streq(*key, "exited"))
                                ok |= c->state == ENGINE_STATE_EXITED && parse_int(v, &code) == 0 &&
                                      code == c->exit_code;
                        else if (streq(*key, "ancestor")) {
                                const char *hex = startswith(c->image_id, "sha256:"); /* the id may be damaged */
                                ok |= streq(c->image_name, v) || (hex && startswith(hex, v)) || streq(c->image_id, v);
                        }
                }
                if (seen && !ok)
                        return false;
        }
        return true;
}

static int check_filter(const char *f)
{
        static const char *const keys[] = { "status", "name", "id", "label", "exited", "ancestor", NULL };

        for (const char *const *key = keys; *key; key++) {
                const char *v = startswith(f, *key);
                if (v && *v == '=')
                        return 0;
        }
        return -1;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },          { "quiet", no_argument, NULL, 'q' },
                { "last", required_argument, NULL, 'n' },   { "latest", no_argument, NULL, 'l' },
                { "filter", required_argument, NULL, 'f' }, { "format", required_argument, NULL, 'F' },
                { "no-trunc", no_argument, NULL, 'T' },     { "size", no_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        _cleanup_(strv_freep) char **filters = NULL;
        struct engine_container **v = NULL;
        const char *format = NULL;
        bool all = false, quiet = false, no_trunc = false;
        int c, last = -1;
        size_t n = 0, shown = 0;
        struct engine *e;

        while ((c = getopt_long(argc, argv, "+aqn:lf:sh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'n':
                        if (parse_int(optarg, &last) < 0)
                                return cli_usage_error("ps", "invalid argument \"%s\" for \"-n, --last\" flag", optarg);
                        break;
                case 'l':
                        last = 1;
                        break;
                case 'f':
                        if (check_filter(optarg) < 0)
                                return cli_usage_error("ps", "invalid filter '%s'", optarg);
                        if (strv_length(filters) >= PS_FILTERS_MAX)
                                return cli_usage_error("ps", "too many filters");
                        strv_push(&filters, optarg);
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'T':
                        no_trunc = true;
                        break;
                case 's':
                        break;
                case 'h':
                        puts("Usage:  berth ps [OPTIONS]\n\nList containers\n\nOptions:\n"
                             "  -a, --all             Show all containers (default shows just running)\n"
                             "  -f, --filter filter   Filter output based on conditions provided\n"
                             "      --format string   Format output using a custom template\n"
                             "  -n, --last int        Show n last created containers (includes all states)\n"
                             "  -l, --latest          Show the latest created container (includes all states)\n"
                             "      --no-trunc        Don't truncate output\n"
                             "  -q, --quiet           Only display container IDs");
                        return 0;
                default:
                        return cli_usage_error("ps", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                return cli_usage_error("ps", "\"ps\" accepts no arguments.");
        if (last >= 0 || filters)
                all = all || last >= 0 || filters;
        if (quiet && !format)
                format = "{{.ID}}";
        if (formatter_new(format,
                          "table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}",
                          fields, &f, &err) < 0)
                return cli_error(err);
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (engine_container_list(e, true, &v, &n, &err) < 0)
                return cli_error(err);
        for (size_t i = 0; i < n; i++) {
                struct engine_container *ct = v[i];
                bool active = ct->state == ENGINE_STATE_RUNNING || ct->state == ENGINE_STATE_PAUSED ||
                              ct->state == ENGINE_STATE_RESTARTING;
                _cleanup_free_ char *status = NULL, *command = NULL, *labels = NULL;
                char id[ENGINE_SHORT_ID_LEN + 1], since[64], created[64];
                const char *vals[_F_MAX];

                if (last >= 0 && shown >= (size_t) last)
                        break;
                if (!all && !active)
                        continue;
                if (!matches(ct, filters))
                        continue;
                shown++;
                snprintf(id, sizeof(id), "%s", ct->id);
                status = status_of(e, ct);
                command = command_of(ct, !no_trunc);
                labels = labels_of(ct);
                memset(vals, 0, sizeof(vals));
                vals[F_ID] = no_trunc ? ct->id : id;
                vals[F_IMAGE] = ct->image_name;
                vals[F_COMMAND] = command;
                vals[F_CREATED_AT] = format_time_utc(secs_of(ct->created), created, sizeof(created));
                vals[F_RUNNING_FOR] = format_since(secs_of(ct->created), since, sizeof(since));
                vals[F_PORTS] = "";
                vals[F_STATE] = state_name(ct);
                vals[F_STATUS] = status;
                vals[F_SIZE] = "0B";
                vals[F_NAMES] = ct->name;
                vals[F_LABELS] = labels;
                vals[F_MOUNTS] = "";
                vals[F_NETWORKS] = "";
                formatter_add(f, vals, NULL);
        }
        formatter_flush(f, stdout);
        engine_containers_free(v, n);
        return 0;
}
