/* progress.c — see progress.h. */
#include "cli/progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PROGRESS__INTERVAL_NS 100000000LL /* ~10 redraws per second at most */
#define PROGRESS__BAR 20

int64_t progress_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void progress_init(struct progress *p, const char *label, int64_t total_bytes, bool enabled)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->label = label;
    p->total_bytes = total_bytes > 0 ? total_bytes : 0;
    p->start_ns = progress_now_ns();
}

/* n with thousands separators into out[cap]. */
static void progress__group(int64_t n, char *out, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%" PRId64, n < 0 ? 0 : n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static void progress__draw(struct progress *p, int64_t count, int64_t bytes_done, int64_t now)
{
    double secs = (double)(now - p->start_ns) / 1e9;
    double rate = secs > 0 ? (double)count / secs : 0;
    char c[32], r[32], line[160];
    progress__group(count, c, sizeof c);
    progress__group((int64_t)rate, r, sizeof r);
    if (p->total_bytes > 0) {
        double frac = (double)bytes_done / (double)p->total_bytes;
        if (frac > 1)
            frac = 1;
        char bar[PROGRESS__BAR + 1];
        int fill = (int)(frac * PROGRESS__BAR);
        for (int i = 0; i < PROGRESS__BAR; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[PROGRESS__BAR] = '\0';
        char eta[32] = "--:--";
        if (frac > 0.001 && secs > 0.2) {
            int64_t left = (int64_t)(secs / frac - secs + 0.5);
            snprintf(eta, sizeof eta, "%" PRId64 ":%02" PRId64, left / 60, left % 60);
        }
        snprintf(line, sizeof line, "[%s] %3d%%  %s %s  %s/s  ETA %s", bar, (int)(frac * 100), c,
                 p->label, r, eta);
    } else {
        snprintf(line, sizeof line, "%s %s  %s/s", c, p->label, r);
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = true;
    p->last_ns = now;
}

void progress_update(struct progress *p, int64_t count, int64_t bytes_done)
{
    if (!p->enabled)
        return;
    int64_t now = progress_now_ns();
    if (p->drawn && now - p->last_ns < PROGRESS__INTERVAL_NS)
        return;
    progress__draw(p, count, bytes_done, now);
}

void progress_clear(struct progress *p)
{
    if (!p->enabled || !p->drawn)
        return;
    fprintf(stderr, "\r\033[K");
    p->drawn = false;
}

void progress_finish(struct progress *p, int64_t count, int64_t bytes_done)
{
    if (!p->enabled)
        return;
    progress__draw(p, count, bytes_done, progress_now_ns());
    fputc('\n', stderr);
    p->drawn = false;
}
