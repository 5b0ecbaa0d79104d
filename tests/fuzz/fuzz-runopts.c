/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: docker run's option values (engine/runopts.c and what it calls:
 * volume_parse_mount, monitor_restart_parse, health_parse_duration, parse_size,
 * parse_signal...), then the record they make turned into config.json by
 * spec_gen (which parses -v binds, --tmpfs, --device, --ulimit, the seccomp
 * profile...), then that config.json read back by the runtime's spec_parse.
 *
 * Input: records "<selector byte><value>\n"; the selector picks the flag. A
 * selector of 0xff makes the rest of the input an --env-file's text.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/runopts.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "tests/fuzz/fuzz-spec-gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX (64 * 1024)
#define FUZZ_OPTS_MAX 64

static const int flags[] = {
        'i', 't', OPT_RM, OPT_NAME, 'e', 'w', 'u', OPT_ENTRYPOINT, 'h', OPT_READ_ONLY, 'm', OPT_MEMORY_SWAP,
        OPT_SHM_SIZE, OPT_CPUS, 'c', OPT_CPUSET_CPUS, OPT_PIDS_LIMIT, OPT_ULIMIT, OPT_CAP_ADD, OPT_CAP_DROP,
        OPT_PRIVILEGED, OPT_SECURITY_OPT, OPT_DEVICE, OPT_SYSCTL, OPT_OOM_SCORE_ADJ, OPT_NETWORK, OPT_INIT,
        OPT_RESTART, OPT_STOP_SIGNAL, OPT_STOP_TIMEOUT, 'l', OPT_LOG_OPT, OPT_LOG_DRIVER, OPT_GROUP_ADD, OPT_TMPFS,
        OPT_HEALTH_CMD, OPT_HEALTH_INTERVAL, OPT_HEALTH_RETRIES, OPT_HEALTH_TIMEOUT, OPT_HEALTH_START_PERIOD,
        OPT_NO_HEALTHCHECK, OPT_MOUNT, 'v',
};

/* Values that would make the code touch the host: files read by path, bind sources created. */
static bool harmless(int flag, const char *v)
{
        if (flag == OPT_SECURITY_OPT && (startswith(v, "seccomp=") || startswith(v, "seccomp:")))
                return streq(v + 8, "unconfined");
        if (flag == 'v' && v[0] == '/')
                return startswith(v, "/tmp:") || streq(v, "/tmp"); /* spec_gen creates missing bind sources */
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = NULL;
        struct runopts ro = { 0 };
        struct berr *err = NULL;
        size_t n_opts = 0;
        char *p, *end;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        text = xstrndup((const char *) data, size); /* stops at a NUL: values are C strings */
        end = text + strlen(text);
        for (p = text; p < end && n_opts < FUZZ_OPTS_MAX; n_opts++) {
                unsigned char sel = (unsigned char) *p++;
                char *nl;
                int flag;

                if (sel == 0xff) {
                        struct json_object *env = json_new_array();
                        (void) runopts_parse_env_file(p, (size_t) (end - p), env, &err);
                        json_object_put(env);
                        berr_free(err);
                        err = NULL;
                        break;
                }
                nl = strchr(p, '\n');
                if (nl)
                        *nl = 0;
                flag = flags[sel % (sizeof(flags) / sizeof(flags[0]))];
                if (harmless(flag, p) && runopts_apply(&ro, flag, p, &err) < 0) {
                        berr_free(err);
                        err = NULL;
                }
                p = nl ? nl + 1 : end;
        }
        if (runopts_finish(&ro, n_opts % 2, &err) == 0) {
                _cleanup_(json_object_putp) struct json_object *config = runopts_to_config(&ro);
                fuzz_spec_gen(config);
        }
        berr_free(err);
        runopts_done(&ro);
        return 0;
}
