/*
 * fuzz_catalog_import.c — JSON Lines catalog imports (src/catalog/catalog.h,
 * catalog_import_line and the listing and seller parsers of parse.c), as
 * `iprshield import` and the marketplace feed deliver them. The first byte
 * picks the kind (even: listings, odd: sellers); the rest is split into
 * lines and imported into a throw-away database in batches of 8, so that
 * the writes behind the parser (seller resolution, versions) run too.
 *
 * Invariants checked: every non-blank line is counted once, as created,
 * updated, unchanged or rejected; a reject reason is non-empty.
 */
#include "catalog/catalog.h"
#include "fuzz_store.h"

struct fuzz__rejects {
    int64_t n;
};

static void fuzz__reject(int64_t line_no, const char *reason, void *arg)
{
    struct fuzz__rejects *r = arg;
    FUZZ_CHECK(line_no >= 1);
    FUZZ_CHECK(reason && reason[0] && strlen(reason) <= CATALOG_REASON_MAX);
    r->n++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_store_ctx();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 256 * 1024)
        return 0;
    struct ips_ctx *ctx = fuzz_store_ctx();
    fuzz_store_reset(ctx);
    enum catalog_import_kind kind = data[0] & 1 ? CATALOG_IMPORT_SELLERS : CATALOG_IMPORT_LISTINGS;
    struct fuzz__rejects rej = {0};
    struct catalog_import *imp = NULL;
    if (catalog_import_begin(ctx, kind, "fuzz.jsonl", 8, fuzz__reject, &rej, &imp) != IPS_OK)
        abort();
    const char *text = (const char *)data + 1;
    size_t len = size - 1, pos = 0;
    int64_t line_no = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        line_no++;
        if (catalog_import_line(imp, line_no, text + pos, end - pos) != IPS_OK) {
            catalog_import_free(imp);
            return 0; /* a store failure stops an import; not a parser bug */
        }
        pos = end + 1;
    }
    struct catalog_import_stats st;
    memset(&st, 0, sizeof st);
    if (catalog_import_finish(imp, &st) == IPS_OK) {
        FUZZ_CHECK(st.lines == st.created + st.updated + st.unchanged + st.rejected);
        FUZZ_CHECK(st.rejected >= rej.n);
    }
    return 0;
}
