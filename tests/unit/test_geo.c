/* test_geo.c — the embedded ISO 3166 jurisdiction table (src/geo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "geo/geo.h"

static void the_table_holds_every_country_and_thousands_of_subdivisions(void **state)
{
    (void)state;
    assert_true(geo_count() > 5000);
    assert_true(geo_valid("CN"));
    assert_true(geo_valid("US"));
    assert_true(geo_valid("DE"));
    assert_string_equal(geo_name("DE"), "Germany");
    assert_string_equal(geo_country_of("FR"), "FR");
    assert_false(geo_is_subdivision("FR"));
}

static void the_31_province_level_divisions_of_mainland_china_are_known(void **state)
{
    (void)state;
    static const char *const mainland[] = {
        "CN-AH", "CN-BJ", "CN-CQ", "CN-FJ", "CN-GD", "CN-GS", "CN-GX", "CN-GZ",
        "CN-HA", "CN-HB", "CN-HE", "CN-HI", "CN-HL", "CN-HN", "CN-JL", "CN-JS",
        "CN-JX", "CN-LN", "CN-NM", "CN-NX", "CN-QH", "CN-SC", "CN-SD", "CN-SH",
        "CN-SN", "CN-SX", "CN-TJ", "CN-XJ", "CN-XZ", "CN-YN", "CN-ZJ"};
    assert_int_equal(sizeof mainland / sizeof mainland[0], 31);
    for (size_t i = 0; i < 31; i++) {
        assert_true(geo_valid(mainland[i]));
        assert_true(geo_is_subdivision(mainland[i]));
        assert_string_equal(geo_country_of(mainland[i]), "CN");
    }
    assert_string_equal(geo_name("CN-GD"), "Guangdong Sheng");
}

static void every_us_state_and_the_district_of_columbia_are_known(void **state)
{
    (void)state;
    static const char *const states[] = {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL",
        "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT",
        "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
        "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC"};
    char code[8];
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        snprintf(code, sizeof code, "US-%s", states[i]);
        assert_true(geo_valid(code));
        assert_string_equal(geo_country_of(code), "US");
    }
    assert_string_equal(geo_name("US-CA"), "California");
}

static void unknown_and_malformed_codes_are_refused(void **state)
{
    (void)state;
    assert_false(geo_valid("XX-YY"));
    assert_false(geo_valid("CN-ZZ"));
    assert_false(geo_valid(""));
    assert_false(geo_valid(NULL));
    assert_false(geo_valid("cn-gd")); /* exact codes only; normalise first */
    assert_null(geo_country_of("ZZ"));
    assert_null(geo_name("US-XX"));
}

static void codes_are_normalised_to_upper_case_and_trimmed(void **state)
{
    (void)state;
    char out[GEO_CODE_MAX + 1];
    assert_true(geo_code_normalize(" cn-gd ", out));
    assert_string_equal(out, "CN-GD");
    assert_true(geo_valid(out));
    assert_false(geo_code_normalize("CN-GDXX", out)); /* too long */
    assert_false(geo_code_normalize("CN GD", out));
    assert_false(geo_code_normalize("", out));
    assert_false(geo_code_normalize("C\xc3\xa9", out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_holds_every_country_and_thousands_of_subdivisions),
        cmocka_unit_test(the_31_province_level_divisions_of_mainland_china_are_known),
        cmocka_unit_test(every_us_state_and_the_district_of_columbia_are_known),
        cmocka_unit_test(unknown_and_malformed_codes_are_refused),
        cmocka_unit_test(codes_are_normalised_to_upper_case_and_trimmed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
