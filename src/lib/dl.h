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
/* For a library whose absence is a broken installation, like running out of memory: loads it and
 * returns name's address, or logs an error naming both and aborts. */
void *dl_need(void **handle, const char *soname, const char *name);

/*
 * The body's first statement of a function that forwards to its namesake in a library loaded on
 * first use: declares f, the real function (its type is checked against the caller's prototype),
 * looked up on the first call and cached, as the dynamic loader would have bound it at start-up.
 */
#define DL_FORWARD(handle, soname, name)                                                                               \
        static __typeof__(&name) dl_fp_;                                                                               \
        __typeof__(&name) f = __atomic_load_n(&dl_fp_, __ATOMIC_ACQUIRE);                                              \
        if (!f) {                                                                                                      \
                f = (__typeof__(&name))dl_need(handle, soname, #name);                                                 \
                __atomic_store_n(&dl_fp_, f, __ATOMIC_RELEASE);                                                        \
        }
