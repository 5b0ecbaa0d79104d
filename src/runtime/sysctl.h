/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * linux.sysctl, hostname and domainname. Only sysctls the kernel keeps per
 * namespace are accepted, and only when the container has that namespace:
 *   kernel.msgmax, msgmnb, msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced, fs.mqueue.*  (ipc)
 *   net.*                                                                                   (network, not the host's)
 * kernel.hostname and kernel.domainname are refused: use the hostname/domainname fields.
 */

struct berr;
struct oci_spec;

/* Checks names and namespaces before anything runs; errors name the key. */
int sysctl_validate(const struct oci_spec *spec, struct berr **err);
/* Writes each value to /proc/sys/<key> of the container (after pivot_root, with its /proc mounted). */
int sysctl_apply(const struct oci_spec *spec, struct berr **err);
/* sethostname/setdomainname; needs a new UTS namespace when either is set. */
int uts_apply(const struct oci_spec *spec, struct berr **err);
