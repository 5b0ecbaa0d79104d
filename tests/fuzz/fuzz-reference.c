/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: image reference parsing and formatting (image/reference.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "lib/error.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct image_ref *ref = NULL, *again = NULL;
        struct berr *err = NULL;
        char *s;

        if (size > REF_INPUT_MAX + 16)
                return 0;
        s = xstrndup((const char *)data, size);
        if (image_ref_parse(s, &ref, &err) == 0) {
                char *full = image_ref_string(ref), *fam = image_ref_familiar_string(ref);

                /* The normalised form must parse again to itself. */
                if (image_ref_parse(full, &again, NULL) < 0)
                        abort();
                char *full2 = image_ref_string(again);
                if (strcmp(full, full2) != 0)
                        abort();
                free(full2);
                free(full);
                free(fam);
                image_ref_free(again);
                image_ref_free(ref);
        }
        berr_free(err);
        ref = NULL;
        if (image_ref_parse_strict(s, &ref, NULL) == 0)
                image_ref_free(ref);
        free(s);
        return 0;
}
