/* A bounded ELF reader (see elf.h). Written from the System V ABI (gABI)
 * description of the ELF header, program headers, sections, symbols,
 * relocations and the dynamic section. */
#include "checks/elf/elf.h"

#include "core/cursor.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- constants from the gABI ---------------------------------------------- */

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_RELA 4
#define SHT_DYNAMIC 6
#define SHT_REL 9
#define SHT_DYNSYM 11

#define SHN_UNDEF 0
#define SHN_XINDEX 0xffffu
#define PN_XNUM 0xffffu

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_PLTRELSZ 2
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_STRSZ 10
#define DT_SONAME 14
#define DT_SYMENT 11
#define DT_REL 17
#define DT_RELSZ 18
#define DT_RELENT 19
#define DT_PLTREL 20
#define DT_JMPREL 23
#define DT_GNU_HASH 0x6ffffef5u
#define DT_MIPS_SYMTABNO 0x70000011u
#define DT_RPATH 15
#define DT_DEBUG 21
#define DT_BIND_NOW 24
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_FLAGS_1 0x6ffffffbu

#define DF_BIND_NOW 0x8u
#define DF_1_NOW 0x1u
#define DF_1_PIE 0x08000000u

#define EM_MIPS 8

/* ---- names ------------------------------------------------------------------ */

static const char *const watch_names[IC_ELF_WATCH_COUNT] = {
    [IC_ELF_W_SYSTEM] = "system",   [IC_ELF_W_POPEN] = "popen",
    [IC_ELF_W_EXECL] = "execl",     [IC_ELF_W_EXECLE] = "execle",
    [IC_ELF_W_EXECLP] = "execlp",   [IC_ELF_W_EXECV] = "execv",
    [IC_ELF_W_EXECVE] = "execve",   [IC_ELF_W_EXECVP] = "execvp",
    [IC_ELF_W_EXECVPE] = "execvpe", [IC_ELF_W_STRCPY] = "strcpy",
    [IC_ELF_W_STRCAT] = "strcat",   [IC_ELF_W_SPRINTF] = "sprintf",
    [IC_ELF_W_VSPRINTF] = "vsprintf", [IC_ELF_W_GETS] = "gets",
};

const char *ic_elf_watch_name(enum ic_elf_watch w)
{
    return (unsigned)w < IC_ELF_WATCH_COUNT ? watch_names[w] : NULL;
}

int ic_elf_watch_is_command(enum ic_elf_watch w)
{
    return w >= IC_ELF_W_SYSTEM && w <= IC_ELF_W_EXECVPE;
}

/* The functions glibc (2.36) exports a fortified __NAME_chk variant of, as
 * NAME_chk: the list checksec takes from the C library to count "fortified"
 * and "fortify-able" functions. */
static const char *const fortify_chk[] = {
    "asprintf_chk", "confstr_chk", "dprintf_chk", "explicit_bzero_chk", "fdelt_chk",
    "fgets_chk", "fgets_unlocked_chk", "fgetws_chk", "fgetws_unlocked_chk", "fprintf_chk",
    "fread_chk", "fread_unlocked_chk", "fwprintf_chk", "getcwd_chk", "getdomainname_chk",
    "getgroups_chk", "gethostname_chk", "getlogin_r_chk", "gets_chk", "getwd_chk",
    "longjmp_chk", "mbsnrtowcs_chk", "mbsrtowcs_chk", "mbstowcs_chk", "memcpy_chk",
    "memmove_chk", "mempcpy_chk", "memset_chk", "obstack_printf_chk", "obstack_vprintf_chk",
    "poll_chk", "ppoll_chk", "pread64_chk", "pread_chk", "printf_chk",
    "ptsname_r_chk", "read_chk", "readlink_chk", "readlinkat_chk", "realpath_chk",
    "recv_chk", "recvfrom_chk", "snprintf_chk", "sprintf_chk", "stpcpy_chk",
    "stpncpy_chk", "strcat_chk", "strcpy_chk", "strncat_chk", "strncpy_chk",
    "swprintf_chk", "syslog_chk", "ttyname_r_chk", "vasprintf_chk", "vdprintf_chk",
    "vfprintf_chk", "vfwprintf_chk", "vprintf_chk", "vsnprintf_chk", "vsprintf_chk",
    "vswprintf_chk", "vsyslog_chk", "vwprintf_chk", "wcpcpy_chk", "wcpncpy_chk",
    "wcrtomb_chk", "wcscat_chk", "wcscpy_chk", "wcsncat_chk", "wcsncpy_chk",
    "wcsnrtombs_chk", "wcsrtombs_chk", "wcstombs_chk", "wctomb_chk", "wmemcpy_chk",
    "wmemmove_chk", "wmempcpy_chk", "wmemset_chk", "wprintf_chk",
};
#define FORTIFY_COUNT (sizeof(fortify_chk) / sizeof(fortify_chk[0]))

const char *ic_elf_fortify_function(size_t i)
{
    return i < FORTIFY_COUNT ? fortify_chk[i] : NULL;
}

/* 1: name is NAME_chk of the list; 2: name is NAME; 0: neither. */
static int fortify_match(const char *name, size_t len)
{
    for (size_t i = 0; i < FORTIFY_COUNT; i++) {
        size_t n = strlen(fortify_chk[i]);
        if (len == n && memcmp(name, fortify_chk[i], n) == 0)
            return 1;
        if (len == n - 4 && memcmp(name, fortify_chk[i], n - 4) == 0)
            return 2;
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------------ */

struct section {
    uint32_t name;
    uint32_t type;
    uint64_t addr;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
    uint64_t entsize;
};

struct reader {
    const uint8_t *data;
    size_t size;
    int elf64;
    int be;
};

static uint16_t rd16(const struct reader *r, uint64_t off)
{
    return ic_load_u16(r->data + off, r->be);
}
static uint32_t rd32(const struct reader *r, uint64_t off)
{
    return ic_load_u32(r->data + off, r->be);
}
static uint64_t rd64(const struct reader *r, uint64_t off)
{
    return ic_load_u64(r->data + off, r->be);
}
/* A word: 4 bytes in ELF32, 8 in ELF64. */
static uint64_t rdw(const struct reader *r, uint64_t off)
{
    return r->elf64 ? rd64(r, off) : rd32(r, off);
}

static int in_file(const struct reader *r, uint64_t off, uint64_t len)
{
    return ic_range_ok(off, len, r->size);
}

/* A NUL-terminated string at off, never past limit (nor the file): a copy
 * of at most IC_ELF_MAX_STRING bytes, or NULL when off is outside. */
static char *copy_string(const struct reader *r, uint64_t off, uint64_t limit, int *nomem)
{
    if (limit > r->size)
        limit = r->size;
    if (off >= limit)
        return NULL;
    const uint8_t *p = r->data + off;
    size_t avail = (size_t)(limit - off);
    const uint8_t *end = memchr(p, 0, avail);
    size_t len = end ? (size_t)(end - p) : avail;
    if (len > IC_ELF_MAX_STRING)
        len = IC_ELF_MAX_STRING;
    char *s = malloc(len + 1);
    if (!s) {
        *nomem = 1;
        return NULL;
    }
    memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* A borrowed name of a string table: pointer and length (to its NUL or the
 * table's end). 0 when the offset is outside the table. */
static int table_name(const struct reader *r, const struct section *strtab, uint64_t name,
                      const char **out, size_t *len)
{
    if (!strtab || name >= strtab->size)
        return 0;
    const uint8_t *p = r->data + strtab->offset + name;
    size_t avail = (size_t)(strtab->size - name);
    const uint8_t *end = memchr(p, 0, avail);
    *out = (const char *)p;
    *len = end ? (size_t)(end - p) : avail;
    return 1;
}

static int contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    return len >= n && memmem(s, len, needle, n) != NULL;
}

/* ---- program headers ---------------------------------------------------------- */

struct load {
    uint64_t vaddr, offset, filesz;
};

/* Dynamic tags kept for the symbols of a file without section headers. */
enum dyn_slot {
    D_SYMTAB, D_SYMENT, D_HASH, D_GNU_HASH, D_MIPS_SYMTABNO, D_REL, D_RELSZ, D_RELENT, D_RELA,
    D_RELASZ, D_RELAENT, D_JMPREL, D_PLTRELSZ, D_PLTREL, D_SLOTS
};

struct parse {
    struct reader r;
    struct ic_elf *e;
    struct section *sections;
    size_t section_count;
    struct load *loads;
    size_t load_count;
    uint64_t dyn_off, dyn_size;
    uint64_t dyn[D_SLOTS];
    unsigned dyn_set; /* bit per slot */
    struct section dynstr; /* the dynamic string table, when dynstr_found */
    int dynstr_found;
    int nomem;
};

static int dyn_slot(uint64_t tag)
{
    switch (tag) {
    case DT_SYMTAB: return D_SYMTAB;
    case DT_SYMENT: return D_SYMENT;
    case DT_HASH: return D_HASH;
    case DT_GNU_HASH: return D_GNU_HASH;
    case DT_MIPS_SYMTABNO: return D_MIPS_SYMTABNO;
    case DT_REL: return D_REL;
    case DT_RELSZ: return D_RELSZ;
    case DT_RELENT: return D_RELENT;
    case DT_RELA: return D_RELA;
    case DT_RELASZ: return D_RELASZ;
    case DT_RELAENT: return D_RELAENT;
    case DT_JMPREL: return D_JMPREL;
    case DT_PLTRELSZ: return D_PLTRELSZ;
    case DT_PLTREL: return D_PLTREL;
    default: return -1;
    }
}

/* File offset of a virtual address, through the PT_LOAD headers. */
static int vaddr_to_offset(const struct parse *p, uint64_t vaddr, uint64_t *off)
{
    for (size_t i = 0; i < p->load_count; i++) {
        const struct load *l = &p->loads[i];
        if (vaddr >= l->vaddr && vaddr - l->vaddr < l->filesz) {
            *off = l->offset + (vaddr - l->vaddr);
            return 1;
        }
    }
    return 0;
}

static void read_program_headers(struct parse *p, uint64_t phoff, uint32_t phnum,
                                 uint16_t phentsize)
{
    const struct reader *r = &p->r;
    unsigned need = r->elf64 ? 56 : 32;
    if (phnum == 0)
        return;
    if (phentsize < need || phnum > IC_ELF_MAX_PHDRS ||
        !in_file(r, phoff, (uint64_t)phnum * phentsize)) {
        p->e->damaged++;
        if (phentsize < need || !in_file(r, phoff, need))
            return;
        /* read what the file holds */
        uint64_t fit = (r->size - phoff) / phentsize;
        if (fit < phnum)
            phnum = (uint32_t)fit;
        if (phnum > IC_ELF_MAX_PHDRS)
            phnum = IC_ELF_MAX_PHDRS;
        if (phnum == 0)
            return;
    }
    p->loads = calloc(phnum, sizeof(*p->loads));
    if (!p->loads) {
        p->nomem = 1;
        return;
    }
    uint64_t interp_off = 0, interp_size = 0;
    int have_interp = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        uint64_t h = phoff + (uint64_t)i * phentsize;
        uint32_t type = rd32(r, h);
        uint32_t flags;
        uint64_t offset, vaddr, filesz;
        if (r->elf64) {
            flags = rd32(r, h + 4);
            offset = rd64(r, h + 8);
            vaddr = rd64(r, h + 16);
            filesz = rd64(r, h + 32);
        } else {
            offset = rd32(r, h + 4);
            vaddr = rd32(r, h + 8);
            filesz = rd32(r, h + 16);
            flags = rd32(r, h + 24);
        }
        switch (type) {
        case PT_LOAD:
            p->loads[p->load_count++] = (struct load){vaddr, offset, filesz};
            break;
        case PT_DYNAMIC:
            if (!p->dyn_size && in_file(r, offset, filesz) && filesz) {
                p->dyn_off = offset;
                p->dyn_size = filesz;
            } else if (!p->dyn_size) {
                p->e->damaged++;
            }
            break;
        case PT_INTERP:
            if (!have_interp) {
                have_interp = 1;
                interp_off = offset;
                interp_size = filesz;
            }
            break;
        case PT_GNU_STACK:
            if (p->e->gnu_stack == 0)
                p->e->stack_flags = flags;
            p->e->gnu_stack++;
            if (flags & PF_X)
                p->e->stack_exec = 1;
            if ((flags & (PF_R | PF_W | PF_X)) == (PF_R | PF_W | PF_X))
                p->e->stack_rwx = 1;
            break;
        case PT_GNU_RELRO:
            p->e->gnu_relro = 1;
            break;
        default:
            break;
        }
    }
    p->e->phnum = phnum;
    if (have_interp) {
        if (in_file(r, interp_off, interp_size) && interp_size) {
            p->e->interp = copy_string(r, interp_off, interp_off + interp_size, &p->nomem);
        } else {
            p->e->damaged++;
            p->e->interp = strdup("");
            if (!p->e->interp)
                p->nomem = 1;
        }
    }
}

/* ---- section headers ---------------------------------------------------------- */

static void read_section_headers(struct parse *p, uint64_t shoff, uint32_t shnum,
                                 uint16_t shentsize)
{
    const struct reader *r = &p->r;
    unsigned need = r->elf64 ? 64 : 40;
    if (shoff == 0)
        return;
    if (shentsize < need || !in_file(r, shoff, need)) {
        p->e->damaged++;
        return;
    }
    if (shnum == 0) /* extended numbering: the count is in section 0's sh_size */
        shnum = (uint32_t)(r->elf64 ? (rd64(r, shoff + 32) > UINT32_MAX ? UINT32_MAX
                                                                       : rd64(r, shoff + 32))
                                    : rd32(r, shoff + 20));
    if (shnum == 0)
        return;
    if (shnum > IC_ELF_MAX_SECTIONS || !in_file(r, shoff, (uint64_t)shnum * shentsize)) {
        p->e->damaged++;
        uint64_t fit = (r->size - shoff) / shentsize;
        if (fit < shnum)
            shnum = (uint32_t)fit;
        if (shnum > IC_ELF_MAX_SECTIONS)
            shnum = IC_ELF_MAX_SECTIONS;
        if (shnum == 0)
            return;
    }
    p->sections = calloc(shnum, sizeof(*p->sections));
    if (!p->sections) {
        p->nomem = 1;
        return;
    }
    for (uint32_t i = 0; i < shnum; i++) {
        uint64_t h = shoff + (uint64_t)i * shentsize;
        struct section *s = &p->sections[i];
        s->name = rd32(r, h);
        s->type = rd32(r, h + 4);
        if (r->elf64) {
            s->addr = rd64(r, h + 16);
            s->offset = rd64(r, h + 24);
            s->size = rd64(r, h + 32);
            s->link = rd32(r, h + 40);
            s->entsize = rd64(r, h + 56);
        } else {
            s->addr = rd32(r, h + 12);
            s->offset = rd32(r, h + 16);
            s->size = rd32(r, h + 20);
            s->link = rd32(r, h + 24);
            s->entsize = rd32(r, h + 36);
        }
        if (s->type == SHT_SYMTAB)
            p->e->has_symtab = 1;
        if (s->type == SHT_DYNSYM)
            p->e->has_dynsym = 1;
    }
    p->section_count = shnum;
    p->e->shnum = shnum;
}

/* The section at index, when it lies inside the file (NOBITS sections are
 * never tables we read). */
static const struct section *section_at(const struct parse *p, uint64_t index)
{
    if (index >= p->section_count || index == 0)
        return NULL;
    const struct section *s = &p->sections[index];
    return in_file(&p->r, s->offset, s->size) ? s : NULL;
}

/* ---- dynamic section ------------------------------------------------------------ */

static void read_dynamic(struct parse *p)
{
    const struct reader *r = &p->r;
    struct ic_elf *e = p->e;
    if (!p->dyn_size)
        return;
    unsigned entsize = r->elf64 ? 16 : 8;
    uint64_t count = p->dyn_size / entsize;
    if (count > IC_ELF_MAX_DYN) {
        count = IC_ELF_MAX_DYN;
        e->damaged++;
    }
    uint64_t strtab = 0, strsz = 0;
    int have_strtab = 0, have_strsz = 0;
    uint64_t rpath = 0, runpath = 0;
    uint64_t needed[IC_ELF_MAX_NEEDED];
    size_t needed_count = 0;
    e->has_dynamic = 1;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t off = p->dyn_off + i * entsize;
        uint64_t tag = rdw(r, off);
        uint64_t val = rdw(r, off + entsize / 2);
        if (tag == DT_NULL)
            break;
        int slot = dyn_slot(tag);
        if (slot >= 0 && !(p->dyn_set & (1u << slot))) {
            p->dyn[slot] = val;
            p->dyn_set |= 1u << slot;
        }
        switch (tag) {
        case DT_NEEDED:
            if (needed_count < IC_ELF_MAX_NEEDED)
                needed[needed_count++] = val;
            break;
        case DT_STRTAB:
            if (!have_strtab) {
                strtab = val;
                have_strtab = 1;
            }
            break;
        case DT_STRSZ:
            if (!have_strsz) {
                strsz = val;
                have_strsz = 1;
            }
            break;
        case DT_RPATH:
            if (!e->has_rpath) {
                e->has_rpath = 1;
                rpath = val;
            }
            break;
        case DT_RUNPATH:
            if (!e->has_runpath) {
                e->has_runpath = 1;
                runpath = val;
            }
            break;
        case DT_DEBUG:
            e->dt_debug = 1;
            break;
        case DT_SONAME:
            e->has_soname = 1;
            break;
        case DT_BIND_NOW:
            e->bind_now = 1;
            break;
        case DT_FLAGS:
            if (val & DF_BIND_NOW)
                e->bind_now = 1;
            break;
        case DT_FLAGS_1:
            if (val & DF_1_NOW)
                e->flags1_now = 1;
            if (val & DF_1_PIE)
                e->flags1_pie = 1;
            break;
        default:
            break;
        }
    }
    /* The string table: DT_STRTAB through the LOAD headers, else the section
     * the .dynamic section links to. */
    uint64_t str_off = 0, str_end = 0;
    int found = 0;
    if (have_strtab && vaddr_to_offset(p, strtab, &str_off) && str_off < r->size) {
        str_end = (have_strsz && strsz <= r->size - str_off) ? str_off + strsz : r->size;
        found = 1;
    }
    for (size_t i = 0; !found && i < p->section_count; i++) {
        const struct section *s = &p->sections[i];
        if (s->type != SHT_DYNAMIC)
            continue;
        const struct section *str = section_at(p, s->link);
        if (str && str->type == SHT_STRTAB) {
            str_off = str->offset;
            str_end = str->offset + str->size;
            found = 1;
        }
    }
    if (!found) {
        if (e->has_rpath || e->has_runpath || needed_count)
            e->damaged++;
        return;
    }
    p->dynstr = (struct section){.type = SHT_STRTAB, .offset = str_off, .size = str_end - str_off};
    p->dynstr_found = 1;
    if (e->has_rpath && rpath < str_end - str_off)
        e->rpath = copy_string(r, str_off + rpath, str_end, &p->nomem);
    if (e->has_runpath && runpath < str_end - str_off)
        e->runpath = copy_string(r, str_off + runpath, str_end, &p->nomem);
    if (needed_count) {
        e->needed = calloc(needed_count, sizeof(*e->needed));
        if (!e->needed) {
            p->nomem = 1;
            return;
        }
        for (size_t i = 0; i < needed_count; i++) {
            if (needed[i] >= str_end - str_off)
                continue;
            char *s = copy_string(r, str_off + needed[i], str_end, &p->nomem);
            if (s)
                e->needed[e->needed_count++] = s;
        }
    }
}

/* ---- symbols and relocations ------------------------------------------------------ */

static int watch_index(const char *name, size_t len)
{
    for (int w = 0; w < IC_ELF_WATCH_COUNT; w++) {
        size_t n = strlen(watch_names[w]);
        if (len == n && memcmp(name, watch_names[w], n) == 0)
            return w;
    }
    return -1;
}

/* Reads one symbol table s (inside the file) with its string table. For
 * the dynamic one, watch (one entry per symbol, -1 or an ic_elf_watch) is
 * allocated and filled for the relocations. from_segment: the table came
 * from the dynamic segment, its evidence goes to the dyn_ fields. */
static void read_symbol_table(struct parse *p, const struct section *s,
                              const struct section *strtab, int from_segment, int8_t **watch,
                              uint64_t *watch_count)
{
    const struct reader *r = &p->r;
    struct ic_elf *e = p->e;
    unsigned std = r->elf64 ? 24 : 16;
    uint64_t stride = s->entsize >= std ? s->entsize : std;
    uint64_t count = s->size / stride;
    if (count > IC_ELF_MAX_SYMBOLS) {
        count = IC_ELF_MAX_SYMBOLS;
        e->damaged++;
    }
    int dynamic = s->type == SHT_DYNSYM;
    int *canary = from_segment ? &e->dyn_canary : &e->canary;
    unsigned *fortified = from_segment ? &e->dyn_fortified : &e->fortified;
    unsigned *fortifiable = from_segment ? &e->dyn_fortifiable : &e->fortifiable;
    if (dynamic && watch && !*watch && count) {
        *watch = malloc((size_t)count);
        if (!*watch) {
            p->nomem = 1;
            return;
        }
        memset(*watch, -1, (size_t)count);
        *watch_count = count;
    }
    for (uint64_t i = 0; i < count; i++) {
        uint64_t off = s->offset + i * stride;
        uint32_t name_off = rd32(r, off);
        uint16_t shndx = rd16(r, off + (r->elf64 ? 6 : 14));
        const char *name;
        size_t len;
        if (!name_off || !table_name(r, strtab, name_off, &name, &len) || len == 0)
            continue;
        if (contains(name, len, "__stack_chk_fail") || contains(name, len, "__stack_chk_guard") ||
            contains(name, len, "__intel_security_cookie"))
            *canary = 1;
        if (!dynamic)
            continue;
        /* checksec's view of a name: leading underscores off, then
         * anything from '@' */
        const char *bare = name;
        size_t bare_len = len;
        while (bare_len && *bare == '_') {
            bare++;
            bare_len--;
        }
        const char *at = memchr(bare, '@', bare_len);
        if (at)
            bare_len = (size_t)(at - bare);
        if (!from_segment && bare_len >= 4 && memcmp(bare + bare_len - 4, "_chk", 4) == 0)
            e->chk_symbol = 1;
        int f = bare_len ? fortify_match(bare, bare_len) : 0;
        if (f == 1) {
            (*fortified)++;
            (*fortifiable)++;
        } else if (f == 2) {
            (*fortifiable)++;
        }
        if (shndx == SHN_UNDEF) {
            int w = watch_index(name, len);
            if (w >= 0) {
                e->imports[w].imported = 1;
                if (watch && *watch && i < *watch_count && (*watch)[i] < 0)
                    (*watch)[i] = (int8_t)w;
            }
        }
    }
}

static void read_symbols(struct parse *p, size_t index, int8_t **watch, uint64_t *watch_count)
{
    const struct section *s = section_at(p, index);
    const struct section *strtab = s ? section_at(p, s->link) : NULL;
    if (!s || !strtab) {
        p->e->damaged++;
        return;
    }
    read_symbol_table(p, s, strtab, 0, watch, watch_count);
}

/* Counts the references of one relocation table (inside the file) to the
 * watched symbols. */
static void count_relocations(struct parse *p, const struct section *s, const int8_t *watch,
                              uint64_t watch_count, uint64_t *budget)
{
    const struct reader *r = &p->r;
    struct ic_elf *e = p->e;
    unsigned std = s->type == SHT_RELA ? (r->elf64 ? 24 : 12) : (r->elf64 ? 16 : 8);
    uint64_t stride = s->entsize >= std ? s->entsize : std;
    uint64_t count = s->size / stride;
    if (count > *budget) {
        count = *budget;
        e->damaged++;
    }
    *budget -= count;
    e->relocs_read = 1;
    for (uint64_t k = 0; k < count; k++) {
        uint64_t info = rdw(r, s->offset + k * stride + (r->elf64 ? 8 : 4));
        uint64_t sym;
        if (!r->elf64)
            sym = info >> 8;
        else if (e->machine == EM_MIPS && !r->be)
            sym = info & 0xffffffffu; /* MIPS64 little endian: r_sym first */
        else
            sym = info >> 32;
        if (sym && sym < watch_count && watch[sym] >= 0 &&
            e->imports[watch[sym]].refs < UINT32_MAX)
            e->imports[watch[sym]].refs++;
    }
}

static void read_relocations(struct parse *p, size_t dynsym, const int8_t *watch,
                             uint64_t watch_count)
{
    uint64_t budget = IC_ELF_MAX_RELOCS;
    for (size_t i = 0; i < p->section_count; i++) {
        const struct section *s = &p->sections[i];
        if (s->type != SHT_REL && s->type != SHT_RELA)
            continue;
        if (s->link != dynsym)
            continue;
        if (!section_at(p, i)) {
            p->e->damaged++;
            continue;
        }
        count_relocations(p, s, watch, watch_count, &budget);
    }
}

/* ---- symbols of a file without section headers -------------------------------------- */

static int has_dyn(const struct parse *p, enum dyn_slot slot)
{
    return (p->dyn_set >> slot) & 1u;
}

/* A table of the dynamic segment as a section: address through the LOAD
 * headers, size clipped to the file. 0 when it cannot be placed. */
static int dyn_table(struct parse *p, enum dyn_slot addr, uint64_t size, uint32_t type,
                     uint64_t entsize, struct section *out)
{
    uint64_t off;
    if (!has_dyn(p, addr) || !vaddr_to_offset(p, p->dyn[addr], &off) || off >= p->r.size) {
        p->e->damaged++;
        return 0;
    }
    if (size > p->r.size - off) {
        size = p->r.size - off;
        p->e->damaged++;
    }
    *out = (struct section){.type = type, .offset = off, .size = size, .entsize = entsize};
    return 1;
}

/* The number of dynamic symbols from the GNU hash table: one past the
 * highest index any bucket's chain reaches. 0 when unreadable. */
static uint64_t gnu_hash_count(struct parse *p)
{
    const struct reader *r = &p->r;
    uint64_t off;
    if (!vaddr_to_offset(p, p->dyn[D_GNU_HASH], &off) || !in_file(r, off, 16))
        return 0;
    uint32_t nbuckets = rd32(r, off), symoffset = rd32(r, off + 4), bloom = rd32(r, off + 8);
    uint64_t buckets = off + 16 + (uint64_t)bloom * (r->elf64 ? 8 : 4);
    if (!in_file(r, buckets, (uint64_t)nbuckets * 4))
        return 0;
    uint64_t chains = buckets + (uint64_t)nbuckets * 4;
    uint32_t top = 0;
    for (uint32_t b = 0; b < nbuckets; b++) {
        uint32_t v = rd32(r, buckets + (uint64_t)b * 4);
        if (v > top)
            top = v;
    }
    if (top < symoffset)
        return symoffset;
    uint64_t idx = top;
    for (;;) {
        uint64_t at = chains + (idx - symoffset) * 4;
        if (!in_file(r, at, 4) || idx - top > IC_ELF_MAX_SYMBOLS)
            return 0;
        if (rd32(r, at) & 1u)
            return idx + 1;
        idx++;
    }
}

static void read_dynamic_symbols(struct parse *p)
{
    const struct reader *r = &p->r;
    if (!p->dynstr_found || !has_dyn(p, D_SYMTAB))
        return;
    uint64_t count = 0, off;
    if (has_dyn(p, D_MIPS_SYMTABNO))
        count = p->dyn[D_MIPS_SYMTABNO];
    else if (has_dyn(p, D_HASH) && vaddr_to_offset(p, p->dyn[D_HASH], &off) && in_file(r, off, 8))
        count = rd32(r, off + 4); /* nchain */
    else if (has_dyn(p, D_GNU_HASH))
        count = gnu_hash_count(p);
    if (count == 0)
        return;
    unsigned std = r->elf64 ? 24 : 16;
    uint64_t entsize = has_dyn(p, D_SYMENT) && p->dyn[D_SYMENT] >= std && p->dyn[D_SYMENT] <= 4096
                           ? p->dyn[D_SYMENT]
                           : std;
    if (count > IC_ELF_MAX_SYMBOLS)
        count = IC_ELF_MAX_SYMBOLS;
    struct section symtab;
    if (!dyn_table(p, D_SYMTAB, count * entsize, SHT_DYNSYM, entsize, &symtab))
        return;
    int8_t *watch = NULL;
    uint64_t watch_count = 0;
    p->e->dynamic_symbols = 1;
    read_symbol_table(p, &symtab, &p->dynstr, 1, &watch, &watch_count);
    if (watch && !p->nomem) {
        uint64_t budget = IC_ELF_MAX_RELOCS;
        struct section rel;
        if (has_dyn(p, D_REL) && has_dyn(p, D_RELSZ) &&
            dyn_table(p, D_REL, p->dyn[D_RELSZ], SHT_REL, p->dyn[D_RELENT], &rel))
            count_relocations(p, &rel, watch, watch_count, &budget);
        if (has_dyn(p, D_RELA) && has_dyn(p, D_RELASZ) &&
            dyn_table(p, D_RELA, p->dyn[D_RELASZ], SHT_RELA, p->dyn[D_RELAENT], &rel))
            count_relocations(p, &rel, watch, watch_count, &budget);
        if (has_dyn(p, D_JMPREL) && has_dyn(p, D_PLTRELSZ) &&
            dyn_table(p, D_JMPREL, p->dyn[D_PLTRELSZ],
                      p->dyn[D_PLTREL] == DT_RELA ? SHT_RELA : SHT_REL, 0, &rel))
            count_relocations(p, &rel, watch, watch_count, &budget);
    }
    free(watch);
}

static void read_symbol_tables(struct parse *p)
{
    int8_t *watch = NULL;
    uint64_t watch_count = 0;
    size_t dynsym = 0;
    for (size_t i = 1; i < p->section_count && !p->nomem; i++) {
        uint32_t type = p->sections[i].type;
        if (type == SHT_SYMTAB || type == SHT_DYNSYM) {
            if (type == SHT_DYNSYM && !dynsym)
                dynsym = i;
            read_symbols(p, i, type == SHT_DYNSYM && dynsym == i ? &watch : NULL, &watch_count);
        }
    }
    if (dynsym && watch && !p->nomem)
        read_relocations(p, dynsym, watch, watch_count);
    free(watch);
}

/* ---- entry points ------------------------------------------------------------------ */

int ic_elf_is_elf(const uint8_t *data, size_t size)
{
    return data && size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' &&
           data[3] == 'F';
}

void ic_elf_release(struct ic_elf *elf)
{
    if (!elf)
        return;
    free(elf->interp);
    free(elf->rpath);
    free(elf->runpath);
    for (size_t i = 0; i < elf->needed_count; i++)
        free(elf->needed[i]);
    free(elf->needed);
    memset(elf, 0, sizeof(*elf));
}

int ic_elf_parse(const uint8_t *data, size_t size, struct ic_elf *out)
{
    memset(out, 0, sizeof(*out));
    if (!ic_elf_is_elf(data, size))
        return size < 4 ? IC_E_TRUNCATED : IC_E_BAD_MAGIC;
    if (size < 16)
        return IC_E_TRUNCATED;
    if ((data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2))
        return IC_E_UNSUPPORTED;
    struct parse p = {.r = {data, size, data[4] == 2, data[5] == 2}, .e = out};
    const struct reader *r = &p.r;
    if (size < (r->elf64 ? 64u : 52u))
        return IC_E_TRUNCATED;
    out->elf64 = r->elf64;
    out->big_endian = r->be;
    out->type = rd16(r, 16);
    out->machine = rd16(r, 18);
    uint64_t phoff, shoff;
    uint16_t phentsize, phnum, shentsize, shnum;
    if (r->elf64) {
        phoff = rd64(r, 32);
        shoff = rd64(r, 40);
        phentsize = rd16(r, 54);
        phnum = rd16(r, 56);
        shentsize = rd16(r, 58);
        shnum = rd16(r, 60);
    } else {
        phoff = rd32(r, 28);
        shoff = rd32(r, 32);
        phentsize = rd16(r, 42);
        phnum = rd16(r, 44);
        shentsize = rd16(r, 46);
        shnum = rd16(r, 48);
    }
    read_section_headers(&p, shoff, shnum, shentsize);
    uint32_t real_phnum = phnum;
    if (phnum == PN_XNUM && p.section_count) {
        /* extended numbering: section 0's sh_info holds the count */
        uint64_t h = shoff + (r->elf64 ? 44 : 28);
        real_phnum = rd32(r, h);
    }
    if (!p.nomem)
        read_program_headers(&p, phoff, real_phnum, phentsize);
    if (!p.nomem)
        read_dynamic(&p);
    if (!p.nomem)
        read_symbol_tables(&p);
    if (!p.nomem && p.section_count == 0)
        read_dynamic_symbols(&p);
    free(p.sections);
    free(p.loads);
    return p.nomem ? IC_E_NOMEM : IC_OK;
}

int ic_elf_symbols_known(const struct ic_elf *elf)
{
    return elf->has_symtab || elf->has_dynsym || elf->dynamic_symbols;
}

int ic_elf_has_canary(const struct ic_elf *elf)
{
    return elf->canary || elf->dyn_canary;
}

unsigned ic_elf_fortified(const struct ic_elf *elf)
{
    return elf->fortified + elf->dyn_fortified;
}

unsigned ic_elf_fortifiable(const struct ic_elf *elf)
{
    return elf->fortifiable + elf->dyn_fortifiable;
}

int ic_elf_is_program(const struct ic_elf *elf)
{
    if (elf->type == IC_ELF_ET_EXEC)
        return 1;
    /* libc.so.6 and ld.so can be run too, but they are libraries: SONAME */
    return elf->type == IC_ELF_ET_DYN && (elf->interp || elf->flags1_pie) && !elf->has_soname;
}

int ic_elf_is_pie(const struct ic_elf *elf)
{
    return elf->type == IC_ELF_ET_DYN;
}

int ic_elf_exec_stack(const struct ic_elf *elf)
{
    return elf->gnu_stack == 0 || elf->stack_exec;
}

void ic_elf_checksec(const struct ic_elf *elf, struct ic_elf_checksec *out)
{
    out->relro = !elf->gnu_relro ? "no" : elf->bind_now ? "full" : "partial";
    out->canary = elf->canary ? "yes" : "no";
    out->nx = (elf->gnu_stack && !elf->stack_rwx) ? "yes" : "no";
    switch (elf->type) {
    case IC_ELF_ET_EXEC:
        out->pie = "no";
        break;
    case IC_ELF_ET_DYN:
        out->pie = elf->dt_debug ? "yes" : "dso";
        break;
    case IC_ELF_ET_REL:
        out->pie = "rel";
        break;
    default:
        out->pie = "not_elf";
        break;
    }
    out->rpath = (elf->rpath && elf->rpath[0]) ? "yes" : "no";
    out->runpath = (elf->runpath && elf->runpath[0]) ? "yes" : "no";
    out->symbols = elf->has_symtab ? "yes" : "no";
    out->fortify_source = elf->chk_symbol ? "yes" : "no";
    out->fortified = elf->fortified;
    out->fortifiable = elf->fortifiable;
}

const char *ic_elf_machine_name(uint16_t machine, char *buf, size_t size)
{
    switch (machine) {
    case 2: return "SPARC";
    case 3: return "x86";
    case 8: return "MIPS";
    case 10: return "MIPS (RS3000 LE)";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "S/390";
    case 40: return "ARM";
    case 42: return "SuperH";
    case 43: return "SPARC V9";
    case 62: return "x86-64";
    case 83: return "AVR";
    case 92: return "OpenRISC";
    case 94: return "Xtensa";
    case 164: return "Hexagon";
    case 183: return "AArch64";
    case 189: return "MicroBlaze";
    case 243: return "RISC-V";
    case 258: return "LoongArch";
    default:
        snprintf(buf, size, "machine %u", (unsigned)machine);
        return buf;
    }
}
