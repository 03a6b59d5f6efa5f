/* Component identification speed for bench/components.sh: unpacks IMAGE,
 * reads every file once (so decompression is not counted), then runs
 * ic_components_identify() RUNS times over the tree and prints the bytes
 * it reads, the fastest run and the throughput.
 *
 *   components_speed IMAGE [RUNS] [THREADS]
 *
 * Build: see bench/components.sh (links build/libiotcop.a). */
#include "iotcop/components.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: components_speed IMAGE [RUNS] [THREADS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    struct ic_unpack *u = NULL;
    if (ic_unpack_path(argv[1], &limits, &u) != 0) {
        fprintf(stderr, "cannot unpack %s\n", argv[1]);
        return 1;
    }
    /* Materialise every file and raw layer; count what identification reads. */
    unsigned long long bytes = 0, files = 0;
    for (size_t i = 0; i < u->layer_count; i++) {
        const struct ic_layer *l = &u->layers[i];
        if (l->fs) {
            for (size_t k = 0; k < ic_fs_count(l->fs); k++) {
                const struct ic_entry *e = ic_fs_entry(l->fs, k);
                if ((e->type == IC_FT_FILE || e->type == IC_FT_HARDLINK) && e->content &&
                    ic_blob_data(e->content, NULL)) {
                    bytes += ic_blob_size(e->content);
                    files++;
                }
            }
        } else if (l->content && ic_blob_data(l->content, NULL)) {
            unsigned long long covered = 0;
            for (size_t c = 0; c < u->layer_count; c++)
                if (u->layers[c].parent == (int)i)
                    covered += u->layers[c].size;
            unsigned long long size = ic_blob_size(l->content);
            bytes += covered < size ? size - covered : 0;
            files++;
        }
    }
    double best = 1e9;
    size_t found = 0;
    for (int r = 0; r < runs; r++) {
        struct ic_software_list *list = NULL;
        double t0 = now();
        if (ic_components_identify(u, &limits, &list) != 0) {
            fprintf(stderr, "identification failed\n");
            return 1;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
        found = list->count;
        ic_software_list_free(list);
    }
    printf("{\"files\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"mb_per_s\": %.1f, "
           "\"components\": %zu, \"threads\": %llu}\n",
           files, bytes, best, (double)bytes / 1e6 / best, found,
           (unsigned long long)limits.jobs);
    ic_unpack_free(u);
    return 0;
}
