/*
 * log.h — structured logging: one JSON object per line on stderr.
 *
 *   {"ts":"2026-11-29T17:00:00.123Z","level":"info","msg":"listening","addr":"127.0.0.1:8080"}
 *
 * Fields are given as alternating key/value C strings ending in NULL; values
 * are JSON-escaped by jansson. Thread-safe: one line is written with one
 * write(2) call. Never pass secrets or personal data as fields.
 */
#ifndef IPS_CORE_LOG_H
#define IPS_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Set the minimum level written (default LOG_INFO). */
void log_level_set(enum log_level lvl);
/* Parse "debug|info|warn|error|off"; returns false if unknown. */
bool log_level_parse(const char *s, enum log_level *out);

/* Write one line: msg plus NULL-terminated key/value string pairs. */
void log_write(enum log_level lvl, const char *msg, ...);

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__, (const char *)0)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__, (const char *)0)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__, (const char *)0)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__, (const char *)0)

#endif
