/* `iotcop firmware` over a corpus (docs/corpus.md): directories expanded to
 * their regular files, one report per image in --output-dir written under a
 * temporary name and renamed when complete, a completion record per report
 * keyed by the image's SHA-256 (so a killed run resumes), and the summary
 * (summary.jsonl, summary.html) across the run. */
#ifndef IC_CLI_CORPUS_H
#define IC_CLI_CORPUS_H

#include "core/buf.h"

#include <stddef.h>

/* The hidden directory of completion records and temporary files. */
#define CORPUS_STATE_DIR ".iotcop"

/* Expands the inputs: a directory becomes every regular file below it
 * (recursively, sorted, symbolic links not followed, exclude_dir and its
 * contents left out); anything else stays as given. *images is an array of
 * owned strings (corpus_free_images). Returns 0, or an exit status after
 * printing the error. */
int corpus_expand(char *const *inputs, size_t count, const char *exclude_dir, char ***images,
                  size_t *image_count);
void corpus_free_images(char **images, size_t count);

/* Reads a whole file (at most max bytes). IC_OK, IC_E_IO (errno set) or
 * IC_E_LIMIT_FILE_SIZE. */
int corpus_read_file(const char *path, size_t max, struct ic_buf *out);
/* SHA-256 of a file or of bytes, as 64 hex digits. IC_OK or IC_E_IO. */
int corpus_sha256_file(const char *path, char out[65]);
void corpus_sha256_bytes(const void *data, size_t size, char out[65]);

/* One image of a run with --output-dir. */
struct corpus_entry {
    const char *image;
    const char *dir;
    char *report_name;    /* file name in dir, owned */
    char sha256[65];      /* "" when the image could not be read */
    int hashed;           /* sha256 computed */
    const char *settings; /* borrowed from corpus_plan()'s caller */
    struct ic_buf key;    /* what produced the report: image hash, tool, rules, options */
    struct ic_buf summary_line;
    int status;  /* the exit status of this image */
    int resumed; /* an earlier run's report was kept */
};

/* Creates dir and its state directory. Returns 0 or an exit status. */
int corpus_prepare(const char *dir);
/* Names each entry's report: IMAGE's base name plus suffix, or, when two
 * images of the run share a base name, the base name, the first 12 digits of
 * the image's SHA-256 and the suffix (only those images are hashed here).
 * settings (borrowed until the entries are released) names what else shapes
 * a report (format, options, suppression files). Returns 0 or an exit
 * status. */
int corpus_plan(struct corpus_entry *entries, size_t count, const char *dir, const char *suffix,
                const char *settings);
/* Hashes the image (if not done yet; sha256 stays "" when it cannot be
 * read) and makes the entry's key. Called from the pool, before
 * corpus_resume() and corpus_store(). IC_OK or IC_E_NOMEM. */
int corpus_identify(struct corpus_entry *entry);
/* Whether an earlier run completed this entry with the same key: then its
 * summary line and status are loaded and 1 returned. */
int corpus_resume(struct corpus_entry *entry);
/* Stores an audited entry: output is the worker's summary line, '\n', then
 * the report. The report goes to a temporary file renamed into place, then
 * the completion record. Returns the entry's status (EXIT_INTERNAL when
 * writing failed). */
int corpus_store(struct corpus_entry *entry, const struct ic_buf *output, int status);
/* Writes summary.jsonl and summary.html in dir (each renamed into place)
 * from the entries' summary lines, in input order. Returns 0 or
 * EXIT_INTERNAL. */
int corpus_write_summary(const char *dir, const struct corpus_entry *entries, size_t count);
void corpus_entry_release(struct corpus_entry *entry);

#endif
