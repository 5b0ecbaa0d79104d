/* SPDX-License-Identifier: Apache-2.0 */
/* berth volume create|ls|inspect|rm|prune: docker's volume commands over engine/volume.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "engine/engine.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

static struct json_object *labels_from(char **kv)
{
        struct json_object *l = json_new_object();

        for (char **p = kv; p && *p; p++) {
                char *eq = strchr(*p, '=');
                _cleanup_free_ char *k = eq ? xstrndup(*p, (size_t)(eq - *p)) : xstrdup(*p);
                json_add_string(l, k, eq ? eq + 1 : "");
        }
        return l;
}

static int volume_create(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"label", required_argument, NULL, 'l'}, {"driver", required_argument, NULL, 'd'},
                {"opt", required_argument, NULL, 'o'},   {"name", required_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
        };
        _cleanup_(strv_freep) char **labels = NULL;
        _cleanup_(engine_volume_freep) struct engine_volume *v = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        const char *name = NULL;
        struct engine *e;
        int c;

        while ((c = getopt_long(argc, argv, "+l:d:o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'l':
                        strv_push(&labels, optarg);
                        break;
                case 'd':
                        if (!streq(optarg, "local"))
                                return cli_usage_error("volume create", "unknown volume driver: %s", optarg);
                        break;
                case 'o':
                        return cli_usage_error("volume create", "driver options are not supported: %s", optarg);
                case 'n':
                        name = optarg;
                        break;
                case 'h':
                        puts("Usage:  berth volume create [OPTIONS] [VOLUME]\n\nCreate a volume\n\nOptions:\n"
                             "  -d, --driver string   Specify volume driver name (default \"local\")\n"
                             "      --label list      Set metadata for a volume");
                        return 0;
                default:
                        return cli_usage_error("volume create", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind < argc)
                name = argv[optind++];
        if (optind < argc)
                return cli_usage_error("volume create", "\"volume create\" requires at most 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (engine_volume_create(e, name, labels_from(labels), false, &v, &err) < 0)
                return cli_error(err);
        puts(v->name);
        return 0;
}

struct vfilter {
        char **labels;
        int dangling; /* -1 any */
        char **names;
};

static bool match(struct engine *e, const struct vfilter *f, const struct engine_volume *v)
{
        for (char **l = f->labels; l && *l; l++) {
                char *eq = strchr(*l, '=');
                _cleanup_free_ char *k = eq ? xstrndup(*l, (size_t)(eq - *l)) : xstrdup(*l);
                struct json_object *val = NULL;
                if (!json_object_object_get_ex(v->labels, k, &val))
                        return false;
                if (eq && !streq_ptr(json_object_get_string(val), eq + 1)) /* a damaged record may hold null */
                        return false;
        }
        if (f->names) {
                bool any = false;
                for (char **n = f->names; n && *n; n++)
                        if (strstr(v->name, *n))
                                any = true;
                if (!any)
                        return false;
        }
        if (f->dangling >= 0) {
                _cleanup_(strv_freep) char **users = NULL;
                if (engine_volume_users(e, v->name, &users, NULL) < 0)
                        return false;
                if ((users == NULL) != (f->dangling == 1))
                        return false;
        }
        return true;
}

static int add_filter(struct vfilter *f, const char *cmd, const char *s)
{
        const char *v;

        if ((v = startswith(s, "label=")))
                strv_push(&f->labels, v);
        else if ((v = startswith(s, "name=")))
                strv_push(&f->names, v);
        else if ((v = startswith(s, "dangling=")))
                f->dangling = streq(v, "true") || streq(v, "1");
        else
                return cli_usage_error(cmd, "invalid filter '%s'", s);
        return 0;
}

static int volume_ls(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"quiet", no_argument, NULL, 'q'},
                {"format", required_argument, NULL, 'F'},
                {"filter", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        static const struct fmt_field fields[] = {
                {"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"},
                {"Scope", "SCOPE"},   {"Labels", "LABELS"},    {"CreatedAt", "CREATED"},
                {NULL, NULL},
        };
        struct vfilter f = {.dangling = -1};
        _cleanup_(formatter_freep) struct formatter *fm = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine_volume **v = NULL;
        const char *format = NULL;
        bool quiet = false;
        size_t n = 0;
        struct engine *e;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+qf:h", opts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'f':
                        if (add_filter(&f, "volume ls", optarg) != 0) {
                                status = EXIT_USAGE;
                                goto out;
                        }
                        break;
                case 'h':
                        puts("Usage:  berth volume ls [OPTIONS]\n\nList volumes\n\nOptions:\n"
                             "  -f, --filter filter   Provide filter values (e.g. \"dangling=true\")\n"
                             "      --format string   Format output using a custom template\n"
                             "  -q, --quiet           Only display volume names");
                        goto out;
                default:
                        status = cli_usage_error("volume ls", "unknown flag: %s", argv[optind - 1]);
                        goto out;
                }
        }
        if (quiet && !format)
                format = "{{.Name}}";
        if (formatter_new(format, "table {{.Driver}}\t{{.Name}}", fields, &fm, &err) < 0) {
                status = cli_error(err);
                goto out;
        }
        e = cli_engine(cli);
        if (!e || engine_volume_list(e, &v, &n, &err) < 0) {
                status = e ? cli_error(err) : EXIT_FAILED;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *mp = engine_volume_path(e, v[i]->name), *labels = NULL;
                _cleanup_(json_object_putp) struct json_object *doc = NULL;
                char **kv = NULL;

                if (!match(e, &f, v[i]))
                        continue;
                json_object_object_foreach(v[i]->labels, k, val)
                {
                        strv_push_take(&kv, xasprintf("%s=%s", k, json_object_get_string(val)));
                }
                labels = kv ? strv_join(kv, ",") : xstrdup("");
                strv_free(kv);
                const char *vals[] = {"local", v[i]->name, mp, "local", labels, v[i]->created};
                doc = json_new_object();
                for (size_t j = 0; fields[j].name; j++)
                        json_add_string(doc, fields[j].name, vals[j]);
                formatter_add(fm, vals, doc);
        }
        formatter_flush(fm, stdout);
out:
        engine_volumes_free(v, n);
        strv_free(f.labels);
        strv_free(f.names);
        return status;
}

static int volume_inspect(struct cli *cli, int argc, char **argv)
{
        _cleanup_(json_object_putp) struct json_object *arr = json_new_array();
        _cleanup_free_ char *text = NULL;
        const char *format = NULL;
        struct engine *e;
        int status = 0, i = 1;

        for (; i < argc && argv[i][0] == '-'; i++) {
                if ((streq(argv[i], "-f") || streq(argv[i], "--format")) && i + 1 < argc)
                        format = argv[++i];
                else if (startswith(argv[i], "--format="))
                        format = argv[i] + strlen("--format=");
                else
                        return cli_usage_error("volume inspect", "unknown flag: %s", argv[i]);
        }
        if (i >= argc)
                return cli_usage_error("volume inspect", "\"volume inspect\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        for (; i < argc; i++) {
                _cleanup_(engine_volume_freep) struct engine_volume *v = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                int r = engine_volume_get(e, argv[i], &v, &err);

                if (r < 0)
                        return cli_error(err);
                if (r == 0) {
                        fprintf(stderr, "Error response from daemon: get %s: no such volume\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                json_append(arr, engine_volume_inspect_json(e, v));
        }
        if (format) {
                static const struct fmt_field fields[] = {
                        {"Name", "NAME"},
                        {"Driver", "DRIVER"},
                        {"Mountpoint", "MOUNTPOINT"},
                        {"CreatedAt", "CREATED"},
                        {"Scope", "SCOPE"},
                        {"Labels", "LABELS"},
                        {NULL, NULL},
                };
                _cleanup_(formatter_freep) struct formatter *fm = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;

                if (formatter_new(format, NULL, fields, &fm, &err) < 0)
                        return cli_error(err);
                for (size_t j = 0; j < json_object_array_length(arr); j++) {
                        struct json_object *d = json_object_array_get_idx(arr, j), *x;
                        const char *vals[6];
                        for (size_t k = 0; k < 6; k++)
                                vals[k] = json_object_object_get_ex(d, fields[k].name, &x) ? json_object_get_string(x)
                                                                                           : "";
                        formatter_add(fm, vals, d);
                }
                formatter_flush(fm, stdout);
                return status;
        }
        text = format_json_indent(arr);
        puts(text);
        return status;
}

static int volume_rm(struct cli *cli, int argc, char **argv)
{
        bool force = false;
        struct engine *e;
        int status = 0, i = 1;

        for (; i < argc && argv[i][0] == '-'; i++) {
                if (streq(argv[i], "-f") || streq(argv[i], "--force"))
                        force = true;
                else
                        return cli_usage_error("volume rm", "unknown flag: %s", argv[i]);
        }
        if (i >= argc)
                return cli_usage_error("volume rm", "\"volume rm\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        for (; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;

                if (engine_volume_remove(e, argv[i], force, &err) < 0) {
                        fprintf(stderr, "Error response from daemon: %s\n", berr_msg(err));
                        status = EXIT_FAILED;
                        continue;
                }
                puts(argv[i]);
        }
        return status;
}

static int volume_prune(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"force", no_argument, NULL, 'f'},
                {"all", no_argument, NULL, 'a'},
                {"filter", required_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct vfilter f = {.dangling = 1};
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine_volume **v = NULL;
        bool force = false, all = false;
        size_t n = 0;
        struct engine *e;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+fah", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'F':
                        if (add_filter(&f, "volume prune", optarg) != 0) {
                                status = EXIT_USAGE;
                                goto out;
                        }
                        break;
                case 'h':
                        puts("Usage:  berth volume prune [OPTIONS]\n\nRemove unused local volumes\n\nOptions:\n"
                             "  -a, --all             Remove all unused volumes, not just anonymous ones\n"
                             "      --filter filter   Provide filter values (e.g. \"label=<label>\")\n"
                             "  -f, --force           Do not prompt for confirmation");
                        goto out;
                default:
                        status = cli_usage_error("volume prune", "unknown flag: %s", argv[optind - 1]);
                        goto out;
                }
        }
        if (!force) {
                char line[16];
                fputs("WARNING! This will remove anonymous local volumes not used by at least one container.\n"
                      "Are you sure you want to continue? [y/N] ",
                      stdout);
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
                        goto out;
        }
        e = cli_engine(cli);
        if (!e || engine_volume_list(e, &v, &n, &err) < 0) {
                status = e ? cli_error(err) : EXIT_FAILED;
                goto out;
        }
        puts("Deleted Volumes:");
        for (size_t i = 0; i < n; i++) {
                _cleanup_(berr_freep) struct berr *x = NULL;

                if ((!all && !v[i]->anonymous) || !match(e, &f, v[i]))
                        continue;
                if (engine_volume_remove(e, v[i]->name, false, &x) == 0)
                        puts(v[i]->name);
        }
        puts("\nTotal reclaimed space: 0B");
out:
        engine_volumes_free(v, n);
        strv_free(f.labels);
        strv_free(f.names);
        return status;
}

int cmd_volume(struct cli *cli, int argc, char **argv)
{
        static const struct cli_command cmds[] = {
                {"create", volume_create, "Create a volume"},
                {"inspect", volume_inspect, "Display detailed information on one or more volumes"},
                {"ls", volume_ls, "List volumes"},
                {"list", volume_ls, "List volumes"},
                {"prune", volume_prune, "Remove unused local volumes"},
                {"rm", volume_rm, "Remove one or more volumes"},
                {"remove", volume_rm, "Remove one or more volumes"},
                {NULL, NULL, NULL},
        };

        return cli_dispatch(cli, "volume", cmds, argc - 1, argv + 1);
}
