/* SPDX-License-Identifier: Apache-2.0 */
/* berth image inspect / berth inspect (images; containers come with the engine). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

/* {{.Field}} and {{.Field.Sub}} paths into the inspect document, {{json .X}}, or the whole array. */
static int print_format(struct json_object *doc, const char *format)
{
        const char *p = format;

        while (*p) {
                if (p[0] == '{' && p[1] == '{') {
                        const char *end = strstr(p, "}}");
                        _cleanup_free_ char *a = NULL;
                        _cleanup_(strv_freep) char **w = NULL, **path = NULL;
                        struct json_object *cur = doc;
                        bool json = false;
                        const char *expr;

                        if (!end) {
                                fprintf(stderr, "Error: template: unclosed action\n");
                                return EXIT_FAILED;
                        }
                        a = xstrndup(p + 2, (size_t)(end - p - 2));
                        w = strv_split(a, " \t");
                        const char *index = NULL;

                        if (strv_length(w) == 2 && streq(w[0], "json")) {
                                json = true;
                                expr = w[1];
                        } else if (strv_length(w) == 3 && streq(w[0], "index")) {
                                expr = w[1];
                                index = w[2];
                        } else if (strv_length(w) == 1)
                                expr = w[0];
                        else {
                                fprintf(stderr, "Error: template: unsupported action '{{%s}}'\n", a);
                                return EXIT_FAILED;
                        }
                        if (expr[0] != '.') {
                                fprintf(stderr, "Error: template: unsupported action '{{%s}}'\n", a);
                                return EXIT_FAILED;
                        }
                        path = strv_split(expr + 1, ".");
                        for (size_t i = 0; path && path[i] && cur; i++)
                                if (!json_object_object_get_ex(cur, path[i], &cur))
                                        cur = NULL;
                        if (!cur && path && path[0]) {
                                fprintf(stderr, "Error: template: can't evaluate field %s\n", expr + 1);
                                return EXIT_FAILED;
                        }
                        if (index) {
                                /* {{index .Array N}} or {{index .Map "key"}} */
                                uint32_t k;
                                if (json_object_is_type(cur, json_type_array) && parse_uint32(index, &k) == 0 &&
                                    k < json_object_array_length(cur))
                                        cur = json_object_array_get_idx(cur, k);
                                else if (json_object_is_type(cur, json_type_object) && index[0] == '"' &&
                                         endswith(index, "\"") && strlen(index) >= 2) {
                                        _cleanup_free_ char *key = xstrndup(index + 1, strlen(index) - 2);
                                        if (!json_object_object_get_ex(cur, key, &cur))
                                                cur = NULL;
                                } else {
                                        fprintf(stderr,
                                                "Error: template: error calling index: index out of range: %s\n",
                                                index);
                                        return EXIT_FAILED;
                                }
                        }
                        if (json || json_object_is_type(cur, json_type_object) ||
                            json_object_is_type(cur, json_type_array)) {
                                _cleanup_free_ char *j = json_dump(cur, false);
                                if (json)
                                        fputs(j, stdout);
                                else if (json_object_is_type(cur, json_type_array)) {
                                        /* Go prints slices as [a b c]. */
                                        fputc('[', stdout);
                                        for (size_t i = 0; i < json_object_array_length(cur); i++)
                                                printf("%s%s", i ? " " : "",
                                                       json_object_get_string(json_object_array_get_idx(cur, i)));
                                        fputc(']', stdout);
                                } else
                                        fputs(j, stdout);
                        } else
                                fputs(cur ? json_object_get_string(cur) : "<no value>", stdout);
                        p = end + 2;
                        continue;
                }
                if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        fputc(p[1] == 't' ? '\t' : '\n', stdout);
                        p += 2;
                        continue;
                }
                fputc(*p++, stdout);
        }
        fputc('\n', stdout);
        return 0;
}

static int inspect(struct cli *cli, int argc, char **argv, const char *cmd)
{
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {"type", required_argument, NULL, 't'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_json_ struct json_object *all = json_new_array();
        const char *format = NULL, *type = NULL;
        struct store *s;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 't':
                        if (!streq(optarg, "image") && !streq(optarg, "container"))
                                return cli_usage_error(cmd, "unsupported --type '%s'", optarg);
                        type = optarg;
                        break;
                case 'h':
                        printf("Usage:  berth %s [OPTIONS] IMAGE [IMAGE...]\n\nDisplay detailed information on one or "
                               "more images\n\n"
                               "Options:\n  -f, --format string   Format output using a custom template\n",
                               cmd);
                        return 0;
                default:
                        return cli_usage_error(cmd, "invalid option");
                }
        }
        if (optind >= argc)
                return cli_usage_error(cmd, "\"%s\" requires at least 1 argument.", cmd);
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        for (int i = optind; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                _cleanup_free_ char *id = NULL;
                struct json_object *doc = NULL;
                int r;

                /* docker looks for a container first, then an image */
                if (streq(cmd, "inspect") && (!type || streq(type, "container")) &&
                    cli_container_inspect_json(cli, argv[i], &doc) > 0) {
                        json_append(all, doc);
                        continue;
                }
                if (type && streq(type, "container")) {
                        fprintf(stderr, "Error: No such container: %s\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                r = image_resolve(s, argv[i], &id, NULL, &err);
                if (r == 0) {
                        fprintf(stderr, "Error: No such image: %s\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                if (r > 0)
                        r = image_inspect_json(s, id, &doc, &err);
                if (r < 0) {
                        status = cli_error(err);
                        continue;
                }
                json_append(all, doc);
        }
        if (format) {
                for (size_t i = 0; i < json_object_array_length(all); i++)
                        if (streq(format, "json")) {
                                _cleanup_free_ char *j = json_dump(json_object_array_get_idx(all, i), false);
                                puts(j);
                        } else if (print_format(json_object_array_get_idx(all, i), format) != 0)
                                return EXIT_FAILED;
        } else {
                _cleanup_free_ char *j = format_json_indent(all);
                puts(j);
        }
        return status;
}

int cmd_image_inspect(struct cli *cli, int argc, char **argv)
{
        return inspect(cli, argc, argv, "image inspect");
}

int cmd_inspect(struct cli *cli, int argc, char **argv)
{
        return inspect(cli, argc, argv, "inspect");
}
