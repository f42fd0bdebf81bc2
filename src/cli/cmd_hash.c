/*
 * cmd_hash.c — `iprshield hash pdq FILE...`: one line per file,
 * "<64 hex digits> <quality> <file>" on standard output; a file that cannot
 * be hashed gets "error <reason> <file>" on standard error and the others
 * go on. With --dihedral, the 8 variants of each file follow its line as
 * "<64 hex> <quality> <file> <variant>".
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "detect/detect.h"

static void hash_usage(FILE *f)
{
    fprintf(f, "usage: iprshield hash pdq [--dihedral] FILE...\n\n"
               "Print the PDQ perceptual hash (Meta's algorithm: 256 bits as 64 hex digits, and a\n"
               "quality 0-100; below 50 a hash is not used for matching) of each JPEG, PNG or\n"
               "WebP file, one line per file: <hash> <quality> <file>.\n"
               "A corrupt, truncated or unsupported file gets an error line on standard error\n"
               "and the others go on. Exit code 0 when every file was hashed, 4 otherwise.\n\n"
               "Options:\n"
               "  --dihedral   also print the hashes of the 8 rotations and mirror images,\n"
               "               one line each: <hash> <quality> <file> <variant>\n"
               "  -h, --help   show this help\n");
}

static int hash_option(int c, const char *arg, void *state)
{
    (void)arg;
    if (c != 'd')
        return 2;
    *(bool *)state = true;
    return 0;
}

int cmd_hash(int argc, char **argv)
{
    int rc = cli_subcommand(argc, argv, "pdq", hash_usage);
    if (rc != CLI_CONTINUE)
        return rc;
    static const struct option opts[] = {
        {"dihedral", no_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool dihedral = false;
    int first = 0;
    /* no settings: hashing touches no database */
    rc = cli_begin(argc - 1, argv + 1, opts, NULL, hash_option, &dihedral, hash_usage, &first);
    if (rc != CLI_CONTINUE)
        return rc;
    first += 1;
    if (first >= argc) {
        fprintf(stderr, "iprshield: hash pdq needs at least one FILE\n\n");
        hash_usage(stderr);
        return 2;
    }
    rc = 0;
    for (int i = first; i < argc; i++) {
        struct detect_pdq h[DETECT_DIH_COUNT];
        int quality = 0;
        char err[300], hex[65];
        ips_status st = detect_pdq_file(argv[i], h, &quality, err, sizeof err);
        if (st) {
            fflush(stdout);
            fprintf(stderr, "error %s: %s %s\n", ips_status_slug(st), err[0] ? err : ips_status_message(st),
                    argv[i]);
            rc = 4;
            continue;
        }
        detect_pdq_format(&h[0], hex);
        printf("%s %d %s\n", hex, quality, argv[i]);
        if (dihedral)
            for (int d = 0; d < DETECT_DIH_COUNT; d++) {
                detect_pdq_format(&h[d], hex);
                printf("%s %d %s %s\n", hex, quality, argv[i], detect_dihedral_name((enum detect_dihedral)d));
            }
    }
    if (fflush(stdout) != 0)
        rc = 5;
    return rc;
}
