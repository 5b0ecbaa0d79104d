/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for runtime/spec: config.json parsing, validation, defaults, state. */
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec.h"
#include "tap.h"

TEST(default_spec_parses) {
        _cleanup_(spec_freep) struct oci_spec *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *j = spec_default_json(false);

        ASSERT_OK_ERR(spec_parse(j, strlen(j), &s, &err), &err);
        ASSERT_STREQ(s->process.args[0], "sh");
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_TRUE(s->root_readonly);
}
