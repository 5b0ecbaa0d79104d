/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Shared libraries loaded on first use (dlopen), for the libraries that only
 * a few commands need: linking them would make every command load and
 * relocate them at start-up.
 */

struct berr;

/* Loads soname once per process: *handle caches the result (thread-safe; a racing second load
 * returns the same handle). 0, or -ELIBACC with an error naming the library and the loader's reason. */
int dl_load(void **handle, const char *soname, struct berr **err);
/* Looks name up in a library dl_load() loaded. 0 and *ret, or -ELIBACC with an error naming both. */
int dl_sym(void *handle, const char *soname, const char *name, void **ret, struct berr **err);
