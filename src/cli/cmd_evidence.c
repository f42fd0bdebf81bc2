/*
 * cmd_evidence.c — `iprshield evidence verify|export`: the signed evidence
 * archives of law-enforcement referrals (src/referrals/).
 *
 * verify works offline: no database, no server, only the archive and the
 * platform's verifier key (GET /api/v1/ledger/key or `iprshield ledger
 * key`: the evidence is signed with the ledger's Ed25519 key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "referrals/referrals.h"

static void evidence_usage(FILE *f)
{
    fprintf(f, "usage: iprshield evidence COMMAND [OPTIONS]\n\n"
               "Evidence archives of law-enforcement referrals and of litigation files\n"
               "(the same format): tar.gz files whose\n"
               "manifest.json lists every file's SHA-256 and size, signed in manifest.sig\n"
               "with the platform's Ed25519 key.\n\n"
               "Commands:\n"
               "  verify ARCHIVE --key VKEY\n"
               "                  verify offline: the signature, and every file against the\n"
               "                  manifest; names each changed, missing, added or duplicated file\n"
               "  export REFERRAL_ID --out FILE [--db PATH]\n"
               "                  write a referral's evidence archive to FILE\n\n"
               "VKEY is the verifier key text (name+keyid+key) or a file holding it\n"
               "(`iprshield ledger key`, GET /api/v1/ledger/key).\n"
               "Exit codes: 0 verified / done; 1 verification failed; 2 usage; 3 not found;\n"
               "4 invalid input (bad key, not an evidence archive); 5 I/O or database error.\n\n"
               "Options:\n" CLI_COMMON_HELP);
}

struct evidence_opts {
    const char *key, *out;
};

static int evidence_option(int c, const char *arg, void *state)
{
    struct evidence_opts *o = state;
    if (c == 'k')
        o->key = arg;
    else if (c == 'o')
        o->out = arg;
    return 0;
}

/* The verifier key from the argument: the key text itself, or a file
 * holding it (surrounding white space is allowed). OUT key[NOTE_VKEY_MAX] (a bad key is left for
 * the verification to name). */
static void evidence_vkey(const char *arg, char key[NOTE_VKEY_MAX])
{
    struct note_verifier v;
    snprintf(key, NOTE_VKEY_MAX, "%s", arg);
    FILE *f = note_verifier_parse(arg, &v) == IPS_OK ? NULL : fopen(arg, "rb");
    if (!f)
        return;
    size_t n = fread(key, 1, NOTE_VKEY_MAX - 1, f);
    fclose(f);
    key[n] = '\0';
}

static int evidence_verify(const char *archive, const struct evidence_opts *o)
{
    if (!o->key) {
        fprintf(stderr, "iprshield evidence verify: give ARCHIVE and --key VKEY\n");
        return 2;
    }
    char key[NOTE_VKEY_MAX];
    evidence_vkey(o->key, key);
    struct evidence_report rep;
    ips_status st = evidence_verify_file(archive, key, &rep);
    if (st != IPS_OK && st != IPS_ERR_INTEGRITY) {
        fprintf(stderr, "iprshield evidence verify: %s: %s\n", ips_status_message(st),
                rep.why[0] ? rep.why : archive);
        evidence_report_clear(&rep);
        return ips_status_exit_code(st);
    }
    size_t i;
    json_t *p;
    json_array_foreach(rep.problems, i, p)
    {
        fprintf(stderr, "%s: %s\n", json_string_value(json_object_get(p, "problem")),
                json_string_value(json_object_get(p, "path")));
    }
    if (rep.signature != NOTE_CHECK_OK)
        fprintf(stderr, "signature: %s (manifest.sig is not a valid signature by this key)\n",
                note_check_name(rep.signature));
    else if (!rep.manifest_bound)
        fprintf(stderr, "signature: the signed note does not name this manifest.json\n");
    if (st == IPS_OK)
        printf("verified: %s %s, %lld files, signature ok\n", rep.case_kind, rep.referral_id,
               (long long)rep.files);
    else
        fprintf(stderr, "iprshield evidence verify: FAILED (%zu file problems)\n",
                json_array_size(rep.problems));
    evidence_report_clear(&rep);
    return ips_status_exit_code(st);
}

static int evidence_export(const char *id, const struct evidence_opts *o, struct config *cfg)
{
    if (!o->out) {
        fprintf(stderr, "iprshield evidence export: give REFERRAL_ID and --out FILE\n");
        return 2;
    }
    struct cli_session sess;
    ips_status st = cli_session_open_existing(cfg, &sess);
    if (st)
        return ips_status_exit_code(st);
    void *data = NULL;
    size_t len = 0;
    struct blob_info info;
    st = referral_evidence_read(&sess.ctx, id, &data, &len, &info);
    int rc = 0;
    if (st) {
        rc = cli_fail("evidence export", st, sess.ctx.detail);
    } else {
        FILE *f = fopen(o->out, "wb");
        if (!f || fwrite(data, 1, len, f) != len) {
            fprintf(stderr, "iprshield evidence export: cannot write %s\n", o->out);
            rc = 5;
        } else {
            printf("wrote %s (%zu bytes, sha256 %s)\n", o->out, len, info.sha256);
        }
        if (f && fclose(f) != 0 && rc == 0)
            rc = 5;
    }
    free(data);
    cli_session_close(&sess);
    return rc;
}

int cmd_evidence(int argc, char **argv)
{
    static const char *const subs[] = {"verify", "export", NULL};
    int which = 0;
    int rc = cli_subcommand_pick(argc, argv, subs, evidence_usage, &which);
    if (rc != CLI_CONTINUE)
        return rc;
    static const struct option opts[] = {{"key", required_argument, 0, 'k'},
                                         {"out", required_argument, 0, 'o'},
                                         CLI_COMMON_OPTIONS,
                                         {0, 0, 0, 0}};
    struct evidence_opts o = {0};
    struct config cfg;
    int first = 0;
    rc = cli_begin(argc - 1, argv + 1, opts, &cfg, evidence_option, &o, evidence_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    int nargs = argc - 1 - first;
    if (nargs != 1) {
        fprintf(stderr, "iprshield evidence %s: give exactly one %s\n", subs[which],
                which == 0 ? "ARCHIVE" : "REFERRAL_ID");
        rc = 2;
    } else if (which == 0) {
        rc = evidence_verify(argv[1 + first], &o);
    } else {
        rc = evidence_export(argv[1 + first], &o, &cfg);
    }
    config_release(&cfg);
    return rc;
}
