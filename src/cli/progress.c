/* SPDX-License-Identifier: Apache-2.0 */
/* Terminal progress bars in docker's shape, silent when output is not a terminal. */
#include <unistd.h>

#include "cli/progress.h"
#include "cli/table.h"

#define PROGRESS_BAR_WIDTH 50

void progress_init(struct progress *p, FILE *out, bool quiet)
{
        p->out = out;
        p->enabled = !quiet && isatty(fileno(out));
        p->open = false;
}

void progress_update(struct progress *p, const char *label, uint64_t done, uint64_t total)
{
        char bar[PROGRESS_BAR_WIDTH + 1], a[32], b[32];
        size_t fill = 0;

        if (!p->enabled)
                return;
        if (total > 0)
                fill = (size_t)(done >= total ? PROGRESS_BAR_WIDTH : done * PROGRESS_BAR_WIDTH / total);
        for (size_t i = 0; i < PROGRESS_BAR_WIDTH; i++)
                bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
        bar[PROGRESS_BAR_WIDTH] = 0;
        if (total > 0)
                fprintf(p->out, "\r%s [%s]  %s/%s", label, bar, format_size((double)done, a, sizeof(a)),
                        format_size((double)total, b, sizeof(b)));
        else
                fprintf(p->out, "\r%s  %s", label, format_size((double)done, a, sizeof(a)));
        p->open = true;
        if (total > 0 && done >= total) {
                fputc('\n', p->out);
                p->open = false;
        }
        fflush(p->out);
}

void progress_done(struct progress *p)
{
        if (p->enabled && p->open) {
                fputc('\n', p->out);
                p->open = false;
        }
}
