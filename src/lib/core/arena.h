/* A bump allocator for many small strings that live and die together.
 * Everything allocated from an arena is freed by ic_arena_release(). */
#ifndef IC_CORE_ARENA_H
#define IC_CORE_ARENA_H

#include <stddef.h>

struct ic_arena_chunk;

struct ic_arena {
    struct ic_arena_chunk *head;
    size_t used; /* bytes used in head */
};

#define IC_ARENA_INIT {NULL, 0}

/* NULL when out of memory. Aligned for any type. */
void *ic_arena_alloc(struct ic_arena *a, size_t n);
char *ic_arena_strdup(struct ic_arena *a, const char *s);
char *ic_arena_strndup(struct ic_arena *a, const char *s, size_t n);
void ic_arena_release(struct ic_arena *a);

#endif
