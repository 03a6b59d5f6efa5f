/* Core pieces: cursor, capped buffer, JSON writer, limits, error table, pool. */
#include "testutil.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/json.h"
#include "core/pool.h"
#include "iotcop/error.h"
#include "iotcop/limits.h"

#include <stdatomic.h>
#include <string.h>

static void cursor_reads_both_endians_and_never_overruns(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
    struct ic_cursor c;
    ic_cursor_init(&c, bytes, sizeof(bytes));
    uint32_t v32 = 0;
    assert_int_equal(ic_cursor_u32be(&c, &v32), IC_OK);
    assert_int_equal(v32, 0x12345678);
    uint16_t v16 = 0;
    /* One byte left: a 16-bit read fails and consumes nothing. */
    assert_int_equal(ic_cursor_u16le(&c, &v16), IC_E_TRUNCATED);
    assert_int_equal(c.pos, 4);
    uint8_t v8 = 0;
    assert_int_equal(ic_cursor_u8(&c, &v8), IC_OK);
    assert_int_equal(v8, 0x9a);
    assert_int_equal(ic_cursor_remaining(&c), 0);
    ic_cursor_init(&c, bytes, sizeof(bytes));
    assert_int_equal(ic_cursor_u32le(&c, &v32), IC_OK);
    assert_int_equal(v32, 0x78563412);
    const uint8_t *p = NULL;
    assert_int_equal(ic_cursor_bytes(&c, UINT64_MAX, &p), IC_E_TRUNCATED);
    assert_int_equal(ic_cursor_skip(&c, UINT64_MAX), IC_E_TRUNCATED);
    assert_int_equal(ic_cursor_seek(&c, 6), IC_E_TRUNCATED);
    assert_int_equal(c.pos, 4);
    assert_false(ic_range_ok(UINT64_MAX - 1, 4, 10));
    assert_true(ic_range_ok(6, 4, 10));
    assert_false(ic_range_ok(7, 4, 10));
}

static void buffer_stops_at_its_maximum(void **state)
{
    (void)state;
    struct ic_buf b = IC_BUF_INIT(8);
    assert_int_equal(ic_buf_append(&b, "12345", 5), IC_OK);
    assert_int_equal(ic_buf_append(&b, "6789", 4), IC_E_LIMIT_FILE_SIZE);
    assert_int_equal(b.len, 5);
    assert_string_equal((char *)b.data, "12345");
    assert_int_equal(ic_buf_printf(&b, "%d", 678), IC_OK);
    assert_string_equal((char *)b.data, "12345678");
    assert_int_equal(ic_buf_printf(&b, "x"), IC_E_LIMIT_FILE_SIZE);
    size_t len = 0;
    uint8_t *owned = ic_buf_detach(&b, &len);
    assert_int_equal(len, 8);
    assert_null(b.data);
    free(owned);
    ic_buf_release(&b);
}

static void json_escapes_controls_quotes_and_invalid_utf8(void **state)
{
    (void)state;
    struct ic_buf b = IC_BUF_INIT(1 << 20);
    struct ic_json j;
    ic_json_init(&j, &b, 0);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "a\"b", "line\n\ttab \\ \x01");
    ic_json_key(&j, "bytes");
    ic_json_string_n(&j, "caf\xc3\xa9 \xff\xfe", 8);
    ic_json_key(&j, "list");
    ic_json_array_begin(&j);
    ic_json_int(&j, -5);
    ic_json_uint(&j, UINT64_MAX);
    ic_json_bool(&j, 1);
    ic_json_null(&j);
    ic_json_array_end(&j);
    ic_json_key(&j, "empty");
    ic_json_object_begin(&j);
    ic_json_object_end(&j);
    ic_json_object_end(&j);
    assert_int_equal(j.error, IC_OK);
    assert_string_equal((char *)b.data,
                        "{\"a\\\"b\":\"line\\n\\ttab \\\\ \\u0001\",\"bytes\":\"caf\xc3\xa9 "
                        "\\u00ff\\u00fe\",\"list\":[-5,18446744073709551615,true,null],"
                        "\"empty\":{}}");
    ic_buf_release(&b);
}

static void limits_parse_names_and_suffixes(void **state)
{
    (void)state;
    struct ic_limits l;
    ic_limits_default(&l);
    assert_int_equal(l.max_depth, 16);
    assert_int_equal(ic_limits_set(&l, "depth=4"), IC_OK);
    assert_int_equal(l.max_depth, 4);
    assert_int_equal(ic_limits_set(&l, "total-bytes=64M"), IC_OK);
    assert_int_equal(l.max_total_bytes, 64ULL << 20);
    assert_int_equal(ic_limits_set(&l, "files=1k"), IC_OK);
    assert_int_equal(l.max_files, 1024);
    assert_int_equal(ic_limits_set(&l, "nosuch=1"), IC_E_INVALID_ARG);
    assert_int_equal(ic_limits_set(&l, "depth="), IC_E_INVALID_ARG);
    assert_int_equal(ic_limits_set(&l, "depth=-1"), IC_E_INVALID_ARG);
    assert_int_equal(ic_limits_set(&l, "depth=3x"), IC_E_INVALID_ARG);
    assert_int_equal(ic_limits_set(&l, "total-bytes=99999999999999G"), IC_E_INVALID_ARG);
    assert_int_equal(l.max_depth, 4);
    const char *desc = NULL;
    assert_string_equal(ic_limits_describe(0, &desc, NULL), "depth");
    assert_non_null(desc);
}

static void error_names_come_from_one_list(void **state)
{
    (void)state;
    assert_string_equal(ic_error_name(IC_OK), "OK");
    assert_string_equal(ic_error_name(IC_E_TRUNCATED), "E_TRUNCATED");
    assert_string_equal(ic_error_name(-1), "E_UNKNOWN");
    assert_string_equal(ic_error_name(IC_ERROR_COUNT), "E_UNKNOWN");
    for (int e = 1; e < IC_ERROR_COUNT; e++) {
        assert_memory_equal(ic_error_name(e), "E_", 2);
        assert_true(strlen(ic_error_message(e)) > 3);
    }
}

struct pool_work {
    atomic_uint hits[1000];
};

static void count_hit(void *arg, size_t i)
{
    struct pool_work *w = arg;
    atomic_fetch_add(&w->hits[i], 1);
}

static void pool_runs_every_index_exactly_once(void **state)
{
    (void)state;
    struct ic_pool *pool = ic_pool_new(4);
    assert_non_null(pool);
    assert_int_equal(ic_pool_threads(pool), 4);
    for (int round = 0; round < 50; round++) {
        struct pool_work *w = calloc(1, sizeof(*w));
        ic_pool_for(pool, 1000, count_hit, w);
        for (int i = 0; i < 1000; i++)
            assert_int_equal(atomic_load(&w->hits[i]), 1);
        free(w);
    }
    ic_pool_free(pool);
}

/* Tasks run once whether a helper or the waiting caller runs them; a task
 * taken back before it started never runs; loops may run meanwhile. */
static void pool_tasks_run_once_or_never(void **state)
{
    (void)state;
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        struct ic_pool *pool = threads > 1 ? ic_pool_new(threads) : NULL;
        struct pool_work *w = calloc(1, sizeof(*w));
        struct pool_work *loop = calloc(1, sizeof(*loop));
        static struct ic_pool_task tasks[600];
        for (size_t i = 0; i < 600; i++)
            ic_pool_submit(pool, &tasks[i], count_hit, w, i);
        ic_pool_for(pool, 1000, count_hit, loop);
        int withdrawn[600] = {0};
        for (size_t i = 0; i < 600; i++) {
            if (i % 3 == 0)
                withdrawn[i] = ic_pool_withdraw(pool, &tasks[i]);
            else
                ic_pool_wait(pool, &tasks[i]);
        }
        size_t never = 0;
        for (size_t i = 0; i < 600; i++) {
            assert_int_equal(atomic_load(&w->hits[i]), withdrawn[i] ? 0 : 1);
            never += (size_t)withdrawn[i];
        }
        for (int i = 0; i < 1000; i++)
            assert_int_equal(atomic_load(&loop->hits[i]), 1);
        if (!pool)
            assert_int_equal(never, 200); /* nothing runs without a helper until waited for */
        free(w);
        free(loop);
        ic_pool_free(pool);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_reads_both_endians_and_never_overruns),
        cmocka_unit_test(buffer_stops_at_its_maximum),
        cmocka_unit_test(json_escapes_controls_quotes_and_invalid_utf8),
        cmocka_unit_test(limits_parse_names_and_suffixes),
        cmocka_unit_test(error_names_come_from_one_list),
        cmocka_unit_test(pool_runs_every_index_exactly_once),
        cmocka_unit_test(pool_tasks_run_once_or_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
