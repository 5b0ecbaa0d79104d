/* SPDX-License-Identifier: Apache-2.0 */
/* berth history / berth image history. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "cli/table.h"
#include "image/config.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

#define HISTORY_CREATED_BY_TRUNC 45

enum { H_ID, H_CREATED_SINCE, H_CREATED_AT, H_CREATED_BY, H_SIZE, H_COMMENT, _H_MAX };

static const struct fmt_field fields[] = {
        [H_ID] = {"ID", "IMAGE"},
        [H_CREATED_SINCE] = {"CreatedSince", "CREATED"},
        [H_CREATED_AT] = {"CreatedAt", "CREATED AT"},
        [H_CREATED_BY] = {"CreatedBy", "CREATED BY"},
        [H_SIZE] = {"Size", "SIZE"},
        [H_COMMENT] = {"Comment", "COMMENT"},
        [_H_MAX] = {NULL, NULL},
};

/* docker's stringutils.Ellipsis: at most n characters, the last one "…". */
static char *ellipsis(const char *s, size_t n)
{
        size_t chars = 0, i = 0;

        for (const char *p = s; *p; p++)
                chars += ((unsigned char)*p & 0xc0) != 0x80;
        if (chars <= n)
                return xstrdup(s);
        for (size_t c = 0; s[i] && c < n - 1; c++) {
                i++;
                while (((unsigned char)s[i] & 0xc0) == 0x80)
                        i++;
        }
        _cleanup_free_ char *head = xstrndup(s, i);
        return xasprintf("%s…", head);
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"format", required_argument, NULL, 'f'}, {"human", required_argument, NULL, 'H'},
                {"no-trunc", no_argument, NULL, 'n'},     {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        _cleanup_(image_config_freep) struct image_config *cfg = NULL;
        _cleanup_free_ char *id = NULL;
        struct image_layer *layers = NULL;
        const char *format = NULL;
        bool quiet = false, no_trunc = false, human = true;
        size_t n_layers = 0, next_layer = 0;
        struct store *s;
        int c, r;

        while ((c = getopt_long(argc, argv, "qhH:", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'H':
                        human = !streq(optarg, "false");
                        break;
                case 'n':
                        no_trunc = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        puts("Usage:  berth history [OPTIONS] IMAGE\n\nShow the history of an image\n\nOptions:\n"
                             "      --format string   Format output using a custom template\n"
                             "  -H, --human           Print sizes and dates in human readable format (default true)\n"
                             "      --no-trunc        Don't truncate output\n"
                             "  -q, --quiet           Only show image IDs");
                        return 0;
                default:
                        return cli_usage_error("history", "invalid option");
                }
        }
        if (argc - optind != 1)
                return cli_usage_error("history", "\"history\" requires exactly 1 argument.");
        if (quiet && !format)
                format = "{{.ID}}";
        if (formatter_new(format, "table {{.ID}}\\t{{.CreatedSince}}\\t{{.CreatedBy}}\\t{{.Size}}\\t{{.Comment}}",
                          fields, &f, &err) < 0)
                return cli_error(err);
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        r = image_resolve(s, argv[optind], &id, NULL, &err);
        if (r == 0) {
                fprintf(stderr, "Error: No such image: %s\n", argv[optind]);
                return EXIT_FAILED;
        }
        if (r < 0 || image_read_config(s, id, &cfg, NULL, NULL, &err) < 0 ||
            image_get_layers(s, id, &layers, &n_layers, &err) < 0)
                return cli_error(err);
        /* An image without history (some tools write none) shows one row per layer, as docker does. */
        if (cfg->n_history == 0 && n_layers > 0) {
                cfg->history = xcalloc(n_layers, sizeof(*cfg->history));
                cfg->n_history = n_layers;
        }
        /* Newest first; each non-empty entry owns the next layer from the bottom. */
        {
                size_t n = cfg->n_history;
                _cleanup_free_ uint64_t *sizes = xcalloc(n + 1, sizeof(uint64_t));

                for (size_t i = 0; i < n; i++)
                        if (!cfg->history[i].empty_layer && next_layer < n_layers)
                                sizes[i] = layers[next_layer++].size;
                for (size_t k = n; k-- > 0;) {
                        const struct image_history *h = &cfg->history[k];
                        char sid[16], since[64], at[64], size[32];
                        _cleanup_free_ char *by = NULL;
                        const char *v[_H_MAX] = {0};
                        int64_t t = 0;

                        if (h->created)
                                (void)parse_rfc3339(h->created, &t);
                        v[H_ID] = k == n - 1 ? (no_trunc ? id : format_short_id(id, sid)) : "<missing>";
                        v[H_CREATED_SINCE] =
                                human ? format_since(t, since, sizeof(since)) : (h->created ? h->created : "");
                        v[H_CREATED_AT] = format_time_utc(t, at, sizeof(at));
                        by = no_trunc ? xstrdup(h->created_by ? h->created_by : "")
                                      : ellipsis(h->created_by ? h->created_by : "", HISTORY_CREATED_BY_TRUNC);
                        v[H_CREATED_BY] = by;
                        if (human)
                                format_size((double)sizes[k], size, sizeof(size));
                        else
                                snprintf(size, sizeof(size), "%llu", (unsigned long long)sizes[k]);
                        v[H_SIZE] = size;
                        v[H_COMMENT] = h->comment ? h->comment : "";
                        formatter_add(f, v, NULL);
                }
        }
        formatter_flush(f, stdout);
        image_layers_free(layers, n_layers);
        return 0;
}
