/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for runtime/caps.c and the identity step of process.c: the
 * five capability sets, the uid/gid switch keeping capabilities, additional
 * groups and no_new_privs, checked in /proc/self/status of a forked child.
 * Changing uids and the bounding set needs root: skipped without it.
 */
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/process.h"
#include "runtime/spec.h"
#include "tap.h"

#define BIT(c) (UINT64_C(1) << (c))

static int in_child(int (*fn)(void *), void *arg)
{
        int status = 0;
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0)
                _exit(fn(arg));
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

/* The hex mask of "CapEff:" and the like in /proc/self/status. */
static uint64_t status_caps(const char *field)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        const char *p;

        if (read_file_at(AT_FDCWD, "/proc/self/status", 1 << 16, &text, &len, NULL) < 0)
                return UINT64_MAX;
        p = strstr(text, field);
        return p ? strtoull(p + strlen(field), NULL, 16) : UINT64_MAX;
}

static bool status_has(const char *needle)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (read_file_at(AT_FDCWD, "/proc/self/status", 1 << 16, &text, &len, NULL) < 0)
                return false;
        return strstr(text, needle) != NULL;
}

static int child_identity(void *arg)
{
        struct oci_process *p = arg;
        _cleanup_(berr_freep) struct berr *err = NULL;
        uint64_t want = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN) | BIT(CAP_KILL);
        gid_t groups[8];
        int n;

        if (process_apply_identity(p, &err) < 0) {
                printf("# %s\n", berr_msg(err));
                return 1;
        }
        if (getuid() != 1000 || geteuid() != 1000 || getgid() != 1001 || getegid() != 1001)
                return 2;
        n = getgroups(8, groups);
        if (n != 2 || groups[0] != 5 || groups[1] != 44)
                return 3;
        if (status_caps("CapBnd:\t") != want)
                return 4;
        if (status_caps("CapEff:\t") != (BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN)))
                return 5;
        if (status_caps("CapPrm:\t") != want)
                return 6;
        if (status_caps("CapInh:\t") != BIT(CAP_NET_BIND_SERVICE))
                return 7;
        if (status_caps("CapAmb:\t") != BIT(CAP_NET_BIND_SERVICE))
                return 8;
        if (!status_has("NoNewPrivs:\t1"))
                return 9;
        return 0;
}

TEST(identity_sets_ids_groups_and_five_cap_sets) {
        uint32_t gids[] = { 5, 44 };
        struct oci_process p = {
                .user = { .uid = 1000, .gid = 1001, .additional_gids = gids, .n_additional_gids = 2 },
                .no_new_privileges = true,
        };

        if (geteuid() != 0)
                SKIP("needs root to change uids and the bounding set");
        p.capabilities.present = true;
        p.capabilities.sets[OCI_CAP_BOUNDING] = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN) | BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_PERMITTED] = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN) | BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_EFFECTIVE] = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN);
        p.capabilities.sets[OCI_CAP_INHERITABLE] = BIT(CAP_NET_BIND_SERVICE);
        p.capabilities.sets[OCI_CAP_AMBIENT] = BIT(CAP_NET_BIND_SERVICE);
        ASSERT_EQ(in_child(child_identity, &p), 0);
}

static int child_no_caps(void *arg)
{
        struct oci_process *p = arg;

        if (process_apply_identity(p, NULL) < 0)
                return 1;
        if (getuid() != 0)
                return 2;
        if (status_caps("CapEff:\t") != 0 || status_caps("CapBnd:\t") != 0 || status_caps("CapPrm:\t") != 0)
                return 3;
        if (status_has("NoNewPrivs:\t1"))
                return 4;
        return 0;
}

TEST(absent_capabilities_means_none_even_for_root) {
        struct oci_process p = { 0 };

        if (geteuid() != 0)
                SKIP("needs root");
        ASSERT_EQ(in_child(child_no_caps, &p), 0);
}

static int child_ambient_not_inheritable(void *arg)
{
        struct oci_process *p = arg;
        _cleanup_(berr_freep) struct berr *err = NULL;

        if (process_apply_identity(p, &err) < 0) {
                printf("# %s\n", berr_msg(err));
                return 1;
        }
        if (status_caps("CapAmb:\t") != BIT(CAP_KILL))
                return 2;
        return status_caps("CapEff:\t") == (BIT(CAP_NET_RAW) | BIT(CAP_KILL)) ? 0 : 3;
}

/* runc's default config.json: ambient capabilities without an inheritable set. */
TEST(ambient_outside_inheritable_is_skipped_like_runc) {
        struct oci_process p = { 0 };

        if (geteuid() != 0)
                SKIP("needs root");
        p.capabilities.present = true;
        p.capabilities.sets[OCI_CAP_BOUNDING] = BIT(CAP_NET_RAW) | BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_PERMITTED] = BIT(CAP_NET_RAW) | BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_EFFECTIVE] = BIT(CAP_NET_RAW) | BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_INHERITABLE] = BIT(CAP_KILL);
        p.capabilities.sets[OCI_CAP_AMBIENT] = BIT(CAP_NET_RAW) | BIT(CAP_KILL);
        ASSERT_EQ(in_child(child_ambient_not_inheritable, &p), 0);
}

static int child_keep_root_caps(void *arg)
{
        struct oci_capabilities c = { .present = true };
        uint64_t held = status_caps("CapPrm:\t");

        for (int s = 0; s < _OCI_CAP_SET_MAX; s++)
                if (s != OCI_CAP_AMBIENT && s != OCI_CAP_INHERITABLE)
                        c.sets[s] = held;
        /* Unknown high capabilities are skipped, not an error. */
        c.sets[OCI_CAP_EFFECTIVE] |= BIT(63);
        if (caps_drop_bounding(&c, NULL) < 0 || caps_apply(&c, NULL) < 0)
                return 1;
        return prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) == 1 ? 0 : 2;
}

TEST(unknown_capability_numbers_skipped) {
        if (geteuid() != 0)
                SKIP("needs root");
        ASSERT_EQ(in_child(child_keep_root_caps, NULL), 0);
}

static int child_unprivileged_bounding(void *arg)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_capabilities c = { .present = true };

        if (caps_drop_bounding(&c, &err) == 0)
                return 1;
        return strstr(berr_msg(err), "from the bounding set") ? 0 : 2;
}

static int child_unheld(void *arg)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_capabilities c = { .present = true };
        uint64_t held = status_caps("CapPrm:\t");
        int missing = -1;

        for (int i = 0; i <= caps_last_cap() && missing < 0; i++)
                if (!(held & BIT(i)))
                        missing = i;
        if (missing < 0)
                return 77;
        c.sets[OCI_CAP_PERMITTED] = held | BIT(missing);
        if (caps_apply(&c, &err) == 0)
                return 1;
        printf("# %s\n", berr_msg(err));
        return strstr(berr_msg(err), "is asked for but this runtime does not hold it") ? 0 : 2;
}

TEST(capability_not_held_is_named) {
        int r = in_child(child_unheld, NULL);

        if (r == 77)
                SKIP("this process holds every capability");
        ASSERT_EQ(r, 0);
}

TEST(bounding_drop_error_names_capability) {
        if (geteuid() == 0)
                SKIP("root can drop the bounding set");
        ASSERT_EQ(in_child(child_unprivileged_bounding, NULL), 0);
}

TEST(last_cap_matches_kernel) {
        _cleanup_free_ char *v = NULL;
        size_t len;

        ASSERT_OK(read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", 64, &v, &len, NULL));
        ASSERT_EQ(caps_last_cap(), atoi(v));
}
