/*
 * cmd_routes.c — `iprshield routes [--json]`: the API's route table as the
 * server has it compiled in (src/http/router.c), one route a line, or as a
 * JSON array. Scripts and the authorisation matrix test
 * (tests/e2e/authz.test.mjs) read it, so that no route is listed twice.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "http/http.h"

static void routes_usage(FILE *f)
{
    fprintf(f, "usage: iprshield routes [--json]\n\n"
               "Print the API's route table: method, path pattern ({name} matches one path\n"
               "segment), whether the route needs a login (public or required) and the kind\n"
               "of request body it takes (json or multipart), one route a line in the order\n"
               "the server matches them.\n\n"
               "Options:\n"
               "  --json       print a JSON array of {method, pattern, auth, body}\n"
               "  -h, --help   show this help\n");
}

static int routes_option(int c, const char *arg, void *state)
{
    (void)arg;
    if (c != 'j')
        return 2;
    *(bool *)state = true;
    return 0;
}

int cmd_routes(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool as_json = false;
    /* no settings: the table is compiled in */
    int rc = cli_begin(argc, argv, opts, NULL, routes_option, &as_json, routes_usage, NULL);
    if (rc != CLI_CONTINUE)
        return rc;
    json_t *routes = http_routes_json();
    if (!routes)
        return cli_fail("cannot list the routes", IPS_ERR_NOMEM, NULL);
    rc = 0;
    if (as_json) {
        char *text = json_dumps(routes, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text) {
            rc = cli_fail("cannot list the routes", IPS_ERR_NOMEM, NULL);
            goto out;
        }
        puts(text);
        free(text);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(routes, i, r)
            printf("%-6s %-60s %-8s %s\n", json_string_value(json_object_get(r, "method")),
                   json_string_value(json_object_get(r, "pattern")),
                   json_string_value(json_object_get(r, "auth")),
                   json_string_value(json_object_get(r, "body")));
    }
    if (fflush(stdout) != 0)
        rc = 5;
out:
    json_decref(routes);
    return rc;
}
