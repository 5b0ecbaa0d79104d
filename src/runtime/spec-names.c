/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name tables of runtime-spec 1.2: the strings config.json uses for
 * namespaces, capabilities, rlimits, seccomp actions, operators,
 * architectures and flags, scheduler policies and flags, I/O priority classes
 * and hook kinds, mapped to the kernel's numbers. spec.c validates against
 * them; `features` lists them. Lookups are exact and case-sensitive, as in
 * runc.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/cleanup.h"
#include "lib/util.h"
#include "runtime/spec.h"

/* glibc 2.36 does not define these; the values are the kernel's (include/uapi/linux/sched.h). */
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define OCI_SCHED_ISO 4 /* reserved by the kernel, never implemented; accepted as runc's table does */

_Static_assert(OCI_CAP_LAST == CAP_LAST_CAP, "capability table out of date with linux/capability.h");

static const char *const namespace_names[_OCI_NS_MAX] = {
        [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",   [OCI_NS_IPC] = "ipc",
        [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",       [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const char *const capability_names[OCI_CAP_LAST + 1] = {
        [CAP_CHOWN] = "CAP_CHOWN",
        [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
        [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
        [CAP_FOWNER] = "CAP_FOWNER",
        [CAP_FSETID] = "CAP_FSETID",
        [CAP_KILL] = "CAP_KILL",
        [CAP_SETGID] = "CAP_SETGID",
        [CAP_SETUID] = "CAP_SETUID",
        [CAP_SETPCAP] = "CAP_SETPCAP",
        [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
        [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
        [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
        [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
        [CAP_NET_RAW] = "CAP_NET_RAW",
        [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
        [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
        [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
        [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
        [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
        [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
        [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
        [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
        [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
        [CAP_SYS_NICE] = "CAP_SYS_NICE",
        [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
        [CAP_SYS_TIME] = "CAP_SYS_TIME",
        [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
        [CAP_MKNOD] = "CAP_MKNOD",
        [CAP_LEASE] = "CAP_LEASE",
        [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
        [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
        [CAP_SETFCAP] = "CAP_SETFCAP",
        [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
        [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
        [CAP_SYSLOG] = "CAP_SYSLOG",
        [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
        [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
        [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
        [CAP_PERFMON] = "CAP_PERFMON",
        [CAP_BPF] = "CAP_BPF",
        [CAP_CHECKPOINT_RESTORE] = "CAP_CHECKPOINT_RESTORE",
};

struct name_value {
        const char *name;
        int value;
};

static const struct name_value rlimit_names[] = {
        {"RLIMIT_AS", RLIMIT_AS},
        {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},
        {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},
        {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
        {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},
        {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},
        {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
        {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
        {"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct name_value sched_policy_names[] = {
        {"SCHED_OTHER", SCHED_OTHER},       {"SCHED_FIFO", SCHED_FIFO},   {"SCHED_RR", SCHED_RR},
        {"SCHED_BATCH", SCHED_BATCH},       {"SCHED_ISO", OCI_SCHED_ISO}, {"SCHED_IDLE", SCHED_IDLE},
        {"SCHED_DEADLINE", SCHED_DEADLINE},
};

/* Values from include/uapi/linux/sched.h (struct sched_attr.sched_flags). */
static const struct name_value sched_flag_names[] = {
        {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
        {"SCHED_FLAG_KEEP_POLICY", 0x08},    {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
        {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static const struct name_value ioprio_class_names[] = {
        {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
        {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
        {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};

static const char *const seccomp_action_names[_OCI_SECCOMP_ACTION_MAX] = {
        [OCI_SECCOMP_KILL] = "SCMP_ACT_KILL",
        [OCI_SECCOMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
        [OCI_SECCOMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
        [OCI_SECCOMP_TRAP] = "SCMP_ACT_TRAP",
        [OCI_SECCOMP_ERRNO] = "SCMP_ACT_ERRNO",
        [OCI_SECCOMP_TRACE] = "SCMP_ACT_TRACE",
        [OCI_SECCOMP_ALLOW] = "SCMP_ACT_ALLOW",
        [OCI_SECCOMP_LOG] = "SCMP_ACT_LOG",
        [OCI_SECCOMP_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const seccomp_op_names[_OCI_SECCOMP_OP_MAX] = {
        [OCI_SECCOMP_OP_NE] = "SCMP_CMP_NE",
        [OCI_SECCOMP_OP_LT] = "SCMP_CMP_LT",
        [OCI_SECCOMP_OP_LE] = "SCMP_CMP_LE",
        [OCI_SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
        [OCI_SECCOMP_OP_GE] = "SCMP_CMP_GE",
        [OCI_SECCOMP_OP_GT] = "SCMP_CMP_GT",
        [OCI_SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The architectures runtime-spec 1.2 lists for linux.seccomp.architectures. */
static const char *const seccomp_arch_names[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",        NULL,
};

static const char *const seccomp_flag_names[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        NULL,
};

static const char *const hook_kind_names[_OCI_HOOK_MAX] = {
        [OCI_HOOK_PRESTART] = "prestart",
        [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
        [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
        [OCI_HOOK_START_CONTAINER] = "startContainer",
        [OCI_HOOK_POSTSTART] = "poststart",
        [OCI_HOOK_POSTSTOP] = "poststop",
};

static int index_of(const char *const *names, size_t n, const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (names[i] && streq(names[i], s))
                        return (int)i;
        return -EINVAL;
}

static int value_of(const struct name_value *t, size_t n, const char *s)
{
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (streq(t[i].name, s))
                        return t[i].value;
        return -EINVAL;
}

const char *oci_namespace_type_to_string(enum oci_namespace_type t)
{
        if ((int)t < 0 || t >= _OCI_NS_MAX)
                return NULL;
        return namespace_names[t];
}

enum oci_namespace_type oci_namespace_type_from_string(const char *s)
{
        return (enum oci_namespace_type)index_of(namespace_names, ELEMENTSOF(namespace_names), s);
}

int oci_capability_from_string(const char *s)
{
        return index_of(capability_names, ELEMENTSOF(capability_names), s);
}

const char *oci_capability_to_string(int cap)
{
        if (cap < 0 || cap > OCI_CAP_LAST)
                return NULL;
        return capability_names[cap];
}

int oci_rlimit_from_string(const char *s)
{
        return value_of(rlimit_names, ELEMENTSOF(rlimit_names), s);
}

const char *oci_rlimit_to_string(int resource)
{
        for (size_t i = 0; i < ELEMENTSOF(rlimit_names); i++)
                if (rlimit_names[i].value == resource)
                        return rlimit_names[i].name;
        return NULL;
}

const char *oci_seccomp_action_to_string(enum oci_seccomp_action a)
{
        if ((int)a < 0 || a >= _OCI_SECCOMP_ACTION_MAX)
                return NULL;
        return seccomp_action_names[a];
}

enum oci_seccomp_action oci_seccomp_action_from_string(const char *s)
{
        return (enum oci_seccomp_action)index_of(seccomp_action_names, ELEMENTSOF(seccomp_action_names), s);
}

enum oci_seccomp_op oci_seccomp_op_from_string(const char *s)
{
        return (enum oci_seccomp_op)index_of(seccomp_op_names, ELEMENTSOF(seccomp_op_names), s);
}

const char *oci_seccomp_op_to_string(enum oci_seccomp_op op)
{
        if ((int)op < 0 || op >= _OCI_SECCOMP_OP_MAX)
                return NULL;
        return seccomp_op_names[op];
}

const char *const *oci_seccomp_arch_names(void)
{
        return seccomp_arch_names;
}

const char *const *oci_seccomp_flag_names(void)
{
        return seccomp_flag_names;
}

const char *oci_hook_kind_to_string(enum oci_hook_kind k)
{
        if ((int)k < 0 || k >= _OCI_HOOK_MAX)
                return NULL;
        return hook_kind_names[k];
}

enum oci_hook_kind oci_hook_kind_from_string(const char *s)
{
        return (enum oci_hook_kind)index_of(hook_kind_names, ELEMENTSOF(hook_kind_names), s);
}

int oci_sched_policy_from_string(const char *s)
{
        return value_of(sched_policy_names, ELEMENTSOF(sched_policy_names), s);
}

int oci_sched_flag_from_string(const char *s)
{
        return value_of(sched_flag_names, ELEMENTSOF(sched_flag_names), s);
}

int oci_ioprio_class_from_string(const char *s)
{
        return value_of(ioprio_class_names, ELEMENTSOF(ioprio_class_names), s);
}
