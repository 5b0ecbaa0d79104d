/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: config.json (runtime/spec.c). The same bytes also go through
 * the exec --process and update --resources parsers. On success a few
 * invariants that the rest of runtime/ relies on are checked, so a parser
 * that accepts something it should not is a crash too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "runtime/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_spec(const struct oci_spec *s)
{
        if (!s->oci_version || !s->root_path || !*s->root_path)
                abort();
        if (s->has_process && (!s->process.args || !s->process.args[0] || s->process.cwd[0] != '/'))
                abort();
        for (size_t i = 0; i < s->process.n_rlimits; i++)
                if (s->process.rlimits[i].soft > s->process.rlimits[i].hard)
                        abort();
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].destination[0] != '/')
                        abort();
        for (size_t i = 0; i < s->linux.n_namespaces; i++)
                if ((int)s->linux.namespaces[i].type < 0 || s->linux.namespaces[i].type >= _OCI_NS_MAX)
                        abort();
        if ((s->linux.n_uid_mappings || s->linux.n_gid_mappings) && !spec_has_namespace(s, OCI_NS_USER, NULL))
                abort();
        for (size_t i = 0; i < s->linux.resources.n_devices; i++)
                if (strspn(s->linux.resources.devices[i].access, "rwm") != strlen(s->linux.resources.devices[i].access))
                        abort();
        if (s->linux.seccomp)
                for (size_t i = 0; i < s->linux.seccomp->n_rules; i++)
                        for (size_t j = 0; j < s->linux.seccomp->rules[i].n_args; j++)
                                if (s->linux.seccomp->rules[i].args[j].index > 5)
                                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct oci_spec *s = NULL;
        struct oci_process p = {};
        struct oci_resources r = {};
        struct berr *err = NULL;

        if (size > SPEC_MAX_BYTES)
                return 0;
        if (spec_parse((const char *)data, size, &s, &err) == 0) {
                check_spec(s);
                s = spec_free(s);
        } else if (!err || !err->msg || err->code <= 0) {
                abort(); /* every failure must explain itself */
        }
        err = berr_free(err);
        if (spec_parse_process((const char *)data, size, &p, NULL) == 0)
                oci_process_done(&p);
        if (spec_parse_resources((const char *)data, size, &r, NULL) == 0)
                oci_resources_done(&r);
        return 0;
}
