/*
 * http.h — the HTTP server: JSON API under /api/v1, the portal, /healthz
 * and /metrics, on libmicrohttpd with a thread pool.
 */
#ifndef IPS_HTTP_HTTP_H
#define IPS_HTTP_HTTP_H

#include <jansson.h>

#include "core/config.h"
#include "core/status.h"

/* Migrate the database (creating it if missing), start listening on
 * cfg->listen, log {"msg":"listening","addr":...} with the bound address
 * (port 0 picks a free port), serve until SIGINT or SIGTERM, then finish the
 * requests in flight and return IPS_OK. Fails with IPS_ERR_USAGE for a bad
 * listen address and IPS_ERR_IO when the port cannot be bound. */
ips_status http_serve(const struct config *cfg);

/* The API's route table (router.c), in table order, as a new JSON array of
 * {"method", "pattern", "auth": "public"|"required", "body": "json"|"multipart"}
 * — what `iprshield routes` prints and the authorisation matrix test reads.
 * The caller owns the result; NULL when out of memory. */
json_t *http_routes_json(void);

#endif
