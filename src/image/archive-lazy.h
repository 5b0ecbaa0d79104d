/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* libarchive is loaded on first use (image/archive-lazy.c). */

struct berr;

/* Loads it now: before entering a root where the library cannot be found. 0 or -ELIBACC. */
int archive_lazy_load(struct berr **err);
