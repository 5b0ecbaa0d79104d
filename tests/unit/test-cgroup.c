/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/runtime/cgroup*.c against a fake cgroup tree in the
 * test's temporary directory: path resolution from /proc/self/cgroup, the
 * exact files and values written for v1 and v2 (compared with the write
 * trace that cgroup_write logs at debug level), errors naming the fields a
 * hierarchy cannot express, conversions, statistics, freezing, removal, and
 * the eBPF device program (run through a small interpreter here and, when
 * allowed, through the kernel's verifier).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"
#include "tap.h"

static const char *const v1_hierarchies[] = {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "net_cls,net_prio",
        "rdma", "systemd",
};

static const char v1_self[] = "13:misc:/\n" /* not mounted here: skipped */
                              "12:rdma:/\n"
                              "11:net_cls,net_prio:/\n"
                              "10:hugetlb:/\n"
                              "9:name=systemd:/\n"
                              "8:pids:/\n"
                              "7:blkio:/\n"
                              "6:freezer:/\n"
                              "5:devices:/\n"
                              "4:memory:/process_api/abc\n"
                              "3:cpuset:/\n"
                              "2:cpuacct:/\n"
                              "1:cpu:/\n"
                              "0::/\n";

/* Every file that apply may write, created empty in each container directory (the kernel would). */
static const char *const knob_files[] = {
        "cgroup.procs", "memory.use_hierarchy", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
        "memory.soft_limit_in_bytes", "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes",
        "memory.swappiness", "memory.oom_control", "cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us",
        "cpu.cfs_burst_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle", "cpuset.cpus", "cpuset.mems",
        "pids.max", "blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device", "blkio.throttle.read_iops_device",
        "blkio.throttle.write_iops_device", "hugetlb.2MB.limit_in_bytes", "devices.allow", "devices.deny",
        "net_cls.classid", "net_prio.ifpriomap", "rdma.max", "freezer.state",
        /* v2 */
        "memory.max", "memory.low", "memory.swap.max", "memory.high", "cpu.weight", "cpu.max", "cpu.max.burst",
        "io.weight", "io.max", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "cgroup.freeze", "cgroup.kill",
};

static void write_text(const char *path, const char *text)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
                TAP_FAIL("write %s: %m", path);
}

static char *read_text(const char *path)
{
        char *s = NULL;

        if (read_file_at(AT_FDCWD, path, 1 << 20, &s, NULL, NULL) < 0)
                TAP_FAIL("read %s: %m", path);
        return s;
}

static void touch_knobs(const char *dir)
{
        for (size_t i = 0; i < ELEMENTSOF(knob_files); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, knob_files[i]);
                write_text(p, "");
        }
}

static void fake_v1(struct cgroup_env *env)
{
        ASSERT_OK(mkdir("cg", 0755));
        for (size_t i = 0; i < ELEMENTSOF(v1_hierarchies); i++) {
                _cleanup_free_ char *p = xasprintf("cg/%s", v1_hierarchies[i]);
                ASSERT_OK(mkdir(p, 0755));
        }
        ASSERT_OK(mkdir_parents_at(AT_FDCWD, "cg/memory/process_api/abc", 0755, NULL));
        write_text("self", v1_self);
        *env = (struct cgroup_env){ .mountpoint = "cg", .proc_self_cgroup = "self", .is_mode_forced = true,
                                    .forced_mode = CGROUP_MODE_V1 };
}

static void fake_v2(struct cgroup_env *env)
{
        ASSERT_OK(mkdir_parents_at(AT_FDCWD, "cg/user.slice/sess", 0755, NULL));
        write_text("cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma");
        write_text("cg/cgroup.subtree_control", "");
        write_text("self", "0::/user.slice/sess\n");
        *env = (struct cgroup_env){ .mountpoint = "cg", .proc_self_cgroup = "self", .is_mode_forced = true,
                                    .forced_mode = CGROUP_MODE_V2 };
}

static void trace_start(void)
{
        (void) unlink("trace.log");
        ASSERT_OK(log_open_file("trace.log", false));
        log_set_level(LOG_LEVEL_DEBUG);
}

/* The writes since trace_start(), one "path=value" per line, paths relative to cg/. */
static char *trace_stop(void)
{
        _cleanup_free_ char *text = NULL, *cwd = getcwd(NULL, 0);
        _cleanup_free_ char *prefix = xasprintf("%s/cg/", cwd);
        _cleanup_(strv_freep) char **lines = NULL, **out = NULL;

        log_set_level(LOG_LEVEL_WARN);
        log_close();
        text = read_text("trace.log");
        lines = strv_split(text, "\n");
        for (char **l = lines; *l; l++) {
                const char *v = strstr(*l, "cgroup: write '"), *to, *path;
                if (!v)
                        continue;
                v += strlen("cgroup: write '");
                to = strstr(v, "' to '");
                if (!to)
                        continue;
                path = to + strlen("' to '");
                if (startswith(path, prefix))
                        path += strlen(prefix);
                strv_push_take(&out, xasprintf("%.*s=%.*s", (int) (strlen(path) - 1), path, (int) (to - v), v));
        }
        return out ? strv_join(out, "\n") : xstrdup("");
}

static void assert_text(const char *got, const char *want)
{
        if (!streq(got, want)) {
                printf("# got:\n%s\n# want:\n%s\n", got, want);
                TAP_FAIL("trace differs");
        }
}

/* ---- paths ---- */

TEST(v1_paths_default_relative_to_own_cgroup) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        struct cgroup_env env;
        struct cgroup_hierarchy *h;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_EQ(cgroup_get_mode(cg), CGROUP_MODE_V1);
        ASSERT_EQ(cg->n_hier, 12); /* misc is not mounted; the unified line is not a v1 hierarchy */
        ASSERT_STREQ(cgroup_get_path(cg), "/process_api/abc/berth/c1");
        h = cgroup_find_hierarchy(cg, "pids");
        ASSERT_TRUE(h != NULL);
        ASSERT_STREQ(h->path, "/berth/c1");
        h = cgroup_find_hierarchy(cg, "net_prio");
        ASSERT_TRUE(h != NULL);
        ASSERT_STREQ(h->name, "net_cls,net_prio");
        h = cgroup_find_hierarchy(cg, "name=systemd");
        ASSERT_TRUE(h != NULL);
        ASSERT_STREQ(h->name, "systemd");
        ASSERT_TRUE(cgroup_find_hierarchy(cg, "misc") == NULL);
}

TEST(v1_paths_absolute_and_relative) {
        _cleanup_(cgroup_freep) struct cgroup *a = NULL, *r = NULL;
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, "/libpod_parent//ctr/", "c1", &a, NULL));
        ASSERT_STREQ(cgroup_get_path(a), "/libpod_parent/ctr");
        ASSERT_STREQ(cgroup_find_hierarchy(a, "cpu")->path, "/libpod_parent/ctr");
        ASSERT_OK(cgroup_new(&env, "k8s/pod1/./c", "c1", &r, NULL));
        ASSERT_STREQ(cgroup_get_path(r), "/process_api/abc/k8s/pod1/c");
        ASSERT_STREQ(cgroup_find_hierarchy(r, "cpu")->path, "/k8s/pod1/c");
}

TEST(paths_hostile_refused) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct cgroup *cg = NULL;
        struct cgroup_env env;
        _cleanup_free_ char *longp = xzalloc(CGROUP_PATH_MAX + 2);

        fake_v1(&env);
        ASSERT_EQ(cgroup_new(&env, "/a/../../etc", "c1", &cg, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "'..'");
        err = berr_free(err);
        ASSERT_EQ(cgroup_new(&env, "/", "c1", &cg, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "root cgroup");
        err = berr_free(err);
        ASSERT_EQ(cgroup_new(&env, "a\nb", "c1", &cg, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "control character");
        err = berr_free(err);
        ASSERT_EQ(cgroup_new(&env, "system.slice:docker:abc", "c1", &cg, &err), -ENOTSUP);
        ASSERT_ERR_CONTAINS(err, "systemd");
        err = berr_free(err);
        ASSERT_EQ(cgroup_new(&env, NULL, "../x", &cg, &err), -EINVAL);
        err = berr_free(err);
        memset(longp, 'a', CGROUP_PATH_MAX + 1);
        ASSERT_EQ(cgroup_new(&env, longp, "c1", &cg, &err), -ENAMETOOLONG);
        ASSERT_TRUE(cg == NULL);
}

TEST(self_cgroup_malformed) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct cgroup *cg = NULL;
        struct cgroup_env env;

        fake_v1(&env);
        write_text("self", "garbage\n");
        ASSERT_EQ(cgroup_new(&env, NULL, "c1", &cg, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "malformed line 'garbage'");
}

TEST(v2_paths) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL, *abs = NULL, *rel = NULL, *top = NULL, *root = NULL;
        struct cgroup_env env;

        fake_v2(&env);
        /* relative paths start at the parent of the caller's cgroup (which holds the caller) */
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_EQ(cgroup_get_mode(cg), CGROUP_MODE_V2);
        ASSERT_EQ(cg->n_hier, 1);
        ASSERT_STREQ(cgroup_get_path(cg), "/user.slice/berth/c1");
        ASSERT_OK(cgroup_new(&env, "/machine/c1", "c1", &abs, NULL));
        ASSERT_STREQ(cgroup_get_path(abs), "/machine/c1");
        ASSERT_OK(cgroup_new(&env, "k8s/./c1", "c1", &rel, NULL));
        ASSERT_STREQ(cgroup_get_path(rel), "/user.slice/k8s/c1");
        write_text("self", "0::/sess.scope\n");
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &top, NULL));
        ASSERT_STREQ(cgroup_get_path(top), "/berth/c1");
        write_text("self", "0::/\n");
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &root, NULL));
        ASSERT_STREQ(cgroup_get_path(root), "/berth/c1");
}

TEST(describe_load_roundtrip) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL, *back = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *d = NULL, *d2 = NULL;
        struct cgroup *bad = NULL;
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_OK_ERR(cgroup_create(cg, &err), &err);
        d = cgroup_describe(cg);
        ASSERT_OK_ERR(cgroup_load(NULL, d, &back, &err), &err);
        d2 = cgroup_describe(back);
        ASSERT_STREQ(d2, d);
        ASSERT_STREQ(cgroup_get_path(back), "/process_api/abc/berth/c1");
        ASSERT_EQ(cgroup_find_hierarchy(back, "pids")->created, 2);
        ASSERT_EQ(cgroup_find_hierarchy(back, "memory")->created, 2);
        ASSERT_FAIL(cgroup_load(NULL, "{\"mode\":\"v1\",\"mountpoint\":\"/x\",\"hierarchies\":[{\"name\":\"../x\","
                                      "\"path\":\"/a\",\"controllers\":[\"cpu\"]}]}",
                                &bad, NULL));
        ASSERT_FAIL(cgroup_load(NULL, "{\"mode\":\"v3\"}", &bad, NULL));
        ASSERT_FAIL(cgroup_load(NULL, "not json", &bad, NULL));
        ASSERT_TRUE(bad == NULL);
        ASSERT_OK(cgroup_destroy(back, NULL));
}

TEST(create_destroy_removes_only_what_it_made) {
        _cleanup_(cgroup_freep) struct cgroup *a = NULL, *b = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct cgroup_env env;
        struct stat st;

        fake_v1(&env);
        ASSERT_OK(mkdir("cg/pids/pre", 0755));
        ASSERT_OK(cgroup_new(&env, "/pre/x/c1", "c1", &a, NULL));
        ASSERT_OK(cgroup_new(&env, "/pre/x/c2", "c2", &b, NULL));
        ASSERT_OK_ERR(cgroup_create(a, &err), &err);
        ASSERT_OK_ERR(cgroup_create(b, &err), &err);
        ASSERT_OK(stat("cg/pids/pre/x/c1", &st));
        ASSERT_OK(stat("cg/cpu/pre/x/c2", &st));
        ASSERT_EQ(cgroup_find_hierarchy(a, "pids")->created, 2); /* x and c1 */
        ASSERT_EQ(cgroup_find_hierarchy(a, "cpu")->created, 3);  /* pre, x and c1 */
        ASSERT_EQ(cgroup_find_hierarchy(b, "pids")->created, 1); /* only c2: x was a's */
        /* a nested cgroup made inside the container goes too */
        ASSERT_OK(mkdir("cg/pids/pre/x/c1/inner", 0755));
        ASSERT_OK_ERR(cgroup_destroy(a, &err), &err);
        ASSERT_FAIL(stat("cg/pids/pre/x/c1", &st));
        ASSERT_OK(stat("cg/pids/pre/x", &st)); /* still holds c2 */
        ASSERT_OK_ERR(cgroup_destroy(b, &err), &err);
        ASSERT_FAIL(stat("cg/pids/pre/x/c2", &st));
        ASSERT_OK(stat("cg/pids/pre/x", &st)); /* a made it, b did not: an explicit path's parents stay */
        ASSERT_OK(stat("cg/cpu/pre/x", &st)); /* likewise (runc never removes parents at all) */
        ASSERT_OK_ERR(cgroup_destroy(b, &err), &err); /* missing is fine */
}

/* A v1 cpuset level that another process has made but not yet set up (empty cpus and mems) is set
 * up by the next one that finds it, so the container below it does not copy empty sets (50
 * concurrent runs failed with ENOSPC on cgroup.procs before). */
TEST(v1_cpuset_level_found_half_made_is_set_up) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *cpus = NULL, *mems = NULL;
        struct cgroup_env env;

        fake_v1(&env);
        write_text("cg/cpuset/cpuset.cpus", "0-1\n");
        write_text("cg/cpuset/cpuset.mems", "0\n");
        ASSERT_OK(mkdir("cg/cpuset/half", 0755));
        write_text("cg/cpuset/half/cpuset.cpus", "");
        write_text("cg/cpuset/half/cpuset.mems", "");
        ASSERT_OK(cgroup_new(&env, "/half/c1", "c1", &cg, NULL));
        ASSERT_OK_ERR(cgroup_create(cg, &err), &err);
        cpus = read_text("cg/cpuset/half/cpuset.cpus");
        mems = read_text("cg/cpuset/half/cpuset.mems");
        ASSERT_TRUE(strncmp(cpus, "0-1", 3) == 0);
        ASSERT_TRUE(strncmp(mems, "0", 1) == 0);
        ASSERT_EQ(cgroup_find_hierarchy(cg, "cpuset")->created, 1); /* found, not made: not ours to remove */
        ASSERT_OK_ERR(cgroup_destroy(cg, &err), &err);
}

TEST(default_parent_removed_by_the_last_container) {
        _cleanup_(cgroup_freep) struct cgroup *a = NULL, *b = NULL;
        struct cgroup_env env;
        struct stat st;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "a", &a, NULL));
        /* the default path given explicitly (as the engine does) is the default */
        ASSERT_OK(cgroup_new(&env, "berth/b", "b", &b, NULL));
        ASSERT_OK(cgroup_create(a, NULL));
        ASSERT_OK(cgroup_create(b, NULL));
        ASSERT_EQ(cgroup_find_hierarchy(b, "pids")->created, 2);
        /* berth/ belongs to the runtime whoever made it: the first one out leaves it, the last removes it */
        ASSERT_OK(cgroup_destroy(a, NULL));
        ASSERT_OK(stat("cg/pids/berth/b", &st));
        ASSERT_OK(cgroup_destroy(b, NULL));
        ASSERT_FAIL(stat("cg/pids/berth", &st));
        ASSERT_FAIL(stat("cg/memory/process_api/abc/berth", &st));
        ASSERT_OK(stat("cg/memory/process_api/abc", &st));
}

/* ---- resources, v1 ---- */

static struct oci_throttle_device thr_rbps[] = { { 8, 0, 1048576 } };
static struct oci_throttle_device thr_wbps[] = { { 8, 0, 2097152 } };
static struct oci_throttle_device thr_riops[] = { { 8, 0, 100 } };
static struct oci_throttle_device thr_wiops[] = { { 8, 16, 0 } };
static struct oci_weight_device wdev[] = { { 8, 0, true, 200, true, 100 } };
static struct oci_hugepage_limit huge[] = { { (char *) "2MB", 1073741824 } };
static struct oci_device_rule devrules[] = {
        { false, 'a', -1, -1, "rwm" },
        { true, 'c', 1, 3, "rw" },
        { true, 'b', 8, -1, "r" },
};
static struct oci_net_priority prios[] = { { (char *) "eth0", 5 } };
static char *rdma[] = { (char *) "mlx5_0", (char *) "hca_handle=3 hca_object=100", NULL };

static void full_resources(struct oci_resources *r, bool v2)
{
        *r = (struct oci_resources){
                .has_memory = true,
                .memory = { .has_limit = true, .limit = 268435456, .has_reservation = true, .reservation = 134217728,
                            .has_swap = true, .swap = 536870912, .has_kernel = true, .kernel = 67108864,
                            .has_use_hierarchy = true, .use_hierarchy = true },
                .has_cpu = true,
                .cpu = { .has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000, .has_period = true,
                         .period = 100000, .has_burst = true, .burst = 10000, .cpus = (char *) "0-1",
                         .mems = (char *) "0", .has_idle = true, .idle = 1 },
                .has_pids = true,
                .pids_limit = 100,
                .has_block_io = true,
                .block_io = { .has_weight = true, .weight = 500, .weight_devices = wdev, .n_weight_devices = 1 },
                .hugepage_limits = huge,
                .n_hugepage_limits = 1,
                .rdma = rdma,
        };
        r->block_io.throttle[OCI_THROTTLE_READ_BPS] = thr_rbps;
        r->block_io.n_throttle[OCI_THROTTLE_READ_BPS] = 1;
        r->block_io.throttle[OCI_THROTTLE_WRITE_BPS] = thr_wbps;
        r->block_io.n_throttle[OCI_THROTTLE_WRITE_BPS] = 1;
        r->block_io.throttle[OCI_THROTTLE_READ_IOPS] = thr_riops;
        r->block_io.n_throttle[OCI_THROTTLE_READ_IOPS] = 1;
        r->block_io.throttle[OCI_THROTTLE_WRITE_IOPS] = thr_wiops;
        r->block_io.n_throttle[OCI_THROTTLE_WRITE_IOPS] = 1;
        if (!v2) {
                r->memory.has_kernel_tcp = true;
                r->memory.kernel_tcp = 16777216;
                r->memory.has_swappiness = true;
                r->memory.swappiness = 10;
                r->memory.has_disable_oom_killer = true;
                r->memory.disable_oom_killer = true;
                r->cpu.has_realtime_period = true;
                r->cpu.realtime_period = 1000000;
                r->cpu.has_realtime_runtime = true;
                r->cpu.realtime_runtime = 950000;
                r->block_io.has_leaf_weight = true;
                r->block_io.leaf_weight = 300;
                r->devices = devrules;
                r->n_devices = ELEMENTSOF(devrules);
                r->has_network = true;
                r->has_class_id = true;
                r->class_id = 0x100001;
                r->net_priorities = prios;
                r->n_net_priorities = 1;
        } else {
                wdev[0].has_leaf_weight = false;
        }
}

static void touch_v1_container(const char *path)
{
        for (size_t i = 0; i < ELEMENTSOF(v1_hierarchies); i++) {
                _cleanup_free_ char *p = xasprintf("cg/%s%s", v1_hierarchies[i],
                                                   streq(v1_hierarchies[i], "memory") ? "/process_api/abc" : "");
                _cleanup_free_ char *d = xasprintf("%s%s", p, path);
                if (access(p, F_OK) == 0)
                        touch_knobs(d);
        }
}

TEST(v1_apply_full_resources) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *got = NULL;
        struct oci_resources res;
        struct cgroup_env env;
        int r;

        fake_v1(&env);
        full_resources(&res, false);
        wdev[0].has_leaf_weight = true;
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_OK_ERR(cgroup_create(cg, &err), &err);
        touch_v1_container("/berth/c1");
        trace_start();
        r = cgroup_apply(cg, &res, &err);
        got = trace_stop();
        ASSERT_OK_ERR(r, &err);
        assert_text(got, "memory/process_api/abc/berth/c1/memory.use_hierarchy=1\n"
                         "memory/process_api/abc/berth/c1/memory.limit_in_bytes=268435456\n"
                         "memory/process_api/abc/berth/c1/memory.memsw.limit_in_bytes=536870912\n"
                         "memory/process_api/abc/berth/c1/memory.soft_limit_in_bytes=134217728\n"
                         "memory/process_api/abc/berth/c1/memory.kmem.limit_in_bytes=67108864\n"
                         "memory/process_api/abc/berth/c1/memory.kmem.tcp.limit_in_bytes=16777216\n"
                         "memory/process_api/abc/berth/c1/memory.swappiness=10\n"
                         "memory/process_api/abc/berth/c1/memory.oom_control=1\n"
                         "cpu/berth/c1/cpu.shares=1024\n"
                         "cpu/berth/c1/cpu.cfs_period_us=100000\n"
                         "cpu/berth/c1/cpu.cfs_quota_us=50000\n"
                         "cpu/berth/c1/cpu.cfs_burst_us=10000\n"
                         "cpu/berth/c1/cpu.rt_period_us=1000000\n"
                         "cpu/berth/c1/cpu.rt_runtime_us=950000\n"
                         "cpu/berth/c1/cpu.idle=1\n"
                         "cpuset/berth/c1/cpuset.cpus=0-1\n"
                         "cpuset/berth/c1/cpuset.mems=0\n"
                         "pids/berth/c1/pids.max=100\n"
                         "blkio/berth/c1/blkio.weight=500\n"
                         "blkio/berth/c1/blkio.leaf_weight=300\n"
                         "blkio/berth/c1/blkio.weight_device=8:0 200\n"
                         "blkio/berth/c1/blkio.leaf_weight_device=8:0 100\n"
                         "blkio/berth/c1/blkio.throttle.read_bps_device=8:0 1048576\n"
                         "blkio/berth/c1/blkio.throttle.write_bps_device=8:0 2097152\n"
                         "blkio/berth/c1/blkio.throttle.read_iops_device=8:0 100\n"
                         "blkio/berth/c1/blkio.throttle.write_iops_device=8:16 0\n"
                         "hugetlb/berth/c1/hugetlb.2MB.limit_in_bytes=1073741824\n"
                         "devices/berth/c1/devices.deny=a\n"
                         "devices/berth/c1/devices.deny=a\n"
                         "devices/berth/c1/devices.allow=c 1:3 rw\n"
                         "devices/berth/c1/devices.allow=b 8:* r\n"
                         "net_cls,net_prio/berth/c1/net_cls.classid=1048577\n"
                         "net_cls,net_prio/berth/c1/net_prio.ifpriomap=eth0 5\n"
                         "rdma/berth/c1/rdma.max=mlx5_0 hca_handle=3 hca_object=100");
}

TEST(v1_device_defaults_and_extra_rules) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *got = NULL;
        struct oci_resources res = { .devices = devrules, .n_devices = 1 };
        struct oci_device_rule fuse = { true, 'c', 10, 229, "rwm" }, bad = { true, 'x', 1, 1, "rwm" };
        const struct oci_device_rule *defs;
        struct cgroup_env env;
        size_t n;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_v1_container("/berth/c1");
        ASSERT_EQ(cgroup_add_device_rules(cg, &bad, 1, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "type 'x'");
        defs = cgroup_default_device_rules(&n);
        ASSERT_OK(cgroup_add_device_rules(cg, &fuse, 1, NULL));
        ASSERT_OK(cgroup_add_device_rules(cg, defs, n, NULL));
        trace_start();
        ASSERT_OK(cgroup_apply(cg, &res, NULL));
        got = trace_stop();
        assert_text(got, "devices/berth/c1/devices.deny=a\n"
                         "devices/berth/c1/devices.deny=a\n"
                         "devices/berth/c1/devices.allow=c 10:229 rwm\n"
                         "devices/berth/c1/devices.allow=c *:* m\n"
                         "devices/berth/c1/devices.allow=b *:* m\n"
                         "devices/berth/c1/devices.allow=c 1:3 rwm\n"
                         "devices/berth/c1/devices.allow=c 1:8 rwm\n"
                         "devices/berth/c1/devices.allow=c 1:7 rwm\n"
                         "devices/berth/c1/devices.allow=c 5:0 rwm\n"
                         "devices/berth/c1/devices.allow=c 1:5 rwm\n"
                         "devices/berth/c1/devices.allow=c 1:9 rwm\n"
                         "devices/berth/c1/devices.allow=c 5:1 rwm\n"
                         "devices/berth/c1/devices.allow=c 136:* rwm\n"
                         "devices/berth/c1/devices.allow=c 5:2 rwm");
}

TEST(v1_refuses_what_it_cannot_express) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        char *unified[] = { (char *) "memory.high", (char *) "1000", NULL };
        struct oci_resources res = { .unified = unified };
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(rmdir("cg/hugetlb"));
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_v1_container("/berth/c1");
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -ENOTSUP);
        ASSERT_ERR_CONTAINS(err, "unified: 'memory.high'");
        ASSERT_ERR_CONTAINS(err, "cgroup v1");
        err = berr_free(err);
        res = (struct oci_resources){ .hugepage_limits = huge, .n_hugepage_limits = 1 };
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -ENOTSUP);
        ASSERT_ERR_CONTAINS(err, "hugepageLimits: the hugetlb controller is not available");
        err = berr_free(err);
        /* a file the kernel does not offer: the field is named */
        ASSERT_OK(unlink("cg/memory/process_api/abc/berth/c1/memory.kmem.tcp.limit_in_bytes"));
        res = (struct oci_resources){ .has_memory = true, .memory = { .has_kernel_tcp = true, .kernel_tcp = 1 } };
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "memory.kernelTCP: open 'memory.kmem.tcp.limit_in_bytes'");
        err = berr_free(err);
        res = (struct oci_resources){ .has_memory = true, .memory = { .has_swappiness = true, .swappiness = 101 } };
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "memory.swappiness");
        err = berr_free(err);
        res = (struct oci_resources){ .has_block_io = true };
        res.block_io.throttle[OCI_THROTTLE_READ_BPS] = (struct oci_throttle_device[]){ { -5, 0, 1 } };
        res.block_io.n_throttle[OCI_THROTTLE_READ_BPS] = 1;
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "blockIO.throttleReadBpsDevice[0]");
}

TEST(v1_memory_order_when_raising) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_free_ char *got = NULL;
        struct oci_resources res = { .has_memory = true,
                                     .memory = { .has_limit = true, .limit = 100, .has_swap = true, .swap = 200 } };
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_v1_container("/berth/c1");
        /* simulate the kernel refusing limit > memsw: a directory cannot be opened for writing */
        ASSERT_OK(unlink("cg/memory/process_api/abc/berth/c1/memory.limit_in_bytes"));
        ASSERT_OK(mkdir("cg/memory/process_api/abc/berth/c1/memory.limit_in_bytes", 0755));
        trace_start();
        ASSERT_FAIL(cgroup_apply(cg, &res, NULL));
        got = trace_stop();
        /* first try failed, memsw went first, then limit again (and failed again here) */
        assert_text(got, "memory/process_api/abc/berth/c1/memory.memsw.limit_in_bytes=200");
}

/* ---- resources, v2 ---- */

TEST(v2_apply_full_resources) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *got = NULL;
        char *unified[] = { (char *) "memory.high", (char *) "200000000", NULL };
        struct oci_resources res;
        struct cgroup_env env;
        int r;

        fake_v2(&env);
        full_resources(&res, true);
        res.unified = unified;
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &cg, NULL));
        trace_start();
        r = cgroup_create(cg, &err);
        touch_knobs("cg/user.slice/berth/c1");
        if (r >= 0)
                r = cgroup_apply(cg, &res, &err);
        got = trace_stop();
        ASSERT_OK_ERR(r, &err);
        assert_text(got, "cgroup.subtree_control=+cpuset\n"
                         "cgroup.subtree_control=+cpu\n"
                         "cgroup.subtree_control=+io\n"
                         "cgroup.subtree_control=+memory\n"
                         "cgroup.subtree_control=+hugetlb\n"
                         "cgroup.subtree_control=+pids\n"
                         "cgroup.subtree_control=+rdma\n"
                         "user.slice/berth/c1/memory.swap.max=268435456\n"
                         "user.slice/berth/c1/memory.max=268435456\n"
                         "user.slice/berth/c1/memory.low=134217728\n"
                         "user.slice/berth/c1/cpu.weight=39\n"
                         "user.slice/berth/c1/cpu.max=50000 100000\n"
                         "user.slice/berth/c1/cpu.max.burst=10000\n"
                         "user.slice/berth/c1/cpu.idle=1\n"
                         "user.slice/berth/c1/cpuset.cpus=0-1\n"
                         "user.slice/berth/c1/cpuset.mems=0\n"
                         "user.slice/berth/c1/pids.max=100\n"
                         "user.slice/berth/c1/io.weight=default 4950\n"
                         "user.slice/berth/c1/io.weight=8:0 1920\n"
                         "user.slice/berth/c1/io.max=8:0 rbps=1048576\n"
                         "user.slice/berth/c1/io.max=8:0 wbps=2097152\n"
                         "user.slice/berth/c1/io.max=8:0 riops=100\n"
                         "user.slice/berth/c1/io.max=8:16 wiops=max\n"
                         "user.slice/berth/c1/hugetlb.2MB.max=1073741824\n"
                         "user.slice/berth/c1/hugetlb.2MB.rsvd.max=1073741824\n"
                         "user.slice/berth/c1/rdma.max=mlx5_0 hca_handle=3 hca_object=100\n"
                         "user.slice/berth/c1/memory.high=200000000");
}

TEST(v2_bfq_weights_and_unlimited_values) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_free_ char *got = NULL;
        struct oci_resources res = {
                .has_memory = true,
                .memory = { .has_limit = true, .limit = -1, .has_swap = true, .swap = -1 },
                .has_cpu = true,
                .cpu = { .has_quota = true, .quota = -1, .has_period = true, .period = 250000 },
                .has_pids = true,
                .pids_limit = -1,
                .has_block_io = true,
                .block_io = { .has_weight = true, .weight = 500, .weight_devices = wdev, .n_weight_devices = 1 },
        };
        struct cgroup_env env;

        fake_v2(&env);
        wdev[0].has_leaf_weight = false;
        ASSERT_OK(cgroup_new(&env, "/c1", "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_knobs("cg/c1");
        write_text("cg/c1/io.bfq.weight", "");
        trace_start();
        ASSERT_OK(cgroup_apply(cg, &res, NULL));
        got = trace_stop();
        assert_text(got, "c1/memory.swap.max=max\n"
                         "c1/memory.max=max\n"
                         "c1/cpu.max=max 250000\n"
                         "c1/pids.max=max\n"
                         "c1/io.bfq.weight=500\n"
                         "c1/io.bfq.weight=8:0 200");
}

TEST(v2_refuses_v1_only_fields_by_name) {
        static const struct {
                const char *name;
                struct oci_resources res;
        } cases[] = {
                { "network.classID", { .has_network = true, .has_class_id = true, .class_id = 1 } },
                { "network.priorities", { .has_network = true, .net_priorities = prios, .n_net_priorities = 1 } },
                { "memory.kernelTCP", { .has_memory = true, .memory = { .has_kernel_tcp = true } } },
                { "memory.swappiness", { .has_memory = true, .memory = { .has_swappiness = true } } },
                { "memory.disableOOMKiller",
                  { .has_memory = true, .memory = { .has_disable_oom_killer = true, .disable_oom_killer = true } } },
                { "memory.useHierarchy", { .has_memory = true, .memory = { .has_use_hierarchy = true } } },
                { "cpu.realtimeRuntime", { .has_cpu = true, .cpu = { .has_realtime_runtime = true } } },
                { "cpu.realtimePeriod", { .has_cpu = true, .cpu = { .has_realtime_period = true } } },
                { "blockIO.leafWeight", { .has_block_io = true, .block_io = { .has_leaf_weight = true } } },
                { "memory.swap: a swap limit needs a memory limit",
                  { .has_memory = true, .memory = { .has_swap = true, .swap = 100 } } },
        };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        struct cgroup_env env;

        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c1", "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_knobs("cg/c1");
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                ASSERT_FAIL(cgroup_apply(cg, &cases[i].res, &err));
                ASSERT_ERR_CONTAINS(err, cases[i].name);
        }
}

TEST(v2_missing_files_and_bad_unified) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        char *u1[] = { (char *) "memory.nonexistent", (char *) "1", NULL };
        char *u2[] = { (char *) "../../etc/passwd", (char *) "x", NULL };
        char *u3[] = { (char *) "cgroup.procs", (char *) "1", NULL };
        struct oci_resources res = { .unified = u1 };
        struct cgroup_env env;

        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c1", "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "unified.memory.nonexistent: not supported by this kernel or controller not enabled");
        err = berr_free(err);
        res.unified = u2;
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "invalid cgroup file name");
        err = berr_free(err);
        res.unified = u3;
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "'cgroup.procs' may not be set");
        err = berr_free(err);
        res = (struct oci_resources){ .hugepage_limits = (struct oci_hugepage_limit[]){ { (char *) "../x", 1 } },
                                      .n_hugepage_limits = 1 };
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "hugepageLimits[0]: invalid page size '../x'");
        err = berr_free(err);
        /* the UML guest has no cpuset controller: the field is named */
        res = (struct oci_resources){ .has_cpu = true, .cpu = { .cpus = (char *) "0" } };
        ASSERT_EQ(cgroup_apply(cg, &res, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "cpu.cpus: not supported");
}

TEST(conversions) {
        int64_t v;

        ASSERT_EQ(cgroup_shares_to_weight(0), 0);
        ASSERT_EQ(cgroup_shares_to_weight(2), 1);
        ASSERT_EQ(cgroup_shares_to_weight(1024), 39);
        ASSERT_EQ(cgroup_shares_to_weight(262144), 10000);
        ASSERT_EQ(cgroup_shares_to_weight(1 << 30), 10000);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(10), 1);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(1000), 10000);
        ASSERT_EQ(cgroup_blkio_weight_to_io_weight(500), 4950);
        ASSERT_OK(cgroup_swap_to_v2(300, true, 100, &v, NULL));
        ASSERT_EQ(v, 200);
        ASSERT_OK(cgroup_swap_to_v2(-1, false, 0, &v, NULL));
        ASSERT_EQ(v, -1);
        ASSERT_FAIL(cgroup_swap_to_v2(50, true, 100, &v, NULL));
        ASSERT_FAIL(cgroup_swap_to_v2(50, false, 0, &v, NULL));
}

/* ---- freezing, processes, statistics ---- */

TEST(freeze_v1_and_v2_on_fake_files) {
        _cleanup_(cgroup_freep) struct cgroup *c1 = NULL, *c2 = NULL;
        _cleanup_free_ char *s = NULL;
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &c1, NULL));
        ASSERT_OK(cgroup_create(c1, NULL));
        touch_v1_container("/berth/c1");
        ASSERT_EQ(cgroup_is_frozen(c1, NULL), 0);
        ASSERT_OK(cgroup_freeze(c1, true, NULL));
        s = read_text("cg/freezer/berth/c1/freezer.state");
        ASSERT_STREQ(s, "FROZEN");
        ASSERT_EQ(cgroup_is_frozen(c1, NULL), 1);
        ASSERT_OK(cgroup_freeze(c1, false, NULL));
        ASSERT_EQ(cgroup_is_frozen(c1, NULL), 0);

        (void) rm_rf_at(AT_FDCWD, "cg", NULL);
        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c2", "c2", &c2, NULL));
        ASSERT_OK(cgroup_create(c2, NULL));
        touch_knobs("cg/c2");
        /* no cgroup.events here: the wanted state in cgroup.freeze answers */
        ASSERT_OK(cgroup_freeze(c2, true, NULL));
        ASSERT_EQ(cgroup_is_frozen(c2, NULL), 1);
        write_text("cg/c2/cgroup.events", "populated 1\nfrozen 0\n");
        ASSERT_EQ(cgroup_is_frozen(c2, NULL), 0);
        ASSERT_OK(cgroup_freeze(c2, false, NULL));
}

TEST(pids_listed_recursively_and_bad_pid_refused) {
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        struct cgroup_env env;
        size_t n = 0;

        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c1", "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        write_text("cg/c1/cgroup.procs", "10\n11\n");
        ASSERT_OK(mkdir("cg/c1/sub", 0755));
        write_text("cg/c1/sub/cgroup.procs", "12\n");
        ASSERT_OK(cgroup_get_pids(cg, &pids, &n, NULL));
        ASSERT_EQ(n, 3);
        ASSERT_EQ(pids[0] + pids[1] + pids[2], 33);
        free(pids);
        pids = NULL;
        write_text("cg/c1/sub/cgroup.procs", "12x\n");
        ASSERT_EQ(cgroup_get_pids(cg, &pids, &n, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "bad pid '12x'");
}

TEST(stats_v1_and_v2) {
        _cleanup_(cgroup_freep) struct cgroup *c1 = NULL, *c2 = NULL;
        struct cgroup_stats st;
        struct cgroup_env env;

        fake_v1(&env);
        ASSERT_OK(cgroup_new(&env, NULL, "c1", &c1, NULL));
        ASSERT_OK(cgroup_create(c1, NULL));
        write_text("cg/cpuacct/berth/c1/cpuacct.usage", "5000\n");
        write_text("cg/cpuacct/berth/c1/cpuacct.usage_user", "3000\n");
        write_text("cg/cpuacct/berth/c1/cpuacct.usage_sys", "2000\n");
        write_text("cg/memory/process_api/abc/berth/c1/memory.usage_in_bytes", "10000\n");
        write_text("cg/memory/process_api/abc/berth/c1/memory.limit_in_bytes", "9223372036854771712\n");
        write_text("cg/memory/process_api/abc/berth/c1/memory.max_usage_in_bytes", "20000\n");
        write_text("cg/memory/process_api/abc/berth/c1/memory.stat", "cache 300\ntotal_cache 400\n"
                                                                       "total_inactive_file 1000\n");
        write_text("cg/memory/process_api/abc/berth/c1/memory.oom_control",
                   "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        write_text("cg/pids/berth/c1/pids.current", "3\n");
        write_text("cg/pids/berth/c1/pids.max", "max\n");
        write_text("cg/blkio/berth/c1/blkio.throttle.io_service_bytes_recursive",
                   "8:0 Read 4096\n8:0 Write 512\n8:16 Read 4\nTotal 4612\n");
        ASSERT_OK(cgroup_get_stats(c1, &st, NULL));
        ASSERT_EQ(st.cpu_usage_ns, 5000);
        ASSERT_EQ(st.cpu_user_ns, 3000);
        ASSERT_EQ(st.cpu_system_ns, 2000);
        ASSERT_EQ(st.memory_usage, 9000);
        ASSERT_TRUE(st.memory_limit == UINT64_MAX);
        ASSERT_EQ(st.memory_max_usage, 20000);
        ASSERT_EQ(st.memory_cache, 400);
        ASSERT_EQ(st.oom_kills, 2);
        ASSERT_EQ(st.pids_current, 3);
        ASSERT_EQ(st.pids_limit, 0);
        ASSERT_EQ(st.blkio_read_bytes, 4100);
        ASSERT_EQ(st.blkio_write_bytes, 512);

        (void) rm_rf_at(AT_FDCWD, "cg", NULL);
        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c2", "c2", &c2, NULL));
        ASSERT_OK(cgroup_create(c2, NULL));
        write_text("cg/c2/cpu.stat", "usage_usec 7\nuser_usec 4\nsystem_usec 3\n");
        write_text("cg/c2/memory.current", "8192\n");
        write_text("cg/c2/memory.max", "65536\n");
        write_text("cg/c2/memory.stat", "anon 4096\nfile 4096\ninactive_file 1024\n");
        write_text("cg/c2/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
        write_text("cg/c2/pids.current", "2\n");
        write_text("cg/c2/pids.max", "64\n");
        write_text("cg/c2/io.stat", "254:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n"
                                    "7:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n");
        ASSERT_OK(cgroup_get_stats(c2, &st, NULL));
        ASSERT_EQ(st.cpu_usage_ns, 7000);
        ASSERT_EQ(st.cpu_user_ns, 4000);
        ASSERT_EQ(st.memory_usage, 7168);
        ASSERT_EQ(st.memory_limit, 65536);
        ASSERT_EQ(st.memory_cache, 4096);
        ASSERT_EQ(st.oom_kills, 1);
        ASSERT_EQ(st.pids_current, 2);
        ASSERT_EQ(st.pids_limit, 64);
        ASSERT_EQ(st.blkio_read_bytes, 101);
        ASSERT_EQ(st.blkio_write_bytes, 202);
}

/* ---- eBPF device program ---- */

/* Runs the generated program on one access; handles exactly the instructions the generator emits. */
static int bpf_run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major,
                   uint32_t minor)
{
        uint32_t ctx[3] = { (access << 16) | type, major, minor };
        uint64_t reg[11] = { 0 };

        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_W | BPF_MEM:
                        if (i->src_reg != BPF_REG_1 || i->off % 4 || i->off > 8)
                                TAP_FAIL("unexpected load at %zu", pc);
                        reg[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] & (uint32_t) i->imm;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = (uint64_t) (int64_t) i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (reg[i->dst_reg] != (uint64_t) (int64_t) i->imm)
                                pc += (size_t) i->off;
                        break;
                case BPF_JMP | BPF_JNE | BPF_X:
                        if (reg[i->dst_reg] != reg[i->src_reg])
                                pc += (size_t) i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int) reg[0];
                default:
                        TAP_FAIL("unexpected opcode 0x%x at %zu", i->code, pc);
                }
        }
        TAP_FAIL("fell off the end of the program");
}

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD
#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK

TEST(bpf_program_decisions) {
        struct oci_device_rule rules[] = {
                { false, 'a', -1, -1, "rwm" }, /* deny all */
                { true, 'c', 1, 3, "rwm" },    /* /dev/null */
                { true, 'c', 136, -1, "rw" },  /* pts, no mknod */
                { true, 'b', -1, -1, "m" },    /* mknod of block devices */
                { false, 'c', 1, -1, "w" },    /* ... but no writing to any mem device, null included */
        };
        _cleanup_free_ void *insns = NULL;
        size_t n = 0;

        ASSERT_OK(cgroup_bpf_devices_program(rules, ELEMENTSOF(rules), &insns, &n, NULL));
        /* the leading "deny all" ends the program: no default tail after it */
        ASSERT_EQ(n, 6 + 7 + 6 + 7 + 5 + 2);
        ASSERT_EQ(bpf_run(insns, n, C, R, 1, 3), 1);
        ASSERT_EQ(bpf_run(insns, n, C, W, 1, 3), 0); /* last match wins */
        ASSERT_EQ(bpf_run(insns, n, C, M, 1, 3), 1);
        ASSERT_EQ(bpf_run(insns, n, C, R, 1, 5), 0);
        ASSERT_EQ(bpf_run(insns, n, C, R | W, 136, 7), 1);
        ASSERT_EQ(bpf_run(insns, n, C, M, 136, 7), 0);
        ASSERT_EQ(bpf_run(insns, n, B, M, 8, 0), 1);
        ASSERT_EQ(bpf_run(insns, n, B, R, 8, 0), 0);
        ASSERT_EQ(bpf_run(insns, n, C, R, 10, 200), 0);
}

TEST(bpf_program_default_deny_and_allow_all) {
        struct oci_device_rule only_null[] = { { true, 'c', 1, 3, "" } };
        struct oci_device_rule allow_all_then_deny[] = { { true, 'a', 5, 5, "r" }, { false, 'b', 8, 0, "rwm" } };
        _cleanup_free_ void *p1 = NULL, *p2 = NULL;
        struct oci_device_rule bad = { true, 'c', 0x1000, 0, "rwm" };
        _cleanup_(berr_freep) struct berr *err = NULL;
        void *p3 = NULL;
        size_t n1, n2, n3;

        ASSERT_OK(cgroup_bpf_devices_program(only_null, 1, &p1, &n1, NULL));
        ASSERT_EQ(bpf_run(p1, n1, C, R | W, 1, 3), 1);
        ASSERT_EQ(bpf_run(p1, n1, C, R, 1, 5), 0); /* nothing matched: deny */
        ASSERT_EQ(bpf_run(p1, n1, B, R, 1, 3), 0);
        /* type a means every device and access, as on v1, whatever the numbers say */
        ASSERT_OK(cgroup_bpf_devices_program(allow_all_then_deny, 2, &p2, &n2, NULL));
        ASSERT_EQ(bpf_run(p2, n2, C, W, 1, 1), 1);
        ASSERT_EQ(bpf_run(p2, n2, B, R, 8, 0), 0);
        ASSERT_EQ(bpf_run(p2, n2, B, R, 8, 1), 1);
        ASSERT_EQ(cgroup_bpf_devices_program(&bad, 1, &p3, &n3, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "devices[0]: major 4096 out of range");
}

TEST(bpf_program_passes_the_kernel_verifier) {
        struct oci_device_rule rules[] = {
                { false, 'a', -1, -1, "rwm" }, { true, 'c', 1, 3, "rwm" }, { true, 'c', 136, -1, "rw" },
                { true, 'b', -1, -1, "m" },    { false, 'c', 1, -1, "w" },
        };
        static const char license[] = "Apache-2.0";
        _cleanup_free_ void *insns = NULL;
        _cleanup_free_ char *log = xzalloc(65536);
        union bpf_attr attr;
        size_t n = 0;
        int fd;

        ASSERT_OK(cgroup_bpf_devices_program(rules, ELEMENTSOF(rules), &insns, &n, NULL));
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) insns;
        attr.insn_cnt = (uint32_t) n;
        attr.license = (uint64_t) (uintptr_t) license;
        attr.log_buf = (uint64_t) (uintptr_t) log;
        attr.log_size = 65536;
        attr.log_level = 1;
        fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
        if (fd < 0 && (errno == EPERM || errno == ENOSYS || errno == EACCES))
                SKIP("bpf(2) not permitted here");
        if (fd < 0)
                TAP_FAIL("verifier refused the program: %m: %s", log);
        close(fd);
}

/* ---- from config.json to files: spec_parse_resources() and cgroup_apply() together ---- */

TEST(v2_apply_parsed_config_resources) {
        static const char json[] =
                "{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"reservation\":33554432},"
                "\"cpu\":{\"shares\":2048,\"quota\":20000,\"period\":100000},"
                "\"pids\":{\"limit\":32},"
                "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":254,\"minor\":0,\"rate\":4096}]},"
                "\"rdma\":{\"mlx4_0\":{\"hcaHandles\":2,\"hcaObjects\":10}},"
                "\"unified\":{\"memory.high\":\"50000000\"}}";
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *got = NULL;
        struct oci_resources res = {};
        struct cgroup_env env;
        int r;

        ASSERT_OK_ERR(spec_parse_resources(json, strlen(json), &res, &err), &err);
        fake_v2(&env);
        ASSERT_OK(cgroup_new(&env, "/c1", "c1", &cg, NULL));
        ASSERT_OK(cgroup_create(cg, NULL));
        touch_knobs("cg/c1");
        trace_start();
        r = cgroup_apply(cg, &res, &err);
        got = trace_stop();
        oci_resources_done(&res);
        ASSERT_OK_ERR(r, &err);
        assert_text(got, "c1/memory.swap.max=67108864\n"
                         "c1/memory.max=67108864\n"
                         "c1/memory.low=33554432\n"
                         "c1/cpu.weight=79\n"
                         "c1/cpu.max=20000 100000\n"
                         "c1/pids.max=32\n"
                         "c1/io.max=254:0 rbps=4096\n"
                         "c1/rdma.max=mlx4_0 hca_handle=2 hca_object=10\n"
                         "c1/memory.high=50000000");
}
