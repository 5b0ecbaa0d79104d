/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: a container's record read back from the store ({"Config":...,
 * "HostConfig":..., "BerthMounts":...}; the database file can be damaged or
 * written by an older version) turned into config.json by spec_gen, and into
 * inspect's Mounts. The generated config.json is then parsed, and a user's
 * seccomp profile (HostConfig.SecurityOpt "seccomp=<profile JSON>") compiled.
 * HostConfig.Binds sources are moved under /tmp: spec_gen creates missing bind
 * sources on the host, which a fuzzer must not do.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/fuzz/fuzz-spec-gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static void tame_binds(struct json_object *config)
{
        struct json_object *hc = NULL, *binds = NULL;

        if (!json_object_object_get_ex(config, "HostConfig", &hc) ||
            !json_object_object_get_ex(hc, "Binds", &binds) || !json_object_is_type(binds, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(binds); i++) {
                struct json_object *b = json_object_array_get_idx(binds, i);
                const char *s = json_object_get_string(b), *colon;

                if (s && s[0] == '/' && (colon = strchr(s, ':'))) {
                        _cleanup_free_ char *tamed = xasprintf("/tmp%s", colon);
                        json_object_array_put_idx(binds, i, json_object_new_string(tamed));
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_(json_object_putp) struct json_object *config = NULL, *mounts = NULL;
        struct berr *err = NULL;

        if (size > 1 << 20)
                return 0;
        if (json_parse_buf((const char *) data, size, &config, &err) == 0) {
                tame_binds(config);
                mounts = json_new_array();
                volume_inspect_mounts(config, mounts);
                fuzz_spec_gen(config);
        }
        berr_free(err);
        return 0;
}
