/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Healthchecks with docker's semantics. The container's monitor starts one
 * checker process (health_start) when the container runs and stops it when
 * the container ends; the checker reads the Healthcheck of the container's
 * record, runs the test inside the container through the runtime's exec path
 * every interval, and keeps the state in the "health" schema of the store's
 * database, which inspect (State.Health) and ps ("(healthy)") read.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct db;

#define HEALTH_LOG_MAX             5
#define HEALTH_OUTPUT_MAX          4096
#define HEALTH_DEFAULT_INTERVAL_NS (30LL * 1000000000LL)
#define HEALTH_DEFAULT_TIMEOUT_NS  (30LL * 1000000000LL)
#define HEALTH_DEFAULT_RETRIES     3

enum health_status {
        HEALTH_STARTING,
        HEALTH_HEALTHY,
        HEALTH_UNHEALTHY,
        _HEALTH_STATUS_MAX,
        _HEALTH_STATUS_INVALID = -22,
};
const char *health_status_to_string(enum health_status s);

struct health_state {
        enum health_status status;
        unsigned failing_streak;
};
/* docker's rule for one result: success makes it healthy; a failure counts unless it falls in the
 * start period, and retries consecutive counted failures make it unhealthy. Pure. */
void health_apply_result(struct health_state *s, bool success, bool in_start_period, unsigned retries);

/* True when the container's record config (the object with "Config") has a check to run: the CLI
 * then asks the monitor for a checker. */
bool health_configured(struct json_object *config);
/* The monitor's hook: forks the checker (returns its pid, or -1 when it could not fork). The checker
 * exits at once when the container has no healthcheck. */
pid_t health_start(const char *db_path, const char *id, const char *runtime_root, const char *runtime);
/* Stops the checker (SIGKILL; the monitor's waitpid loop reaps it). */
void health_stop(pid_t pid);

/* docker's State.Health of the container, NULL when it has no health record. Owned. */
struct json_object *health_inspect_json(struct db *db, const char *id);
/* "healthy", "unhealthy", "health: starting" for ps, NULL when none. Owned. */
char *health_ps_suffix(struct db *db, const char *id);
/* Adds "Health" to an inspect State object when the container has a health record. */
void health_inspect_add(struct db *db, const char *id, struct json_object *state);
/* Go's durations as docker takes them: "30s", "1m30s", "500ms", "1h", "2.5s". Pure. */
int health_parse_duration(const char *s, int64_t *ret_ns);
