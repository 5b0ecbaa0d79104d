/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading a shared library on first use: dlopen once per process, dlsym with
 * errors that name the library and the function, so that a missing or
 * mismatched library is reported where it is needed and not as a loader
 * failure of every command. Callers keep their own handle and pointers.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "lib/dl.h"
#include "lib/error.h"
#include "lib/log.h"

int dl_load(void **handle, const char *soname, struct berr **err)
{
        void *h;

        if (__atomic_load_n(handle, __ATOMIC_ACQUIRE))
                return 0;
        h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return berr_set(err, ELIBACC, "cannot load %s: %s", soname, dlerror());
        __atomic_store_n(handle, h, __ATOMIC_RELEASE); /* a racing dlopen returns the same handle */
        return 0;
}

int dl_sym(void *handle, const char *soname, const char *name, void **ret, struct berr **err)
{
        void *p = dlsym(handle, name);

        if (!p)
                return berr_set(err, ELIBACC, "%s has no function %s: %s", soname, name, dlerror());
        *ret = p;
        return 0;
}

void *dl_need(void **handle, const char *soname, const char *name)
{
        struct berr *err = NULL;
        void *p = NULL;

        if (dl_load(handle, soname, &err) < 0 || dl_sym(*handle, soname, name, &p, &err) < 0) {
                log_error("%s", berr_msg(err));
                abort();
        }
        return p;
}
