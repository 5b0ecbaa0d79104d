/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Containers run with `--runtime PATH`: the external OCI runtime is driven
 * through runc's command line (`RUNTIME --root ROOT verb ... ID`) wherever
 * the in-process runtime would be called.
 */

#include <stdbool.h>

struct berr;
struct engine;
struct engine_container;
struct exec_opts;

/* Most bytes of a runtime's stdout kept (events --stats, ps --format json) and of its stderr. */
#define EXTRT_OUTPUT_MAX (1U << 20)
#define EXTRT_STDERR_MAX 4096

/* HostConfig.Runtime of the container, or NULL for the in-process runtime. Borrowed from c. */
const char *engine_container_runtime(const struct engine_container *c);
/* The runtime state root for runtime (NULL: the in-process one): <runroot>/<basename>. Owned. */
char *engine_runtime_root_of(const struct engine *e, const char *runtime);

/*
 * Runs `runtime --root root args...` with /dev/null as stdin and waits. ret_out (may be NULL: the
 * output is dropped) gets its stdout; a failure's error carries the runtime's stderr.
 */
int extrt_run(const char *runtime, const char *root, char *const *args, char **ret_out, struct berr **err);

/*
 * A process in the running container c: container_exec() in-process, `RUNTIME exec` otherwise (our
 * stdio, the options of eo as runc's exec flags). ret_status: the process's exit status.
 */
int engine_exec(struct engine *e, const struct engine_container *c, const struct exec_opts *eo, int *ret_status,
                struct berr **err);
