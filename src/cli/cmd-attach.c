/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth attach [--no-stdin] [--sig-proxy] [--detach-keys] CONTAINER: joins a
 * running container's stdio through its monitor's attach socket. The detach
 * sequence (ctrl-p ctrl-q by default) typed on stdin leaves the container
 * running; otherwise attach ends with the container and returns its exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/monitor.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

#define DETACH_KEYS_MAX 16

/* docker's --detach-keys: "ctrl-p,ctrl-q", "a,ctrl-z". Returns the byte count, <0 when invalid. */
int cli_parse_detach_keys(const char *s, unsigned char *ret, size_t max);
int cli_parse_detach_keys(const char *s, unsigned char *ret, size_t max)
{
        _cleanup_(strv_freep) char **keys = strv_split(s, ",");
        size_t n = 0;

        for (char **k = keys; k && *k; k++) {
                const char *c = startswith(*k, "ctrl-");
                if (n >= max)
                        return -EINVAL;
                if (c && strlen(c) == 1 && ((c[0] >= 'a' && c[0] <= 'z') || strchr("@[\\]^_", c[0])))
                        ret[n++] = (unsigned char)(c[0] >= 'a' && c[0] <= 'z' ? c[0] - 'a' + 1 : c[0] - '@');
                else if (!c && strlen(*k) == 1)
                        ret[n++] = (unsigned char)(*k)[0];
                else
                        return -EINVAL;
        }
        return n > 0 ? (int)n : -EINVAL;
}

int cmd_attach(struct cli *cli, int argc, char **argv)
{
        enum { A_NO_STDIN = 1000, A_SIG_PROXY, A_DETACH_KEYS };
        static const struct option opts[] = {
                {"no-stdin", no_argument, NULL, A_NO_STDIN},
                {"sig-proxy", optional_argument, NULL, A_SIG_PROXY},
                {"detach-keys", required_argument, NULL, A_DETACH_KEYS},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_close_ int fd = -1;
        unsigned char keys[DETACH_KEYS_MAX] = {0x10, 0x11};
        struct cli_detach d = {.keys = keys, .n = 2};
        struct json_object *cfg = NULL, *v = NULL;
        bool no_stdin = false, sig_proxy = true, tty = false, open_stdin = false;
        struct engine *e;
        char frame[2];
        int c, r;

        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case A_NO_STDIN:
                        no_stdin = true;
                        break;
                case A_SIG_PROXY:
                        sig_proxy = !optarg || streq(optarg, "true");
                        break;
                case A_DETACH_KEYS:
                        r = cli_parse_detach_keys(optarg, keys, sizeof(keys));
                        if (r < 0)
                                return cli_usage_error("attach", "invalid detach keys (%s) provided", optarg);
                        d.n = (size_t)r;
                        break;
                case 'h':
                        puts("Usage:  berth attach [OPTIONS] CONTAINER\n\nAttach local standard input, output, and "
                             "error streams to a running container\n\nOptions:\n"
                             "      --detach-keys string   Override the key sequence for detaching a container\n"
                             "      --no-stdin             Do not attach STDIN\n"
                             "      --sig-proxy            Proxy all received signals to the process (default true)");
                        return 0;
                default:
                        return cli_usage_error("attach", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind != 1)
                return cli_usage_error("attach", "\"attach\" requires exactly 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = engine_container_find(e, argv[optind], &ctr, &err);
        if (r < 0)
                return cli_error(err);
        if (r == 0) {
                fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[optind]);
                return EXIT_FAILED;
        }
        if (ctr->state != ENGINE_STATE_RUNNING) {
                fprintf(stderr, "Error response from daemon: You cannot attach to a stopped container, start it "
                                "first\n");
                return EXIT_FAILED;
        }
        if (json_object_object_get_ex(ctr->config, "Config", &cfg)) {
                if (json_object_object_get_ex(cfg, "Tty", &v))
                        tty = json_object_get_boolean(v);
                if (json_object_object_get_ex(cfg, "OpenStdin", &v))
                        open_stdin = json_object_get_boolean(v);
        }
        fd = engine_attach_connect(e, ctr->id, &err);
        if (fd < 0)
                return cli_error(err);
        frame[0] = MONITOR_ATTACH;
        frame[1] = (char)(MONITOR_ATTACH_STDOUT | MONITOR_ATTACH_STDERR |
                          (open_stdin && !no_stdin ? MONITOR_ATTACH_STDIN : 0));
        if (send(fd, frame, sizeof(frame), MSG_NOSIGNAL) < 0) {
                fprintf(stderr, "Error response from daemon: container %s is not running\n", argv[optind]);
                return EXIT_FAILED;
        }
        if (!(open_stdin && !no_stdin))
                d.n = 0;
        r = cli_attach_loop(fd, open_stdin && !no_stdin, tty, sig_proxy, &d);
        if (r == -2) {
                fputs("read escape sequence\n", stderr);
                return 0;
        }
        if (r < 0) {
                /* the monitor went away without an exit frame: the record has the code */
                int code = 0;
                if (engine_wait(e, ctr, &code, NULL) == 0)
                        return code;
                return EXIT_FAILED;
        }
        return r;
}
