/*
 * fuzz_evidence.c — evidence archives (src/referrals/evidence.c), as
 * `iprshield evidence verify` and the receiving agency check them: the
 * input is the archive (tar, optionally compressed: libarchive detects the
 * filter) given to evidence_verify_memory with the verifier key of the
 * throw-away test key (tests/fuzz/ledger_key.h) that signed the seeds
 * (made by tests/fuzz/gen_evidence_seeds.py). So the manifest comparison
 * sees arbitrary entries, and a seed's signature stays valid as long as the
 * fuzzer leaves manifest.json and manifest.sig alone.
 *
 * Invariants checked: the answer is OK, INTEGRITY or MALFORMED (the key is
 * valid, so never INVALID or IO); MALFORMED says why; OK promises a good
 * signature bound to this manifest and no problem; OK and INTEGRITY name a
 * valid case id and kind, and every problem is one of the four kinds with
 * a path.
 */
#include <jansson.h>
#include <sodium.h>

#include "core/id.h"
#include "fuzz.h"
#include "ledger_key.h"
#include "referrals/referrals.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    return 0;
}

static bool fuzz__known_problem(const char *what)
{
    static const char *const kinds[] = {"changed", "missing", "added", "duplicate",
                                        "malformed-entry"};
    for (size_t i = 0; what && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(what, kinds[i]) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    struct evidence_report rep;
    ips_status st = evidence_verify_memory(data, size, FUZZ_LEDGER_VKEY, &rep);
    FUZZ_CHECK(memchr(rep.why, '\0', sizeof rep.why) != NULL);
    FUZZ_CHECK(st == IPS_OK || st == IPS_ERR_INTEGRITY || st == IPS_ERR_MALFORMED);
    if (st == IPS_ERR_MALFORMED) {
        FUZZ_CHECK(rep.why[0] != '\0');
    } else {
        FUZZ_CHECK(id_is_valid(rep.referral_id));
        FUZZ_CHECK(rep.case_kind[0] != '\0');
        FUZZ_CHECK(rep.files >= 0);
        size_t i;
        json_t *p;
        json_array_foreach(rep.problems, i, p)
        {
            FUZZ_CHECK(json_string_value(json_object_get(p, "path")) != NULL);
            FUZZ_CHECK(fuzz__known_problem(json_string_value(json_object_get(p, "problem"))));
        }
        if (st == IPS_OK)
            FUZZ_CHECK(rep.signature == NOTE_CHECK_OK && rep.manifest_bound &&
                       json_array_size(rep.problems) == 0);
        else
            FUZZ_CHECK(rep.signature != NOTE_CHECK_OK || !rep.manifest_bound ||
                       json_array_size(rep.problems) > 0);
    }
    evidence_report_clear(&rep);
    return 0;
}
