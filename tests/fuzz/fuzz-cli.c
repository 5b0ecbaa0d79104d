/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the CLI's own small parsers, static in their command files
 * (included here; the rest of the CLI is linked from berth's objects):
 *   0  ps --filter expressions matched against a container record read back
 *      from the store (which may be damaged), and ps's Command and Labels columns
 *   1  logs --since/--until (RFC 3339, Unix seconds, or 10m/2h/30s ago)
 *   2  container prune --filter until=
 *   3  attach/start --detach-keys
 *   4  volume ls/prune --filter label=/name= against a volume record's labels
 * The first input byte picks the parser. For 0 the rest is: filters, one a line,
 * then NUL, the record's config JSON, NUL, name, NUL, image id, NUL, image name,
 * NUL, state. For 4: filters, one a line, NUL, the labels JSON, NUL, the name.
 */
#include <stdint.h>
#include <stddef.h>

#include "cli/cmd-attach.c"
#include "cli/cmd-control.c"
#include "cli/cmd-logs.c"
#include "cli/cmd-ps.c"
/* its local 'fields' would shadow cmd-ps.c's: harmless here, each file is its own unit in berth */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include "cli/cmd-volume.c"
#pragma GCC diagnostic pop

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FILTERS_MAX 16

static const char *next_field(const char *text, size_t size, size_t *at)
{
        const char *s = *at <= size ? text + *at : "";

        if (*at <= size)
                *at += strlen(s) + 1;
        return s;
}

static void fuzz_ps(const char *text, size_t size)
{
        _cleanup_(strv_freep) char **lines = NULL, **filters = NULL;
        _cleanup_free_ char *cmd = NULL, *cmd_full = NULL, *labels = NULL;
        struct engine_container c = { 0 };
        struct berr *err = NULL;
        const char *config;
        size_t at = 0;

        lines = strv_split(next_field(text, size, &at), "\n");
        for (char **l = lines; l && *l && strv_length(filters) < FUZZ_FILTERS_MAX; l++)
                if (check_filter(*l) == 0)
                        strv_push(&filters, *l);
        config = next_field(text, size, &at);
        if (json_parse_buf(config, strlen(config), &c.config, &err) < 0) {
                berr_free(err);
                return;
        }
        /* the columns are NOT NULL in the schema: any text, never NULL */
        c.id = (char *) "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        c.name = (char *) next_field(text, size, &at);
        c.image_id = (char *) next_field(text, size, &at);
        c.image_name = (char *) next_field(text, size, &at);
        c.state = engine_state_from_string(next_field(text, size, &at));
        if (c.state < 0)
                c.state = ENGINE_STATE_DEAD;
        c.created = (char *) next_field(text, size, &at);
        (void) matches(&c, filters);
        cmd = command_of(&c, true);
        cmd_full = command_of(&c, false);
        labels = labels_of(&c);
        (void) secs_of(c.created);
        json_object_put(c.config);
}

static void fuzz_volume_filters(const char *text, size_t size)
{
        _cleanup_(strv_freep) char **lines = NULL;
        struct vfilter f = { .dangling = -1 }; /* dangling= needs the store */
        struct engine_volume v = { 0 };
        struct berr *err = NULL;
        const char *labels;
        size_t at = 0;

        lines = strv_split(next_field(text, size, &at), "\n");
        for (char **l = lines; l && *l && strv_length(f.labels) + strv_length(f.names) < FUZZ_FILTERS_MAX; l++)
                if (startswith(*l, "label=") || startswith(*l, "name=")) /* others print a usage error */
                        (void) add_filter(&f, "volume ls", *l);
        labels = next_field(text, size, &at);
        /* as the store reads it back: labels that are not an object become {} */
        if (json_parse_buf(labels, strlen(labels), &v.labels, &err) < 0 ||
            !json_object_is_type(v.labels, json_type_object)) {
                json_object_put(v.labels);
                v.labels = json_new_object();
        }
        berr_free(err);
        v.name = (char *) next_field(text, size, &at);
        (void) match(NULL, &f, &v);
        json_object_put(v.labels);
        strv_free(f.labels);
        strv_free(f.names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = NULL;
        unsigned char keys[DETACH_KEYS_MAX];
        long long until;
        int64_t when;

        if (size < 1 || size > 64 * 1024)
                return 0;
        text = xmalloc(size);
        memcpy(text, data + 1, size - 1);
        text[size - 1] = 0;
        switch (data[0] % 5) {
        case 0:
                fuzz_ps(text, size - 1);
                break;
        case 1:
                (void) parse_when(text, &when);
                break;
        case 2:
                (void) parse_until(text, &until);
                break;
        case 3:
                (void) cli_parse_detach_keys(text, keys, sizeof(keys));
                break;
        default:
                fuzz_volume_filters(text, size - 1);
                break;
        }
        return 0;
}
