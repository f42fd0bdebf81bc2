/*
 * replay.c — a main() for the fuzz harnesses in builds without libFuzzer:
 * `fuzz_replay_<parser> DIR-or-FILE...` runs LLVMFuzzerTestOneInput once
 * over every regular file (directories are read one level deep, in name
 * order, so runs are reproducible). Used by the fuzz-replay/<parser> ctest
 * tests, so that every corpus file and every saved crash input is replayed
 * by `make test` and under ASan+UBSan. A crash or sanitizer report fails
 * the run; so does an empty or unreadable corpus.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* A harness without state need not define LLVMFuzzerInitialize. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Read path whole and run the harness on it. Returns 0, or -1 when the
 * file cannot be read. */
static int replay__file(const char *path)
{
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > (size_t)256 * 1024 * 1024)
                goto out_close; /* corpus files are small; refuse absurd ones */
            uint8_t *n = realloc(data, ncap);
            if (!n)
                goto out_close;
            data = n;
            cap = ncap;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto out_close;
    /* like libFuzzer: a private copy of exactly len bytes, so that ASan sees
     * a read past the end */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact)
        goto out_close;
    if (len)
        memcpy(exact, data, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    rc = 0;
out_close:
    if (rc)
        fprintf(stderr, "replay: %s: cannot read\n", path);
    free(data);
    fclose(f);
    return rc;
}

static int replay__cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir in name order. OUT *count: files run.
 * Returns 0, or -1 on an unreadable directory or file. */
static int replay__dir(const char *dir, int *count)
{
    int rc = -1;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                goto out_free;
            names = nn;
        }
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(need)))
            goto out_free;
        snprintf(names[n], need, "%s/%s", dir, e->d_name);
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, replay__cmp);
    rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stat st;
        if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = replay__file(names[i]);
        (*count)++;
    }
out_free:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR-or-FILE...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? replay__dir(argv[i], &count)
                                     : (count++, replay__file(argv[i]));
        if (rc)
            return 1;
    }
    if (count == 0) {
        fprintf(stderr, "replay: no input files\n");
        return 1;
    }
    printf("replay: %d input(s) ran\n", count);
    return 0;
}
