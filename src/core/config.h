/*
 * config.h — configuration from defaults, an optional file, IPRSHIELD_*
 * environment variables and command-line flags, in rising precedence.
 *
 * Every setting is declared once in IPS_CONFIG_MAP: its key (also the config
 * file key and, upper-cased with IPRSHIELD_ prepended, the environment
 * variable), its kind, default and description (used by --help).
 *
 * The config file holds `key = value` lines; '#' starts a comment.
 * Unknown keys and unparsable values are errors, never silently ignored.
 */
#ifndef IPS_CORE_CONFIG_H
#define IPS_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/*  field            key                kind  default                  help */
#define IPS_CONFIG_MAP(X)                                                                    \
    X(db,             "db",              STR, "./var/iprshield.db",   "database path (or URL)") \
    X(listen,         "listen",          STR, "127.0.0.1:8080",       "HTTP listen address HOST:PORT") \
    X(log_level,      "log_level",       STR, "info",                 "debug, info, warn, error or off") \
    X(threads,        "threads",         INT, "4",                    "HTTP worker threads (1-64)") \
    X(body_max,       "body_max",        INT, "1048576",              "largest accepted request body in bytes") \
    X(upload_max,     "upload_max",      INT, "10485760",             "largest accepted multipart upload in bytes") \
    X(request_timeout,"request_timeout", INT, "30",                   "seconds an idle or slow connection may take") \
    X(session_ttl,    "session_ttl",     INT, "43200",                "login session lifetime in seconds") \
    X(login_max_failures, "login_max_failures", INT, "5",             "failed logins per account or address before throttling") \
    X(login_window,   "login_window",    INT, "900",                  "seconds over which failed logins are counted") \
    X(secure_cookies, "secure_cookies",  BOOL, "false",               "mark the session cookie Secure (behind TLS)")

#define IPS__CFG_TYPE_STR const char *
#define IPS__CFG_TYPE_INT int64_t
#define IPS__CFG_TYPE_BOOL bool

struct config {
#define IPS__CFG_FIELD(field, key, kind, def, help) IPS__CFG_TYPE_##kind field;
    IPS_CONFIG_MAP(IPS__CFG_FIELD)
#undef IPS__CFG_FIELD
    char *owned[32]; /* strings this config allocated, freed by config_release */
    size_t n_owned;
};

/* Fill with defaults, then the file named by IPRSHIELD_CONFIG (if set),
 * then IPRSHIELD_* variables. err receives a message on failure:
 * IPS_ERR_INVALID (bad value or unknown key) or IPS_ERR_IO (unreadable file). */
ips_status config_load(struct config *c, char *err, size_t errcap);
/* Apply one key=value (from a flag or file line); same failures. */
ips_status config_set(struct config *c, const char *key, const char *value, char *err,
                      size_t errcap);
/* Read a config file; same failures. */
ips_status config_load_file(struct config *c, const char *path, char *err, size_t errcap);
/* Print the settings table (for --help). */
void config_print_help(void *stream);
void config_release(struct config *c);

#endif
