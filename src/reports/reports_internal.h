/*
 * reports_internal.h — shared by the files of src/reports/: the sections of
 * a metrics document and the builder that fills them. Private to the module.
 */
#ifndef IPS_REPORTS_REPORTS_INTERNAL_H
#define IPS_REPORTS_REPORTS_INTERNAL_H

#include <stdbool.h>

#include "reports/reports.h"
#include "store/store_reports.h"

/* The store filter of f, unscoped (the caller sets the scope members);
 * brand and jurisdiction point into f, so f must outlive the result. */
struct store_reports_filter reports__store_filter(const struct reports_filter *f);

/* Add every section of the metrics document to out whose report.<section>
 * action lets ctx->actor in (all sections when actor is NULL: the public
 * report's platform-wide totals) and whose queries can apply sf's scope.
 * Failure: store statuses, IPS_ERR_NOMEM; out may hold some sections. */
ips_status reports__sections(struct ips_ctx *ctx, const struct store_reports_filter *sf,
                             bool as_public, json_t *out);

/* {"from": RFC 3339, "to": RFC 3339} of f; NULL on OOM. */
json_t *reports__period(const struct reports_filter *f);

#endif
