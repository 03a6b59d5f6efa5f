/* The ELF reader (checks/elf/elf.c) and the two families built on it:
 * hardening (CoP-6) and input (CoP-13).
 *
 * - known answers on the seed corpus fuzz/corpus/fuzz_elf/ (real ELF32/64,
 *   LE/BE files of ARM, AArch64, MIPS, PowerPC64 and x86-64), the values
 *   Debian's checksec 2.6 printed for each when the corpus was made;
 * - damaged input (every truncation, bad header fields) parses without harm;
 * - the families on in-memory trees: findings, severities, aggregation, the
 *   kernel configuration (file and embedded IKCFG), CGI programs and scripts.
 *
 * Run with `--checksec FILE...` the program prints ic_elf_checksec() of each
 * file as one JSON object per line in checksec's field names instead of
 * running the tests, and with `--fortify-list` the built-in list of glibc's
 * fortified functions: tests/cli/hardening.sh compares both with checksec. */
#include "testutil.h"

#include "checks/check.h"
#include "checks/elf/elf.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

extern const struct ic_check ic_check_hardening;
extern const struct ic_check ic_check_input;

/* ---- helpers ------------------------------------------------------------- */

static uint8_t *corpus_file(const char *name, size_t *size)
{
    const char *src = getenv("IOTCOP_SOURCE");
    if (!src)
        return NULL;
    char path[1024];
    snprintf(path, sizeof(path), "%s/fuzz/corpus/fuzz_elf/%s", src, name);
    return test_read_file(path, size);
}

static uint8_t *need_corpus(const char *name, size_t *size)
{
    uint8_t *d = corpus_file(name, size);
    if (!d) {
        print_message("corpus file %s not available (IOTCOP_SOURCE unset?)\n", name);
        skip();
    }
    return d;
}

struct known {
    const char *file;
    const char *relro, *canary, *nx, *pie, *rpath, *runpath, *symbols, *fortify;
    unsigned fortified, fortifiable;
};

/* What `checksec --format=json --file=F` (Debian 2.6.0-2) printed. */
static const struct known known[] = {
    {"arm64-execstack-rpath.so", "partial", "yes", "no", "dso", "yes", "no", "yes", "yes", 1, 4},
    {"arm64-libmnl.so", "full", "yes", "yes", "dso", "no", "no", "no", "yes", 1, 3},
    {"arm64-now-runpath.so", "full", "yes", "yes", "dso", "no", "yes", "yes", "yes", 1, 4},
    {"armhf-libnss_files.so.2", "partial", "no", "yes", "dso", "no", "no", "no", "no", 0, 0},
    {"armhf-mod_cgi.so", "full", "yes", "yes", "dso", "no", "no", "no", "no", 0, 1},
    {"mips-be32-exec", "no", "yes", "yes", "no", "no", "no", "yes", "no", 0, 0},
    {"mips-be32-execstack-rpath.so", "no", "yes", "no", "dso", "yes", "no", "yes", "yes", 1, 4},
    {"mips-be32-now-runpath.so", "no", "yes", "yes", "dso", "no", "yes", "yes", "yes", 1, 4},
    {"mipsel-libnfnetlink.so", "no", "yes", "yes", "dso", "no", "no", "no", "yes", 2, 6},
    {"ppc64-be64-execstack-rpath.so", "partial", "yes", "no", "dso", "yes", "no", "yes", "yes", 1,
     4},
    {"ppc64-be64-now-runpath.so", "full", "yes", "yes", "dso", "no", "yes", "yes", "yes", 1, 4},
    {"ppc64-be64-stripped.so", "no", "yes", "yes", "dso", "no", "no", "no", "yes", 1, 4},
    {"x86_64-true", "partial", "yes", "yes", "yes", "no", "no", "no", "yes", 2, 4},
};

/* ---- the reader ------------------------------------------------------------ */

static void corpus_matches_checksec(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        const struct known *k = &known[i];
        size_t size = 0;
        uint8_t *data = need_corpus(k->file, &size);
        struct ic_elf elf;
        assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
        struct ic_elf_checksec cs;
        ic_elf_checksec(&elf, &cs);
        print_message("%s\n", k->file);
        assert_string_equal(cs.relro, k->relro);
        assert_string_equal(cs.canary, k->canary);
        assert_string_equal(cs.nx, k->nx);
        assert_string_equal(cs.pie, k->pie);
        assert_string_equal(cs.rpath, k->rpath);
        assert_string_equal(cs.runpath, k->runpath);
        assert_string_equal(cs.symbols, k->symbols);
        assert_string_equal(cs.fortify_source, k->fortify);
        assert_int_equal(cs.fortified, k->fortified);
        assert_int_equal(cs.fortifiable, k->fortifiable);
        assert_int_equal(elf.damaged, 0);
        ic_elf_release(&elf);
        free(data);
    }
}

static void headers_and_dynamic(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = need_corpus("ppc64-be64-execstack-rpath.so", &size);
    struct ic_elf elf;
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_true(elf.elf64);
    assert_true(elf.big_endian);
    assert_int_equal(elf.machine, 21);
    assert_int_equal(elf.type, IC_ELF_ET_DYN);
    assert_false(ic_elf_is_program(&elf));
    assert_true(ic_elf_exec_stack(&elf));
    assert_non_null(elf.rpath);
    assert_string_equal(elf.rpath, "/tmp/lib:$ORIGIN");
    assert_null(elf.runpath);
    /* imports, with the PLT relocations that reference them */
    assert_true(elf.imports[IC_ELF_W_SYSTEM].imported);
    assert_int_equal(elf.imports[IC_ELF_W_SYSTEM].refs, 1);
    assert_true(elf.imports[IC_ELF_W_STRCPY].imported);
    assert_true(elf.imports[IC_ELF_W_SPRINTF].imported);
    assert_false(elf.imports[IC_ELF_W_POPEN].imported);
    assert_false(elf.imports[IC_ELF_W_GETS].imported);
    assert_true(elf.relocs_read);
    ic_elf_release(&elf);
    free(data);

    data = need_corpus("mips-be32-now-runpath.so", &size);
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_false(elf.elf64);
    assert_true(elf.big_endian);
    assert_int_equal(elf.machine, 8);
    assert_false(ic_elf_exec_stack(&elf));
    assert_string_equal(elf.runpath, "/opt/lib");
    /* MIPS calls imports through the GOT: imported, no relocation */
    assert_true(elf.imports[IC_ELF_W_SYSTEM].imported);
    assert_int_equal(elf.imports[IC_ELF_W_SYSTEM].refs, 0);
    ic_elf_release(&elf);
    free(data);

    data = need_corpus("x86_64-true", &size);
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_true(ic_elf_is_program(&elf));
    assert_true(ic_elf_is_pie(&elf));
    assert_non_null(elf.interp);
    assert_string_equal(elf.interp, "/lib64/ld-linux-x86-64.so.2");
    assert_true(elf.needed_count >= 1);
    assert_string_equal(elf.needed[0], "libc.so.6");
    assert_true(elf.bind_now == 0 || elf.gnu_relro);
    ic_elf_release(&elf);
    free(data);

    data = need_corpus("mips-be32-exec", &size);
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_int_equal(elf.type, IC_ELF_ET_EXEC);
    assert_true(ic_elf_is_program(&elf));
    assert_false(ic_elf_is_pie(&elf));
    ic_elf_release(&elf);
    free(data);
}

/* sstrip (OpenWrt) removes the section headers: checksec then sees no
 * symbols, the reader still finds the imports in the dynamic segment. */
static uint8_t *sstripped(const char *name, size_t *size)
{
    uint8_t *data = need_corpus(name, size);
    int elf64 = data[4] == 2;
    memset(data + (elf64 ? 40 : 32), 0, elf64 ? 8 : 4); /* e_shoff */
    memset(data + (elf64 ? 60 : 48), 0, 4);             /* e_shnum, e_shstrndx */
    return data;
}

static void section_headers_removed(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *data = sstripped("ppc64-be64-now-runpath.so", &size);
    struct ic_elf elf;
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_int_equal(elf.shnum, 0);
    assert_true(elf.dynamic_symbols);
    assert_true(elf.imports[IC_ELF_W_SYSTEM].imported);
    assert_int_equal(elf.imports[IC_ELF_W_SYSTEM].refs, 1); /* from DT_JMPREL */
    assert_true(elf.imports[IC_ELF_W_STRCPY].imported);
    assert_string_equal(elf.runpath, "/opt/lib");
    struct ic_elf_checksec cs;
    ic_elf_checksec(&elf, &cs);
    assert_string_equal(cs.canary, "no"); /* as checksec: no symbol table */
    assert_string_equal(cs.fortify_source, "no");
    assert_true(ic_elf_has_canary(&elf)); /* __stack_chk_fail in DT_SYMTAB */
    assert_int_equal(ic_elf_fortified(&elf), 1);
    assert_int_equal(ic_elf_fortifiable(&elf), 4);
    assert_int_equal(elf.damaged, 0);
    ic_elf_release(&elf);
    free(data);

    /* GNU hash only (x86-64), and MIPS (DT_MIPS_SYMTABNO) */
    data = sstripped("x86_64-true", &size);
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_true(elf.dynamic_symbols);
    assert_true(ic_elf_has_canary(&elf));
    assert_int_equal(ic_elf_fortified(&elf), 2);
    assert_int_equal(ic_elf_fortifiable(&elf), 4);
    ic_elf_release(&elf);
    free(data);
    data = sstripped("mipsel-libnfnetlink.so", &size);
    assert_int_equal(ic_elf_parse(data, size, &elf), IC_OK);
    assert_true(elf.dynamic_symbols);
    assert_true(ic_elf_has_canary(&elf));
    assert_int_equal(ic_elf_fortified(&elf), 2);
    assert_int_equal(ic_elf_fortifiable(&elf), 6);
    ic_elf_release(&elf);
    free(data);
}

static void rejects_non_elf(void **state)
{
    (void)state;
    struct ic_elf elf;
    assert_int_equal(ic_elf_parse((const uint8_t *)"#!/bin/sh\n", 10, &elf), IC_E_BAD_MAGIC);
    ic_elf_release(&elf);
    assert_int_equal(ic_elf_parse((const uint8_t *)"\x7f"
                                                   "EL",
                                  3, &elf),
                     IC_E_TRUNCATED);
    ic_elf_release(&elf);
    uint8_t hdr[64] = {0x7f, 'E', 'L', 'F', 3, 1, 1};
    assert_int_equal(ic_elf_parse(hdr, sizeof(hdr), &elf), IC_E_UNSUPPORTED);
    ic_elf_release(&elf);
    hdr[4] = 2; /* ELF64 needs 64 bytes: 40 are not enough */
    assert_int_equal(ic_elf_parse(hdr, 40, &elf), IC_E_TRUNCATED);
    ic_elf_release(&elf);
    /* a bare header: no tables, nothing damaged, checksec's "no" everywhere */
    assert_int_equal(ic_elf_parse(hdr, 64, &elf), IC_OK);
    struct ic_elf_checksec cs;
    ic_elf_checksec(&elf, &cs);
    assert_string_equal(cs.nx, "no");
    assert_string_equal(cs.relro, "no");
    assert_string_equal(cs.pie, "not_elf");
    assert_true(ic_elf_exec_stack(&elf));
    ic_elf_release(&elf);
}

/* Every prefix of a real file and files with table offsets pointed out of
 * range parse (possibly damaged) and never read outside the buffer. */
static void damaged_input_is_harmless(void **state)
{
    (void)state;
    const char *files[] = {"armhf-mod_cgi.so", "ppc64-be64-now-runpath.so", "mips-be32-exec"};
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        size_t size = 0;
        uint8_t *data = need_corpus(files[f], &size);
        for (size_t n = 0; n <= size; n += (n < 256 ? 1 : 97)) {
            uint8_t *copy = malloc(n ? n : 1);
            assert_non_null(copy);
            memcpy(copy, data, n);
            struct ic_elf elf;
            int rc = ic_elf_parse(copy, n, &elf);
            assert_true(rc == IC_OK || rc == IC_E_TRUNCATED || rc == IC_E_BAD_MAGIC);
            ic_elf_release(&elf);
            free(copy);
        }
        /* huge counts and offsets in the header */
        int elf64 = data[4] == 2, be = data[5] == 2;
        size_t fields[] = {elf64 ? 32u : 28u, elf64 ? 40u : 32u};
        for (size_t k = 0; k < 2; k++) {
            uint8_t *copy = malloc(size);
            assert_non_null(copy);
            memcpy(copy, data, size);
            memset(copy + fields[k], 0xff, elf64 ? 8 : 4);
            copy[elf64 ? 56 : 44] = 0xff;
            copy[elf64 ? 60 : 48] = 0xff;
            (void)be;
            struct ic_elf elf;
            assert_int_equal(ic_elf_parse(copy, size, &elf), IC_OK);
            assert_true(elf.damaged > 0);
            ic_elf_release(&elf);
            free(copy);
        }
        free(data);
    }
}

/* ---- the families on in-memory trees ------------------------------------------ */

struct tree {
    struct ic_fs *fs;
    struct ic_layer layers[2];
    struct ic_unpack unpack;
    struct ic_report *report;
    struct ic_blob *raw;
};

static void tree_init(struct tree *t)
{
    memset(t, 0, sizeof(*t));
    t->fs = ic_fs_new(1000);
    assert_non_null(t->fs);
}

static void put_mode(struct tree *t, const char *path, const void *data, size_t len, uint32_t mode)
{
    struct ic_blob *b = NULL;
    assert_int_equal(ic_blob_from_copy(data, len, &b), IC_OK);
    struct ic_entry e = {.path = path, .type = IC_FT_FILE, .mode = mode, .size = len, .content = b};
    assert_int_equal(ic_fs_add(t->fs, &e), IC_OK);
    ic_blob_unref(b);
}

static void put(struct tree *t, const char *path, const void *data, size_t len)
{
    put_mode(t, path, data, len, 0755);
}

static void put_corpus(struct tree *t, const char *path, const char *name)
{
    size_t size = 0;
    uint8_t *data = need_corpus(name, &size);
    put(t, path, data, size);
    free(data);
}

static void put_dir(struct tree *t, const char *path, uint32_t mode, uint32_t uid)
{
    struct ic_entry e = {.path = path, .type = IC_FT_DIR, .mode = mode, .uid = uid};
    assert_int_equal(ic_fs_add(t->fs, &e), IC_OK);
}

static void run(struct tree *t, const struct ic_check *check)
{
    assert_int_equal(ic_fs_finish(t->fs), IC_OK);
    t->layers[0] = (struct ic_layer){.id = "0.1", .parent = -1, .format = "squashfs", .fs = t->fs};
    size_t n = 1;
    if (t->raw)
        t->layers[n++] = (struct ic_layer){.id = "0.2",
                                           .parent = -1,
                                           .format = "lzma",
                                           .content = t->raw,
                                           .size = ic_blob_size(t->raw)};
    t->unpack = (struct ic_unpack){.layers = t->layers, .layer_count = n};
    assert_int_equal(ic_report_new(&t->report), IC_OK);
    assert_int_equal(ic_report_set_unpack(t->report, &t->unpack), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {&t->unpack, t->report, &limits, &options, NULL};
    assert_int_equal(check->run(&ctx), IC_OK);
    assert_int_equal(
        ic_report_note_coverage(t->report, check->name, check->coverage, check->coverage_count),
        IC_OK);
    assert_int_equal(ic_report_finish(t->report), IC_OK);
}

static void tree_free(struct tree *t)
{
    ic_report_free(t->report);
    ic_fs_free(t->fs);
    ic_blob_unref(t->raw);
}

/* Findings of rule at path ("" = no path, NULL = any) whose evidence holds
 * needle (NULL = any). */
static size_t count(const struct tree *t, const char *rule, const char *path, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < t->report->finding_count; i++) {
        const struct ic_finding *f = &t->report->findings[i];
        if (rule && strcmp(f->rule, rule) != 0)
            continue;
        if (path && (path[0] ? (!f->location.path || strcmp(f->location.path, path) != 0)
                             : f->location.path != NULL))
            continue;
        if (needle && !strstr(f->evidence, needle))
            continue;
        n++;
    }
    return n;
}

static void dump(const struct tree *t)
{
    for (size_t i = 0; i < t->report->finding_count; i++) {
        const struct ic_finding *f = &t->report->findings[i];
        print_message("  %s %s %s: %s\n", ic_severity_name(f->severity), f->rule,
                      f->location.path ? f->location.path : "-", f->evidence);
    }
}

static const struct ic_finding *find(const struct tree *t, const char *rule, const char *path)
{
    for (size_t i = 0; i < t->report->finding_count; i++) {
        const struct ic_finding *f = &t->report->findings[i];
        if (strcmp(f->rule, rule) == 0 &&
            (!path || (f->location.path && strcmp(f->location.path, path) == 0)))
            return f;
    }
    return NULL;
}

static void hardening_findings(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_corpus(&t, "/usr/lib/libexec.so", "mips-be32-execstack-rpath.so");
    put_corpus(&t, "/usr/lib/librun.so", "ppc64-be64-now-runpath.so");
    put_corpus(&t, "/usr/lib/libmnl.so", "arm64-libmnl.so");
    put_corpus(&t, "/usr/lib/libnss_files.so.2", "armhf-libnss_files.so.2");
    put_corpus(&t, "/usr/bin/fixed", "mips-be32-exec");
    put_corpus(&t, "/bin/true", "x86_64-true");
    put(&t, "/bin/script", "#!/bin/sh\necho hi\n", 18);
    run(&t, &ic_check_hardening);
    dump(&t);
    /* one finding per file system for the executable stack (RWE, MIPS);
     * per file: the RPATH into /tmp */
    const struct ic_finding *f = find(&t, "elf.exec-stack", NULL);
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_MEDIUM);
    assert_null(f->location.path);
    assert_non_null(strstr(f->evidence, "1 of 6 programs and libraries"));
    assert_non_null(strstr(f->evidence, "PT_GNU_STACK with X in 1, no PT_GNU_STACK in 0"));
    assert_non_null(strstr(f->evidence, "1 shared library, which makes"));
    assert_non_null(strstr(f->evidence, "on MIPS"));
    assert_non_null(strstr(f->evidence, ": /usr/lib/libexec.so"));
    f = find(&t, "elf.rpath", "/usr/lib/libexec.so");
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_MEDIUM);
    assert_non_null(strstr(f->evidence, "'/tmp/lib'"));
    assert_int_equal(count(&t, "elf.exec-stack", NULL, NULL), 1);
    assert_int_equal(count(&t, "elf.rpath", NULL, NULL), 1); /* /opt/lib is fine */
    /* aggregated, low: the non-PIE program; RELRO missing in three files */
    f = find(&t, "elf.no-pie", NULL);
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_LOW);
    assert_null(f->location.path);
    assert_non_null(strstr(f->evidence, "1 of 2 programs"));
    assert_non_null(strstr(f->evidence, "/usr/bin/fixed"));
    f = find(&t, "elf.no-relro", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "2 of 6"));
    assert_non_null(strstr(f->evidence, "/usr/lib/libexec.so"));
    assert_non_null(strstr(f->evidence, "/usr/bin/fixed"));
    /* libnss_files has no canary, but it is a library: only the summary */
    assert_int_equal(count(&t, "elf.no-canary", NULL, NULL), 0);
    assert_int_equal(count(&t, "elf.no-fortify", NULL, NULL), 0);
    f = find(&t, "elf.hardening-summary", NULL);
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_INFO);
    assert_non_null(strstr(f->evidence, "6 ELF files"));
    assert_non_null(strstr(f->evidence, "2 programs, 4 shared libraries"));
    assert_non_null(strstr(f->evidence, "NX 5/6"));
    /* 5.6-9 fails (low findings), CoP-6 fails */
    const struct ic_provision *p = ic_provision_find("5.6-9");
    assert_int_equal(t.report->provisions[p->index].status, IC_STATUS_FAIL);
    tree_free(&t);
}

/* A copy of corpus file NAME (ELF32 LE) whose PT_GNU_STACK header is
 * turned into PT_NULL: a file that does not say what stack it needs. */
static uint8_t *without_gnu_stack(const char *name, size_t *size)
{
    uint8_t *d = need_corpus(name, size);
    assert_true(*size > 52 && d[4] == 1 && d[5] == 1);
    uint32_t phoff = (uint32_t)d[0x1c] | (uint32_t)d[0x1d] << 8 | (uint32_t)d[0x1e] << 16 |
                     (uint32_t)d[0x1f] << 24;
    unsigned entsize = d[0x2a] | d[0x2b] << 8, count = d[0x2c] | d[0x2d] << 8;
    int patched = 0;
    for (unsigned i = 0; i < count; i++) {
        uint8_t *ph = d + phoff + (size_t)i * entsize;
        assert_true((size_t)(ph - d) + 4 <= *size);
        if (memcmp(ph, "\x51\xe5\x74\x64", 4) == 0) {
            memset(ph, 0, 4);
            patched = 1;
        }
    }
    assert_true(patched);
    return d;
}

/* Executable stacks are counted, not reported file by file: a toolchain that
 * asks for one (Debian's MIPS toolchain) marks nearly every file, and one
 * finding with the count, the causes and the first files says as much. */
static void exec_stacks_are_one_finding_per_file_system(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    char path[64];
    for (int i = 0; i < 30; i++) {
        snprintf(path, sizeof(path), "/usr/lib/libx%02d.so", i);
        put_corpus(&t, path, "mips-be32-execstack-rpath.so");
    }
    put_corpus(&t, "/usr/lib/libppc.so", "ppc64-be64-execstack-rpath.so");
    size_t size = 0;
    uint8_t *bare = without_gnu_stack("armhf-libnss_files.so.2", &size);
    put(&t, "/lib/libnostack.so", bare, size);
    free(bare);
    put_corpus(&t, "/usr/lib/libmnl.so", "arm64-libmnl.so");
    run(&t, &ic_check_hardening);
    dump(&t);
    assert_int_equal(count(&t, "elf.exec-stack", NULL, NULL), 1);
    const struct ic_finding *f = find(&t, "elf.exec-stack", NULL);
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_MEDIUM);
    assert_null(f->location.path);
    assert_non_null(strstr(f->evidence, "32 of 33 programs and libraries"));
    assert_non_null(strstr(f->evidence, "PT_GNU_STACK with X in 31, no PT_GNU_STACK in 1"));
    assert_non_null(strstr(f->evidence, "/lib/libnostack.so"));
    assert_non_null(strstr(f->evidence, "and 7 more"));
    assert_null(strstr(f->evidence, "/usr/lib/libmnl.so"));
    f = find(&t, "elf.hardening-summary", NULL);
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "NX 1/33"));
    /* an executable stack fails 5.6-8 */
    const struct ic_provision *p = ic_provision_find("5.6-8");
    assert_int_equal(t.report->provisions[p->index].status, IC_STATUS_FAIL);
    tree_free(&t);
}

static void hardened_tree_has_no_finding_above_info(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_corpus(&t, "/usr/lib/libmnl.so", "arm64-libmnl.so");
    put_corpus(&t, "/usr/lib/lighttpd/mod_cgi.so", "armhf-mod_cgi.so");
    put_corpus(&t, "/lib/libnss_files.so.2", "armhf-libnss_files.so.2");
    put_corpus(&t, "/bin/true", "x86_64-true");
    run(&t, &ic_check_hardening);
    dump(&t);
    enum ic_severity max = IC_SEVERITY_INFO;
    assert_int_equal(ic_report_max_severity(t.report, &max), 1);
    assert_int_equal(max, IC_SEVERITY_INFO);
    assert_int_equal(count(&t, "elf.hardening-summary", "", "4 ELF files"), 1);
    const struct ic_provision *p = ic_provision_find("5.6-9");
    assert_int_equal(t.report->provisions[p->index].status, IC_STATUS_UNVERIFIED);
    tree_free(&t);
}

static void rpath_into_writable_image_dir(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_dir(&t, "/opt", 0755, 0);
    put_dir(&t, "/opt/lib", 0777, 0); /* the RUNPATH of the corpus file */
    put_corpus(&t, "/usr/lib/librun.so", "mips-be32-now-runpath.so");
    run(&t, &ic_check_hardening);
    dump(&t);
    assert_int_equal(count(&t, "elf.rpath", "/usr/lib/librun.so", "world-writable"), 1);
    tree_free(&t);
}

static uint8_t *gzip_text(const char *text, size_t *out_len)
{
    size_t cap = strlen(text) + 256;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void kernel_configuration(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    const char *weak = "CONFIG_DEVMEM=y\n# CONFIG_STRICT_DEVMEM is not set\n"
                       "# CONFIG_STRICT_KERNEL_RWX is not set\nCONFIG_STACKPROTECTOR=y\n";
    put_mode(&t, "/boot/config-6.1.0-armmp", weak, strlen(weak), 0644);
    const char *good = "CONFIG_DEVMEM=y\nCONFIG_STRICT_DEVMEM=y\nCONFIG_IO_STRICT_DEVMEM=y\n"
                       "CONFIG_STRICT_KERNEL_RWX=y\nCONFIG_STACKPROTECTOR=y\n"
                       "CONFIG_STACKPROTECTOR_STRONG=y\n";
    put_mode(&t, "/boot/config-6.1.0-good", good, strlen(good), 0644);
    /* an embedded configuration (CONFIG_IKCONFIG) in a decompressed kernel */
    const char *embedded = "CONFIG_DEVKMEM=y\n# CONFIG_CC_STACKPROTECTOR is not set\n"
                           "CONFIG_DEBUG_RODATA=y\n";
    size_t gz_len = 0;
    uint8_t *gz = gzip_text(embedded, &gz_len);
    size_t raw_len = 4096 + 8 + gz_len + 8 + 100;
    uint8_t *raw = calloc(1, raw_len);
    assert_non_null(raw);
    memcpy(raw + 4096, "IKCFG_ST", 8);
    memcpy(raw + 4096 + 8, gz, gz_len);
    memcpy(raw + 4096 + 8 + gz_len, "IKCFG_ED", 8);
    assert_int_equal(ic_blob_from_owned(raw, raw_len, &t.raw), IC_OK);
    free(gz);
    run(&t, &ic_check_hardening);
    dump(&t);
    assert_int_equal(
        count(&t, "kernel.devmem", "/boot/config-6.1.0-armmp", "CONFIG_STRICT_DEVMEM=n"), 1);
    assert_int_equal(count(&t, "kernel.hardening", "/boot/config-6.1.0-armmp",
                           "CONFIG_STRICT_KERNEL_RWX is not set"),
                     1);
    assert_int_equal(count(&t, "kernel.hardening", "/boot/config-6.1.0-armmp", "STACKPROTECTOR"),
                     0);
    assert_int_equal(count(&t, NULL, "/boot/config-6.1.0-good", NULL), 0);
    assert_int_equal(count(&t, "kernel.devmem", "", "CONFIG_DEVKMEM=y"), 1);
    assert_int_equal(count(&t, "kernel.devmem", "", "offset 4096"), 1);
    assert_int_equal(count(&t, "kernel.hardening", "", "CONFIG_CC_STACKPROTECTOR is not set"), 1);
    assert_int_equal(count(&t, "kernel.hardening", "", "RWX"), 0); /* DEBUG_RODATA=y */
    tree_free(&t);
}

/* ---- input handling ----------------------------------------------------------------- */

static void cgi_programs_and_scripts(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    /* an ELF CGI importing system, strcpy and sprintf */
    put_corpus(&t, "/www/cgi-bin/apply.cgi", "ppc64-be64-now-runpath.so");
    /* a web server importing system */
    put_corpus(&t, "/usr/sbin/goahead", "mips-be32-now-runpath.so");
    /* the same code elsewhere: only counted in the summary */
    put_corpus(&t, "/usr/lib/libhelper.so", "arm64-now-runpath.so");
    /* a CGI without dangerous imports */
    put_corpus(&t, "/www/cgi-bin/mod.cgi", "armhf-mod_cgi.so");
    const char *bad = "#!/bin/sh\necho \"Content-Type: text/plain\"\necho\n"
                      "host=$(echo \"$QUERY_STRING\" | sed 's/host=//')\n"
                      "eval \"ping -c 1 $QUERY_STRING\"\n";
    put(&t, "/www/cgi-bin/ping.cgi", bad, strlen(bad));
    const char *php = "<?php\n$ip = $_GET['ip'];\necho shell_exec(\"ping \" . $_GET['ip']);\n";
    put(&t, "/www/diag.php", php, strlen(php));
    const char *safe = "#!/bin/sh\necho \"Content-Type: text/plain\"\necho\nuptime\n";
    put(&t, "/www/cgi-bin/status.cgi", safe, strlen(safe));
    const char *outside = "#!/bin/sh\neval \"$QUERY_STRING\"\n";
    put(&t, "/etc/init.d/S10x", outside, strlen(outside));
    run(&t, &ic_check_input);
    dump(&t);
    const struct ic_finding *f = find(&t, "input.cgi-command", "/www/cgi-bin/apply.cgi");
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_MEDIUM);
    assert_non_null(strstr(f->evidence, "system (1 relocation)"));
    f = find(&t, "input.unsafe-function", "/www/cgi-bin/apply.cgi");
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_LOW);
    assert_non_null(strstr(f->evidence, "strcpy (1 relocation)"));
    assert_non_null(strstr(f->evidence, "sprintf (1 relocation)"));
    f = find(&t, "input.web-server-command", "/usr/sbin/goahead");
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_LOW);
    assert_non_null(strstr(f->evidence, "system (imported"));
    assert_int_equal(count(&t, "input.unsafe-function", "/usr/sbin/goahead", "strcpy"), 1);
    assert_int_equal(count(&t, NULL, "/usr/lib/libhelper.so", NULL), 0);
    assert_int_equal(count(&t, "input.unsafe-function-summary", "", "/usr/lib/libhelper.so"), 1);
    assert_int_equal(count(&t, NULL, "/www/cgi-bin/mod.cgi", NULL), 0);
    f = find(&t, "input.cgi-script", "/www/cgi-bin/ping.cgi");
    assert_non_null(f);
    assert_int_equal(f->severity, IC_SEVERITY_MEDIUM);
    assert_int_equal(f->location.line, 5);
    assert_non_null(strstr(f->evidence, "eval"));
    assert_int_equal(count(&t, "input.cgi-script", "/www/diag.php", "shell_exec"), 1);
    assert_int_equal(count(&t, NULL, "/www/cgi-bin/status.cgi", NULL), 0);
    assert_int_equal(count(&t, NULL, "/etc/init.d/S10x", NULL), 0);
    const struct ic_provision *p = ic_provision_find("5.13-1");
    assert_int_equal(t.report->provisions[p->index].status, IC_STATUS_FAIL);
    tree_free(&t);
}

static void clean_web_root_gives_nothing(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_corpus(&t, "/usr/lib/lighttpd/mod_cgi.so", "armhf-mod_cgi.so");
    put_corpus(&t, "/bin/true", "x86_64-true");
    const char *safe = "#!/bin/sh\necho \"Content-Type: text/plain\"\necho\n"
                       "echo \"you asked for: $QUERY_STRING\" | sed 's/</\\&lt;/g'\n";
    put(&t, "/www/cgi-bin/echo.cgi", safe, strlen(safe));
    run(&t, &ic_check_input);
    dump(&t);
    assert_int_equal(t.report->finding_count, 0);
    const struct ic_provision *p = ic_provision_find("5.13-1");
    assert_int_equal(t.report->provisions[p->index].status, IC_STATUS_UNVERIFIED);
    tree_free(&t);
}

static void rule_sets_validate(void **state)
{
    (void)state;
    char detail[256] = "";
    assert_int_equal(ic_rule_set_validate(ic_check_hardening.rules, detail, sizeof(detail)), IC_OK);
    assert_int_equal(ic_rule_set_validate(ic_check_input.rules, detail, sizeof(detail)), IC_OK);
    assert_non_null(ic_rule_find("elf.exec-stack"));
    assert_non_null(ic_rule_find("input.cgi-command"));
}

/* ---- --checksec mode ------------------------------------------------------------------ */

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int checksec_mode(int argc, char **argv)
{
    int failed = 0;
    for (int i = 2; i < argc; i++) {
        size_t size = 0;
        uint8_t *data = test_read_file(argv[i], &size);
        struct ic_elf elf;
        int rc = data ? ic_elf_parse(data, size, &elf) : IC_E_IO;
        printf("{\"file\":");
        json_string(argv[i]);
        if (rc == IC_OK) {
            struct ic_elf_checksec cs;
            ic_elf_checksec(&elf, &cs);
            printf(",\"relro\":\"%s\",\"canary\":\"%s\",\"nx\":\"%s\",\"pie\":\"%s\","
                   "\"rpath\":\"%s\",\"runpath\":\"%s\",\"symbols\":\"%s\","
                   "\"fortify_source\":\"%s\",\"fortified\":\"%u\",\"fortify-able\":\"%u\","
                   "\"damaged\":%u}\n",
                   cs.relro, cs.canary, cs.nx, cs.pie, cs.rpath, cs.runpath, cs.symbols,
                   cs.fortify_source, cs.fortified, cs.fortifiable, elf.damaged);
        } else {
            printf(",\"error\":\"%s\"}\n", ic_error_name(rc));
            failed = 1;
        }
        if (rc != IC_E_IO)
            ic_elf_release(&elf);
        free(data);
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--checksec") == 0)
        return checksec_mode(argc, argv);
    if (argc == 2 && strcmp(argv[1], "--fortify-list") == 0) {
        for (size_t i = 0; ic_elf_fortify_function(i); i++)
            printf("%s\n", ic_elf_fortify_function(i));
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_matches_checksec),
        cmocka_unit_test(headers_and_dynamic),
        cmocka_unit_test(section_headers_removed),
        cmocka_unit_test(rejects_non_elf),
        cmocka_unit_test(damaged_input_is_harmless),
        cmocka_unit_test(hardening_findings),
        cmocka_unit_test(exec_stacks_are_one_finding_per_file_system),
        cmocka_unit_test(hardened_tree_has_no_finding_above_info),
        cmocka_unit_test(rpath_into_writable_image_dir),
        cmocka_unit_test(kernel_configuration),
        cmocka_unit_test(cgi_programs_and_scripts),
        cmocka_unit_test(clean_web_root_gives_nothing),
        cmocka_unit_test(rule_sets_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
