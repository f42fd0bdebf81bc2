/*
 * damages.c — the damages inputs of a litigation file: units sold x price
 * per listing over the period (pure), the JSON view with totals per
 * currency, and its CSV form. Contracts: litigation.h.
 */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "litigation/litigation.h"

/* Add units at (currency, price) to the lines, merging an equal line. */
static ips_status dmg__add(struct litigation_line *lines, size_t max, size_t *n,
                           const char *currency, int64_t price_minor, int64_t units)
{
    int64_t amount;
    if (__builtin_mul_overflow(units, price_minor, &amount))
        return IPS_ERR_TOO_LARGE;
    for (size_t i = 0; i < *n; i++) {
        struct litigation_line *l = &lines[i];
        if (l->price_minor == price_minor && strcmp(l->currency, currency) == 0) {
            if (__builtin_add_overflow(l->units, units, &l->units) ||
                __builtin_add_overflow(l->amount_minor, amount, &l->amount_minor))
                return IPS_ERR_TOO_LARGE;
            return IPS_OK;
        }
    }
    if (*n >= max)
        return IPS_ERR_TOO_LARGE;
    struct litigation_line *l = &lines[(*n)++];
    snprintf(l->currency, sizeof l->currency, "%s", currency);
    l->price_minor = price_minor;
    l->units = units;
    l->amount_minor = amount;
    return IPS_OK;
}

ips_status litigation_damages_compute(const struct litigation_snapshot *snaps, size_t n,
                                      int64_t from_ms, int64_t to_ms, struct litigation_line *lines,
                                      size_t max, size_t *out_n)
{
    size_t count = 0;
    int64_t before = 0; /* the cumulative count of the previous snapshot */
    for (size_t i = 0; i < n; i++) {
        const struct litigation_snapshot *s = &snaps[i];
        if (s->units_sold < 0 || s->price_minor < 0)
            return IPS_ERR_INVALID;
        int64_t rise = s->units_sold > before ? s->units_sold - before : 0;
        before = s->units_sold;
        /* Sold while the previous version was on show, at its price. */
        const struct litigation_snapshot *priced = i > 0 ? &snaps[i - 1] : s;
        if (rise == 0 || s->at_ms < from_ms || s->at_ms > to_ms)
            continue;
        ips_status st = dmg__add(lines, max, &count, priced->currency, priced->price_minor, rise);
        if (st)
            return st;
    }
    *out_n = count;
    return IPS_OK;
}

static json_t *dmg__money(int64_t minor, const char *currency)
{
    char text[40];
    catalog_price_format(minor, currency, text, sizeof text);
    return json_string(text);
}

json_t *litigation_damages_view(json_t *rows)
{
    json_t *lines = json_array(), *sums = json_object(); /* currency -> [units, amount] */
    json_t *view = NULL;
    if (!lines || !sums)
        goto out;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *cur = json_string_value(json_object_get(r, "currency"));
        json_int_t price = json_integer_value(json_object_get(r, "price_minor"));
        json_int_t units = json_integer_value(json_object_get(r, "units"));
        json_int_t amount = json_integer_value(json_object_get(r, "amount_minor"));
        if (!cur)
            goto out;
        json_t *line = json_deep_copy(r);
        if (!line || json_array_append_new(lines, line) != 0)
            goto out;
        json_object_set_new(line, "unit_price", dmg__money(price, cur));
        json_object_set_new(line, "amount", dmg__money(amount, cur));
        json_t *sum = json_object_get(sums, cur);
        json_int_t su = sum ? json_integer_value(json_array_get(sum, 0)) : 0;
        json_int_t sa = sum ? json_integer_value(json_array_get(sum, 1)) : 0;
        if (__builtin_add_overflow(su, units, &su) || __builtin_add_overflow(sa, amount, &sa))
            goto out;
        json_object_set_new(sums, cur, json_pack("[I, I]", su, sa));
    }
    json_t *totals = json_array();
    const char *cur;
    json_t *sum;
    json_object_foreach(sums, cur, sum)
    {
        json_int_t amount = json_integer_value(json_array_get(sum, 1));
        json_array_append_new(totals,
                              json_pack("{s:s, s:I, s:o, s:I}", "currency", cur, "units",
                                        json_integer_value(json_array_get(sum, 0)), "amount",
                                        dmg__money(amount, cur), "amount_minor", amount));
    }
    view = json_pack("{s:O, s:o}", "lines", lines, "totals", totals);
out:
    json_decref(lines);
    json_decref(sums);
    return view;
}

/* One CSV field: quoted when it must be, formula-looking text defused. */
static ips_status dmg__csv_field(struct buf *out, const char *text, bool last)
{
    bool formula = text[0] && strchr("=+-@\t\r", text[0]) != NULL;
    bool quote = formula || strpbrk(text, ",\"\r\n") != NULL;
    ips_status st = quote ? buf_append(out, "\"", 1) : IPS_OK;
    if (!st && formula)
        st = buf_append(out, "'", 1);
    for (const char *c = text; !st && *c; c++)
        st = *c == '"' ? buf_append(out, "\"\"", 2) : buf_append(out, c, 1);
    if (!st && quote)
        st = buf_append(out, "\"", 1);
    if (!st)
        st = last ? buf_append(out, "\r\n", 2) : buf_append(out, ",", 1);
    return st;
}

ips_status litigation_damages_csv(json_t *view, struct buf *out)
{
    static const char *const cols[] = {"listing_id", "title", "basis", "currency",
                                       "unit_price", "units", "amount"};
    enum { NCOLS = sizeof cols / sizeof cols[0] };
    ips_status st = IPS_OK;
    for (size_t c = 0; !st && c < NCOLS; c++)
        st = dmg__csv_field(out, cols[c], c + 1 == NCOLS);
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(view, "lines"), i, line)
    {
        for (size_t c = 0; !st && c < NCOLS; c++) {
            json_t *v = json_object_get(line, cols[c]);
            char num[32];
            const char *text = json_string_value(v);
            if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                text = num;
            }
            st = dmg__csv_field(out, text ? text : "", c + 1 == NCOLS);
        }
        if (st)
            break;
    }
    return st;
}
