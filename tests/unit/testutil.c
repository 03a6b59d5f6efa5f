#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *env_path(const char *var, const char *rel)
{
    const char *base = getenv(var);
    if (!base)
        return NULL;
    size_t n = strlen(base) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", base, rel);
    return p;
}

char *test_shared_path(const char *rel)
{
    return env_path("IOTCOP_SHARED", rel);
}

char *test_fixture_path(const char *rel)
{
    return env_path("IOTCOP_FIXTURES", rel);
}

int test_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0;
}

uint8_t *test_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p && size)
        *size = (size_t)n;
    return p;
}

char *test_tmpdir(const char *name)
{
    const char *base = getenv("IOTCOP_TMP");
    if (!base)
        base = "/tmp";
    mkdir(base, 0755);
    size_t n = strlen(base) + strlen(name) + 32;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s.%d", base, name, (int)getpid());
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
    if (system(cmd) != 0)
        return p;
    mkdir(p, 0755);
    return p;
}
