/* SPDX-License-Identifier: Apache-2.0 */
/* docker's container inspect document (Engine API ContainerInspectResponse) from a record. */

#include <string.h>

#include "engine/engine.h"
#include "engine/health.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/path.h"
#include "lib/util.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

static struct json_object *jget(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

static struct json_object *copy_or(struct json_object *v, struct json_object *dflt)
{
        if (v) {
                if (dflt)
                        json_object_put(dflt);
                return json_object_get(v);
        }
        return dflt;
}

static struct json_object *state_json(const struct engine_container *c)
{
        struct json_object *s = json_new_object();
        const char *status = c->state == ENGINE_STATE_CREATING ? "created" : engine_state_to_string(c->state);

        json_add_string(s, "Status", status);
        json_add_bool(s, "Running", c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED);
        json_add_bool(s, "Paused", c->state == ENGINE_STATE_PAUSED);
        json_add_bool(s, "Restarting", c->state == ENGINE_STATE_RESTARTING);
        json_add_bool(s, "OOMKilled", c->oom_killed);
        json_add_bool(s, "Dead", c->state == ENGINE_STATE_DEAD);
        json_add_int(s, "Pid", c->pid);
        json_add_int(s, "ExitCode", c->exit_code);
        json_add_string(s, "Error", c->error ? c->error : "");
        json_add_string(s, "StartedAt", c->started_at ? c->started_at : ZERO_TIME);
        json_add_string(s, "FinishedAt", c->finished_at ? c->finished_at : ZERO_TIME);
        return s;
}

static struct json_object *mounts_json(struct json_object *hc)
{
        struct json_object *a = json_new_array(), *binds = jget(hc, "Binds");

        for (size_t i = 0; binds && i < json_array_len(binds); i++) {
                const char *b = json_object_get_string(json_object_array_get_idx(binds, i));
                _cleanup_(strv_freep) char **p = strv_split(b, ":");
                struct json_object *m;

                if (!b || strv_length(p) < 2 || p[0][0] != '/')
                        continue; /* volumes: volume_inspect_mounts() */
                m = json_new_object();
                json_add_string(m, "Type", "bind");
                json_add_string(m, "Source", p[0]);
                json_add_string(m, "Destination", p[1]);
                json_add_string(m, "Mode", p[2] ? p[2] : "");
                json_add_bool(m, "RW", !(p[2] && strstr(p[2], "ro")));
                json_add_string(m, "Propagation", "rprivate");
                json_append(a, m);
        }
        return a;
}

struct json_object *engine_inspect_json(struct engine *e, const struct engine_container *c)
{
        struct json_object *d = json_new_object(), *cfg = jget(c->config, "Config"), *hc = jget(c->config, "HostConfig");
        struct json_object *entry = jget(cfg, "Entrypoint"), *cmd = jget(cfg, "Cmd"), *args = json_new_array();
        struct json_object *gd = json_new_object(), *gdd = json_new_object(), *ns = json_new_object();
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *log = engine_container_log_path(e, c->id);
        _cleanup_free_ char *resolv = path_join(dir, "resolv.conf"), *hostname = path_join(dir, "hostname"),
                            *hosts = path_join(dir, "hosts"), *name = xasprintf("/%s", c->name),
                            *upper = path_join(dir, "upper"), *work = path_join(dir, "work"),
                            *merged = path_join(dir, "rootfs");
        const char *path = NULL;
        size_t skip = 0;

        json_add_string(d, "Id", c->id);
        json_add_string(d, "Created", c->created);
        /* Path is the first word of entrypoint+cmd, Args the rest */
        if (entry && json_array_len(entry) > 0) {
                path = json_object_get_string(json_object_array_get_idx(entry, 0));
                for (size_t i = 1; i < json_array_len(entry); i++)
                        json_append(args, json_object_get(json_object_array_get_idx(entry, i)));
        } else if (cmd && json_array_len(cmd) > 0) {
                path = json_object_get_string(json_object_array_get_idx(cmd, 0));
                skip = 1;
        }
        for (size_t i = skip; cmd && i < json_array_len(cmd); i++)
                json_append(args, json_object_get(json_object_array_get_idx(cmd, i)));
        json_add_string(d, "Path", path ? path : "");
        json_add(d, "Args", args);
        json_add(d, "State", state_json(c));
        health_inspect_add(e->db, c->id, jget(d, "State"));
        json_add_string(d, "Image", c->image_id);
        json_add_string(d, "ResolvConfPath", resolv);
        json_add_string(d, "HostnamePath", hostname);
        json_add_string(d, "HostsPath", hosts);
        json_add_string(d, "LogPath", log);
        json_add_string(d, "Name", name);
        json_add_int(d, "RestartCount", c->restart_count);
        json_add_string(d, "Driver", "overlay");
        json_add_string(d, "Platform", "linux");
        json_add_string(d, "MountLabel", "");
        json_add_string(d, "ProcessLabel", "");
        json_add_string(d, "AppArmorProfile", "");
        json_add(d, "ExecIDs", NULL);
        json_add(d, "HostConfig", copy_or(hc, json_new_object()));
        json_add_string(gdd, "UpperDir", upper);
        json_add_string(gdd, "WorkDir", work);
        json_add_string(gdd, "MergedDir", merged);
        json_add(gd, "Data", gdd);
        json_add_string(gd, "Name", "overlay");
        json_add(d, "GraphDriver", gd);
        json_add(d, "Mounts", mounts_json(hc));
        volume_inspect_mounts(c->config, jget(d, "Mounts"));
        json_add(d, "Config", copy_or(cfg, json_new_object()));
        json_add_string(ns, "SandboxID", "");
        json_add(ns, "Ports", json_new_object());
        json_add(ns, "Networks", json_new_object());
        json_add(d, "NetworkSettings", ns);
        return d;
}
