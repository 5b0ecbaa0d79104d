/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `features`: the runtime-spec features document (features.md) describing
 * what this build and this host support. The name lists come from the parts
 * that implement them (spec name tables, libseccomp), not from a copy here,
 * so the document stays truthful as they change; LSMs are reported enabled
 * only when the kernel has them active.
 */

#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/container.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#define CAP_PROBE_MAX 64

/* Options the mount plan (mounts-plan.c) accepts. */
static const char *const mount_options[] = {
        "async",      "atime",       "bind",        "defaults",   "dev",         "diratime",   "dirsync",
        "exec",       "idmap",       "iversion",    "lazytime",   "loud",        "mand",       "noatime",
        "nodev",      "nodiratime",  "noexec",      "noiversion", "nolazytime",  "nomand",     "norelatime",
        "nostrictatime", "nosuid",   "nosymfollow", "private",    "ratime",      "rbind",      "rdev",
        "rdiratime",  "relatime",    "remount",     "rexec",      "ridmap",      "rnoatime",   "rnodev",
        "rnodiratime", "rnoexec",    "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro",
        "rprivate",   "rrelatime",   "rro",         "rrw",        "rshared",     "rslave",     "rstrictatime",
        "rsuid",      "rsymfollow",  "runbindable", "rw",         "shared",      "silent",     "slave",
        "strictatime", "suid",       "symfollow",   "sync",       "tmpcopyup",   "unbindable", NULL,
};

static const char *const seccomp_operators[] = {
        "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
        "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

static bool file_starts_with(const char *path, const char *prefix)
{
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (read_file_at(AT_FDCWD, path, 4096, &data, &len, NULL) < 0)
                return false;
        return startswith(data, prefix) != NULL;
}

static struct json_object *enabled(bool on)
{
        struct json_object *o = json_new_object();
        json_add_bool(o, "enabled", on);
        return o;
}

static struct json_object *strv_take_json(char **v)
{
        struct json_object *a = json_strv_new(v);
        strv_free(v);
        return a;
}

static struct json_object *linux_features(void)
{
        struct json_object *l = json_new_object(), *ns = json_new_array(), *caps = json_new_array();
        struct json_object *cg = json_new_object(), *sc = json_new_object(), *mext = json_new_object();
        char **flags;

        for (int t = 0; t < _OCI_NS_MAX; t++)
                json_append(ns, json_object_new_string(oci_namespace_type_to_string(t)));
        json_add(l, "namespaces", ns);
        for (int c = 0; c < CAP_PROBE_MAX; c++) {
                const char *name = oci_capability_to_string(c);
                if (name)
                        json_append(caps, json_object_new_string(name));
        }
        json_add(l, "capabilities", caps);
        json_add_bool(cg, "v1", true);
        json_add_bool(cg, "v2", true);
        json_add_bool(cg, "systemd", false);
        json_add_bool(cg, "systemdUser", false);
        json_add_bool(cg, "rdma", false);
        json_add(l, "cgroup", cg);
        json_add_bool(sc, "enabled", true);
        json_add(sc, "actions", strv_take_json(seccomp_known_actions()));
        json_add(sc, "operators", json_strv_new((char *const *) seccomp_operators));
        json_add(sc, "archs", strv_take_json(seccomp_known_archs()));
        flags = seccomp_known_flags();
        json_add(sc, "knownFlags", json_strv_new(flags));
        json_add(sc, "supportedFlags", strv_take_json(flags));
        json_add(l, "seccomp", sc);
        json_add(l, "apparmor", enabled(file_starts_with("/sys/module/apparmor/parameters/enabled", "Y")));
        json_add(l, "selinux", enabled(access("/sys/fs/selinux/enforce", F_OK) == 0));
        json_add(l, "intelRdt", enabled(false));
        json_add(mext, "idmap", enabled(true));
        json_add(l, "mountExtensions", mext);
        return l;
}

char *runtime_features_json(void)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        struct json_object *hooks = json_new_array(), *ann = json_new_object();

        json_add_string(o, "ociVersionMin", "1.0.0");
        json_add_string(o, "ociVersionMax", BERTH_SPEC_VERSION);
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                json_append(hooks, json_object_new_string(oci_hook_kind_to_string(k)));
        json_add(o, "hooks", hooks);
        json_add(o, "mountOptions", json_strv_new((char *const *) mount_options));
        json_add(o, "linux", linux_features());
        json_add_string(ann, "io.github.berth.runtime.version", BERTH_VERSION);
        json_add_string(ann, "io.github.berth.runtime.exec-protection", "PR_SET_DUMPABLE=0");
        json_add(o, "annotations", ann);
        return json_dump(o, true);
}
