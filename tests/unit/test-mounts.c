/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the mount plan (runtime/mounts-plan.c): option translation, validation, errors. */
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"
#include "tap.h"

#define OPTS(...) ((char *[]){ __VA_ARGS__, NULL })

static struct oci_mount M(const char *dest, const char *type, const char *src, char **opts)
{
        return (struct oci_mount){
                .destination = (char *) dest,
                .type = (char *) type,
                .source = (char *) src,
                .options = opts,
        };
}

/* Builds the plan for one mount; returns the result of mounts_plan_new. */
static int plan_one(struct oci_mount m, struct mount_plan **ret, struct berr **err)
{
        struct oci_spec spec = { .mounts = &m, .n_mounts = 1 };
        return mounts_plan_new(&spec, false, ret, err);
}

TEST(plan_runc_default_mounts) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_mount ms[] = {
                M("/proc", "proc", "proc", NULL),
                M("/dev", "tmpfs", "tmpfs", OPTS("nosuid", "strictatime", "mode=755", "size=65536k")),
                M("/dev/pts", "devpts", "devpts",
                  OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                M("/dev/shm", "tmpfs", "shm", OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                M("/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev")),
                M("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
                M("/sys/fs/cgroup", "cgroup", "cgroup", OPTS("nosuid", "noexec", "nodev", "relatime", "ro")),
        };
        struct oci_spec spec = { .mounts = ms, .n_mounts = ELEMENTSOF(ms), .root_readonly = true };

        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
        ASSERT_EQ(plan->n_steps, 7);
        ASSERT_TRUE(plan->readonly_rootfs);
        ASSERT_TRUE(plan->default_devices);
        ASSERT_FALSE(plan->no_pivot);
        ASSERT_EQ(plan->steps[0].kind, MOUNT_STEP_FS);
        ASSERT_STREQ(plan->steps[0].fstype, "proc");
        ASSERT_EQ(plan->steps[0].flags, 0);
        ASSERT_TRUE(plan->steps[0].data == NULL);
        ASSERT_EQ(plan->steps[1].flags, MS_NOSUID | MS_STRICTATIME);
        ASSERT_STREQ(plan->steps[1].data, "mode=755,size=65536k");
        ASSERT_STREQ(plan->steps[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        ASSERT_EQ(plan->steps[2].flags, MS_NOSUID | MS_NOEXEC);
        ASSERT_STREQ(plan->steps[3].source, "shm");
        ASSERT_EQ(plan->steps[3].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
        ASSERT_EQ(plan->steps[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        ASSERT_EQ(plan->steps[6].kind, MOUNT_STEP_CGROUP);
        ASSERT_EQ(plan->steps[6].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
        ASSERT_EQ(plan->steps[6].mount_index, 6);
        ASSERT_FALSE(plan->steps[0].readonly_remount);
}

TEST(plan_rbind_flags_and_propagation) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/data", "bind", "/srv/data", OPTS("rbind", "ro", "nosuid", "nodev", "noexec", "rprivate")),
                               &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].kind, MOUNT_STEP_BIND);
        ASSERT_EQ(plan->steps[0].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        ASSERT_EQ(plan->steps[0].propagation, MS_PRIVATE | MS_REC);
        ASSERT_TRUE(plan->steps[0].readonly_remount);
        ASSERT_STREQ(plan->steps[0].source, "/srv/data");
        ASSERT_TRUE(plan->steps[0].fstype == NULL);
        ASSERT_STREQ(mount_step_kind_to_string(plan->steps[0].kind), "bind");
}

TEST(plan_bind_without_type) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/etc/hosts", NULL, "/etc/hosts", OPTS("bind")), &plan, &err), &err);
        ASSERT_EQ(plan->steps[0].kind, MOUNT_STEP_BIND);
        ASSERT_EQ(plan->steps[0].flags, MS_BIND);
        ASSERT_FALSE(plan->steps[0].readonly_remount);
}

TEST(plan_clear_flags) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/x", "none", "/x", OPTS("bind", "ro", "rw", "suid", "dev", "exec", "atime")), &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].flags, MS_BIND);
        ASSERT_EQ(plan->steps[0].clear_flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME);
        ASSERT_TRUE(plan->steps[0].readonly_remount);
}

TEST(plan_all_classic_flags) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/t", "tmpfs", NULL,
                                 OPTS("sync", "dirsync", "remount", "mand", "noatime", "nodiratime", "nosymfollow",
                                      "lazytime", "iversion", "silent", "defaults")),
                               &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].flags, MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME |
                                                MS_NODIRATIME | MS_NOSYMFOLLOW | MS_LAZYTIME | MS_I_VERSION | MS_SILENT);
        ASSERT_STREQ(plan->steps[0].source, "tmpfs"); /* defaults to the type */
        ASSERT_TRUE(plan->steps[0].data == NULL);
}

TEST(plan_flag_toggles_last_wins) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/t", "tmpfs", "tmpfs", OPTS("sync", "async", "relatime", "norelatime", "strictatime",
                                                              "shared", "slave", "runbindable")),
                               &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].flags, MS_STRICTATIME);
        ASSERT_EQ(plan->steps[0].propagation, MS_UNBINDABLE | MS_REC);
}

TEST(plan_propagation_kinds) {
        static const struct {
                const char *opt;
                unsigned long want;
        } cases[] = {
                { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
                { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
                { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
                { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                char *opts[] = { "bind", (char *) cases[i].opt, NULL };

                ASSERT_OK_ERR(plan_one(M("/x", NULL, "/x", opts), &plan, &err), &err);
                ASSERT_EQ(plan->steps[0].propagation, cases[i].want);
        }
}

TEST(plan_recursive_attrs) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/x", NULL, "/x",
                                 OPTS("rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow",
                                      "rnoatime")),
                               &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].recursive_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                        MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME |
                                                        MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOATIME);
        ASSERT_EQ(plan->steps[0].recursive_clr, MOUNT_ATTR__ATIME);
        ASSERT_EQ(plan->steps[0].flags, MS_BIND | MS_REC);
}

TEST(plan_recursive_clear_and_atime) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/x", NULL, "/x", OPTS("rbind", "rro", "rrw", "rsuid", "rdev", "rexec", "rstrictatime")),
                               &plan, &err),
                      &err);
        ASSERT_EQ(plan->steps[0].recursive_set, MOUNT_ATTR_STRICTATIME);
        ASSERT_EQ(plan->steps[0].recursive_clr,
                  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME);
}

TEST(plan_unknown_bind_option_is_ignored) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_mount ms[] = {
                M("/proc", "proc", "proc", NULL),
                M("/a", NULL, "/a", OPTS("bind")),
                M("/b", NULL, "/b", OPTS("rbind")),
                M("/data", NULL, "/srv", OPTS("rbind", "bogus")),
        };
        struct oci_spec spec = { .mounts = ms, .n_mounts = 4 };

        /* An unknown option of a bind is ignored, as runc 1.1 and crun 1.8 do; the known ones still apply. */
        ms[3].options = OPTS("rbind", "bogus", "ro");
        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
        ASSERT_EQ(plan->steps[3].kind, MOUNT_STEP_BIND);
        ASSERT_EQ(plan->steps[3].flags, MS_BIND | MS_REC | MS_RDONLY);
        ASSERT_TRUE(plan->steps[3].data == NULL);
        ASSERT_TRUE(plan->steps[3].readonly_remount);
}

TEST(plan_fs_data_passthrough) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/run", "tmpfs", "tmpfs", OPTS("size=64m", "nodev", "mode=755", "noswap", "uid=0")),
                               &plan, &err),
                      &err);
        ASSERT_STREQ(plan->steps[0].data, "size=64m,mode=755,noswap,uid=0");
        ASSERT_EQ(plan->steps[0].flags, MS_NODEV);
}

TEST(plan_option_with_comma_refused) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_FAIL(plan_one(M("/run", "tmpfs", "tmpfs", OPTS("size=1m,mode=777")), &plan, &err));
        ASSERT_ERR_CONTAINS(err, "mounts[0] (/run): invalid option 'size=1m,mode=777'");
}

TEST(plan_errors) {
        const struct {
                const char *dest, *type, *src;
                char **opts;
                const char *msg;
        } cases[] = {
                { "/x", NULL, "/x", NULL, "no file system type and not a bind mount" },
                { "/x", "none", "/x", NULL, "no file system type and not a bind mount" },
                { "/x", NULL, NULL, OPTS("bind"), "bind mount without a source" },
                { "/", NULL, "/x", OPTS("bind"), "cannot mount over the root file system" },
                { "/x/..", NULL, "/x", OPTS("bind"), "cannot mount over the root file system" },
                { "/proc", "tmpfs", "tmpfs", NULL, "only a proc file system may be mounted at '/proc'" },
                { "/proc/sys", NULL, "/tmp", OPTS("bind"), "mounting over '/proc/sys' is not allowed" },
                { "/proc/self/exe", NULL, "/tmp", OPTS("bind"), "mounting over '/proc/self/exe' is not allowed" },
                { "/x", NULL, "/x", OPTS("bind", "tmpcopyup"), "option 'tmpcopyup' needs a tmpfs mount" },
                { "/x", "proc", "proc", OPTS("tmpcopyup"), "option 'tmpcopyup' needs a tmpfs mount" },
                { "/x", "tmpfs", "tmpfs", OPTS("idmap"), "idmapped mounts are supported for bind mounts only" },
                { "/x", NULL, "/x", OPTS("bind", "idmap"), "needs the container's user namespace mappings" },
                { "", NULL, "/x", OPTS("bind"), "missing destination" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;

                ASSERT_EQ(plan_one(M(cases[i].dest, cases[i].type, cases[i].src, cases[i].opts), &plan, &err) < 0,
                          true);
                ASSERT_ERR_CONTAINS(err, cases[i].msg);
                ASSERT_ERR_CONTAINS(err, "mounts[0] (");
        }
}

TEST(plan_proc_files_lxcfs_allowed) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_mount ms[] = {
                M("/proc", "proc", "proc", NULL),
                M("/proc/cpuinfo", NULL, "/var/lib/lxcfs/proc/cpuinfo", OPTS("bind")),
                M("/proc/meminfo", NULL, "/var/lib/lxcfs/proc/meminfo", OPTS("rbind", "ro")),
                M("/processes", "tmpfs", "tmpfs", NULL), /* only a name prefix of /proc */
        };
        struct oci_spec spec = { .mounts = ms, .n_mounts = 4 };

        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
        ASSERT_EQ(plan->n_steps, 4);
}

TEST(plan_destination_cleaned) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_mount ms[] = {
                M("relative/dir", "tmpfs", "tmpfs", NULL),
                M("/a//b/./c/../d/", "tmpfs", "tmpfs", NULL),
                M("/../../etc", "tmpfs", "tmpfs", NULL),
        };
        struct oci_spec spec = { .mounts = ms, .n_mounts = 3 };

        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
        ASSERT_STREQ(plan->steps[0].destination, "/relative/dir");
        ASSERT_STREQ(plan->steps[1].destination, "/a/b/d");
        ASSERT_STREQ(plan->steps[2].destination, "/etc");
}

TEST(plan_idmap) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_id_mapping map = { .container_id = 0, .host_id = 100000, .size = 65536 };
        struct oci_mount ms[] = {
                M("/a", NULL, "/a", OPTS("bind", "idmap")),
                M("/b", NULL, "/b", OPTS("rbind", "ridmap")),
                M("/c", NULL, "/c", OPTS("bind", "idmap")),
        };
        struct oci_namespace ns = { .type = OCI_NS_USER };
        struct oci_spec spec = { .mounts = ms, .n_mounts = 3 };

        ms[0].uid_mappings = ms[0].gid_mappings = &map;
        ms[0].n_uid_mappings = ms[0].n_gid_mappings = 1;
        ms[1].uid_mappings = ms[1].gid_mappings = &map;
        ms[1].n_uid_mappings = ms[1].n_gid_mappings = 1;
        /* /c has no mappings: it takes the container's user namespace mappings. */
        spec.linux.namespaces = &ns;
        spec.linux.n_namespaces = 1;
        spec.linux.uid_mappings = spec.linux.gid_mappings = &map;
        spec.linux.n_uid_mappings = spec.linux.n_gid_mappings = 1;
        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
        ASSERT_TRUE(plan->steps[0].idmapped);
        ASSERT_FALSE(plan->steps[0].recursive_idmap);
        ASSERT_TRUE(plan->steps[1].idmapped);
        ASSERT_TRUE(plan->steps[1].recursive_idmap);
        ASSERT_TRUE(plan->steps[2].idmapped);
        ASSERT_TRUE(plan->has_userns);
        ASSERT_FALSE(plan->has_cgroupns);
}

TEST(plan_idmap_needs_both_maps) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_id_mapping map = { .container_id = 0, .host_id = 1000, .size = 1 };
        struct oci_mount m = M("/a", NULL, "/a", OPTS("bind", "idmap"));
        struct oci_spec spec = { .mounts = &m, .n_mounts = 1 };

        m.uid_mappings = &map;
        m.n_uid_mappings = 1;
        ASSERT_FAIL(mounts_plan_new(&spec, false, &plan, &err));
        ASSERT_ERR_CONTAINS(err, "mounts[0] (/a): idmapped mount needs both uidMappings and gidMappings");
}

TEST(plan_tmpcopyup) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/etc", "tmpfs", "tmpfs", OPTS("tmpcopyup", "mode=755")), &plan, &err), &err);
        ASSERT_TRUE(plan->steps[0].tmpcopyup);
        ASSERT_STREQ(plan->steps[0].data, "mode=755");
}

TEST(plan_dev_bind_disables_default_devices) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK_ERR(plan_one(M("/dev", NULL, "/dev", OPTS("rbind")), &plan, &err), &err);
        ASSERT_FALSE(plan->default_devices);
}

TEST(plan_spec_level_fields) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_namespace ns[] = { { .type = OCI_NS_MOUNT }, { .type = OCI_NS_CGROUP } };
        struct oci_spec spec = { 0 };

        spec.linux.namespaces = ns;
        spec.linux.n_namespaces = 2;
        spec.linux.rootfs_propagation = MS_SHARED | MS_REC;
        ASSERT_OK_ERR(mounts_plan_new(&spec, true, &plan, &err), &err);
        ASSERT_EQ(plan->n_steps, 0);
        ASSERT_TRUE(plan->no_pivot);
        ASSERT_TRUE(plan->has_cgroupns);
        ASSERT_FALSE(plan->has_userns);
        ASSERT_FALSE(plan->readonly_rootfs);
        ASSERT_EQ(plan->rootfs_propagation, MS_SHARED | MS_REC);
}

TEST(plan_devices_validated) {
        const struct {
                struct oci_device d;
                const char *msg;
        } cases[] = {
                { { .type = 'c', .path = "/etc/evil", .major = 1, .minor = 3 }, "linux.devices[0]: path '/etc/evil'" },
                { { .type = 'c', .path = "/dev/../etc/x", .major = 1, .minor = 3 }, "is not an absolute path under /dev" },
                { { .type = 'x', .path = "/dev/x", .major = 1, .minor = 3 }, "linux.devices[0] (/dev/x): unknown type 'x'" },
                { { .type = 'b', .path = "/dev/x", .major = -1, .minor = 3 }, "major/minor out of range" },
                { { .type = 'c', .path = "/dev/x", .major = 1, .minor = 1 << 21 }, "major/minor out of range" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                struct oci_spec spec = { 0 };
                struct oci_device d = cases[i].d;

                spec.linux.devices = &d;
                spec.linux.n_devices = 1;
                ASSERT_EQ(mounts_plan_new(&spec, false, &plan, &err), -EINVAL);
                ASSERT_ERR_CONTAINS(err, cases[i].msg);
        }
}

TEST(plan_devices_ok) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_device ds[] = {
                { .type = 'c', .path = "/dev/fuse", .major = 10, .minor = 229 },
                { .type = 'u', .path = "/dev/net/tun", .major = 10, .minor = 200 },
                { .type = 'b', .path = "/dev/loop9", .major = 7, .minor = 9 },
                { .type = 'p', .path = "/dev/fifo" },
        };
        struct oci_spec spec = { 0 };

        spec.linux.devices = ds;
        spec.linux.n_devices = ELEMENTSOF(ds);
        ASSERT_OK_ERR(mounts_plan_new(&spec, false, &plan, &err), &err);
}

TEST(plan_long_option_refused) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *big = xmalloc(5000);
        char *opts[] = { big, NULL };

        memset(big, 'a', 4999);
        big[4999] = 0;
        ASSERT_FAIL(plan_one(M("/t", "tmpfs", "tmpfs", opts), &plan, &err));
        ASSERT_ERR_CONTAINS(err, "option longer than");
}

TEST(step_kind_names) {
        ASSERT_STREQ(mount_step_kind_to_string(MOUNT_STEP_FS), "fs");
        ASSERT_STREQ(mount_step_kind_to_string(MOUNT_STEP_CGROUP), "cgroup");
        ASSERT_TRUE(mount_step_kind_to_string(_MOUNT_STEP_KIND_INVALID) == NULL);
}

TEST(setup_refuses_without_a_mount_namespace) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_spec spec = { 0 };

        ASSERT_OK(mounts_plan_new(&spec, false, &plan, NULL));
        ASSERT_FALSE(plan->has_mountns);
        ASSERT_EQ(mounts_setup_rootfs(&spec, plan, ".", NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "the rootfs needs a mount namespace");
}

TEST(setup_refuses_the_hosts_mount_namespace) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct oci_namespace ns = { .type = OCI_NS_MOUNT };
        struct oci_spec spec = { 0 };

        if (access("/proc/1/ns/mnt", F_OK) < 0 || readlink("/proc/1/ns/mnt", (char[64]){}, 64) < 0)
                SKIP("cannot see pid 1's mount namespace");
        spec.linux.namespaces = &ns;
        spec.linux.n_namespaces = 1;
        ASSERT_OK(mounts_plan_new(&spec, false, &plan, NULL));
        ASSERT_TRUE(plan->has_mountns);
        /* This test runs in the host's mount namespace: nothing may be touched. */
        ASSERT_EQ(mounts_setup_rootfs(&spec, plan, ".", NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "refusing to set up the rootfs in the host's mount namespace");
}

/* Without a mount namespace the mounts live in the caller's namespace: what cannot be kept is refused by name. */
TEST(plan_without_a_mount_namespace_refuses_masks_and_propagation) {
        char *paths[] = { "/proc/kcore", NULL };
        struct oci_namespace mnt = { .type = OCI_NS_MOUNT };
        static const struct {
                const char *field;
                int which;
        } cases[] = { { "linux.maskedPaths", 0 }, { "linux.readonlyPaths", 1 }, { "linux.rootfsPropagation", 2 } };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL, *with_ns = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                struct oci_spec spec = { 0 };

                if (cases[i].which == 0)
                        spec.linux.masked_paths = paths;
                else if (cases[i].which == 1)
                        spec.linux.readonly_paths = paths;
                else
                        spec.linux.rootfs_propagation = MS_SLAVE | MS_REC;
                ASSERT_EQ(mounts_plan_new(&spec, false, &plan, &err), -EINVAL);
                ASSERT_TRUE(plan == NULL);
                ASSERT_ERR_CONTAINS(err, cases[i].field);
                ASSERT_ERR_CONTAINS(err, "needs a mount namespace");
                /* The same field with a mount namespace is fine. */
                spec.linux.namespaces = &mnt;
                spec.linux.n_namespaces = 1;
                ASSERT_OK(mounts_plan_new(&spec, false, &with_ns, NULL));
        }
}

TEST(plan_without_a_mount_namespace_accepts_the_rest) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        struct oci_mount ms[] = { M("/proc", "proc", "proc", NULL), M("/dev", "tmpfs", "tmpfs", OPTS("mode=755")) };
        struct oci_spec spec = { .mounts = ms, .n_mounts = ELEMENTSOF(ms), .root_readonly = true };

        ASSERT_OK(mounts_plan_new(&spec, true, &plan, NULL));
        ASSERT_FALSE(plan->has_mountns);
        ASSERT_TRUE(plan->readonly_rootfs);
        ASSERT_EQ(plan->host_root_mount, 0);
}

TEST(setup_without_a_mount_namespace_checks_the_rootfs_bind) {
        _cleanup_(mounts_plan_freep) struct mount_plan *plan = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_close_ int dot = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct oci_spec spec = { 0 };
        uint64_t id;

        ASSERT_TRUE(dot >= 0);
        ASSERT_OK(mounts_mount_id(dot, &id, NULL));
        ASSERT_OK(mounts_plan_new(&spec, false, &plan, NULL));
        /* Not the runtime's bind ("." is on some other mount): refused before anything is mounted. */
        plan->host_root_mount = id + 1;
        ASSERT_EQ(mounts_setup_rootfs(&spec, plan, ".", NULL, &err), -EBUSY);
        ASSERT_ERR_CONTAINS(err, "another mount covers the runtime's bind");
}

TEST(host_root_release_leaves_a_mount_that_is_not_ours) {
        _cleanup_close_ int dot = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        struct host_root_bind b = { 0 };
        uint64_t id, after;

        ASSERT_TRUE(dot >= 0 && cwd != NULL);
        ASSERT_OK(mounts_mount_id(dot, &id, NULL));
        ASSERT_OK(mounts_current_mntns(&b.mntns, NULL));
        b.id = id + 1;
        b.info_id = UINT64_MAX; /* in no mountinfo line: not covered either */
        ASSERT_OK(mounts_host_root_release(cwd, &b, NULL));
        b.id = id;
        ASSERT_OK(mounts_host_root_release("/nonexistent/berth-rootfs", &b, NULL));
        ASSERT_OK(mounts_mount_id(dot, &after, NULL));
        ASSERT_EQ(after, id);
}
