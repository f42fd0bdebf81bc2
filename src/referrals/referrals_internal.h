/*
 * referrals_internal.h — what the files of src/referrals/ share.
 */
#ifndef IPS_REFERRALS_INTERNAL_H
#define IPS_REFERRALS_INTERNAL_H

#include "referrals/referrals.h"

/* The first line of the signed note in manifest.sig; the note's text is
 * this line, the referral id and the manifest's SHA-256 (hex), each ending
 * in "\n". */
#define EVIDENCE_NOTE_HEAD "iprshield evidence v1"

/*
 * Build the evidence archive of referral r (its sellers, recipients and
 * right holders already stored; evidence_build in the platform's view) and
 * store it as a blob, inside the caller's transaction. OUT *archive (the blob), manifest_sha[65] (hex), *units_sold
 * (all listings of all its sellers).
 * Failure: IPS_ERR_TOO_LARGE past BLOB_MAX_BYTES (ctx->detail); store,
 * memory and libarchive failures (IPS_ERR_INTERNAL, logged).
 */
ips_status referrals__evidence_build(struct ips_ctx *ctx, const struct store_referral *r,
                                     const struct note_signer *signer, struct blob_info *archive,
                                     char manifest_sha[65], int64_t *units_sold);

#endif
