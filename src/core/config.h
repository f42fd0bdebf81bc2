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
    X(threads,        "threads",         INT, "32",                   "requests served at once, each on its own database connection (1-64)") \
    X(body_max,       "body_max",        INT, "1048576",              "largest accepted request body in bytes") \
    X(upload_max,     "upload_max",      INT, "10485760",             "largest accepted multipart upload in bytes") \
    X(request_timeout,"request_timeout", INT, "30",                   "seconds an idle or slow connection may take") \
    X(rate_address,   "rate_address",    INT, "200",                  "requests per second one client address may make (0: no limit)") \
    X(rate_address_burst, "rate_address_burst", INT, "400",           "requests one client address may make in a burst") \
    X(rate_user,      "rate_user",       INT, "100",                  "requests per second one signed-in user may make (0: no limit)") \
    X(rate_user_burst,"rate_user_burst", INT, "200",                  "requests one signed-in user may make in a burst") \
    X(session_ttl,    "session_ttl",     INT, "43200",                "login session lifetime in seconds") \
    X(login_max_failures, "login_max_failures", INT, "5",             "failed logins from one address before it is throttled") \
    X(login_window,   "login_window",    INT, "900",                  "seconds over which failed logins are counted") \
    X(login_lockout_failures, "login_lockout_failures", INT, "5",     "failed logins for one account within login_window that lock it (0: never)") \
    X(login_lockout_seconds,  "login_lockout_seconds",  INT, "900",   "seconds a locked account stays locked (or until an admin unlocks it)") \
    X(secure_cookies, "secure_cookies",  BOOL, "false",               "mark the session cookie Secure (behind TLS)") \
    X(ledger_key,     "ledger_key",      STR, "",                     "ledger signing key file (default: <db>.ledger.key, created 0600 at first use)") \
    X(ledger_origin,  "ledger_origin",   STR, "iprshield.example/ledger", "ledger checkpoint origin and key name, used when the key is created") \
    X(transparency_cache_seconds, "transparency_cache_seconds", INT, "60", "seconds the server reuses a computed public transparency report (0: compute every request)") \
    /* notice and action (src/notices): days/hours read as SECONDS when test_deadline_seconds */ \
    X(review_sla_hours,       "review_sla_hours",       INT, "24",  "hours a notice may wait in the review queue") \
    X(counter_notice_days,    "counter_notice_days",    INT, "3",   "days a seller has to file a counter-notice") \
    X(fasttrack_window_days,  "fasttrack_window_days",  INT, "90",  "days of the rolling window of a notifier's accuracy record") \
    X(fasttrack_min_decided,  "fasttrack_min_decided",  INT, "20",  "decided notices a notifier needs before it can qualify for the fast track") \
    X(fasttrack_upheld_min,   "fasttrack_upheld_min",   INT, "900", "per mille of decided notices that must be upheld for the fast track") \
    X(fasttrack_reversed_max, "fasttrack_reversed_max", INT, "50",  "per mille of takedowns reversed by counter-notice above which the fast track is lost") \
    X(fasttrack_cooldown_days,"fasttrack_cooldown_days",INT, "90",  "days a notifier that lost the fast track waits before it can qualify again") \
    X(misuse_min_decided,     "misuse_min_decided",     INT, "10",  "decided notices before the misuse rule (DSA Art. 23) applies") \
    X(misuse_rejected_max,    "misuse_rejected_max",    INT, "500", "per mille of rejected notices at which a notifier is suspended from notifying") \
    X(misuse_suspend_days,    "misuse_suspend_days",    INT, "30",  "days a notifier is suspended for misuse") \
    X(strike_days,            "strike_days",            INT, "365", "days a seller's strike stays in force") \
    X(webhook_max_attempts,   "webhook_max_attempts",   INT, "8",   "attempts to deliver one webhook event before it is marked failed") \
    X(webhook_secret_overlap_seconds, "webhook_secret_overlap_seconds", INT, "86400", "seconds a replaced webhook secret keeps signing deliveries beside the new one (0-604800)") \
    /* server-side detection (src/detections) */ \
    X(image_fetch,            "image_fetch",            BOOL, "false", "fetch listing images given by URL so the image signal covers them (the server then makes requests to addresses sellers choose)") \
    X(image_fetch_private,    "image_fetch_private",    BOOL, "false", "let image_fetch reach loopback, private and link-local addresses (tests, intranets)") \
    X(detect_policy,          "detect_policy",          STR, "",    "detection policy JSON file (weights, thresholds; docs/internals/detect.md); empty: defaults") \
    X(detect_block,           "detect_block",           BOOL, "true", "apply the block action: a listing whose verdict is block is held back (state blocked)") \
    X(detect_median_ratio,    "detect_median_ratio",    INT, "300", "per mille of the category median below which a price is a signal") \
    X(detect_median_samples,  "detect_median_samples",  INT, "5",   "listings a (category, currency) needs before its median is used") \
    /* queued scanning on NATS JetStream (src/scanq) */ \
    X(nats_url,               "nats_url",               STR, "",    "NATS server URLs, comma-separated: listing versions are scanned by scan workers through JetStream, not inside the write") \
    X(nats_replicas,          "nats_replicas",          INT, "1",   "replicas of the JetStream work-queue stream (3 on a 3-node cluster)") \
    /* enforcement (src/enforce): active strikes at which each penalty level starts; 0 skips the level */ \
    X(enforce_warning_strikes,     "enforce_warning_strikes",     INT, "1", "active strikes at which a seller gets a warning") \
    X(enforce_removal_strikes,     "enforce_removal_strikes",     INT, "2", "active strikes at which the listings under strike are removed") \
    X(enforce_restriction_strikes, "enforce_restriction_strikes", INT, "3", "active strikes at which a seller may no longer create or change listings") \
    X(enforce_suspension_strikes,  "enforce_suspension_strikes",  INT, "4", "active strikes at which a seller is suspended") \
    X(enforce_termination_strikes, "enforce_termination_strikes", INT, "5", "active strikes at which a seller is terminated (all listings down, for good)") \
    X(enforce_evasion_suspend,     "enforce_evasion_suspend",     BOOL, "true", "suspend a seller flagged for ban evasion (joining a banned network)") \
    X(test_deadline_seconds,  "test_deadline_seconds",  BOOL, "false", "TESTS ONLY: read the notice days and hours settings as seconds")

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
