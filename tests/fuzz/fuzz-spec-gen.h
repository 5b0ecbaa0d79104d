/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Shared by fuzz-runopts.c, fuzz-record.c (and tests/unit/test-fuzz.c): a container record
 * ({"Config", "HostConfig", ...}) through spec_gen as `run` does, the
 * generated config.json through the runtime's spec_parse, and a user's
 * seccomp profile compiled with libseccomp (the default profile's hundreds
 * of rules would only slow the fuzzer down).
 */

#include <string.h>

#include "engine/spec-gen.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#define FUZZ_SECCOMP_RULES_MAX 64

/* What spec_gen gets for a record, without a rootfs (numeric users only) or a container directory. */
static inline struct spec_gen_input fuzz_spec_gen_input(struct json_object *config)
{
        return (struct spec_gen_input){
                .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                .config = config,
                .rootfs_fd = -1,
                .container_dir = "/nonexistent/berth-fuzz",
                .init_path = "/nonexistent/berth-init",
                .cgroups_path = "/berth-fuzz",
        };
}

static inline void fuzz_spec_gen(struct json_object *config)
{
        _cleanup_free_ char *text = NULL;
        struct oci_spec *spec = NULL;
        struct berr *err = NULL;
        struct spec_gen_input in = fuzz_spec_gen_input(config);

        if (spec_gen(&in, &text, &err) == 0 && spec_parse(text, strlen(text), &spec, &err) == 0) {
                if (spec->linux.seccomp && spec->linux.seccomp->n_rules <= FUZZ_SECCOMP_RULES_MAX) {
                        struct seccomp_program *prog = NULL;
                        if (seccomp_program_new(spec->linux.seccomp, &prog, &err) == 0)
                                seccomp_program_free(prog);
                }
                spec_free(spec);
        }
        berr_free(err);
}
