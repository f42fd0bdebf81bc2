/* config.c — see config.h. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum cfg_kind { KIND_STR, KIND_INT, KIND_BOOL };

struct cfg_entry {
    const char *key, *def, *help;
    enum cfg_kind kind;
    size_t offset;
};

static const struct cfg_entry entries[] = {
#define IPS__CFG_ENTRY(field, key, kind, def, help) \
    {key, def, help, KIND_##kind, offsetof(struct config, field)},
    IPS_CONFIG_MAP(IPS__CFG_ENTRY)
#undef IPS__CFG_ENTRY
};
#define N_ENTRIES (sizeof entries / sizeof entries[0])

static ips_status apply(struct config *c, const struct cfg_entry *e, const char *value,
                        char *err, size_t errcap)
{
    void *field = (char *)c + e->offset;
    switch (e->kind) {
    case KIND_STR: {
        if (c->n_owned >= sizeof c->owned / sizeof c->owned[0]) {
            snprintf(err, errcap, "too many settings");
            return IPS_ERR_INVALID;
        }
        char *copy = strdup(value);
        if (!copy)
            return IPS_ERR_NOMEM;
        c->owned[c->n_owned++] = copy;
        *(const char **)field = copy;
        return IPS_OK;
    }
    case KIND_INT: {
        errno = 0;
        char *end;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < 0) {
            snprintf(err, errcap, "%s: '%s' is not a non-negative integer", e->key, value);
            return IPS_ERR_INVALID;
        }
        *(int64_t *)field = v;
        return IPS_OK;
    }
    case KIND_BOOL:
        if (!strcasecmp(value, "true") || !strcmp(value, "1") || !strcasecmp(value, "yes")) {
            *(bool *)field = true;
        } else if (!strcasecmp(value, "false") || !strcmp(value, "0") ||
                   !strcasecmp(value, "no")) {
            *(bool *)field = false;
        } else {
            snprintf(err, errcap, "%s: '%s' is not true or false", e->key, value);
            return IPS_ERR_INVALID;
        }
        return IPS_OK;
    }
    return IPS_ERR_INTERNAL;
}

ips_status config_set(struct config *c, const char *key, const char *value, char *err,
                      size_t errcap)
{
    for (size_t i = 0; i < N_ENTRIES; i++)
        if (strcmp(entries[i].key, key) == 0)
            return apply(c, &entries[i], value, err, errcap);
    snprintf(err, errcap, "unknown setting '%s'", key);
    return IPS_ERR_INVALID;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

ips_status config_load_file(struct config *c, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "cannot read config file %s: %s", path, strerror(errno));
        return IPS_ERR_IO;
    }
    ips_status st = IPS_OK;
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errcap, "%s:%d: expected key = value", path, lineno);
            st = IPS_ERR_INVALID;
            goto out_close;
        }
        *eq = '\0';
        char sub[512];
        st = config_set(c, trim(s), trim(eq + 1), sub, sizeof sub);
        if (st) {
            snprintf(err, errcap, "%s:%d: %s", path, lineno, sub);
            goto out_close;
        }
    }
out_close:
    fclose(f);
    return st;
}

ips_status config_load(struct config *c, char *err, size_t errcap)
{
    memset(c, 0, sizeof *c);
    ips_status st;
    for (size_t i = 0; i < N_ENTRIES; i++) {
        st = apply(c, &entries[i], entries[i].def, err, errcap);
        if (st)
            return st;
    }
    const char *file = getenv("IPRSHIELD_CONFIG");
    if (file && *file) {
        st = config_load_file(c, file, err, errcap);
        if (st)
            return st;
    }
    for (size_t i = 0; i < N_ENTRIES; i++) {
        char name[64] = "IPRSHIELD_";
        size_t n = strlen(name);
        for (const char *k = entries[i].key; *k && n + 1 < sizeof name; k++)
            name[n++] = (char)toupper((unsigned char)*k);
        name[n] = '\0';
        const char *v = getenv(name);
        if (v) {
            char sub[512];
            st = apply(c, &entries[i], v, sub, sizeof sub);
            if (st) {
                snprintf(err, errcap, "%s: %s", name, sub);
                return st;
            }
        }
    }
    return IPS_OK;
}

void config_print_help(void *stream)
{
    FILE *f = stream;
    fprintf(f, "Settings (flag --KEY, environment IPRSHIELD_KEY, or 'key = value' in the\n"
               "file named by IPRSHIELD_CONFIG; flags win over the environment, which wins\n"
               "over the file):\n");
    for (size_t i = 0; i < N_ENTRIES; i++)
        fprintf(f, "  %-20s %s (default: %s)\n", entries[i].key, entries[i].help,
                entries[i].def);
}

void config_release(struct config *c)
{
    for (size_t i = 0; i < c->n_owned; i++)
        free(c->owned[i]);
    c->n_owned = 0;
}
