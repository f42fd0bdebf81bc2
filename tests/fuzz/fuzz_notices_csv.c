/*
 * fuzz_notices_csv.c — the CSV of listing ids that a notice may carry
 * (src/notices/notices.h, the listings_csv part of POST /api/v1/notices and
 * `iprshield notices submit --csv`), parsed by notices_submit's validation.
 * The notice around it lacks its signature on purpose, so that validation
 * always refuses it after reading the whole CSV, and nothing is written.
 *
 * Invariants checked: the refusal is IPS_ERR_INVALID with the missing
 * signature among the errors; every error names a field.
 */
#include "fuzz_store.h"
#include "notices/notices.h"

static json_t *fuzz__meta;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_store_ctx();
    fuzz__meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:[s]}", "right_id",
                           "01HZZZZZZZZZZZZZZZZZZZZZZZ", "kind", "counterfeit", "explanation",
                           "Counterfeit handbags.", "notifier_name", "Fuzz", "notifier_email",
                           "fuzz@example.com", "good_faith", 1, "accuracy", 1, "notifier_org_id",
                           "01HZZZZZZZZZZZZZZZZZZZZZZZ", "evidence_urls",
                           "https://example.com/evidence");
    if (!fuzz__meta)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024 * 1024)
        return 0;
    struct ips_ctx *ctx = fuzz_store_ctx();
    fuzz_store_reset(ctx);
    struct notices_submit_req req;
    struct notices_submit_result res;
    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    req.meta = fuzz__meta;
    req.listings_csv = (const char *)data;
    req.listings_csv_len = size;
    ips_status st = notices_submit(ctx, &req, &res);
    FUZZ_CHECK(st == IPS_ERR_INVALID);
    bool signature = false;
    size_t i;
    json_t *e;
    json_array_foreach(ctx->errors, i, e)
    {
        const char *field = json_string_value(json_object_get(e, "field"));
        FUZZ_CHECK(field != NULL);
        signature = signature || strcmp(field, "signature") == 0;
    }
    FUZZ_CHECK(signature);
    notices_submit_result_release(&res);
    return 0;
}
