#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)

struct ic_arena_chunk {
    struct ic_arena_chunk *next;
    size_t size;
    alignas(max_align_t) unsigned char bytes[];
};

void *ic_arena_alloc(struct ic_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - align)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        struct ic_arena_chunk *c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = a->head;
        a->head = c;
        a->used = 0;
    }
    void *p = a->head->bytes + a->used;
    a->used += n;
    return p;
}

char *ic_arena_strndup(struct ic_arena *a, const char *s, size_t n)
{
    char *p = ic_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ic_arena_strdup(struct ic_arena *a, const char *s)
{
    return ic_arena_strndup(a, s, strlen(s));
}

void ic_arena_release(struct ic_arena *a)
{
    struct ic_arena_chunk *c = a->head;
    while (c) {
        struct ic_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}
