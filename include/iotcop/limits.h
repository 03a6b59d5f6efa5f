/* Every limit of the library in one place. Each has a default, a name the
 * command line accepts (--limit NAME=VALUE) and a one-line description. */
#ifndef IOTCOP_LIMITS_H
#define IOTCOP_LIMITS_H

#include <stdint.h>

/* IC_LIMIT(field, cli name, default, description) */
#define IC_LIMITS_LIST(X)                                                                          \
    X(max_depth, "depth", 16, "nesting depth of layers inside layers")                            \
    X(max_total_bytes, "total-bytes", 8ULL << 30, "bytes expanded from one input in all")         \
    X(max_ratio, "ratio", 2000, "bytes expanded per byte of input")                               \
    X(max_files, "files", 2000000, "file system entries from one input")                          \
    X(max_file_size, "file-size", 1ULL << 30, "bytes of one file or decompressed stream")         \
    X(max_layers, "layers", 20000, "layers found in one input")                                   \
    X(max_carve_candidates, "candidates", 200000, "signature hits examined per blob")             \
    X(time_s, "time", 900, "wall-clock seconds for one input")                                    \
    X(cpu_s, "cpu", 1800, "CPU seconds for one input's worker")                                   \
    X(memory_bytes, "memory", 16ULL << 30, "address space of one input's worker")                 \
    X(jobs, "jobs", 0, "threads inside one input (0: one per core)")

struct ic_limits {
#define IC_LIMIT_FIELD(field, name, def, desc) uint64_t field;
    IC_LIMITS_LIST(IC_LIMIT_FIELD)
#undef IC_LIMIT_FIELD
};

/* Fills every field with its default. */
void ic_limits_default(struct ic_limits *limits);

/* Sets one limit from "NAME=VALUE" (VALUE may end in K, M or G).
 * Returns IC_OK or IC_E_INVALID_ARG. */
int ic_limits_set(struct ic_limits *limits, const char *assignment);

/* For help text: the i-th limit's name, description and default; NULL name past the end. */
const char *ic_limits_describe(unsigned i, const char **description, uint64_t *def);

/* The number of threads to use: limits->jobs, or the number of cores when 0. */
unsigned ic_limits_threads(const struct ic_limits *limits);

#endif
