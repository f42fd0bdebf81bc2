/*
 * demo_generate.h — `iprshield demo generate`: a synthetic marketplace with
 * labelled counterfeits for measuring the detection engine (issue 5,
 * item 8). Defined in demo_generate.c; the evaluation is `iprshield eval`
 * (cmd_eval.c).
 */
#ifndef IPS_CLI_DEMO_GENERATE_H
#define IPS_CLI_DEMO_GENERATE_H

#include <stdio.h>

/* Print the `demo generate` part of the usage text to f. */
void cli_demo_generate_usage(FILE *f);

/*
 * `iprshield demo generate --listings N --seed S [--out DIR]`: write
 * DIR/PROFILES.json, DIR/LISTINGS.jsonl, DIR/LABELS.jsonl and the listing
 * images under DIR/images/. argv[0] is "generate". The same N and S give the
 * same files byte for byte. Returns an exit code: 0, 2 for a usage error,
 * 5 when a file cannot be written.
 */
int cli_demo_generate(int argc, char **argv);

#endif
