/* ledger_internal.h — shared between the files of src/ledger/; not part of
 * the module's interface (ledger.h). */
#ifndef IPS_LEDGER_LEDGER_INTERNAL_H
#define IPS_LEDGER_LEDGER_INTERNAL_H

#include "ledger/ledger.h"
#include "ledger/tiles.h"

/* IPS_ERR_INTEGRITY (with ctx->detail) when the start check found the
 * stored log broken; IPS_OK otherwise (ledger.c). */
ips_status ledger__usable(struct ips_ctx *ctx);

#endif
