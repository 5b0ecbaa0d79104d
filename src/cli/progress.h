/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Progress bars on a terminal, docker style:
 *   Loading layer [=========================>                        ]  12.3MB/24.6MB
 * Nothing is printed when the stream is not a terminal, so piped output stays parseable.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
        FILE *out;
        bool enabled; /* out is a terminal and the user did not ask for quiet */
        bool open;    /* a bar is on the current line */
};

void progress_init(struct progress *p, FILE *out, bool quiet);
/* Redraws the bar of label; ends the line when done == total (total > 0). */
void progress_update(struct progress *p, const char *label, uint64_t done, uint64_t total);
/* Ends a bar left open. */
void progress_done(struct progress *p);
