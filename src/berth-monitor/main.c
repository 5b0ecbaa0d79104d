/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-monitor: the per-container monitor (engine/monitor.c) as a program of
 * its own, so that each running container costs only a small process that
 * links what it needs, not the whole CLI. Started by `berth run/start`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/monitor.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "id", required_argument, NULL, 'i' },           { "bundle", required_argument, NULL, 'b' },
                { "rootfs", required_argument, NULL, 'f' },       { "state-dir", required_argument, NULL, 's' },
                { "runtime-root", required_argument, NULL, 'R' }, { "runtime", required_argument, NULL, 'r' },
                { "db", required_argument, NULL, 'd' },           { "log", required_argument, NULL, 'l' },
                { "log-max-size", required_argument, NULL, 'm' }, { "log-max-file", required_argument, NULL, 'n' },
                { "cgroups-path", required_argument, NULL, 'c' }, { "restart", required_argument, NULL, 'p' },
                { "tty", no_argument, NULL, 't' },                { "stdin", no_argument, NULL, 'I' },
                { "rm", no_argument, NULL, 'x' },                 { "ctl-fd", required_argument, NULL, 'C' },
                { "healthcheck", no_argument, NULL, 'H' },
                { NULL, 0, NULL, 0 },
        };
        struct monitor_opts o = { .ctl_fd = -1, .log_max_file = 1 };
        struct berr *err = NULL;
        uint32_t u;
        int c, v;

        log_set_program("berth-monitor");
        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (c) {
                case 'i': o.id = optarg; break;
                case 'b': o.bundle = optarg; break;
                case 'f': o.rootfs = optarg; break;
                case 's': o.state_dir = optarg; break;
                case 'R': o.runtime_root = optarg; break;
                case 'r': o.runtime = optarg; break;
                case 'd': o.db_path = optarg; break;
                case 'l': o.log_path = optarg; break;
                case 'c': o.cgroups_path = optarg; break;
                case 't': o.tty = true; break;
                case 'I': o.open_stdin = true; break;
                case 'x': o.autoremove = true; break;
                case 'H': o.healthcheck = true; break;
                case 'm':
                        if (parse_size(optarg, &o.log_max_size) < 0)
                                return 2;
                        break;
                case 'n':
                        if (parse_uint32(optarg, &u) < 0 || u < 1)
                                return 2;
                        o.log_max_file = u;
                        break;
                case 'p':
                        if (monitor_restart_parse(optarg, &o.restart, &o.max_retries, &err) < 0)
                                return 2;
                        break;
                case 'C':
                        if (parse_int(optarg, &v) < 0 || v < 0)
                                return 2;
                        o.ctl_fd = v;
                        break;
                default:
                        return 2;
                }
        }
        if (!o.id || !o.bundle || !o.state_dir || !o.runtime_root || !o.db_path)
                return 2;
        return monitor_main(&o);
}
