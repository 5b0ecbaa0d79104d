/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for runtime/spec: a config.json using every field parses to the
 * right values, each validation rule rejects with an error naming the field,
 * the `spec` defaults match runc's, and the state document is well formed.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec.h"
#include "tap.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* The same document as tests/fuzz/corpus/config/full.json. */
static const char full_json[] =
        "{\n"
        "  \"ociVersion\": \"1.2.0\",\n"
        "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"consoleSize\": {\"height\": 25, \"width\": 80},\n"
        "    \"user\": {\"uid\": 1000, \"gid\": 1001, \"umask\": 18, \"additionalGids\": [5, 6, 7]},\n"
        "    \"args\": [\"/bin/sh\", \"-c\", \"echo hi\"],\n"
        "    \"env\": [\"PATH=/usr/bin:/bin\", \"TERM=xterm\", \"EMPTY=\"],\n"
        "    \"cwd\": \"/home//user/./x/..\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [\"CAP_CHOWN\", \"CAP_SYS_ADMIN\", \"CAP_CHECKPOINT_RESTORE\", \"CAP_NOT_YET_INVENTED\"],\n"
        "      \"effective\": [\"CAP_KILL\"],\n"
        "      \"inheritable\": [\"CAP_PERFMON\"],\n"
        "      \"permitted\": [\"CAP_BPF\", \"CAP_KILL\"],\n"
        "      \"ambient\": [\"CAP_NET_BIND_SERVICE\"]\n"
        "    },\n"
        "    \"rlimits\": [\n"
        "      {\"type\": \"RLIMIT_NOFILE\", \"hard\": 4096, \"soft\": 1024},\n"
        "      {\"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 0}\n"
        "    ],\n"
        "    \"noNewPrivileges\": true,\n"
        "    \"apparmorProfile\": \"berth-default\",\n"
        "    \"oomScoreAdj\": -500,\n"
        "    \"selinuxLabel\": \"system_u:system_r:container_t:s0:c1,c2\",\n"
        "    \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4},\n"
        "    \"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"nice\": -5, \"priority\": 0,\n"
        "                  \"flags\": [\"SCHED_FLAG_RESET_ON_FORK\", \"SCHED_FLAG_RECLAIM\"],\n"
        "                  \"runtime\": 10000000, \"deadline\": 20000000, \"period\": 30000000},\n"
        "    \"execCPUAffinity\": {\"initial\": \"0-1\", \"final\": \"0,2-3\"}\n"
        "  },\n"
        "  \"hostname\": \"box\",\n"
        "  \"domainname\": \"example.org\",\n"
        "  \"mounts\": [\n"
        "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
        "    {\"destination\": \"/data//sub/\", \"type\": \"bind\", \"source\": \"/srv/data\", \"options\": [\"rbind\", \"ro\", \"rprivate\"],\n"
        "     \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
        "     \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 65536}]},\n"
        "    {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"size=64m\"]}\n"
        "  ],\n"
        "  \"hooks\": {\n"
        "    \"prestart\": [{\"path\": \"/usr/bin/prestart\", \"args\": [\"prestart\", \"a\"], \"env\": [\"A=1\"], \"timeout\": 5}],\n"
        "    \"createRuntime\": [{\"path\": \"/usr/bin/cr\"}, {\"path\": \"/usr/bin/cr2\", \"timeout\": 1}],\n"
        "    \"createContainer\": [{\"path\": \"/usr/bin/cc\"}],\n"
        "    \"startContainer\": [{\"path\": \"/usr/bin/sc\"}],\n"
        "    \"poststart\": [{\"path\": \"/usr/bin/ps\"}],\n"
        "    \"poststop\": [{\"path\": \"/usr/bin/pst\", \"args\": [\"pst\"]}]\n"
        "  },\n"
        "  \"annotations\": {\"org.example.key\": \"value\"},\n"
        "  \"linux\": {\n"
        "    \"namespaces\": [\n"
        "      {\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/var/run/netns/x\"}, {\"type\": \"mount\"},\n"
        "      {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"user\"}, {\"type\": \"cgroup\"}, {\"type\": \"time\"}\n"
        "    ],\n"
        "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
        "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}, {\"containerID\": 65536, \"hostID\": 5, \"size\": 1}],\n"
        "    \"timeOffsets\": {\"monotonic\": {\"secs\": -3600, \"nanosecs\": 5}, \"boottime\": {\"secs\": 86400}},\n"
        "    \"devices\": [\n"
        "      {\"type\": \"c\", \"path\": \"/dev/fuse\", \"major\": 10, \"minor\": 229, \"fileMode\": 438, \"uid\": 0, \"gid\": 0},\n"
        "      {\"type\": \"b\", \"path\": \"/dev/loop9\", \"major\": 7, \"minor\": 9},\n"
        "      {\"type\": \"p\", \"path\": \"/dev/fifo\"},\n"
        "      {\"type\": \"u\", \"path\": \"/dev/null2\", \"major\": 1, \"minor\": 3}\n"
        "    ],\n"
        "    \"cgroupsPath\": \"/berth/test\",\n"
        "    \"resources\": {\n"
        "      \"devices\": [\n"
        "        {\"allow\": false, \"access\": \"rwm\"},\n"
        "        {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rw\"},\n"
        "        {\"allow\": true, \"type\": \"b\", \"major\": 7}\n"
        "      ],\n"
        "      \"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728, \"kernel\": -1, \"kernelTCP\": 1048576,\n"
        "                 \"swappiness\": 60, \"disableOOMKiller\": true, \"useHierarchy\": false, \"checkBeforeUpdate\": true},\n"
        "      \"cpu\": {\"shares\": 512, \"quota\": 50000, \"burst\": 1000, \"period\": 100000, \"realtimeRuntime\": 950000,\n"
        "              \"realtimePeriod\": 1000000, \"cpus\": \"0-1\", \"mems\": \"0\", \"idle\": 1},\n"
        "      \"pids\": {\"limit\": 128},\n"
        "      \"blockIO\": {\n"
        "        \"weight\": 500, \"leafWeight\": 300,\n"
        "        \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 600, \"leafWeight\": 100}, {\"major\": 8, \"minor\": 16}],\n"
        "        \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],\n"
        "        \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 2097152}],\n"
        "        \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 100}],\n"
        "        \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 200}, {\"major\": 8, \"minor\": 16, \"rate\": 300}]\n"
        "      },\n"
        "      \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 209715200}, {\"pageSize\": \"1GB\", \"limit\": 0}],\n"
        "      \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 500}, {\"name\": \"lo\", \"priority\": 1}]},\n"
        "      \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}, \"mlx4_0\": {\"hcaHandles\": 1}},\n"
        "      \"unified\": {\"memory.high\": \"50000000\", \"io.weight\": \"default 100\"}\n"
        "    },\n"
        "    \"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"65536\"},\n"
        "    \"seccomp\": {\n"
        "      \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
        "      \"defaultErrnoRet\": 1,\n"
        "      \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"
        "      \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
        "      \"listenerPath\": \"/run/seccomp-agent.sock\",\n"
        "      \"listenerMetadata\": \"meta\",\n"
        "      \"syscalls\": [\n"
        "        {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
        "        {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
        "         \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 5, \"value\": 255, \"valueTwo\": 8, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
        "        {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},\n"
        "        {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 1},\n"
        "        {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_NOTIFY\"},\n"
        "        {\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},\n"
        "        {\"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_KILL_THREAD\"},\n"
        "        {\"names\": [\"swapon\"], \"action\": \"SCMP_ACT_KILL\"},\n"
        "        {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_TRAP\"},\n"
        "        {\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_LOG\",\n"
        "         \"args\": [{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_NE\"}, {\"index\": 2, \"value\": 2, \"op\": \"SCMP_CMP_LT\"},\n"
        "                  {\"index\": 3, \"value\": 3, \"op\": \"SCMP_CMP_LE\"}, {\"index\": 4, \"value\": 4, \"op\": \"SCMP_CMP_GE\"},\n"
        "                  {\"index\": 4, \"value\": 5, \"op\": \"SCMP_CMP_GT\"}]}\n"
        "      ]\n"
        "    },\n"
        "    \"rootfsPropagation\": \"rslave\",\n"
        "    \"maskedPaths\": [\"/proc/kcore\", \"/sys/firmware\"],\n"
        "    \"readonlyPaths\": [\"/proc/sys\"],\n"
        "    \"mountLabel\": \"system_u:object_r:container_file_t:s0:c1,c2\",\n"
        "    \"personality\": {\"domain\": \"LINUX32\", \"flags\": []},\n"
        "    \"intelRdt\": {\"closID\": \"ignored\"}\n"
        "  },\n"
        "  \"vm\": {\"ignored\": true},\n"
        "  \"someFutureKey\": [1, 2, 3]\n"
        "}\n";

#define CAP(n) (UINT64_C(1) << (n))

/* A minimal valid config with extra top-level members x (each starting with a comma). */
#define M(x) "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"}" x "}"
#define P(x) M(",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"" x "}")
#define L(x) M(",\"linux\":{" x "}")
#define R(x) L("\"resources\":{" x "}")
#define S(x) L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"" x "}")

static struct oci_spec *parse_ok(const char *json)
{
        struct oci_spec *s = NULL;
        struct berr *err = NULL;

        if (spec_parse(json, strlen(json), &s, &err) < 0)
                TAP_FAIL("parse failed: %s\n# config: %s", berr_msg(err), json);
        return s;
}

TEST(full_config_top_and_process) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(full_json);
        const struct oci_process *p = &s->process;

        ASSERT_STREQ(s->oci_version, "1.2.0");
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_TRUE(s->root_readonly);
        ASSERT_STREQ(s->hostname, "box");
        ASSERT_STREQ(s->domainname, "example.org");
        ASSERT_TRUE(s->has_process);
        ASSERT_TRUE(p->terminal);
        ASSERT_TRUE(p->has_console_size);
        ASSERT_EQ(p->console_height, 25);
        ASSERT_EQ(p->console_width, 80);
        ASSERT_EQ(p->user.uid, 1000);
        ASSERT_EQ(p->user.gid, 1001);
        ASSERT_TRUE(p->user.has_umask);
        ASSERT_EQ(p->user.umask, 022);
        ASSERT_EQ(p->user.n_additional_gids, 3);
        ASSERT_EQ(p->user.additional_gids[2], 7);
        ASSERT_EQ(strv_length(p->args), 3);
        ASSERT_STREQ(p->args[2], "echo hi");
        ASSERT_EQ(strv_length(p->env), 3);
        ASSERT_STREQ(p->env[2], "EMPTY=");
        ASSERT_STREQ(p->cwd, "/home/user");
        ASSERT_TRUE(p->capabilities.present);
        /* CAP_NOT_YET_INVENTED is dropped, as runc does */
        ASSERT_EQ(p->capabilities.sets[OCI_CAP_BOUNDING], CAP(0) | CAP(21) | CAP(40));
        ASSERT_EQ(p->capabilities.sets[OCI_CAP_EFFECTIVE], CAP(5));
        ASSERT_EQ(p->capabilities.sets[OCI_CAP_INHERITABLE], CAP(38));
        ASSERT_EQ(p->capabilities.sets[OCI_CAP_PERMITTED], CAP(39) | CAP(5));
        ASSERT_EQ(p->capabilities.sets[OCI_CAP_AMBIENT], CAP(10));
        ASSERT_EQ(p->n_rlimits, 2);
        ASSERT_EQ(p->rlimits[0].type, RLIMIT_NOFILE);
        ASSERT_EQ(p->rlimits[0].hard, 4096);
        ASSERT_EQ(p->rlimits[0].soft, 1024);
        ASSERT_EQ(p->rlimits[1].type, RLIMIT_CORE);
        ASSERT_TRUE(p->rlimits[1].hard == UINT64_MAX);
        ASSERT_TRUE(p->no_new_privileges);
        ASSERT_STREQ(p->apparmor_profile, "berth-default");
        ASSERT_TRUE(p->has_oom_score_adj);
        ASSERT_EQ(p->oom_score_adj, -500);
        ASSERT_STREQ(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2");
        ASSERT_TRUE(p->io_priority.present);
        ASSERT_EQ(p->io_priority.class, 2);
        ASSERT_EQ(p->io_priority.priority, 4);
        ASSERT_TRUE(p->scheduler.present);
        ASSERT_EQ(p->scheduler.policy, SCHED_DEADLINE);
        ASSERT_EQ(p->scheduler.nice, -5);
        ASSERT_EQ(p->scheduler.flags, 0x03);
        ASSERT_EQ(p->scheduler.runtime, 10000000);
        ASSERT_EQ(p->scheduler.deadline, 20000000);
        ASSERT_EQ(p->scheduler.period, 30000000);
        ASSERT_STREQ(p->exec_cpu_affinity_initial, "0-1");
        ASSERT_STREQ(p->exec_cpu_affinity_final, "0,2-3");
        ASSERT_EQ(strv_length(s->annotations), 2);
        ASSERT_STREQ(s->annotations[0], "org.example.key");
        ASSERT_STREQ(s->annotations[1], "value");
}

TEST(full_config_mounts_and_hooks) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(full_json);

        ASSERT_EQ(s->n_mounts, 3);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[0].type, "proc");
        ASSERT_TRUE(s->mounts[0].options == NULL);
        ASSERT_STREQ(s->mounts[1].destination, "/data/sub");
        ASSERT_STREQ(s->mounts[1].source, "/srv/data");
        ASSERT_EQ(strv_length(s->mounts[1].options), 3);
        ASSERT_STREQ(s->mounts[1].options[2], "rprivate");
        ASSERT_EQ(s->mounts[1].n_uid_mappings, 1);
        ASSERT_EQ(s->mounts[1].uid_mappings[0].host_id, 100000);
        ASSERT_EQ(s->mounts[1].gid_mappings[0].host_id, 200000);
        ASSERT_EQ(s->mounts[1].gid_mappings[0].size, 65536);
        ASSERT_STREQ(s->mounts[2].options[1], "size=64m");

        ASSERT_EQ(s->hooks.n_hooks[OCI_HOOK_PRESTART], 1);
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_PRESTART][0].path, "/usr/bin/prestart");
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_PRESTART][0].args[1], "a");
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_PRESTART][0].env[0], "A=1");
        ASSERT_TRUE(s->hooks.hooks[OCI_HOOK_PRESTART][0].has_timeout);
        ASSERT_EQ(s->hooks.hooks[OCI_HOOK_PRESTART][0].timeout, 5);
        ASSERT_EQ(s->hooks.n_hooks[OCI_HOOK_CREATE_RUNTIME], 2);
        ASSERT_FALSE(s->hooks.hooks[OCI_HOOK_CREATE_RUNTIME][0].has_timeout);
        ASSERT_EQ(s->hooks.hooks[OCI_HOOK_CREATE_RUNTIME][1].timeout, 1);
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_CREATE_CONTAINER][0].path, "/usr/bin/cc");
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_START_CONTAINER][0].path, "/usr/bin/sc");
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_POSTSTART][0].path, "/usr/bin/ps");
        ASSERT_STREQ(s->hooks.hooks[OCI_HOOK_POSTSTOP][0].args[0], "pst");
}

TEST(full_config_linux) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(full_json);
        const struct oci_linux *l = &s->linux;
        const struct oci_namespace *ns = NULL;

        ASSERT_EQ(l->n_namespaces, 8);
        for (int t = 0; t < _OCI_NS_MAX; t++)
                ASSERT_TRUE(spec_has_namespace(s, t, NULL));
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_NETWORK, &ns));
        ASSERT_STREQ(ns->path, "/var/run/netns/x");
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_PID, &ns));
        ASSERT_TRUE(ns->path == NULL);
        ASSERT_EQ(l->n_uid_mappings, 1);
        ASSERT_EQ(l->uid_mappings[0].container_id, 0);
        ASSERT_EQ(l->uid_mappings[0].size, 65536);
        ASSERT_EQ(l->n_gid_mappings, 2);
        ASSERT_EQ(l->gid_mappings[1].container_id, 65536);
        ASSERT_EQ(l->gid_mappings[1].host_id, 5);
        ASSERT_TRUE(l->time_monotonic.present);
        ASSERT_EQ(l->time_monotonic.secs, -3600);
        ASSERT_EQ(l->time_monotonic.nanosecs, 5);
        ASSERT_TRUE(l->time_boottime.present);
        ASSERT_EQ(l->time_boottime.secs, 86400);
        ASSERT_EQ(l->n_devices, 4);
        ASSERT_EQ(l->devices[0].type, 'c');
        ASSERT_STREQ(l->devices[0].path, "/dev/fuse");
        ASSERT_EQ(l->devices[0].major, 10);
        ASSERT_EQ(l->devices[0].minor, 229);
        ASSERT_TRUE(l->devices[0].has_file_mode);
        ASSERT_EQ(l->devices[0].file_mode, 0666);
        ASSERT_TRUE(l->devices[0].has_uid && l->devices[0].has_gid);
        ASSERT_EQ(l->devices[1].type, 'b');
        ASSERT_FALSE(l->devices[1].has_file_mode);
        ASSERT_EQ(l->devices[2].type, 'p');
        ASSERT_EQ(l->devices[3].type, 'u');
        ASSERT_STREQ(l->cgroups_path, "/berth/test");
        ASSERT_EQ(strv_length(l->sysctl), 4);
        ASSERT_STREQ(l->sysctl[0], "net.ipv4.ip_forward");
        ASSERT_STREQ(l->sysctl[1], "1");
        ASSERT_EQ(l->rootfs_propagation, MS_SLAVE | MS_REC);
        ASSERT_EQ(strv_length(l->masked_paths), 2);
        ASSERT_STREQ(l->readonly_paths[0], "/proc/sys");
        ASSERT_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2");
        ASSERT_TRUE(l->personality.present);
        ASSERT_EQ(l->personality.domain, PER_LINUX32);
        ASSERT_EQ(strv_length(l->personality.flags), 0);
}

TEST(full_config_resources) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(full_json);
        const struct oci_resources *r = &s->linux.resources;

        ASSERT_TRUE(s->linux.has_resources);
        ASSERT_EQ(r->n_devices, 3);
        ASSERT_FALSE(r->devices[0].allow);
        ASSERT_EQ(r->devices[0].type, 'a');
        ASSERT_EQ(r->devices[0].major, -1);
        ASSERT_EQ(r->devices[0].minor, -1);
        ASSERT_STREQ(r->devices[0].access, "rwm");
        ASSERT_TRUE(r->devices[1].allow);
        ASSERT_EQ(r->devices[1].type, 'c');
        ASSERT_EQ(r->devices[1].major, 10);
        ASSERT_EQ(r->devices[1].minor, 229);
        ASSERT_STREQ(r->devices[1].access, "rw");
        ASSERT_EQ(r->devices[2].minor, -1);
        ASSERT_STREQ(r->devices[2].access, "");

        ASSERT_TRUE(r->has_memory);
        ASSERT_TRUE(r->memory.has_limit && r->memory.limit == 67108864);
        ASSERT_TRUE(r->memory.has_reservation && r->memory.reservation == 33554432);
        ASSERT_TRUE(r->memory.has_swap && r->memory.swap == 134217728);
        ASSERT_TRUE(r->memory.has_kernel && r->memory.kernel == -1);
        ASSERT_TRUE(r->memory.has_kernel_tcp && r->memory.kernel_tcp == 1048576);
        ASSERT_TRUE(r->memory.has_swappiness && r->memory.swappiness == 60);
        ASSERT_TRUE(r->memory.has_disable_oom_killer && r->memory.disable_oom_killer);
        ASSERT_TRUE(r->memory.has_use_hierarchy && !r->memory.use_hierarchy);
        ASSERT_TRUE(r->memory.check_before_update);

        ASSERT_TRUE(r->has_cpu);
        ASSERT_TRUE(r->cpu.has_shares && r->cpu.shares == 512);
        ASSERT_TRUE(r->cpu.has_quota && r->cpu.quota == 50000);
        ASSERT_TRUE(r->cpu.has_burst && r->cpu.burst == 1000);
        ASSERT_TRUE(r->cpu.has_period && r->cpu.period == 100000);
        ASSERT_TRUE(r->cpu.has_realtime_runtime && r->cpu.realtime_runtime == 950000);
        ASSERT_TRUE(r->cpu.has_realtime_period && r->cpu.realtime_period == 1000000);
        ASSERT_STREQ(r->cpu.cpus, "0-1");
        ASSERT_STREQ(r->cpu.mems, "0");
        ASSERT_TRUE(r->cpu.has_idle && r->cpu.idle == 1);

        ASSERT_TRUE(r->has_pids);
        ASSERT_EQ(r->pids_limit, 128);

        ASSERT_TRUE(r->has_block_io);
        ASSERT_TRUE(r->block_io.has_weight && r->block_io.weight == 500);
        ASSERT_TRUE(r->block_io.has_leaf_weight && r->block_io.leaf_weight == 300);
        ASSERT_EQ(r->block_io.n_weight_devices, 2);
        ASSERT_EQ(r->block_io.weight_devices[0].major, 8);
        ASSERT_TRUE(r->block_io.weight_devices[0].has_weight && r->block_io.weight_devices[0].weight == 600);
        ASSERT_TRUE(r->block_io.weight_devices[0].has_leaf_weight);
        ASSERT_EQ(r->block_io.weight_devices[1].minor, 16);
        ASSERT_FALSE(r->block_io.weight_devices[1].has_weight);
        ASSERT_EQ(r->block_io.n_throttle[OCI_THROTTLE_READ_BPS], 1);
        ASSERT_EQ(r->block_io.throttle[OCI_THROTTLE_READ_BPS][0].rate, 1048576);
        ASSERT_EQ(r->block_io.throttle[OCI_THROTTLE_WRITE_BPS][0].rate, 2097152);
        ASSERT_EQ(r->block_io.throttle[OCI_THROTTLE_READ_IOPS][0].rate, 100);
        ASSERT_EQ(r->block_io.n_throttle[OCI_THROTTLE_WRITE_IOPS], 2);
        ASSERT_EQ(r->block_io.throttle[OCI_THROTTLE_WRITE_IOPS][1].minor, 16);
        ASSERT_EQ(r->block_io.throttle[OCI_THROTTLE_WRITE_IOPS][1].rate, 300);

        ASSERT_EQ(r->n_hugepage_limits, 2);
        ASSERT_STREQ(r->hugepage_limits[0].page_size, "2MB");
        ASSERT_EQ(r->hugepage_limits[0].limit, 209715200);
        ASSERT_STREQ(r->hugepage_limits[1].page_size, "1GB");

        ASSERT_TRUE(r->has_network);
        ASSERT_TRUE(r->has_class_id && r->class_id == 1048577);
        ASSERT_EQ(r->n_net_priorities, 2);
        ASSERT_STREQ(r->net_priorities[0].name, "eth0");
        ASSERT_EQ(r->net_priorities[0].priority, 500);

        ASSERT_EQ(strv_length(r->rdma), 4);
        for (char **p = r->rdma; *p; p += 2)
                if (streq(p[0], "mlx5_1"))
                        ASSERT_STREQ(p[1], "hca_handle=3 hca_object=10000");
                else
                        ASSERT_STREQ(p[1], "hca_handle=1");
        ASSERT_EQ(strv_length(r->unified), 4);
        ASSERT_TRUE(strv_contains(r->unified, "memory.high"));
        ASSERT_TRUE(strv_contains(r->unified, "default 100"));
}

TEST(full_config_seccomp) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(full_json);
        const struct oci_seccomp *sc = s->linux.seccomp;

        ASSERT_TRUE(sc != NULL);
        ASSERT_EQ(sc->default_action, OCI_SECCOMP_ERRNO);
        ASSERT_TRUE(sc->has_default_errno_ret && sc->default_errno_ret == 1);
        ASSERT_EQ(strv_length(sc->architectures), 3);
        ASSERT_STREQ(sc->architectures[2], "SCMP_ARCH_X32");
        ASSERT_STREQ(sc->flags[1], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        ASSERT_STREQ(sc->listener_path, "/run/seccomp-agent.sock");
        ASSERT_STREQ(sc->listener_metadata, "meta");
        ASSERT_EQ(sc->n_rules, 10);
        ASSERT_EQ(strv_length(sc->rules[0].names), 2);
        ASSERT_EQ(sc->rules[0].action, OCI_SECCOMP_ALLOW);
        ASSERT_FALSE(sc->rules[0].has_errno_ret);
        ASSERT_EQ(sc->rules[1].n_args, 2);
        ASSERT_EQ(sc->rules[1].args[0].index, 0);
        ASSERT_EQ(sc->rules[1].args[0].value, 8);
        ASSERT_EQ(sc->rules[1].args[0].op, OCI_SECCOMP_OP_EQ);
        ASSERT_EQ(sc->rules[1].args[1].index, 5);
        ASSERT_EQ(sc->rules[1].args[1].value_two, 8);
        ASSERT_EQ(sc->rules[1].args[1].op, OCI_SECCOMP_OP_MASKED_EQ);
        ASSERT_TRUE(sc->rules[2].has_errno_ret && sc->rules[2].errno_ret == 13);
        ASSERT_EQ(sc->rules[3].action, OCI_SECCOMP_TRACE);
        ASSERT_EQ(sc->rules[4].action, OCI_SECCOMP_NOTIFY);
        ASSERT_EQ(sc->rules[5].action, OCI_SECCOMP_KILL_PROCESS);
        ASSERT_EQ(sc->rules[6].action, OCI_SECCOMP_KILL_THREAD);
        ASSERT_EQ(sc->rules[7].action, OCI_SECCOMP_KILL);
        ASSERT_EQ(sc->rules[8].action, OCI_SECCOMP_TRAP);
        ASSERT_EQ(sc->rules[9].action, OCI_SECCOMP_LOG);
        ASSERT_EQ(sc->rules[9].args[0].op, OCI_SECCOMP_OP_NE);
        ASSERT_EQ(sc->rules[9].args[1].op, OCI_SECCOMP_OP_LT);
        ASSERT_EQ(sc->rules[9].args[2].op, OCI_SECCOMP_OP_LE);
        ASSERT_EQ(sc->rules[9].args[3].op, OCI_SECCOMP_OP_GE);
        ASSERT_EQ(sc->rules[9].args[4].op, OCI_SECCOMP_OP_GT);
}

TEST(minimal_config_has_nothing_optional) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(M(""));

        ASSERT_FALSE(s->has_process);
        ASSERT_FALSE(s->root_readonly);
        ASSERT_EQ(s->n_mounts, 0);
        ASSERT_TRUE(s->hostname == NULL);
        ASSERT_TRUE(s->linux.seccomp == NULL);
        ASSERT_FALSE(s->linux.has_resources);
        ASSERT_FALSE(spec_has_namespace(s, OCI_NS_PID, NULL));
        ASSERT_EQ(s->linux.rootfs_propagation, 0);
}

struct reject_case {
        const char *json;
        const char *error; /* substring of the expected message */
};

static const struct reject_case reject_cases[] = {
        /* document and top level */
        { "", "config.json: invalid JSON" },
        { "{\"ociVersion\":\"1.2.0\"", "config.json: invalid JSON" },
        { M("") " x", "config.json: invalid JSON" },
        { "[]", "config.json: expected a JSON object" },
        { "{}", "ociVersion: required" },
        { "{\"ociVersion\":\"\",\"root\":{\"path\":\"r\"}}", "ociVersion: required" },
        { "{\"ociVersion\":1,\"root\":{\"path\":\"r\"}}", "ociVersion: expected string" },
        { "{\"ociVersion\":\"1.2.0\"}", "root: required" },
        { "{\"ociVersion\":\"invalid\",\"root\":{\"path\":\"r\"}}", "ociVersion: 'invalid' is not a SemVer version" },
        { "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"}}", "ociVersion: '1.0' is not a SemVer version" },
        { "{\"ociVersion\":\"1.0.0 \",\"root\":{\"path\":\"r\"}}", "ociVersion: '1.0.0 ' is not a SemVer" },
        { "{\"ociVersion\":\"1.0.0-rc_1\",\"root\":{\"path\":\"r\"}}", "ociVersion: '1.0.0-rc_1' is not a SemVer" },
        { "{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}", "ociVersion: version '2.0.0' is not supported" },
        { "{\"ociVersion\":\"0.6.0\",\"root\":{\"path\":\"r\"}}", "ociVersion: version '0.6.0' is not supported" },
        { L("\"namespaces\":[{\"type\":\"uts\"}]},\"hostname\":\"" "0123456789012345678901234567890123456789012345678901234567890123x" "\",\"x\":{"),
          "hostname: longer than 64 bytes" },
        { "{\"ociVersion\":\"1.2.0\",\"root\":{}}", "root.path: required" },
        { "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\",\"readonly\":1}}", "root.readonly: expected boolean" },
        { M(",\"hostname\":\"h\""), "hostname: setting the hostname needs a UTS namespace" },
        { M(",\"domainname\":\"d\""), "domainname: setting the domainname needs a UTS namespace" },
        { M(",\"annotations\":{\"k\":1}"), "annotations.k: expected string" },
        { M(",\"annotations\":[]"), "annotations: expected object" },
        /* process */
        { M(",\"process\":{\"cwd\":\"/\"}"), "process.args: must not be empty" },
        { M(",\"process\":{\"args\":[],\"cwd\":\"/\"}"), "process.args: must not be empty" },
        { M(",\"process\":{\"args\":[\"a\",2],\"cwd\":\"/\"}"), "process.args[1]: expected string" },
        { M(",\"process\":{\"args\":[\"a\\u0000b\"],\"cwd\":\"/\"}"), "process.args[0]: NUL character in string" },
        { M(",\"process\":{\"args\":[\"sh\"]}"), "process.cwd: required" },
        { M(",\"process\":{\"args\":[\"sh\"],\"cwd\":\"rel\"}"), "process.cwd: 'rel' is not an absolute path" },
        { M(",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/a\\u0000b\"}"), "process.cwd: NUL character in string" },
        { P(",\"terminal\":\"yes\""), "process.terminal: expected boolean" },
        { P(",\"consoleSize\":{\"height\":\"1\"}"), "process.consoleSize.height: expected integer" },
        { P(",\"env\":[\"NOEQUALS\"]"), "process.env[0]: 'NOEQUALS' is not of the form NAME=VALUE" },
        { P(",\"env\":[\"A=1\",\"=x\"]"), "process.env[1]: empty variable name" },
        { P(",\"user\":{\"uid\":-1}"), "process.user.uid: must not be negative" },
        { P(",\"user\":{\"gid\":4294967296}"), "process.user.gid: integer out of range" },
        { P(",\"user\":{\"umask\":512}"), "process.user.umask: 01000 is not a file mode mask" },
        { P(",\"user\":{\"additionalGids\":[1,\"2\"]}"), "process.user.additionalGids[1]: expected integer" },
        { P(",\"user\":{\"additionalGids\":[4294967296]}"), "process.user.additionalGids[0]: gid out of range" },
        { P(",\"capabilities\":{\"bounding\":\"CAP_KILL\"}"), "process.capabilities.bounding: expected array" },
        { P(",\"capabilities\":{\"ambient\":[7]}"), "process.capabilities.ambient[0]: expected string" },
        { P(",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":1},{\"type\":\"RLIMIT_CORE\",\"hard\":1,"
            "\"soft\":1},{\"type\":\"RLIMIT_BOGUS\",\"hard\":1,\"soft\":1}]"),
          "process.rlimits[2].type: unknown rlimit 'RLIMIT_BOGUS'" },
        { P(",\"rlimits\":[{\"hard\":1,\"soft\":1}]"), "process.rlimits[0].type: required" },
        { P(",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]"),
          "process.rlimits[0]: soft limit 2 exceeds hard limit 1" },
        { P(",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":1},{\"type\":\"RLIMIT_NOFILE\",\"hard\":2,"
            "\"soft\":2}]"),
          "process.rlimits[1].type: duplicate rlimit 'RLIMIT_NOFILE'" },
        { P(",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":-1,\"soft\":1}]"),
          "process.rlimits[0].hard: must not be negative" },
        { P(",\"rlimits\":[\"RLIMIT_NOFILE\"]"), "process.rlimits[0]: expected object" },
        { P(",\"oomScoreAdj\":1001"), "process.oomScoreAdj: 1001 is out of range -1000..1000" },
        { P(",\"oomScoreAdj\":-1001"), "process.oomScoreAdj: -1001 is out of range" },
        { P(",\"oomScoreAdj\":1.5"), "process.oomScoreAdj: expected integer" },
        { P(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\"}"),
          "process.ioPriority.class: unknown I/O priority class 'IOPRIO_CLASS_NONE'" },
        { P(",\"ioPriority\":{\"priority\":1}"), "process.ioPriority.class: required" },
        { P(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":8}"),
          "process.ioPriority.priority: 8 is out of range 0..7" },
        { P(",\"scheduler\":{\"policy\":\"SCHED_BOGUS\"}"),
          "process.scheduler.policy: unknown scheduler policy 'SCHED_BOGUS'" },
        { P(",\"scheduler\":{\"nice\":1}"), "process.scheduler.policy: required" },
        { P(",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":20}"), "process.scheduler.nice: 20 is out of range" },
        { P(",\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":100}"),
          "process.scheduler.priority: 100 is out of range" },
        { P(",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"flags\":[\"SCHED_FLAG_RECLAIM\",\"SCHED_FLAG_X\"]}"),
          "process.scheduler.flags[1]: unknown scheduler flag 'SCHED_FLAG_X'" },
        { P(",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"runtime\":-1}"),
          "process.scheduler.runtime: must not be negative" },
        { P(",\"execCPUAffinity\":{\"initial\":\"a\"}"), "process.execCPUAffinity.initial: invalid cpu list 'a'" },
        { P(",\"execCPUAffinity\":{\"final\":\"\"}"), "process.execCPUAffinity.final: empty cpu list" },
        { P(",\"apparmorProfile\":1"), "process.apparmorProfile: expected string" },
        { P(",\"noNewPrivileges\":\"true\""), "process.noNewPrivileges: expected boolean" },
        /* mounts */
        { M(",\"mounts\":{}"), "mounts: expected array" },
        { M(",\"mounts\":[\"/proc\"]"), "mounts[0]: expected object" },
        { M(",\"mounts\":[{\"type\":\"proc\"}]"), "mounts[0].destination: required" },
        { M(",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"rel\"}]"),
          "mounts[1].destination: 'rel' is not an absolute path" },
        { M(",\"mounts\":[{\"destination\":\"/a\",\"options\":[1]}]"), "mounts[0].options[0]: expected string" },
        { M(",\"mounts\":[{\"destination\":\"/a\",\"source\":false}]"), "mounts[0].source: expected string" },
        { M(",\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}],"
            "\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]"),
          "mounts[0].uidMappings[0].size: must be greater than 0" },
        { M(",\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]"),
          "mounts[0]: uidMappings and gidMappings must be given together" },
        /* hooks */
        { M(",\"hooks\":[]"), "hooks: expected object" },
        { M(",\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}"), "hooks.prestart[0].path: 'rel' is not an absolute path" },
        { M(",\"hooks\":{\"poststop\":[{\"args\":[]}]}"), "hooks.poststop[0].path: required" },
        { M(",\"hooks\":{\"createRuntime\":[{\"path\":\"/x\",\"timeout\":0}]}"),
          "hooks.createRuntime[0].timeout: must be greater than 0" },
        { M(",\"hooks\":{\"startContainer\":[{\"path\":\"/x\"},{\"path\":\"/x\",\"timeout\":-1}]}"),
          "hooks.startContainer[1].timeout: must be greater than 0" },
        { M(",\"hooks\":{\"poststart\":[{\"path\":\"/x\",\"env\":[\"X\"]}]}"), "hooks.poststart[0].env[0]" },
        { M(",\"hooks\":{\"createContainer\":{}}"), "hooks.createContainer: expected array" },
        /* namespaces and mappings */
        { L("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"bogus\"}]"),
          "linux.namespaces[1].type: unknown namespace type 'bogus'" },
        { L("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]"), "linux.namespaces[1].type: duplicate namespace 'pid'" },
        { L("\"namespaces\":[{}]"), "linux.namespaces[0].type: required" },
        { L("\"namespaces\":[{\"type\":\"net\"}]"), "linux.namespaces[0].type: unknown namespace type 'net'" },
        { L("\"namespaces\":[{\"type\":\"network\",\"path\":\"proc/1/ns/net\"}]"),
          "linux.namespaces[0].path: 'proc/1/ns/net' is not an absolute path" },
        { L("\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"),
          "linux.uidMappings: mappings need a user namespace" },
        { L("\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"),
          "linux.gidMappings: mappings need a user namespace" },
        { L("\"namespaces\":[{\"type\":\"user\"}]"), "linux.uidMappings: required when a new user namespace is created" },
        { L("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]"),
          "linux.gidMappings: required when a new user namespace is created" },
        { L("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}]"),
          "linux.uidMappings[0].size: must be greater than 0" },
        { L("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}],"
            "\"gidMappings\":[{\"containerID\":0,\"hostID\":4294967295,\"size\":2}]"),
          "linux.gidMappings[0]: hostID + size overflows 32 bits" },
        { L("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":4294967295,\"hostID\":0,"
            "\"size\":4294967295}]"),
          "linux.uidMappings[0]: containerID + size overflows 32 bits" },
        { L("\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":4294967296}]"),
          "linux.uidMappings[0].size: integer out of range" },
        { L("\"timeOffsets\":{\"monotonic\":{\"secs\":1}}"),
          "linux.timeOffsets: offsets need a new time namespace" },
        { L("\"namespaces\":[{\"type\":\"time\",\"path\":\"/proc/1/ns/time\"}],"
            "\"timeOffsets\":{\"boottime\":{\"secs\":1}}"),
          "linux.timeOffsets: offsets need a new time namespace" },
        { L("\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"realtime\":{\"secs\":1}}"),
          "linux.timeOffsets: unknown clock 'realtime'" },
        { L("\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"monotonic\":{\"nanosecs\":1000000000}}"),
          "linux.timeOffsets.monotonic.nanosecs: must be below 1000000000" },
        { L("\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"monotonic\":5}"),
          "linux.timeOffsets.monotonic: expected object" },
        /* devices */
        { L("\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1}]"),
          "linux.devices[0].type: unknown device type 'x'" },
        { L("\"devices\":[{\"type\":\"cc\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1}]"),
          "linux.devices[0].type: unknown device type 'cc'" },
        { L("\"devices\":[{\"path\":\"/dev/x\",\"major\":1,\"minor\":1}]"), "linux.devices[0].type: required" },
        { L("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"minor\":1}]"),
          "linux.devices[0].major: required for device type 'c'" },
        { L("\"devices\":[{\"type\":\"b\",\"path\":\"/dev/x\",\"major\":1}]"),
          "linux.devices[0].minor: required for device type 'b'" },
        { L("\"devices\":[{\"type\":\"u\",\"path\":\"/dev/x\"}]"), "linux.devices[0].major: required" },
        { L("\"devices\":[{\"type\":\"c\",\"path\":\"dev/null\",\"major\":1,\"minor\":3}]"),
          "linux.devices[0].path: 'dev/null' is not an absolute path" },
        { L("\"devices\":[{\"type\":\"c\",\"major\":1,\"minor\":3}]"), "linux.devices[0].path: required" },
        { L("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":-1,\"minor\":3}]"),
          "linux.devices[0].major: -1 is out of range" },
        { L("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":3,\"fileMode\":32768}]"),
          "linux.devices[0].fileMode" },
        { L("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":3,\"gid\":-1}]"),
          "linux.devices[0].gid: must not be negative" },
        /* resources */
        { L("\"resources\":[]"), "linux.resources: expected object" },
        { R("\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]"),
          "linux.resources.devices[0].access: 'rwx' is not a subset of 'rwm'" },
        { R("\"devices\":[{\"allow\":true,\"access\":\"rr\"}]"), "linux.resources.devices[0].access: 'rr'" },
        { R("\"devices\":[{\"allow\":true,\"access\":\"rwmr\"}]"), "linux.resources.devices[0].access: 'rwmr'" },
        { R("\"devices\":[{\"access\":\"r\"}]"), "linux.resources.devices[0].allow: required" },
        { R("\"devices\":[{\"allow\":true,\"type\":\"p\"}]"), "linux.resources.devices[0].type: unknown device type 'p'" },
        { R("\"devices\":[{\"allow\":true,\"major\":-2}]"), "linux.resources.devices[0].major: -2 is out of range" },
        { R("\"memory\":{\"swappiness\":101}"), "linux.resources.memory.swappiness: 101 is out of range 0..100" },
        { R("\"memory\":{\"limit\":\"1g\"}"), "linux.resources.memory.limit: expected integer" },
        { R("\"memory\":{\"limit\":-2}"), "linux.resources.memory.limit: must be -1" },
        { R("\"memory\":{\"swap\":-5}"), "linux.resources.memory.swap: must be -1" },
        { R("\"memory\":{\"disableOOMKiller\":1}"), "linux.resources.memory.disableOOMKiller: expected boolean" },
        { R("\"cpu\":{\"shares\":-1}"), "linux.resources.cpu.shares: must not be negative" },
        { R("\"cpu\":{\"idle\":2}"), "linux.resources.cpu.idle: must be 0 or 1" },
        { R("\"cpu\":{\"cpus\":\"0-1;\"}"), "linux.resources.cpu.cpus: invalid cpu list" },
        { R("\"cpu\":{\"mems\":\"x\"}"), "linux.resources.cpu.mems: invalid cpu list" },
        { R("\"pids\":{\"limit\":\"max\"}"), "linux.resources.pids.limit: expected integer" },
        { R("\"blockIO\":{\"weight\":70000}"), "linux.resources.blockIO.weight: 70000 is out of range" },
        { R("\"blockIO\":{\"weightDevice\":[{\"minor\":0,\"weight\":1}]}"),
          "linux.resources.blockIO.weightDevice[0].major: required" },
        { R("\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"leafWeight\":65536}]}"),
          "linux.resources.blockIO.weightDevice[0].leafWeight: 65536 is out of range" },
        { R("\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}"),
          "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required" },
        { R("\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"rate\":1}]}"),
          "linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: required" },
        { R("\"blockIO\":{\"weightDevice\":[{\"major\":-2,\"minor\":0}]}"),
          "linux.resources.blockIO.weightDevice[0]: device number out of range" },
        { R("\"blockIO\":{\"throttleReadIOPSDevice\":[{\"minor\":0,\"rate\":\"1\"}]}"),
          "linux.resources.blockIO.throttleReadIOPSDevice[0].rate: expected integer" },
        { R("\"memory\":{\"useHierarchy\":1}"), "linux.resources.memory.useHierarchy: expected boolean" },
        { R("\"cpu\":{\"realtimeRuntime\":\"1\"}"), "linux.resources.cpu.realtimeRuntime: expected integer" },
        { R("\"hugepageLimits\":[{\"pageSize\":\"../x\",\"limit\":1}]"),
          "linux.resources.hugepageLimits[0].pageSize: invalid page size '../x'" },
        { R("\"hugepageLimits\":[{\"limit\":1}]"), "linux.resources.hugepageLimits[0].pageSize: required" },
        { R("\"network\":{\"priorities\":[{\"priority\":1}]}"), "linux.resources.network.priorities[0].name: required" },
        { R("\"network\":{\"classID\":-1}"), "linux.resources.network.classID: must not be negative" },
        { R("\"rdma\":{\"a/b\":{\"hcaHandles\":1}}"), "linux.resources.rdma: invalid device name 'a/b'" },
        { R("\"rdma\":{\"mlx\":{\"hcaObjects\":\"1\"}}"), "linux.resources.rdma.mlx.hcaObjects: expected integer" },
        { R("\"unified\":{\"../cgroup.procs\":\"1\"}"),
          "linux.resources.unified: '../cgroup.procs' is not a cgroup file name" },
        { R("\"unified\":{\"..\":\"1\"}"), "linux.resources.unified: '..' is not a cgroup file name" },
        { R("\"unified\":{\"\":\"1\"}"), "linux.resources.unified: empty key" },
        { R("\"unified\":{\"memory.max\":1}"), "linux.resources.unified.memory.max: expected string" },
        /* sysctl, paths, propagation, personality */
        { L("\"sysctl\":{\"\":\"1\"}"), "linux.sysctl: empty key" },
        { L("\"sysctl\":{\"a\":1}"), "linux.sysctl.a: expected string" },
        { L("\"maskedPaths\":[\"/proc/kcore\",\"proc\"]"), "linux.maskedPaths[1]: 'proc' is not an absolute path" },
        { L("\"readonlyPaths\":[\"sys\"]"), "linux.readonlyPaths[0]: 'sys' is not an absolute path" },
        { L("\"rootfsPropagation\":\"sideways\""), "linux.rootfsPropagation: unknown propagation 'sideways'" },
        { L("\"personality\":{\"domain\":\"BSD\"}"),
          "linux.personality.domain: unknown personality domain 'BSD' (LINUX or LINUX32)" },
        { L("\"personality\":{}"), "linux.personality.domain: required" },
        { L("\"cgroupsPath\":7"), "linux.cgroupsPath: expected string" },
        /* seccomp */
        { L("\"seccomp\":{}"), "linux.seccomp.defaultAction: required" },
        { L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_BOGUS\"}"),
          "linux.seccomp.defaultAction: unknown seccomp action 'SCMP_ACT_BOGUS'" },
        { L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/s\"}"),
          "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
        { S(",\"defaultErrnoRet\":1"), "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE" },
        { S(",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"]"),
          "linux.seccomp.architectures[1]: unknown seccomp architecture 'SCMP_ARCH_VAX'" },
        { S(",\"flags\":[\"SECCOMP_FILTER_FLAG_BOGUS\"]"),
          "linux.seccomp.flags[0]: unknown seccomp flag 'SECCOMP_FILTER_FLAG_BOGUS'" },
        { S(",\"listenerPath\":\"rel.sock\""), "linux.seccomp.listenerPath: 'rel.sock' is not an absolute path" },
        { S(",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]"), "linux.seccomp.syscalls[0].names: must not be empty" },
        { S(",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]"),
          "linux.seccomp.syscalls[0].names: must not be empty" },
        { S(",\"syscalls\":[{\"names\":[\"read\",\"\"],\"action\":\"SCMP_ACT_ALLOW\"}]"),
          "linux.seccomp.syscalls[0].names[1]: empty syscall name" },
        { S(",\"syscalls\":[{\"names\":[\"read\"]}]"), "linux.seccomp.syscalls[0].action: required" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"read\"],\"action\":"
            "\"ALLOW\"}]"),
          "linux.seccomp.syscalls[1].action: unknown seccomp action 'ALLOW'" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]"),
          "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]"),
          "linux.seccomp.syscalls[0].errnoRet: only valid" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,"
            "\"op\":\"SCMP_CMP_EQ\"}]}]"),
          "linux.seccomp.syscalls[0].args[0].index: 6 is out of range 0..5" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"value\":1,"
            "\"op\":\"SCMP_CMP_EQ\"}]}]"),
          "linux.seccomp.syscalls[0].args[0].index: required" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,"
            "\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"op\":\"SCMP_CMP_APPROX\"}]}]"),
          "linux.seccomp.syscalls[0].args[1].op: unknown seccomp operator 'SCMP_CMP_APPROX'" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0}]}]"),
          "linux.seccomp.syscalls[0].args[0].op: required" },
        { S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,"
            "\"op\":\"SCMP_CMP_EQ\"}]}]"),
          "linux.seccomp.syscalls[0].args[0].value: must not be negative" },
        { S(",\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]"),
          "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used" },
};

TEST(validation_rejects_naming_the_field) {
        for (size_t i = 0; i < ELEMENTSOF(reject_cases); i++) {
                const struct reject_case *c = &reject_cases[i];
                _cleanup_(spec_freep) struct oci_spec *s = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                int r = spec_parse(c->json, strlen(c->json), &s, &err);

                if (r >= 0)
                        TAP_FAIL("case %zu accepted, expected '%s'\n# config: %s", i, c->error, c->json);
                if (r != -EINVAL || berr_code(err) != EINVAL)
                        TAP_FAIL("case %zu: code %d (error %d), expected EINVAL", i, r, berr_code(err));
                ASSERT_TRUE(s == NULL);
                if (!strstr(berr_msg(err), c->error))
                        TAP_FAIL("case %zu: error \"%s\" does not contain \"%s\"", i, berr_msg(err), c->error);
        }
        printf("# %zu rejection cases\n", ELEMENTSOF(reject_cases));
}

static const char *const accept_cases[] = {
        M(""),
        "{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\".\"}}",
        "{\"ociVersion\":\"1.3.0+build.5\",\"root\":{\"path\":\".\"}}",
        "{\"ociVersion\":\"1.0.0-rc5-dev\",\"root\":{\"path\":\".\"}}",
        M(",\"futureKey\":{\"x\":[1,2]},\"windows\":{},\"vm\":null"),
        M(",\"process\":null,\"linux\":null,\"mounts\":null"),
        L("\"rootfsPropagation\":\"\""),
        L("\"rootfsPropagation\":\"private\""),
        L("\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]"),
        L("\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{}"),
        L("\"devices\":[{\"type\":\"p\",\"path\":\"/dev/fifo\"}]"),
        L("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":4294967295,\"hostID\":0,\"size\":1}],"
          "\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":4294967295}]"),
        R("\"devices\":[{\"allow\":true,\"type\":\"\"}],\"memory\":{\"limit\":-1,\"swap\":-1}"),
        S(",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"}]"),
        L("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_TRACE\",\"defaultErrnoRet\":3}"),
        P(",\"oomScoreAdj\":-1000,\"user\":{\"umask\":511}"),
        P(",\"scheduler\":{\"policy\":\"SCHED_ISO\"},\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\"}"),
        P(",\"capabilities\":{\"bounding\":[\"CAP_MADE_UP\"]}"),
        P(",\"env\":[]"),
};

TEST(validation_accepts_edge_cases) {
        for (size_t i = 0; i < ELEMENTSOF(accept_cases); i++) {
                _cleanup_(spec_freep) struct oci_spec *s = parse_ok(accept_cases[i]);
                ASSERT_TRUE(s != NULL);
        }
}

TEST(unknown_capabilities_are_ignored) {
        _cleanup_(spec_freep) struct oci_spec *s =
                parse_ok(P(",\"capabilities\":{\"bounding\":[\"CAP_MADE_UP\",\"CAP_KILL\"],\"effective\":[]}"));

        ASSERT_TRUE(s->process.capabilities.present);
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_BOUNDING], CAP(5));
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_EFFECTIVE], 0);
}

TEST(size_limits) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *big = xmalloc(SPEC_MAX_BYTES + 2);
        struct oci_spec *s = NULL;
        size_t n = 0;

        memset(big, ' ', SPEC_MAX_BYTES + 1);
        big[SPEC_MAX_BYTES + 1] = 0;
        ASSERT_EQ(spec_parse(big, SPEC_MAX_BYTES + 1, &s, &err), -EFBIG);
        ASSERT_ERR_CONTAINS(err, "config.json: larger than");
        err = berr_free(err);

        /* SPEC_MAX_ITEMS + 1 env entries */
        n += (size_t) sprintf(big + n, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
                                       "\"args\":[\"a\"],\"env\":[");
        for (int i = 0; i <= SPEC_MAX_ITEMS; i++)
                n += (size_t) sprintf(big + n, "%s\"A=1\"", i ? "," : "");
        n += (size_t) sprintf(big + n, "]}}");
        ASSERT_EQ(spec_parse(big, n, &s, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.env: too many entries");
        err = berr_free(err);

        /* 341 uid mappings: more than the kernel accepts */
        n = (size_t) sprintf(big, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"uidMappings\":[");
        for (int i = 0; i <= SPEC_MAX_ID_MAPPINGS; i++)
                n += (size_t) sprintf(big + n, "%s{\"containerID\":%d,\"hostID\":%d,\"size\":1}", i ? "," : "", i, i);
        n += (size_t) sprintf(big + n, "]}}");
        ASSERT_EQ(spec_parse(big, n, &s, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "linux.uidMappings: too many mappings");
        ASSERT_TRUE(s == NULL);
}

TEST(nul_byte_in_document_is_refused) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        static const char doc[] = "{\"ociVersion\":\"1\0\",\"root\":{\"path\":\"r\"}}";
        struct oci_spec *s = NULL;

        ASSERT_FAIL(spec_parse(doc, sizeof(doc) - 1, &s, &err));
        ASSERT_ERR_CONTAINS(err, "NUL");
}

static void check_runc_defaults(const struct oci_spec *s)
{
        const uint64_t caps = CAP(29) | CAP(5) | CAP(10); /* AUDIT_WRITE, KILL, NET_BIND_SERVICE */

        ASSERT_STREQ(s->oci_version, BERTH_SPEC_VERSION);
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_TRUE(s->root_readonly);
        ASSERT_TRUE(s->has_process);
        ASSERT_TRUE(s->process.terminal);
        ASSERT_EQ(s->process.user.uid, 0);
        ASSERT_EQ(strv_length(s->process.args), 1);
        ASSERT_STREQ(s->process.args[0], "sh");
        ASSERT_STREQ(s->process.env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ASSERT_STREQ(s->process.env[1], "TERM=xterm");
        ASSERT_STREQ(s->process.cwd, "/");
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_BOUNDING], caps);
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_EFFECTIVE], caps);
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_PERMITTED], caps);
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_AMBIENT], caps);
        ASSERT_EQ(s->process.capabilities.sets[OCI_CAP_INHERITABLE], 0);
        ASSERT_EQ(s->process.n_rlimits, 1);
        ASSERT_EQ(s->process.rlimits[0].type, RLIMIT_NOFILE);
        ASSERT_EQ(s->process.rlimits[0].hard, 1024);
        ASSERT_EQ(s->process.rlimits[0].soft, 1024);
        ASSERT_TRUE(s->process.no_new_privileges);
        ASSERT_STREQ(s->hostname, "runc");
        ASSERT_EQ(s->n_mounts, 7);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[1].destination, "/dev");
        ASSERT_STREQ(s->mounts[1].options[3], "size=65536k");
        ASSERT_STREQ(s->mounts[2].destination, "/dev/pts");
        ASSERT_STREQ(s->mounts[3].destination, "/dev/shm");
        ASSERT_STREQ(s->mounts[4].destination, "/dev/mqueue");
        ASSERT_STREQ(s->mounts[5].destination, "/sys");
        ASSERT_STREQ(s->mounts[6].destination, "/sys/fs/cgroup");
        ASSERT_STREQ(s->mounts[6].type, "cgroup");
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_PID, NULL));
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_IPC, NULL));
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_UTS, NULL));
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_MOUNT, NULL));
        ASSERT_EQ(strv_length(s->linux.masked_paths), 10);
        ASSERT_TRUE(strv_contains(s->linux.masked_paths, "/proc/kcore"));
        ASSERT_TRUE(strv_contains(s->linux.masked_paths, "/sys/firmware"));
        ASSERT_EQ(strv_length(s->linux.readonly_paths), 5);
        ASSERT_TRUE(strv_contains(s->linux.readonly_paths, "/proc/sysrq-trigger"));
}

TEST(default_spec_matches_runc) {
        _cleanup_(spec_freep) struct oci_spec *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *j = spec_default_json(false);

        ASSERT_OK_ERR(spec_parse(j, strlen(j), &s, &err), &err);
        check_runc_defaults(s);
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_NETWORK, NULL));
        ASSERT_FALSE(spec_has_namespace(s, OCI_NS_USER, NULL));
        ASSERT_EQ(s->linux.n_uid_mappings, 0);
        ASSERT_STREQ(s->mounts[2].options[5], "gid=5");
        ASSERT_STREQ(s->mounts[5].type, "sysfs");
        ASSERT_TRUE(s->linux.has_resources);
        ASSERT_EQ(s->linux.resources.n_devices, 1);
        ASSERT_FALSE(s->linux.resources.devices[0].allow);
        ASSERT_EQ(s->linux.resources.devices[0].type, 'a');
        ASSERT_STREQ(s->linux.resources.devices[0].access, "rwm");
}

TEST(default_spec_rootless) {
        _cleanup_(spec_freep) struct oci_spec *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *j = spec_default_json(true);
        const struct oci_namespace *ns = NULL;

        ASSERT_OK_ERR(spec_parse(j, strlen(j), &s, &err), &err);
        check_runc_defaults(s);
        ASSERT_TRUE(spec_has_namespace(s, OCI_NS_USER, &ns));
        ASSERT_TRUE(ns->path == NULL);
        ASSERT_FALSE(spec_has_namespace(s, OCI_NS_NETWORK, NULL));
        ASSERT_EQ(s->linux.n_uid_mappings, 1);
        ASSERT_EQ(s->linux.uid_mappings[0].container_id, 0);
        ASSERT_EQ(s->linux.uid_mappings[0].host_id, geteuid());
        ASSERT_EQ(s->linux.uid_mappings[0].size, 1);
        ASSERT_EQ(s->linux.n_gid_mappings, 1);
        ASSERT_EQ(s->linux.gid_mappings[0].host_id, getegid());
        ASSERT_FALSE(strv_contains(s->mounts[2].options, "gid=5"));
        ASSERT_STREQ(s->mounts[5].type, "none");
        ASSERT_STREQ(s->mounts[5].source, "/sys");
        ASSERT_STREQ(s->mounts[5].options[0], "rbind");
        ASSERT_FALSE(s->linux.has_resources);
}

TEST(parse_process_for_exec) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        static const char ok[] = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=b\"],\"user\":{\"uid\":5},"
                                 "\"capabilities\":{\"effective\":[\"CAP_SYS_ADMIN\"]},\"terminal\":true}";
        static const char bad_doc[] = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_X\"}]}";
        struct oci_process p = {}, untouched = {};

        ASSERT_OK_ERR(spec_parse_process(ok, strlen(ok), &p, &err), &err);
        ASSERT_STREQ(p.args[1], "-l");
        ASSERT_STREQ(p.cwd, "/tmp");
        ASSERT_EQ(p.user.uid, 5);
        ASSERT_TRUE(p.terminal);
        ASSERT_EQ(p.capabilities.sets[OCI_CAP_EFFECTIVE], CAP(21));
        oci_process_done(&p);
        ASSERT_TRUE(p.args == NULL);

        ASSERT_EQ(spec_parse_process(bad_doc, strlen(bad_doc), &untouched, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.rlimits[0].type: unknown rlimit 'RLIMIT_X'");
        ASSERT_TRUE(untouched.args == NULL);
        err = berr_free(err);
        ASSERT_EQ(spec_parse_process("{\"cwd\":\"/\"}", 11, &untouched, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process.args: must not be empty");
        err = berr_free(err);
        ASSERT_EQ(spec_parse_process("[1]", 3, &untouched, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "process: expected a JSON object");
}

TEST(parse_resources_for_update) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        static const char ok[] = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":-1},"
                                 "\"cpu\":{\"quota\":-1,\"period\":100000}}";
        static const char bad_doc[] = "{\"memory\":{\"swappiness\":200}}";
        struct oci_resources r = {}, untouched = {};

        ASSERT_OK_ERR(spec_parse_resources(ok, strlen(ok), &r, &err), &err);
        ASSERT_TRUE(r.has_memory && r.memory.has_limit && r.memory.limit == 1048576);
        ASSERT_FALSE(r.memory.has_swap);
        ASSERT_TRUE(r.has_pids && r.pids_limit == -1);
        ASSERT_TRUE(r.has_cpu && r.cpu.has_quota && r.cpu.quota == -1);
        ASSERT_FALSE(r.has_block_io);
        oci_resources_done(&r);

        ASSERT_EQ(spec_parse_resources(bad_doc, strlen(bad_doc), &untouched, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "resources.memory.swappiness: 200 is out of range");
        ASSERT_FALSE(untouched.has_memory);
}

TEST(load_bundle) {
        _cleanup_(spec_freep) struct oci_spec *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *j = spec_default_json(false);

        ASSERT_EQ(spec_load_bundle("missing", &s, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "missing/config.json");
        err = berr_free(err);
        ASSERT_OK(mkdir("b", 0755));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "b/config.json", j, strlen(j), 0644, NULL));
        ASSERT_OK_ERR(spec_load_bundle("b", &s, &err), &err);
        ASSERT_STREQ(s->process.args[0], "sh");
        s = spec_free(s);
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "b/config.json", "{\"ociVersion\":\"1.0.0\"}", 22, 0644, NULL));
        ASSERT_EQ(spec_load_bundle("b", &s, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "b/config.json': root: required");
}

TEST(state_json) {
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *j = NULL;
        char *ann[] = { "a", "1", "b", "2", NULL };
        struct json_object *a = NULL;
        const char *v = NULL;
        int64_t pid = 0;

        j = spec_state_json("ctr1", "running", 4242, "/b", ann);
        ASSERT_OK(json_parse_buf(j, strlen(j), &o, NULL));
        ASSERT_EQ(json_get_string(o, "ociVersion", NULL, &v, NULL), 1);
        ASSERT_STREQ(v, BERTH_SPEC_VERSION);
        ASSERT_EQ(json_get_string(o, "id", NULL, &v, NULL), 1);
        ASSERT_STREQ(v, "ctr1");
        ASSERT_EQ(json_get_string(o, "status", NULL, &v, NULL), 1);
        ASSERT_STREQ(v, "running");
        ASSERT_EQ(json_get_int64(o, "pid", NULL, &pid, NULL), 1);
        ASSERT_EQ(pid, 4242);
        ASSERT_EQ(json_get_string(o, "bundle", NULL, &v, NULL), 1);
        ASSERT_STREQ(v, "/b");
        ASSERT_EQ(json_get_object(o, "annotations", NULL, &a, NULL), 1);
        ASSERT_EQ(json_get_string(a, "b", NULL, &v, NULL), 1);
        ASSERT_STREQ(v, "2");
        free(j);
        json_object_put(o);
        o = NULL;

        j = spec_state_json("x", "stopped", 0, "/b", NULL);
        ASSERT_OK(json_parse_buf(j, strlen(j), &o, NULL));
        ASSERT_EQ(json_get_int64(o, "pid", NULL, &pid, NULL), 1);
        ASSERT_EQ(pid, 0);
        ASSERT_EQ(json_get_object(o, "annotations", NULL, &a, NULL), 0);
}

TEST(name_tables) {
        for (int t = 0; t < _OCI_NS_MAX; t++)
                ASSERT_EQ(oci_namespace_type_from_string(oci_namespace_type_to_string(t)), t);
        ASSERT_EQ(oci_namespace_type_from_string("network"), OCI_NS_NETWORK);
        ASSERT_EQ(oci_namespace_type_from_string("net"), -EINVAL);
        ASSERT_TRUE(oci_namespace_type_to_string(_OCI_NS_MAX) == NULL);
        for (int c = 0; c <= OCI_CAP_LAST; c++) {
                ASSERT_TRUE(oci_capability_to_string(c) != NULL);
                ASSERT_EQ(oci_capability_from_string(oci_capability_to_string(c)), c);
        }
        ASSERT_EQ(oci_capability_from_string("CAP_SYS_ADMIN"), 21);
        ASSERT_EQ(oci_capability_from_string("CAP_PERFMON"), 38);
        ASSERT_EQ(oci_capability_from_string("CAP_BPF"), 39);
        ASSERT_EQ(oci_capability_from_string("CAP_CHECKPOINT_RESTORE"), 40);
        ASSERT_EQ(oci_capability_from_string("cap_sys_admin"), -EINVAL);
        ASSERT_TRUE(oci_capability_to_string(41) == NULL);
        ASSERT_EQ(oci_rlimit_from_string("RLIMIT_NOFILE"), RLIMIT_NOFILE);
        ASSERT_EQ(oci_rlimit_from_string("RLIMIT_RTTIME"), RLIMIT_RTTIME);
        ASSERT_EQ(oci_rlimit_from_string("NOFILE"), -EINVAL);
        ASSERT_STREQ(oci_rlimit_to_string(RLIMIT_AS), "RLIMIT_AS");
        for (int a = 0; a < _OCI_SECCOMP_ACTION_MAX; a++)
                ASSERT_EQ(oci_seccomp_action_from_string(oci_seccomp_action_to_string(a)), a);
        for (int op = 0; op < _OCI_SECCOMP_OP_MAX; op++)
                ASSERT_EQ(oci_seccomp_op_from_string(oci_seccomp_op_to_string(op)), op);
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                ASSERT_EQ(oci_hook_kind_from_string(oci_hook_kind_to_string(k)), k);
        ASSERT_STREQ(oci_hook_kind_to_string(OCI_HOOK_CREATE_RUNTIME), "createRuntime");
        ASSERT_TRUE(strv_contains((char *const *) oci_seccomp_arch_names(), "SCMP_ARCH_AARCH64"));
        ASSERT_TRUE(strv_contains((char *const *) oci_seccomp_flag_names(), "SECCOMP_FILTER_FLAG_TSYNC"));
        ASSERT_EQ(oci_sched_policy_from_string("SCHED_BATCH"), SCHED_BATCH);
        ASSERT_EQ(oci_sched_flag_from_string("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40);
        ASSERT_EQ(oci_ioprio_class_from_string("IOPRIO_CLASS_RT"), 1);
        ASSERT_EQ(oci_ioprio_class_from_string(NULL), -EINVAL);
}

TEST(paths_are_cleaned_lexically) {
        _cleanup_(spec_freep) struct oci_spec *s = parse_ok(
                M(",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/../a//b/./\"},\"mounts\":[{\"destination\":\"/../../etc\"}],"
                  "\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/../dev//net/tun\",\"major\":10,\"minor\":200}]}"));

        /* ".." never climbs above "/": the result still names a path inside the rootfs */
        ASSERT_STREQ(s->process.cwd, "/a/b");
        ASSERT_STREQ(s->mounts[0].destination, "/etc");
        ASSERT_STREQ(s->linux.devices[0].path, "/dev/net/tun");
}

TEST(errors_without_err_pointer) {
        static const char doc[] = P(",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"hard\":1,\"soft\":1}]");
        struct oci_spec *s = NULL;
        struct oci_process p = {};
        struct oci_resources r = {};

        ASSERT_EQ(spec_parse(doc, strlen(doc), &s, NULL), -EINVAL);
        ASSERT_TRUE(s == NULL);
        ASSERT_EQ(spec_parse("{", 1, &s, NULL), -EINVAL);
        ASSERT_EQ(spec_parse_process("{\"args\":[]}", 11, &p, NULL), -EINVAL);
        ASSERT_EQ(spec_parse_resources("{\"cpu\":{\"idle\":5}}", 18, &r, NULL), -EINVAL);
        ASSERT_EQ(spec_load_bundle("missing", &s, NULL), -ENOENT);
        ASSERT_TRUE(spec_free(NULL) == NULL);
        oci_process_done(NULL);
        oci_resources_done(NULL);
}
