/* test_jobs.c — the scheduler's two lanes (src/jobs):
 *   - a tick of the slow lane that hangs does not hold up the main lane:
 *     the main lane's ticks keep running while it hangs;
 *   - jobs_stop wakes a slow tick that waits on jobs_stopping(), joins both
 *     threads, and the flag is down again afterwards.
 * No timed assertions: the ticks wait on each other (polling, bounded so a
 * regression fails instead of hanging) and the test asserts what they saw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>

#include "core/log.h"
#include "jobs/jobs.h"
#include "testdb.h"

#define WAIT_POLLS 60000 /* x 1 ms: the bound of every wait */

enum slow_mode { SLOW_IDLE, SLOW_UNTIL_MAIN_RUNS, SLOW_UNTIL_STOPPING };

static atomic_int main_runs;
static atomic_int slow_mode;
static atomic_bool slow_entered, slow_finished, slow_saw_stopping;
static atomic_int main_runs_while_slow;

static void nap(void)
{
    struct timespec ts = {0, 1000000L};
    nanosleep(&ts, NULL);
}

static ips_status main_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    (void)ctx;
    (void)now_ms;
    atomic_fetch_add(&main_runs, 1);
    return IPS_OK;
}

static ips_status slow_tick(struct ips_ctx *ctx, int64_t now_ms)
{
    (void)ctx;
    (void)now_ms;
    int mode = atomic_load(&slow_mode);
    if (mode == SLOW_IDLE || atomic_load(&slow_finished))
        return IPS_OK;
    int at = atomic_load(&main_runs);
    atomic_store(&slow_entered, true);
    for (int i = 0; i < WAIT_POLLS; i++) {
        if (mode == SLOW_UNTIL_MAIN_RUNS && atomic_load(&main_runs) >= at + 2)
            break;
        if (mode == SLOW_UNTIL_STOPPING && jobs_stopping())
            break;
        nap();
    }
    atomic_store(&main_runs_while_slow, atomic_load(&main_runs) - at);
    atomic_store(&slow_saw_stopping, jobs_stopping());
    atomic_store(&slow_finished, true);
    return IPS_OK;
}

static void start(struct testdb *t, int mode)
{
    char err[256];
    atomic_store(&slow_mode, mode);
    atomic_store(&slow_entered, false);
    atomic_store(&slow_finished, false);
    atomic_store(&slow_saw_stopping, false);
    assert_int_equal(jobs_register("test-main", main_tick), IPS_OK);
    assert_int_equal(jobs_register_slow("test-slow", slow_tick), IPS_OK);
    assert_int_equal(config_set(&t->cfg, "db", t->url, err, sizeof err), IPS_OK);
    assert_int_equal(jobs_start(&t->cfg), IPS_OK);
}

static void a_hanging_slow_tick_does_not_hold_up_the_main_lane(void **state)
{
    start(*state, SLOW_UNTIL_MAIN_RUNS);
    for (int i = 0; i < WAIT_POLLS && !atomic_load(&slow_finished); i++)
        nap();
    assert_true(atomic_load(&slow_finished));
    assert_false(atomic_load(&slow_saw_stopping)); /* it ended by itself, not by the stop */
    assert_true(atomic_load(&main_runs_while_slow) >= 2);
    atomic_store(&slow_mode, SLOW_IDLE);
    jobs_stop();
}

static void stopping_wakes_a_waiting_slow_tick_and_joins(void **state)
{
    start(*state, SLOW_UNTIL_STOPPING);
    for (int i = 0; i < WAIT_POLLS && !atomic_load(&slow_entered); i++)
        nap();
    assert_true(atomic_load(&slow_entered));
    assert_false(jobs_stopping());
    jobs_stop(); /* returns once both threads are joined */
    assert_true(atomic_load(&slow_finished));
    assert_true(atomic_load(&slow_saw_stopping));
    assert_false(jobs_stopping());
    jobs_stop(); /* safe when not started */
}

int main(void)
{
    log_level_set(LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_hanging_slow_tick_does_not_hold_up_the_main_lane, testdb_setup, testdb_teardown),
        cmocka_unit_test_setup_teardown(stopping_wakes_a_waiting_slow_tick_and_joins, testdb_setup, testdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
