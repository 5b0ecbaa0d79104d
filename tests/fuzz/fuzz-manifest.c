/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: manifests, indexes and image configs (image/manifest.c, image/config.c). */
#include <stdint.h>
#include <stddef.h>

#include "image/config.h"
#include "image/manifest.h"
#include "lib/error.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct manifest *m = NULL;
        struct image_config *c = NULL;
        struct berr *err = NULL;

        if (size > MANIFEST_MAX_BYTES)
                return 0;
        if (manifest_parse((const char *)data, size, NULL, &m, &err) == 0) {
                const struct descriptor *d;
                if (m->kind == MANIFEST_INDEX)
                        (void)manifest_select_platform(m, "linux", "amd64", &d, NULL);
                manifest_free(m);
        }
        err = berr_free(err);
        if (image_config_parse((const char *)data, size, &c, &err) == 0) {
                char **chains = image_chain_ids(c->diff_ids, c->n_diff_ids);
                strv_free(chains);
                image_config_free(c);
        }
        berr_free(err);
        return 0;
}
