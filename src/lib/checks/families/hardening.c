/* Binary hardening (CoP-6, EN 303 645 5.6-8 and 5.6-9): every ELF program
 * and library of every file system, whatever its architecture, read with
 * checks/elf/elf.c: executable stacks (no NX), RPATH/RUNPATH entries an
 * attacker can write to, programs without PIE, RELRO, stack canaries or
 * FORTIFY_SOURCE; and the hardening options of the kernel when its
 * configuration is in the image (/boot/config-*, or embedded with
 * CONFIG_IKCONFIG between "IKCFG_ST" and "IKCFG_ED").
 *
 * Severity and aggregation keep a report readable on a root file system of
 * thousands of files: a writable library search path or /dev/mem is one
 * finding per file; executable stacks are one medium finding per file system
 * listing the files (a toolchain that asks for one, as Debian's MIPS
 * toolchain does, marks nearly every file); missing compiler hardening is one
 * low finding per rule and file system listing the programs; the rest
 * (libraries, partial RELRO, symbols) is counted in one info summary per
 * file system. */
#include "checks/check.h"
#include "checks/elf/elf.h"
#include "core/buf.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char *const p_memory[] = {"5.6-8", "5.6-9", NULL};
static const char *const p_secdev[] = {"5.6-9", NULL};
static const char *const p_devmem[] = {"5.6-8", NULL};

static const struct ic_rule hardening_rules[] = {
    {
        .id = "elf.exec-stack",
        .title = "Programs or libraries with an executable stack (no NX)",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = p_memory,
        .rationale = "With an executable stack the processor's no-execute protection is off for "
                     "the stack: a buffer overflow can run the attacker's code directly. A "
                     "shared library that asks for one makes the stack of every program that "
                     "loads it executable.",
        .fix = "Build with -Wl,-z,noexecstack (and fix the assembly or nested functions that "
               "ask for an executable stack) so that PT_GNU_STACK is RW.",
    },
    {
        .id = "elf.rpath",
        .title = "Library search path (RPATH/RUNPATH) an attacker can write to",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "The dynamic loader looks for libraries in the RPATH/RUNPATH directories "
                     "first. A relative or empty entry (resolved against the current directory), "
                     "or a directory that anyone can write to (/tmp, a writable mount), lets a "
                     "local process plant a library that the program then runs.",
        .fix = "Link without -rpath, or only with absolute, root-owned, read-only directories "
               "(or $ORIGIN-relative ones inside the read-only image).",
    },
    {
        .id = "elf.no-pie",
        .title = "Programs not built as position-independent executables (no PIE)",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "A program that is not position independent is loaded at a fixed address, "
                     "so address-space layout randomisation cannot hide its code: return-"
                     "oriented exploits know where every gadget is.",
        .fix = "Build programs with -fPIE -pie (the default of current Debian, Buildroot and "
               "OpenWrt toolchains).",
    },
    {
        .id = "elf.no-relro",
        .title = "Programs or libraries without RELRO",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "Without RELRO the global offset table and other relocated data stay "
                     "writable for the life of the process, an easy target for a memory "
                     "corruption bug that turns a write into code execution.",
        .fix = "Link with -Wl,-z,relro,-z,now (full RELRO).",
    },
    {
        .id = "elf.no-canary",
        .title = "Programs without stack protection (no canary)",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "Without -fstack-protector a stack buffer overflow overwrites the return "
                     "address unnoticed; a canary turns it into a controlled abort.",
        .fix = "Build with -fstack-protector-strong.",
    },
    {
        .id = "elf.no-fortify",
        .title = "Programs that use fortifiable functions without FORTIFY_SOURCE",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "The program calls C library functions that have bounds-checked variants "
                     "(memcpy, sprintf, read, ...) but uses none of them: it was built without "
                     "_FORTIFY_SOURCE, so overflows the compiler could have caught go unchecked.",
        .fix = "Build with -O2 -D_FORTIFY_SOURCE=2 (or 3).",
    },
    {
        .id = "elf.hardening-summary",
        .title = "Binary hardening of the ELF files of a file system",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-6",
        .provisions = p_secdev,
        .rationale = "How the programs and libraries of the image were built: evidence of the "
                     "secure development process EN 303 645 5.6-9 asks for.",
        .fix = "Build everything with the hardening flags of a current distribution "
               "(-fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -pie -Wl,-z,relro,-z,now "
               "-Wl,-z,noexecstack) and strip symbols from release images.",
    },
    {
        .id = "kernel.devmem",
        .title = "Kernel gives user space raw access to physical memory (/dev/mem, /dev/kmem)",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-6",
        .provisions = p_devmem,
        .rationale = "With CONFIG_DEVMEM and without CONFIG_STRICT_DEVMEM (or with "
                     "CONFIG_DEVKMEM) root can read and write all physical or kernel memory: "
                     "one compromised service owns the kernel and every secret in RAM.",
        .fix = "Disable CONFIG_DEVMEM and CONFIG_DEVKMEM, or at least enable "
               "CONFIG_STRICT_DEVMEM (and CONFIG_IO_STRICT_DEVMEM).",
    },
    {
        .id = "kernel.hardening",
        .title = "Kernel built without basic memory hardening",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-6",
        .provisions = p_memory,
        .rationale = "CONFIG_STRICT_KERNEL_RWX keeps kernel code read-only and data "
                     "non-executable; CONFIG_STACKPROTECTOR catches stack overflows in the "
                     "kernel. Without them a kernel memory bug is much easier to exploit.",
        .fix = "Enable CONFIG_STRICT_KERNEL_RWX (CONFIG_DEBUG_RODATA before Linux 4.11) and "
               "CONFIG_STACKPROTECTOR_STRONG.",
    },
};

const struct ic_rule_set ic_rule_set_hardening = {
    .family = "hardening",
    .rules = hardening_rules,
    .count = sizeof(hardening_rules) / sizeof(hardening_rules[0]),
};

/* Finding nothing does not establish either provision: both need documents. */
static const struct ic_coverage hardening_coverage[] = {
    {"5.6-8", 0, 1},
    {"5.6-9", 0, 1},
};

/* ---- per file system ------------------------------------------------------- */

#define MAX_ELF_BYTES (512u << 20)
#define LISTED_PATHS 25u
#define LIST_BYTES 3000u

/* A list of paths for an aggregated finding. */
struct path_list {
    struct ic_buf buf;
    unsigned count;
};

struct fs_state {
    struct ic_check_ctx *ctx;
    const struct ic_layer *layer;
    unsigned elves, programs, libraries, objects, damaged;
    unsigned nx, pie, relro_full, relro_partial, canary, canary_unknown, fortify, rpath, runpath,
        symbols;
    struct path_list exec_stack, no_pie, no_relro, no_canary, no_fortify;
    unsigned stack_no_header, stack_libraries, stack_mips;
    char arch[48];
    int mixed; /* ELF files of more than one architecture */
};

static int list_add(struct path_list *l, const char *path)
{
    l->count++;
    if (l->count > LISTED_PATHS)
        return IC_OK;
    return ic_buf_printf(&l->buf, "%s%s", l->buf.len ? ", " : "", path);
}

/* The list as one string (borrowed from l), with "and N more" when cut. */
static int list_text(struct path_list *l, const char **out)
{
    int rc = IC_OK;
    if (l->count > LISTED_PATHS)
        rc = ic_buf_printf(&l->buf, " and %u more", l->count - LISTED_PATHS);
    if (!rc)
        rc = ic_buf_append_byte(&l->buf, 0);
    *out = (const char *)l->buf.data;
    return rc;
}

/* Whether one RPATH/RUNPATH entry is one an attacker may write to: empty
 * or relative (resolved against the working directory), a well-known
 * writable place, or a directory of this file system that is world-writable
 * or not owned by root. *why says which. */
static int rpath_entry_unsafe(const struct ic_layer *layer, const char *entry, size_t len,
                              const char **why)
{
    static const char *const writable[] = {"/tmp",   "/var/tmp", "/dev/shm", "/run/shm", "/mnt",
                                           "/media", "/home",    "/var/run", "/run"};
    char path[1024];
    if (len == 0) {
        *why = "empty entry (the current directory)";
        return 1;
    }
    if (len >= 7 && memcmp(entry, "$ORIGIN", 7) == 0)
        return 0;
    if (len >= 9 && memcmp(entry, "${ORIGIN}", 9) == 0)
        return 0;
    if (entry[0] != '/') {
        *why = "relative entry (resolved against the current directory)";
        return 1;
    }
    if (len >= sizeof(path))
        return 0;
    memcpy(path, entry, len);
    path[len] = '\0';
    for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
        size_t n = strlen(writable[i]);
        if (len >= n && memcmp(path, writable[i], n) == 0 && (path[n] == '\0' || path[n] == '/')) {
            *why = "directory writable at run time";
            return 1;
        }
    }
    const struct ic_entry *dir = NULL;
    if (layer->fs && ic_fs_resolve(layer->fs, path, &dir) == IC_OK && dir &&
        dir->type == IC_FT_DIR) {
        if (dir->mode & 0002) {
            *why = "world-writable directory in the image";
            return 1;
        }
        if (dir->uid != 0) {
            *why = "directory not owned by root";
            return 1;
        }
    }
    return 0;
}

static int check_search_path(struct fs_state *st, const struct ic_entry *e, const char *kind,
                             const char *value)
{
    const char *p = value;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        const char *why = NULL;
        if (rpath_entry_unsafe(st->layer, p, len, &why))
            return ic_check_finding(st->ctx, "elf.rpath", st->layer->id, e->path, 0,
                                    "%s '%s': entry '%.*s' is a %s", kind, value, (int)len, p, why);
        if (!colon)
            return IC_OK;
        p = colon + 1;
    }
}

static int check_elf(struct fs_state *st, const struct ic_entry *e, const struct ic_elf *elf)
{
    int rc = IC_OK;
    char mbuf[32];
    const char *machine = ic_elf_machine_name(elf->machine, mbuf, sizeof(mbuf));
    int program = ic_elf_is_program(elf);
    st->elves++;
    if (elf->damaged)
        st->damaged++;
    char arch[48];
    snprintf(arch, sizeof(arch), "%s ELF%d %s", machine, elf->elf64 ? 64 : 32,
             elf->big_endian ? "BE" : "LE");
    if (st->arch[0] == '\0')
        snprintf(st->arch, sizeof(st->arch), "%s", arch);
    else if (strcmp(st->arch, arch) != 0)
        st->mixed = 1;
    if (elf->type != IC_ELF_ET_EXEC && elf->type != IC_ELF_ET_DYN) {
        st->objects++; /* kernel modules, object files, core dumps */
        return IC_OK;
    }
    if (program)
        st->programs++;
    else
        st->libraries++;

    if (!ic_elf_exec_stack(elf)) {
        st->nx++;
    } else {
        st->stack_no_header += elf->gnu_stack == 0;
        st->stack_libraries += !program;
        st->stack_mips += elf->machine == IC_ELF_EM_MIPS || elf->machine == IC_ELF_EM_MIPS_RS3_LE;
        if ((rc = list_add(&st->exec_stack, e->path)))
            return rc;
    }

    if (elf->rpath) {
        st->rpath++;
        if ((rc = check_search_path(st, e, "RPATH", elf->rpath)))
            return rc;
    }
    if (elf->runpath) {
        st->runpath++;
        if ((rc = check_search_path(st, e, "RUNPATH", elf->runpath)))
            return rc;
    }
    if (elf->has_symtab)
        st->symbols++;
    if (elf->gnu_relro && elf->bind_now)
        st->relro_full++;
    else if (elf->gnu_relro)
        st->relro_partial++;
    else
        rc = list_add(&st->no_relro, e->path);
    if (rc)
        return rc;
    int symbols_known = ic_elf_symbols_known(elf);
    int canary = ic_elf_has_canary(elf);
    unsigned fortified = ic_elf_fortified(elf), fortifiable = ic_elf_fortifiable(elf);
    if (canary)
        st->canary++;
    else if (!symbols_known)
        st->canary_unknown++;
    if (fortified)
        st->fortify++;
    if (!program)
        return IC_OK;
    if (ic_elf_is_pie(elf))
        st->pie++;
    else if ((rc = list_add(&st->no_pie, e->path)))
        return rc;
    /* a stripped static program shows no symbol at all: unknown, not absent */
    if (!canary && symbols_known && (rc = list_add(&st->no_canary, e->path)))
        return rc;
    if (fortifiable && !fortified)
        rc = list_add(&st->no_fortify, e->path);
    return rc;
}

static int report_list(struct fs_state *st, const char *rule, struct path_list *l, const char *what,
                       unsigned of)
{
    if (!l->count)
        return IC_OK;
    const char *text = NULL;
    int rc = list_text(l, &text);
    if (rc)
        return rc;
    return ic_check_finding(st->ctx, rule, st->layer->id, NULL, 0, "%u of %u %s: %s", l->count, of,
                            what, text);
}

/* One finding for every file of the file system with an executable stack,
 * saying why (the X flag, or no PT_GNU_STACK at all) and how many are
 * libraries, which pass it on to every program that loads them. */
static int report_exec_stack(struct fs_state *st, unsigned linked)
{
    struct path_list *l = &st->exec_stack;
    if (!l->count)
        return IC_OK;
    const char *text = NULL;
    int rc = list_text(l, &text);
    if (rc)
        return rc;
    return ic_check_finding(
        st->ctx, "elf.exec-stack", st->layer->id, NULL, 0,
        "%u of %u programs and libraries (%s%s) have an executable stack: PT_GNU_STACK with X in "
        "%u, no PT_GNU_STACK in %u; %u shared %s the stack of every program that loads "
        "%s executable%s: %s",
        l->count, linked, st->arch, st->mixed ? " and others" : "", l->count - st->stack_no_header,
        st->stack_no_header, st->stack_libraries,
        st->stack_libraries == 1 ? "library, which makes" : "libraries, which make",
        st->stack_libraries == 1 ? "it" : "them",
        st->stack_mips ? "; on MIPS the stack stays executable on every CPU for these files (a "
                         "CPU with RI/XI can refuse execution only to files that do not ask "
                         "for it)"
                       : "",
        text);
}

static int report_layer(struct fs_state *st)
{
    int rc = IC_OK;
    unsigned linked = st->programs + st->libraries;
    if (st->elves == 0)
        return IC_OK;
    rc = report_exec_stack(st, linked);
    if (!rc)
        rc = report_list(st, "elf.no-pie", &st->no_pie, "programs are not PIE", st->programs);
    if (!rc)
        rc = report_list(st, "elf.no-relro", &st->no_relro, "programs and libraries have no RELRO",
                         linked);
    if (!rc)
        rc = report_list(st, "elf.no-canary", &st->no_canary, "programs have no stack canary",
                         st->programs);
    if (!rc)
        rc = report_list(st, "elf.no-fortify", &st->no_fortify,
                         "programs use fortifiable functions without FORTIFY_SOURCE", st->programs);
    if (rc)
        return rc;
    return ic_check_finding(
        st->ctx, "elf.hardening-summary", st->layer->id, NULL, 0,
        "%u ELF files (%s%s): %u programs, %u shared libraries, %u other; NX %u/%u; PIE %u/%u "
        "programs; RELRO full %u, partial %u, none %u; stack canary %u (%u stripped static, "
        "unknown); FORTIFY_SOURCE %u; RPATH %u, RUNPATH %u; with symbols %u; damaged %u",
        st->elves, st->arch, st->mixed ? " and others" : "", st->programs, st->libraries,
        st->objects, st->nx, linked, st->pie, st->programs, st->relro_full, st->relro_partial,
        linked - st->relro_full - st->relro_partial, st->canary, st->canary_unknown, st->fortify,
        st->rpath, st->runpath, st->symbols, st->damaged);
}

static int check_fs(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    struct fs_state st = {.ctx = ctx, .layer = layer};
    struct path_list *lists[] = {&st.exec_stack, &st.no_pie, &st.no_relro, &st.no_canary,
                                 &st.no_fortify};
    for (size_t i = 0; i < 5; i++)
        ic_buf_init(&lists[i]->buf, LIST_BYTES + 256);
    int rc = IC_OK;
    size_t n = ic_fs_count(layer->fs);
    uint64_t cap = ctx->limits && ctx->limits->max_file_size < MAX_ELF_BYTES
                       ? ctx->limits->max_file_size
                       : MAX_ELF_BYTES;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (e->type != IC_FT_FILE || !e->content || e->size < 52 || e->size > cap)
            continue;
        uint8_t magic[4];
        if (ic_blob_read(e->content, 0, magic, 4) != 4 || !ic_elf_is_elf(magic, 4))
            continue;
        const uint8_t *data = ic_blob_data(e->content, NULL);
        if (!data)
            continue;
        struct ic_elf elf;
        int prc = ic_elf_parse(data, (size_t)ic_blob_size(e->content), &elf);
        if (prc == IC_OK)
            rc = check_elf(&st, e, &elf);
        else if (prc == IC_E_NOMEM)
            rc = prc;
        ic_elf_release(&elf);
    }
    if (!rc)
        rc = report_layer(&st);
    for (size_t i = 0; i < 5; i++)
        ic_buf_release(&lists[i]->buf);
    return rc;
}

/* ---- kernel configuration ------------------------------------------------------ */

#define MAX_KCONFIG (4u << 20)
#define MAX_KERNEL_SCAN (128u << 20)

/* The value of CONFIG_name in a .config text: 'y', 'm', 'n' (is not set or
 * absent: absent when *present is 0), or 'v' for another value. */
static char kconfig_value(const char *text, size_t len, const char *name, int *present)
{
    size_t n = strlen(name);
    const char *p = text, *end = text + len;
    *present = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (l > n + 1 && memcmp(p, name, n) == 0 && p[n] == '=') {
            *present = 1;
            char v = p[n + 1];
            return (v == 'y' || v == 'm' || v == 'n') && l == n + 2 ? v : 'v';
        }
        if (l >= n + 2 && p[0] == '#' && p[1] == ' ' && memcmp(p + 2, name, n) == 0 &&
            l >= n + 2 + 11 && memcmp(p + 2 + n, " is not set", 11) == 0) {
            *present = 1;
            return 'n';
        }
        p = eol ? eol + 1 : end;
    }
    return 'n';
}

static int check_kconfig(struct ic_check_ctx *ctx, const char *layer, const char *path,
                         int64_t offset, const char *text, size_t len)
{
    int present, p2;
    char devmem = kconfig_value(text, len, "CONFIG_DEVMEM", &present);
    char strict = kconfig_value(text, len, "CONFIG_STRICT_DEVMEM", &p2);
    char kmem = kconfig_value(text, len, "CONFIG_DEVKMEM", &p2);
    char where[64] = "";
    if (!path)
        snprintf(where, sizeof(where), " (embedded configuration at offset %lld)",
                 (long long)offset);
    int rc = IC_OK;
    if ((devmem == 'y' && strict != 'y') || kmem == 'y')
        rc = ic_check_finding(ctx, "kernel.devmem", layer, path, 0,
                              "CONFIG_DEVMEM=%c, CONFIG_STRICT_DEVMEM=%c, CONFIG_DEVKMEM=%c%s",
                              devmem, strict, kmem, where);
    if (rc)
        return rc;
    char missing[256] = "";
    size_t used = 0;
    int rwx_present, rodata_present, sp_present, osp_present;
    char rwx = kconfig_value(text, len, "CONFIG_STRICT_KERNEL_RWX", &rwx_present);
    char rodata = kconfig_value(text, len, "CONFIG_DEBUG_RODATA", &rodata_present);
    char sp = kconfig_value(text, len, "CONFIG_STACKPROTECTOR", &sp_present);
    char osp = kconfig_value(text, len, "CONFIG_CC_STACKPROTECTOR", &osp_present);
    if (rwx != 'y' && rodata != 'y')
        used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s",
                                 rwx_present || !rodata_present
                                     ? (rwx_present ? "CONFIG_STRICT_KERNEL_RWX is not set"
                                                    : "CONFIG_STRICT_KERNEL_RWX is absent "
                                                      "(not offered on this architecture?)")
                                     : "CONFIG_DEBUG_RODATA is not set");
    if (sp != 'y' && osp != 'y')
        snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? "; " : "",
                 sp_present || !osp_present ? "CONFIG_STACKPROTECTOR is not set"
                                            : "CONFIG_CC_STACKPROTECTOR is not set");
    if (missing[0])
        rc = ic_check_finding(ctx, "kernel.hardening", layer, path, 0, "%s%s", missing, where);
    return rc;
}

/* An embedded configuration: gzip data between "IKCFG_ST" and "IKCFG_ED". */
static int scan_ikconfig(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    uint64_t size = layer->content ? ic_blob_size(layer->content) : 0;
    if (size < 16 || size > MAX_KERNEL_SCAN)
        return IC_OK;
    const uint8_t *data = ic_blob_data(layer->content, NULL);
    if (!data)
        return IC_OK;
    const uint8_t *st = memmem(data, (size_t)size, "IKCFG_ST", 8);
    if (!st)
        return IC_OK;
    const uint8_t *gz = st + 8;
    size_t avail = (size_t)(data + size - gz);
    const uint8_t *ed = memmem(gz, avail, "IKCFG_ED", 8);
    if (ed)
        avail = (size_t)(ed - gz);
    char *text = malloc(MAX_KCONFIG);
    if (!text)
        return IC_E_NOMEM;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    int rc = IC_OK;
    if (inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(text);
        return IC_E_NOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)gz;
    zs.avail_in = (uInt)(avail > UINT32_MAX ? UINT32_MAX : avail);
    zs.next_out = (Bytef *)text;
    zs.avail_out = MAX_KCONFIG;
    int zrc = inflate(&zs, Z_FINISH);
    size_t got = MAX_KCONFIG - zs.avail_out;
    inflateEnd(&zs);
    if ((zrc == Z_STREAM_END || zrc == Z_BUF_ERROR || zrc == Z_OK) && got > 0)
        rc = check_kconfig(ctx, layer->id, NULL, (int64_t)(st - data), text, got);
    free(text);
    return rc;
}

static int scan_boot_configs(struct ic_check_ctx *ctx, const struct ic_layer *layer)
{
    size_t n = ic_fs_count(layer->fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (e->type != IC_FT_FILE || !e->content || e->size == 0 || e->size > MAX_KCONFIG)
            continue;
        if (strncmp(e->path, "/boot/config-", 13) != 0 && strcmp(e->path, "/boot/config") != 0)
            continue;
        const uint8_t *data = ic_blob_data(e->content, NULL);
        if (!data)
            continue;
        int rc = check_kconfig(ctx, layer->id, e->path, -1, (const char *)data,
                               (size_t)ic_blob_size(e->content));
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int run_hardening(struct ic_check_ctx *ctx)
{
    for (size_t i = 0; i < ctx->unpack->layer_count; i++) {
        const struct ic_layer *layer = &ctx->unpack->layers[i];
        int rc = layer->fs ? check_fs(ctx, layer) : scan_ikconfig(ctx, layer);
        if (!rc && layer->fs)
            rc = scan_boot_configs(ctx, layer);
        if (rc)
            return rc;
    }
    return IC_OK;
}

const struct ic_check ic_check_hardening = {
    .name = "hardening",
    .description = "binary hardening of every ELF file (NX, PIE, RELRO, canary, FORTIFY, "
                   "RPATH) and kernel configuration hardening",
    .rules = &ic_rule_set_hardening,
    .coverage = hardening_coverage,
    .coverage_count = sizeof(hardening_coverage) / sizeof(hardening_coverage[0]),
    .run = run_hardening,
};
