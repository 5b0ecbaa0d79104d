/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The last steps before execve(2) of the container's process (init or exec):
 * identity, capabilities, limits, scheduling, LSM labels and seccomp. The
 * order matters and is fixed here:
 *   process_apply_early()  in the parent or the child while still privileged:
 *                          rlimits, oom_score_adj, personality, scheduler, ioprio, umask, cwd check
 *   process_apply_identity() setgroups/setresgid/setresuid keeping capabilities, then the five
 *                          capability sets (libcap), no_new_privs, apparmor/selinux exec labels
 *   seccomp: see seccomp.h; loaded as the very last step before execve when noNewPrivileges is
 *            set, before process_apply_identity() otherwise (it needs CAP_SYS_ADMIN then)
 * exec_lookup() finds args[0] in the container's PATH like execvp, so a missing
 * command gives "executable file not found in $PATH" and exit status 127.
 */

#include <stdbool.h>
#include <sys/types.h>

struct berr;
struct oci_capabilities;
struct oci_personality;
struct oci_process;

int process_apply_early(const struct oci_process *p, struct berr **err);
int process_apply_identity(const struct oci_process *p, struct berr **err);
/* Sets CPU affinity for the process about to exec (execCPUAffinity.initial) - pid 0 is self. */
int process_apply_cpu_affinity(const char *cpus, pid_t pid, struct berr **err);
/* Resolves args[0] against PATH from env (or the default PATH). Owned result. ENOENT when not found,
 * EACCES when found but not executable. */
int exec_lookup(const struct oci_process *p, char **ret_path, struct berr **err);

/* linux.personality (PER_LINUX or PER_LINUX32); a no-op when not present. */
int process_apply_personality(const struct oci_personality *pers, struct berr **err);
/* chdir(process.cwd) inside the container, after pivot_root, with an error naming the directory. */
int process_chdir(const struct oci_process *p, struct berr **err);

/*
 * Capabilities (caps.c, with libcap). caps_drop_bounding() needs CAP_SETPCAP and so runs before the uid
 * changes; caps_apply() then sets the effective, permitted and inheritable sets and finally the ambient
 * set (a capability that is not both permitted and inheritable is skipped there, as runc and crun do with
 * their own default config). An absent process.capabilities means no
 * capabilities at all, as in runc. Capabilities this kernel does not know are skipped.
 */
int caps_drop_bounding(const struct oci_capabilities *caps, struct berr **err);
int caps_apply(const struct oci_capabilities *caps, struct berr **err);
/* The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int caps_last_cap(void);
