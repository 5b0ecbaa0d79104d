/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * linux.seccomp translated to a BPF filter with libseccomp: every action
 * (kill, kill_process, kill_thread, trap, errno with its value, trace, allow,
 * log, notify), argument comparisons, architectures and flags. Building is
 * separate from loading so a bad rule fails before the container starts.
 */

#include <stdbool.h>

struct berr;
struct oci_seccomp;
struct seccomp_program; /* opaque, owned */

/* Validates and compiles; unknown syscall names are skipped (as runc does) unless no name of the rule
 * is known on any listed architecture, which is an error naming it. */
int seccomp_program_new(const struct oci_seccomp *sc, struct seccomp_program **ret, struct berr **err);
/* The same, through the cache of compiled programs under state_root (NULL: none), see seccomp.c. */
int seccomp_program_new_cached(const struct oci_seccomp *sc, const char *state_root, struct seccomp_program **ret,
                               struct berr **err);
/* Installs the filter on the calling thread. With a notify action, returns the listener fd (>= 0),
 * otherwise 0. */
int seccomp_program_load(struct seccomp_program *prog, struct berr **err);
bool seccomp_program_uses_notify(const struct seccomp_program *prog);
struct seccomp_program *seccomp_program_free(struct seccomp_program *prog);
static inline void seccomp_program_freep(struct seccomp_program **p)
{
        if (*p)
                seccomp_program_free(*p);
}

/* Sends the listener fd to listenerPath (SCM_RIGHTS) with the container state JSON, as runtime-spec
 * describes for SCMP_ACT_NOTIFY. */
int seccomp_send_listener(const char *listener_path, int listener_fd, const char *state_json, struct berr **err);

/* For `features`: the names the running libseccomp knows. Owned strv. */
char **seccomp_known_actions(void);
char **seccomp_known_archs(void);
char **seccomp_known_flags(void);
