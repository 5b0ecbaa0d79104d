/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Berth's default seccomp profile: an allowlist with the same behaviour as
 * Docker's default (everything a normal program uses; kernel module, clock,
 * keyring, mount, namespace, tracing and other host-wide syscalls only with
 * the capability that would be needed anyway; other syscalls fail with
 * EPERM). The lists below are our own, grouped by purpose; syscalls this
 * architecture's libseccomp does not know are skipped by the runtime.
 */

#include <stdbool.h>
#include <string.h>

#include "engine/spec-gen.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/util.h"

static const char *const always_allowed[] = {
        /* files and descriptors */
        "open", "openat", "openat2", "creat", "close", "close_range", "read", "readv", "pread64", "preadv", "preadv2",
        "write", "writev", "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek", "dup", "dup2", "dup3", "fcntl",
        "fcntl64", "ioctl", "pipe", "pipe2", "stat", "stat64", "fstat", "fstat64", "lstat", "lstat64", "newfstatat",
        "fstatat64", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2",
        "readlink", "readlinkat", "getdents", "getdents64", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
        "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat",
        "fchmodat2", "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32", "truncate",
        "truncate64", "ftruncate", "ftruncate64", "fallocate", "fadvise64", "fadvise64_64", "fsync", "fdatasync",
        "sync", "syncfs", "sync_file_range", "chdir", "fchdir", "getcwd", "umask", "utime", "utimes", "utimensat",
        "utimensat_time64", "futimesat", "mknod", "mknodat", "copy_file_range", "sendfile", "sendfile64", "splice",
        "tee", "vmsplice", "flock", "memfd_create", "name_to_handle_at", "readahead", "getxattr", "lgetxattr",
        "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr",
        "lremovexattr", "fremovexattr", "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
        "fanotify_mark", "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",
        "io_pgetevents_time64", "io_uring_setup", "io_uring_enter", "io_uring_register", "landlock_create_ruleset",
        "landlock_add_rule", "landlock_restrict_self", "memfd_secret",
        /* polling and events */
        "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64", "epoll_create",
        "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old", "epoll_pwait",
        "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "timerfd_settime",
        "timerfd_settime64", "timerfd_gettime", "timerfd_gettime64",
        /* memory */
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "msync", "mincore", "madvise", "mlock", "mlock2",
        "munlock", "mlockall", "munlockall", "remap_file_pages", "membarrier", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "get_mempolicy", "set_mempolicy", "mbind", "set_mempolicy_home_node", "map_shadow_stack",
        /* processes and threads */
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid", "getpid", "getppid",
        "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "set_tid_address", "set_robust_list",
        "get_robust_list", "futex", "futex_time64", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue",
        "rseq", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
        "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_getattr", "sched_setattr", "getpriority",
        "setpriority", "ioprio_get", "ioprio_set", "prctl", "arch_prctl", "capget", "capset", "getrlimit",
        "ugetrlimit", "setrlimit", "prlimit64", "getrusage", "times", "uname", "sysinfo", "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "process_mrelease", "getcpu", "restart_syscall",
        "set_thread_area", "get_thread_area", "cacheflush", "riscv_flush_icache", "breakpoint", "arm_fadvise64_64",
        "arm_sync_file_range", "sync_file_range2", "s390_pci_mmio_read", "s390_pci_mmio_write",
        /* identity */
        "getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid", "getegid32", "getresuid",
        "getresuid32", "getresgid", "getresgid32", "getgroups", "getgroups32", "setuid", "setuid32", "setgid",
        "setgid32", "setreuid", "setreuid32", "setregid", "setregid32", "setresuid", "setresuid32", "setresgid",
        "setresgid32", "setgroups", "setgroups32", "setfsuid", "setfsuid32", "setfsgid", "setfsgid32",
        /* signals */
        "kill", "tkill", "tgkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
        "sigaction", "sigprocmask", "sigreturn", "sigpending", "sigsuspend", "sigaltstack", "signal", "pause",
        "alarm",
        /* time */
        "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
        "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "getitimer", "setitimer", "timer_create",
        "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64", "timer_getoverrun", "timer_delete",
        /* sockets */
        "socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
        "sendto", "send", "sendmsg", "sendmmsg", "recvfrom", "recv", "recvmsg", "recvmmsg", "recvmmsg_time64",
        "shutdown", "getsockopt", "setsockopt", "socketcall",
        /* IPC */
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl", "ipc", "mq_open", "mq_unlink", "mq_timedsend",
        "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
        NULL,
};

/* personality(2) with the values programs use (no READ_IMPLIES_EXEC tricks and the like). */
static const unsigned long personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

struct cap_group {
        const char *cap;
        const char *const names[24];
};

/* Syscalls allowed only with a capability (the kernel would refuse most of them without it anyway). */
static const struct cap_group cap_groups[] = {
        { "CAP_SYS_ADMIN",
          { "mount", "umount", "umount2", "unshare", "setns", "pivot_root", "chroot", "sethostname", "setdomainname",
            "quotactl", "quotactl_fd", "lookup_dcookie", "fsopen", "fsconfig", "fsmount", "fspick" } },
        { "CAP_SYS_ADMIN",
          { "open_tree", "move_mount", "mount_setattr", "fanotify_init", "bpf", "perf_event_open",
            "vm86", "vm86old", NULL } },
        { "CAP_SYS_BOOT", { "reboot", NULL } },
        { "CAP_SYS_CHROOT", { "chroot", NULL } },
        { "CAP_SYS_MODULE", { "init_module", "finit_module", "delete_module", NULL } },
        { "CAP_SYS_PACCT", { "acct", NULL } },
        { "CAP_SYS_PTRACE",
          { "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "process_madvise", NULL } },
        { "CAP_SYS_RAWIO", { "iopl", "ioperm", NULL } },
        { "CAP_SYS_TIME", { "settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime",
                            "clock_adjtime64", NULL } },
        { "CAP_SYS_TTY_CONFIG", { "vhangup", NULL } },
        { "CAP_SYS_NICE", { "move_pages", NULL } },
        { "CAP_SYSLOG", { "syslog", NULL } },
        { "CAP_BPF", { "bpf", NULL } },
        { "CAP_PERFMON", { "perf_event_open", NULL } },
        { "CAP_DAC_READ_SEARCH", { "open_by_handle_at", NULL } },
};

/* Namespace-creating clone flags: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME. */
#define CLONE_NS_FLAGS 0x7E020080UL

static struct json_object *rule(const char *const *names, const char *action)
{
        struct json_object *r = json_new_object(), *a = json_new_array();

        for (; *names; names++)
                json_append(a, json_object_new_string(*names));
        json_add(r, "names", a);
        json_add_string(r, "action", action);
        return r;
}

static struct json_object *arg(unsigned index, unsigned long value, unsigned long two, const char *op)
{
        struct json_object *o = json_new_object();

        json_add_int(o, "index", index);
        json_add(o, "value", json_object_new_uint64(value));
        json_add(o, "valueTwo", json_object_new_uint64(two));
        json_add_string(o, "op", op);
        return o;
}

static bool has_cap(char *const *caps, const char *cap)
{
        return strv_contains(caps, cap);
}

struct json_object *spec_gen_seccomp_default(char *const *caps)
{
        struct json_object *p = json_new_object(), *sys = json_new_array(), *archs = json_new_array();
        /* the native architecture and the ones its kernel also runs (each adds to the filter's length) */
        static const char *const arch_names[] = {
#if defined(__x86_64__)
                "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__aarch64__)
                "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#endif
                NULL
        };
        bool sys_admin = has_cap(caps, "CAP_SYS_ADMIN");

        json_add_string(p, "defaultAction", "SCMP_ACT_ERRNO");
        json_add_int(p, "defaultErrnoRet", 1); /* EPERM */
        for (const char *const *a = arch_names; *a; a++)
                json_append(archs, json_object_new_string(*a));
        json_add(p, "architectures", archs);
        json_append(sys, rule(always_allowed, "SCMP_ACT_ALLOW"));
        for (size_t i = 0; i < ELEMENTSOF(personalities); i++) {
                static const char *const pers[] = { "personality", NULL };
                struct json_object *r = rule(pers, "SCMP_ACT_ALLOW"), *args = json_new_array();
                json_append(args, arg(0, personalities[i], 0, "SCMP_CMP_EQ"));
                json_add(r, "args", args);
                json_append(sys, r);
        }
        if (sys_admin) {
                static const char *const clones[] = { "clone", "clone3", NULL };
                json_append(sys, rule(clones, "SCMP_ACT_ALLOW"));
        } else {
                static const char *const clone[] = { "clone", NULL }, *const clone3[] = { "clone3", NULL };
                struct json_object *r = rule(clone, "SCMP_ACT_ALLOW"), *args = json_new_array();
                /* s390 swaps the first two clone arguments; elsewhere the flags are argument 0 */
                json_append(args, arg(0, CLONE_NS_FLAGS, 0, "SCMP_CMP_MASKED_EQ"));
                json_add(r, "args", args);
                json_append(sys, r);
                /* clone3's flags are in memory, out of seccomp's reach: ENOSYS makes libc fall back to clone */
                r = rule(clone3, "SCMP_ACT_ERRNO");
                json_add_int(r, "errnoRet", 38);
                json_append(sys, r);
        }
        for (size_t i = 0; i < ELEMENTSOF(cap_groups); i++)
                if (has_cap(caps, cap_groups[i].cap) && cap_groups[i].names[0])
                        json_append(sys, rule(cap_groups[i].names, "SCMP_ACT_ALLOW"));
        json_add(p, "syscalls", sys);
        return p;
}
