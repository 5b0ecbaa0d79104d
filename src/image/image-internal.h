/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared between the files of src/image only. */

#include <stddef.h>

#include "image/db.h"

/* The image module's schema steps (image.c). */
extern const struct db_migration image_migrations[];
extern const size_t image_migrations_count;
