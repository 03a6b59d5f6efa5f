/* Helpers shared by the unit tests. */
#ifndef IC_TESTUTIL_H
#define IC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

/* $IOTCOP_SHARED/rel, or NULL when the variable is unset (caller frees). */
char *test_shared_path(const char *rel);
/* $IOTCOP_FIXTURES/rel, or NULL (caller frees). */
char *test_fixture_path(const char *rel);
/* Whether path exists. */
int test_exists(const char *path);
/* Reads a whole file (caller frees); NULL on failure. */
uint8_t *test_read_file(const char *path, size_t *size);
/* A fresh empty directory under $IOTCOP_TMP (caller frees). */
char *test_tmpdir(const char *name);

#endif
