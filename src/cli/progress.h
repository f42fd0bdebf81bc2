/*
 * progress.h — a one-line progress display for long batch commands.
 *
 * Drawn on stderr only when stderr is a terminal (the caller decides, e.g.
 * isatty(STDERR_FILENO)), at most about ten times a second, as
 *     [#########-----------]  45%  123,456 listings  61,234/s  ETA 0:12
 * when the total amount of input (bytes) is known, or
 *     123,456 listings  61,234/s
 * when it is not. Disabled, every function does nothing, so piped output and
 * logs stay clean.
 *
 * Ownership: a struct progress is the caller's (usually on its stack); label
 * is borrowed and must outlive it.
 */
#ifndef IPS_CLI_PROGRESS_H
#define IPS_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool enabled;
    bool drawn;          /* a line is on screen (to clear before other output) */
    const char *label;   /* "listings" */
    int64_t total_bytes; /* 0 = unknown */
    int64_t start_ns, last_ns;
};

/* Start: enabled only when `enabled` (the caller's isatty test). */
void progress_init(struct progress *p, const char *label, int64_t total_bytes, bool enabled);
/* Redraw if ~100 ms have passed since the last drawing. */
void progress_update(struct progress *p, int64_t count, int64_t bytes_done);
/* Erase the line (before printing something else on stderr). */
void progress_clear(struct progress *p);
/* Draw the final state and end the line. */
void progress_finish(struct progress *p, int64_t count, int64_t bytes_done);
/* Monotonic clock in nanoseconds. */
int64_t progress_now_ns(void);

#endif
