/*
 * fuzz_config.c — configuration files (src/core/config.h): the input is
 * written to a temporary file and read with config_load_file over the
 * defaults, as `IPRSHIELD_CONFIG=FILE iprshield ...` would.
 *
 * Invariants checked: a failure leaves a NUL-terminated message; every
 * string setting stays set; the config can always be released (no leak,
 * no double free).
 */
#include <unistd.h>

#include "core/config.h"
#include "fuzz.h"

static char fuzz__path[64];

static void fuzz__cleanup(void)
{
    if (fuzz__path[0])
        unlink(fuzz__path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(fuzz__path, sizeof fuzz__path, "/tmp/ips-fuzz-config-XXXXXX");
    int fd = mkstemp(fuzz__path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(fuzz__cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    FILE *f = fopen(fuzz__path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    /* the defaults without the environment: config_load reads
     * IPRSHIELD_CONFIG and IPRSHIELD_*, which must not leak into a run */
    struct config c;
    char err[256];
    memset(&c, 0, sizeof c);
    unsetenv("IPRSHIELD_CONFIG");
    if (config_load(&c, err, sizeof err) != IPS_OK)
        abort();
    err[0] = '\0';
    ips_status st = config_load_file(&c, fuzz__path, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    /* ranges (threads 1-64, ...) are checked by the commands that use them */
    if (st == IPS_OK)
        FUZZ_CHECK(c.db != NULL && c.listen != NULL && c.log_level != NULL);
    config_release(&c);
    return 0;
}
