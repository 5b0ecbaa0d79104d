/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the bounded JSON reader (lib/json.c). */
#include <stdint.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct json_object *o = NULL;
        struct berr *err = NULL;

        if (size > 1 << 20)
                return 0;
        if (json_parse_buf((const char *) data, size, &o, &err) == 0) {
                char **v = NULL;
                const char *s;
                uint64_t u;
                (void) json_get_strv(o, "args", "args", &v, NULL);
                strv_free(v);
                (void) json_get_string(o, "a", "a", &s, NULL);
                (void) json_get_uint64(o, "n", "n", &u, NULL);
                json_object_put(o);
        }
        berr_free(err);
        return 0;
}
