/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Operations on a running container through the in-process runtime: pause,
 * unpause, live resource updates, one stats sample, its pids. A container run
 * with --runtime PATH gets the same through that runtime's command line.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct engine;
struct engine_container;

struct engine_stats {
        uint64_t cpu_ns;    /* CPU time used so far */
        uint64_t mem_usage; /* bytes */
        uint64_t mem_limit; /* bytes; UINT64_MAX: none */
        uint64_t pids;
        uint64_t blk_read, blk_write;
        uint64_t net_rx, net_tx;
};

int engine_pause(struct engine *e, struct engine_container *c, bool pause, struct berr **err);
int engine_stats_sample(struct engine *e, const struct engine_container *c, struct engine_stats *ret,
                        struct berr **err);
int engine_pids(struct engine *e, const struct engine_container *c, pid_t **ret, size_t *ret_n, struct berr **err);

struct engine_update {
        int64_t memory, memory_swap; /* 0: unchanged, -1 unlimited swap */
        int64_t nano_cpus;           /* 0: unchanged */
        uint64_t cpu_shares;         /* 0: unchanged */
        const char *cpuset_cpus;     /* NULL: unchanged */
        int64_t pids_limit;          /* 0: unchanged, -1 unlimited */
        const char *restart;         /* NULL: unchanged */
};
/*
 * docker's update rules for memory: the new limit and memory+swap total (OCI memory.swap; 0: no
 * swap limit, -1: unlimited) from the stored HostConfig Memory and MemorySwap and u. A new limit
 * alone keeps the total in effect (so cgroup v2's memory.swap.max, which is swap alone, is
 * recomputed) and must not exceed it; a total needs a limit and must not be below it (EINVAL).
 * Pure.
 */
int engine_update_memory(int64_t memory, int64_t memory_swap, const struct engine_update *u, int64_t *ret_memory,
                         int64_t *ret_swap, struct berr **err);
/* Records the new values in HostConfig and applies them live when the container runs. */
int engine_update(struct engine *e, struct engine_container *c, const struct engine_update *u, struct berr **err);

/* docker's CPU % from two samples: delta container CPU / delta wall time * 100 (per CPU, as
 * docker's cgroup v2 formula: 100% is one full CPU). Pure. */
double engine_stats_cpu_percent(uint64_t cpu0, uint64_t cpu1, uint64_t wall0_ns, uint64_t wall1_ns);
