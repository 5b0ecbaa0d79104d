/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The OCI runtime-spec 1.2 configuration (config.json), Linux parts, as a
 * validated C structure. spec_parse() checks types, ranges and names before
 * anything touches the kernel; the rest of runtime/ trusts what it returns
 * (values still get resolved safely inside the rootfs where they are paths).
 *
 * Every optional scalar has a has_<field> flag; strings and vectors are NULL
 * when absent. All pointers are owned by the struct oci_spec.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct json_object;

/* gcc in GNU C mode (-std=gnu17) predefines the old macro `linux` as 1, which would turn the
 * field struct oci_spec.linux into a syntax error; code tests __linux__ instead. */
#undef linux

#define SPEC_MAX_BYTES (4u << 20) /* config.json larger than this is refused */
#define SPEC_MAX_ITEMS 4096       /* mounts, devices, syscalls rules, env entries, ... */
#define SPEC_MAX_ID_MAPPINGS 340  /* lines in /proc/<pid>/uid_map since Linux 4.15 */
#define OCI_CAP_LAST 40           /* CAP_CHECKPOINT_RESTORE */

enum oci_namespace_type {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_MOUNT,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        _OCI_NS_MAX,
        _OCI_NS_INVALID = -22,
};

struct oci_namespace {
        enum oci_namespace_type type;
        char *path; /* join this namespace instead of creating one; NULL: new */
};

struct oci_id_mapping {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
};

struct oci_mount {
        char *destination; /* absolute, cleaned */
        char *type;        /* NULL: bind if options say so */
        char *source;
        char **options;
        struct oci_id_mapping *uid_mappings;
        size_t n_uid_mappings;
        struct oci_id_mapping *gid_mappings;
        size_t n_gid_mappings;
};

struct oci_rlimit {
        int type; /* RLIMIT_* */
        uint64_t hard;
        uint64_t soft;
};

enum oci_cap_set {
        OCI_CAP_BOUNDING,
        OCI_CAP_EFFECTIVE,
        OCI_CAP_INHERITABLE,
        OCI_CAP_PERMITTED,
        OCI_CAP_AMBIENT,
        _OCI_CAP_SET_MAX,
        _OCI_CAP_SET_INVALID = -22,
};

struct oci_capabilities {
        /* Bit masks of capability numbers (CAP_* from linux/capability.h), one per set. */
        uint64_t sets[_OCI_CAP_SET_MAX];
        bool present; /* process.capabilities was given */
};

struct oci_user {
        uint32_t uid;
        uint32_t gid;
        bool has_umask;
        uint32_t umask;
        uint32_t *additional_gids;
        size_t n_additional_gids;
};

struct oci_scheduler {
        bool present;
        int policy; /* SCHED_* */
        int32_t nice;
        int32_t priority;
        unsigned flags; /* SCHED_FLAG_* bits */
        uint64_t runtime;
        uint64_t deadline;
        uint64_t period;
};

struct oci_io_priority {
        bool present;
        int class; /* IOPRIO_CLASS_RT/BE/IDLE */
        int priority;
};

struct oci_process {
        bool terminal;
        bool has_console_size;
        uint32_t console_height;
        uint32_t console_width;
        struct oci_user user;
        char **args;
        char **env;
        char *cwd;
        struct oci_capabilities capabilities;
        struct oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        bool has_oom_score_adj;
        int oom_score_adj;
        char *selinux_label;
        struct oci_io_priority io_priority;
        struct oci_scheduler scheduler;
        char *exec_cpu_affinity_initial; /* cpu list, as in cpuset */
        char *exec_cpu_affinity_final;
};

struct oci_hook {
        char *path;
        char **args;
        char **env;
        bool has_timeout;
        int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_MAX,
        _OCI_HOOK_INVALID = -22,
};

struct oci_hooks {
        struct oci_hook *hooks[_OCI_HOOK_MAX];
        size_t n_hooks[_OCI_HOOK_MAX];
};

struct oci_device {
        char type; /* 'c', 'b', 'u' (= 'c') or 'p' */
        char *path;
        int64_t major;
        int64_t minor;
        bool has_file_mode;
        uint32_t file_mode;
        bool has_uid;
        uint32_t uid;
        bool has_gid;
        uint32_t gid;
};

/* resources.devices: cgroup device rules. */
struct oci_device_rule {
        bool allow;
        char type; /* 'a', 'c' or 'b' */
        int64_t major; /* -1: any */
        int64_t minor; /* -1: any */
        char access[4]; /* subset of "rwm", "" means "rwm" */
};

struct oci_memory {
        bool has_limit;
        int64_t limit; /* -1: unlimited */
        bool has_reservation;
        int64_t reservation;
        bool has_swap;
        int64_t swap; /* memory+swap, as in v1 memsw; -1 unlimited */
        bool has_kernel;
        int64_t kernel;
        bool has_kernel_tcp;
        int64_t kernel_tcp;
        bool has_swappiness;
        uint64_t swappiness;
        bool has_disable_oom_killer;
        bool disable_oom_killer;
        bool has_use_hierarchy;
        bool use_hierarchy;
        bool check_before_update;
};

struct oci_cpu {
        bool has_shares;
        uint64_t shares;
        bool has_quota;
        int64_t quota;
        bool has_burst;
        uint64_t burst;
        bool has_period;
        uint64_t period;
        bool has_realtime_runtime;
        int64_t realtime_runtime;
        bool has_realtime_period;
        uint64_t realtime_period;
        char *cpus;
        char *mems;
        bool has_idle;
        int64_t idle;
};

struct oci_weight_device {
        int64_t major;
        int64_t minor;
        bool has_weight;
        uint16_t weight;
        bool has_leaf_weight;
        uint16_t leaf_weight;
};

struct oci_throttle_device {
        int64_t major;
        int64_t minor;
        uint64_t rate;
};

enum oci_throttle_kind {
        OCI_THROTTLE_READ_BPS,
        OCI_THROTTLE_WRITE_BPS,
        OCI_THROTTLE_READ_IOPS,
        OCI_THROTTLE_WRITE_IOPS,
        _OCI_THROTTLE_MAX,
        _OCI_THROTTLE_INVALID = -22,
};

struct oci_block_io {
        bool has_weight;
        uint16_t weight;
        bool has_leaf_weight;
        uint16_t leaf_weight;
        struct oci_weight_device *weight_devices;
        size_t n_weight_devices;
        struct oci_throttle_device *throttle[_OCI_THROTTLE_MAX];
        size_t n_throttle[_OCI_THROTTLE_MAX];
};

struct oci_hugepage_limit {
        char *page_size; /* "2MB", "1GB" */
        uint64_t limit;
};

struct oci_net_priority {
        char *name;
        uint32_t priority;
};

struct oci_resources {
        struct oci_device_rule *devices;
        size_t n_devices;
        bool has_memory;
        struct oci_memory memory;
        bool has_cpu;
        struct oci_cpu cpu;
        bool has_pids;
        int64_t pids_limit; /* <= 0: unlimited */
        bool has_block_io;
        struct oci_block_io block_io;
        struct oci_hugepage_limit *hugepage_limits;
        size_t n_hugepage_limits;
        bool has_network;
        bool has_class_id;
        uint32_t class_id;
        struct oci_net_priority *net_priorities;
        size_t n_net_priorities;
        char **rdma;    /* alternating device name and "hca_handle=N hca_object=M" (rdma.max syntax) */
        char **unified; /* alternating cgroup v2 file name and value */
};

enum oci_seccomp_action {
        OCI_SECCOMP_KILL,         /* SCMP_ACT_KILL (= KILL_THREAD) */
        OCI_SECCOMP_KILL_PROCESS, /* SCMP_ACT_KILL_PROCESS */
        OCI_SECCOMP_KILL_THREAD,  /* SCMP_ACT_KILL_THREAD */
        OCI_SECCOMP_TRAP,
        OCI_SECCOMP_ERRNO,
        OCI_SECCOMP_TRACE,
        OCI_SECCOMP_ALLOW,
        OCI_SECCOMP_LOG,
        OCI_SECCOMP_NOTIFY,
        _OCI_SECCOMP_ACTION_MAX,
        _OCI_SECCOMP_ACTION_INVALID = -22,
};

enum oci_seccomp_op {
        OCI_SECCOMP_OP_NE,
        OCI_SECCOMP_OP_LT,
        OCI_SECCOMP_OP_LE,
        OCI_SECCOMP_OP_EQ,
        OCI_SECCOMP_OP_GE,
        OCI_SECCOMP_OP_GT,
        OCI_SECCOMP_OP_MASKED_EQ,
        _OCI_SECCOMP_OP_MAX,
        _OCI_SECCOMP_OP_INVALID = -22,
};

struct oci_seccomp_arg {
        unsigned index; /* 0..5 */
        uint64_t value;
        uint64_t value_two;
        enum oci_seccomp_op op;
};

struct oci_seccomp_rule {
        char **names;
        enum oci_seccomp_action action;
        bool has_errno_ret;
        uint32_t errno_ret;
        struct oci_seccomp_arg *args;
        size_t n_args;
};

struct oci_seccomp {
        enum oci_seccomp_action default_action;
        bool has_default_errno_ret;
        uint32_t default_errno_ret;
        char **architectures; /* "SCMP_ARCH_X86_64", ... */
        char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", ... */
        char *listener_path;
        char *listener_metadata;
        struct oci_seccomp_rule *rules;
        size_t n_rules;
};

struct oci_time_offset {
        bool present;
        int64_t secs;
        uint32_t nanosecs;
};

struct oci_personality {
        bool present;
        unsigned long domain; /* PER_LINUX or PER_LINUX32 */
        char **flags;
};

struct oci_linux {
        struct oci_namespace *namespaces;
        size_t n_namespaces;
        struct oci_id_mapping *uid_mappings;
        size_t n_uid_mappings;
        struct oci_id_mapping *gid_mappings;
        size_t n_gid_mappings;
        struct oci_time_offset time_monotonic;
        struct oci_time_offset time_boottime;
        struct oci_device *devices;
        size_t n_devices;
        char *cgroups_path;
        bool has_resources;
        struct oci_resources resources;
        char **sysctl; /* alternating key and value */
        struct oci_seccomp *seccomp; /* NULL: none */
        unsigned long rootfs_propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE or 0 */
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        struct oci_personality personality;
};

struct oci_spec {
        char *oci_version;
        char *root_path; /* as written; absolute or relative to the bundle */
        bool root_readonly;
        bool has_process;
        struct oci_process process;
        char *hostname;
        char *domainname;
        struct oci_mount *mounts;
        size_t n_mounts;
        struct oci_hooks hooks;
        char **annotations; /* alternating key and value */
        struct oci_linux linux;
};

/* Parses and validates config.json text. Owned result; errors name the field ("process.rlimits[2].type: ..."). */
int spec_parse(const char *data, size_t len, struct oci_spec **ret, struct berr **err);
/* Reads and parses <bundle>/config.json. */
int spec_load_bundle(const char *bundle, struct oci_spec **ret, struct berr **err);
/* Parses a single "process" object (exec --process FILE). */
int spec_parse_process(const char *data, size_t len, struct oci_process *ret, struct berr **err);
/* Parses a "resources" object (update --resources FILE). */
int spec_parse_resources(const char *data, size_t len, struct oci_resources *ret, struct berr **err);
/* Accepts NULL; returns NULL. */
struct oci_spec *spec_free(struct oci_spec *spec);
void oci_process_done(struct oci_process *p);
void oci_resources_done(struct oci_resources *r);

/* True when the spec asks for a namespace of this type (new or joined); its entry via ret. */
bool spec_has_namespace(const struct oci_spec *spec, enum oci_namespace_type type, const struct oci_namespace **ret);

/* The default config.json that `spec` writes (runc's defaults: sh, caps, mounts, masked paths);
 * rootless adds a user namespace mapping the caller and drops what needs real root. Owned JSON text. */
char *spec_default_json(bool rootless);

/* Name tables, shared with `features`. Return NULL / -EINVAL when unknown. */
const char *oci_namespace_type_to_string(enum oci_namespace_type t);
enum oci_namespace_type oci_namespace_type_from_string(const char *s);
int oci_capability_from_string(const char *s); /* "CAP_SYS_ADMIN" -> 21 */
const char *oci_capability_to_string(int cap);
int oci_rlimit_from_string(const char *s); /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE */
const char *oci_seccomp_action_to_string(enum oci_seccomp_action a);
const char *oci_hook_kind_to_string(enum oci_hook_kind k); /* "prestart", "createRuntime", ... */
enum oci_hook_kind oci_hook_kind_from_string(const char *s);
const char *oci_rlimit_to_string(int resource); /* RLIMIT_NOFILE -> "RLIMIT_NOFILE" */
enum oci_seccomp_action oci_seccomp_action_from_string(const char *s); /* "SCMP_ACT_ERRNO" */
enum oci_seccomp_op oci_seccomp_op_from_string(const char *s);         /* "SCMP_CMP_MASKED_EQ" */
const char *oci_seccomp_op_to_string(enum oci_seccomp_op op);
/* NULL-terminated static lists of the names accepted in linux.seccomp.architectures and .flags,
 * and of process.scheduler.policy values; for `features`. */
const char *const *oci_seccomp_arch_names(void);
const char *const *oci_seccomp_flag_names(void);
int oci_sched_policy_from_string(const char *s); /* "SCHED_FIFO" -> SCHED_FIFO, -EINVAL if unknown */
int oci_sched_flag_from_string(const char *s);   /* "SCHED_FLAG_RESET_ON_FORK" -> 0x01, -EINVAL */
int oci_ioprio_class_from_string(const char *s); /* "IOPRIO_CLASS_BE" -> 2, -EINVAL */

/* The runtime-spec "state" document: ociVersion, id, status, pid, bundle and annotations
 * (alternating keys and values; NULL or empty: omitted). Owned JSON text, compact. */
char *spec_state_json(const char *id, const char *status, pid_t pid, const char *bundle, char **annotations);

static inline void spec_freep(struct oci_spec **p)
{
        if (*p)
                spec_free(*p);
}
