/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The five capability sets of process.capabilities, applied with libcap
 * (the reference implementation of the capability API, which knows the
 * kernel's capability ABI versions so we do not have to). The bounding set is
 * reduced with PR_CAPBSET_DROP while we still hold CAP_SETPCAP; the uid
 * change in between is process.c's.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/process.h"
#include "runtime/spec.h"

static const char *const set_names[] = {
        [OCI_CAP_BOUNDING] = "bounding",       [OCI_CAP_EFFECTIVE] = "effective",
        [OCI_CAP_INHERITABLE] = "inheritable", [OCI_CAP_PERMITTED] = "permitted",
        [OCI_CAP_AMBIENT] = "ambient",
};

int caps_last_cap(void)
{
        return (int) cap_max_bits() - 1;
}

static void cap_freep(cap_t *c)
{
        if (*c)
                (void) cap_free(*c);
}

/* "CAP_SYS_ADMIN" for messages; owned. */
static char *cap_display_name(int cap)
{
        char *n = cap_to_name((cap_value_t) cap), *r;

        if (!n)
                return xasprintf("capability %d", cap);
        r = xstrdup(n);
        (void) cap_free(n);
        for (char *p = r; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return r;
}

static uint64_t caps_mask(const struct oci_capabilities *caps, enum oci_cap_set set)
{
        return caps && caps->present ? caps->sets[set] : 0;
}

int caps_drop_bounding(const struct oci_capabilities *caps, struct berr **err)
{
        uint64_t keep = caps_mask(caps, OCI_CAP_BOUNDING);
        int last = caps_last_cap();

        for (int cap = 0; cap <= last && cap < 64; cap++) {
                if (keep & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
                        _cleanup_free_ char *name = cap_display_name(cap);
                        return berr_sys(err, "drop %s from the bounding set", name);
                }
        }
        return 0;
}

/*
 * The kernel only lets a capability be ambient when it is both permitted and
 * inheritable. runc's default config.json lists ambient capabilities without
 * an inheritable set (dropped after CVE-2022-29162), and runc and crun run it:
 * such capabilities are skipped, as there, instead of failing the container.
 */
static int set_ambient(uint64_t ambient, uint64_t allowed, int last, struct berr **err)
{
        /* One prctl: libcap's cap_reset_ambient() first asks the kernel about every capability in turn.
         * EINVAL: a kernel without ambient capabilities. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return berr_sys(err, "clear the ambient capabilities");
        for (int cap = 0; cap <= last && cap < 64; cap++) {
                if (!(ambient & (UINT64_C(1) << cap)))
                        continue;
                if (!(allowed & (UINT64_C(1) << cap))) {
                        log_debug("ambient capability %d is not permitted and inheritable, skipped", cap);
                        continue;
                }
                if (cap_set_ambient((cap_value_t) cap, CAP_SET) < 0) {
                        _cleanup_free_ char *name = cap_display_name(cap);
                        return berr_sys(err, "raise ambient capability %s", name);
                }
        }
        return 0;
}

/* The first capability in mask that the calling process does not have in its permitted set, or -1. */
static int first_unheld(uint64_t mask, int last)
{
        _cleanup_(cap_freep) cap_t cur = cap_get_proc();

        if (!cur)
                return -1;
        for (int cap = 0; cap <= last && cap < 64; cap++) {
                cap_flag_value_t v = CAP_CLEAR;

                if ((mask & (UINT64_C(1) << cap)) && cap_get_flag(cur, (cap_value_t) cap, CAP_PERMITTED, &v) == 0 &&
                    v == CAP_CLEAR)
                        return cap;
        }
        return -1;
}

int caps_apply(const struct oci_capabilities *caps, struct berr **err)
{
        static const struct {
                enum oci_cap_set set;
                cap_flag_t flag;
        } map[] = {
                { OCI_CAP_EFFECTIVE, CAP_EFFECTIVE },
                { OCI_CAP_PERMITTED, CAP_PERMITTED },
                { OCI_CAP_INHERITABLE, CAP_INHERITABLE },
        };
        _cleanup_(cap_freep) cap_t c = cap_init();
        int last = caps_last_cap();

        if (!c)
                return berr_sys(err, "cap_init");
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                uint64_t m = caps_mask(caps, map[i].set);

                for (int cap = 0; cap < 64; cap++) {
                        cap_value_t v = cap;

                        if (!(m & (UINT64_C(1) << cap)))
                                continue;
                        if (cap > last) {
                                log_debug("capability %d in the %s set is unknown to this kernel, skipped", cap,
                                          set_names[map[i].set]);
                                continue;
                        }
                        if (cap_set_flag(c, map[i].flag, 1, &v, CAP_SET) < 0)
                                return berr_sys(err, "capability %d", cap);
                }
        }
        if (cap_set_proc(c) < 0) {
                int missing = errno == EPERM ? first_unheld(caps_mask(caps, OCI_CAP_PERMITTED) |
                                                            caps_mask(caps, OCI_CAP_EFFECTIVE), last) : -1;
                if (missing >= 0) {
                        _cleanup_free_ char *name = cap_display_name(missing);
                        return berr_set(err, EPERM, "%s is asked for but this runtime does not hold it", name);
                }
                return berr_sys(err, "set the effective, permitted and inheritable capabilities");
        }
        return set_ambient(caps_mask(caps, OCI_CAP_AMBIENT),
                           caps_mask(caps, OCI_CAP_PERMITTED) & caps_mask(caps, OCI_CAP_INHERITABLE), last, err);
}
