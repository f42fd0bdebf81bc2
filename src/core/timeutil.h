/*
 * timeutil.h — UTC time as milliseconds since the epoch and as RFC 3339
 * text ("2026-11-29T17:00:00.123Z", always UTC, always millisecond precision,
 * so that the text sorts like the number).
 */
#ifndef IPS_CORE_TIMEUTIL_H
#define IPS_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/status.h"

#define TIME_RFC3339_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

/* Milliseconds since 1970-01-01T00:00:00Z (wall clock). */
int64_t time_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t time_mono_ms(void);
/* Nanosecond monotonic clock, for latency measurements. */
int64_t time_mono_ns(void);
/* The calling thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID). */
int64_t time_thread_cpu_ns(void);
/* The absolute time ms milliseconds (>= 0) from now on clock (CLOCK_REALTIME
 * or CLOCK_MONOTONIC), normalised, for pthread_*_timedwait/_timedlock. */
struct timespec time_deadline(int clock, int64_t ms);

/* Format ms as RFC 3339 UTC into out (size >= TIME_RFC3339_LEN).
 * Returns IPS_ERR_INVALID if cap is too small or the time is out of range. */
ips_status time_format_rfc3339(int64_t ms, char *out, size_t cap);
/* Format the current time; on failure writes an empty string. */
void time_now_rfc3339(char *out, size_t cap);
/* Parse RFC 3339 (with 'Z' or a numeric offset, optional fraction) into ms.
 * Returns IPS_ERR_MALFORMED when the text is not a valid timestamp. */
ips_status time_parse_rfc3339(const char *s, int64_t *out_ms);

#endif
