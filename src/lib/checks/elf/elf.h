/* A bounded reader of ELF files: what the binary-hardening and input checks
 * need to know about one executable or shared object, for ELF32 and ELF64,
 * little and big endian, any machine.
 *
 * It reads the ELF header, the program headers (INTERP, DYNAMIC, GNU_STACK,
 * GNU_RELRO, LOAD), the dynamic section (NEEDED, RPATH, RUNPATH, BIND_NOW,
 * FLAGS, FLAGS_1, DEBUG), the section headers (a .symtab present means not
 * stripped), the symbol tables (stack-protector and fortified names, imported
 * functions) and the relocations that reference the imported functions.
 *
 * Every offset, size and count comes from untrusted bytes: each is checked
 * against the file before use, and the tables are capped (IC_ELF_MAX_*).
 * A table that is broken is skipped (noted in `damaged`); only an ELF header
 * that cannot be read fails the parse.
 *
 * The verdicts of ic_elf_checksec() follow the documented decisions of
 * Debian's checksec 2.6 (`checksec --file`), field by field, so the two can
 * be compared exactly; ic_elf_is_program() and the raw fields give the
 * stricter view the rules use (docs/rules/hardening.md says where they
 * differ). */
#ifndef IC_CHECKS_ELF_ELF_H
#define IC_CHECKS_ELF_ELF_H

#include <stddef.h>
#include <stdint.h>

#define IC_ELF_MAX_PHDRS 4096u      /* program headers read */
#define IC_ELF_MAX_SECTIONS 65536u  /* section headers read */
#define IC_ELF_MAX_SYMBOLS 4000000u /* symbols read per table */
#define IC_ELF_MAX_DYN 65536u       /* dynamic entries read */
#define IC_ELF_MAX_NEEDED 256u      /* DT_NEEDED names kept */
#define IC_ELF_MAX_STRING 4096u     /* bytes kept of one string */
#define IC_ELF_MAX_RELOCS 16000000u /* relocations examined in all */

/* e_type values. */
#define IC_ELF_ET_REL 1
#define IC_ELF_ET_EXEC 2
#define IC_ELF_ET_DYN 3

/* e_machine values the rules look at */
#define IC_ELF_EM_MIPS 8
#define IC_ELF_EM_MIPS_RS3_LE 10

/* Imported functions the checks report (input handling, CoP-13). */
enum ic_elf_watch {
    IC_ELF_W_SYSTEM,
    IC_ELF_W_POPEN,
    IC_ELF_W_EXECL,
    IC_ELF_W_EXECLE,
    IC_ELF_W_EXECLP,
    IC_ELF_W_EXECV,
    IC_ELF_W_EXECVE,
    IC_ELF_W_EXECVP,
    IC_ELF_W_EXECVPE,
    IC_ELF_W_STRCPY,
    IC_ELF_W_STRCAT,
    IC_ELF_W_SPRINTF,
    IC_ELF_W_VSPRINTF,
    IC_ELF_W_GETS,
    IC_ELF_WATCH_COUNT
};

/* "system", "popen", ... (NULL outside the enum). */
const char *ic_elf_watch_name(enum ic_elf_watch w);
/* The command runners: system, popen and the exec family. */
int ic_elf_watch_is_command(enum ic_elf_watch w);

struct ic_elf_import {
    int imported;  /* an undefined dynamic symbol of this name */
    uint32_t refs; /* relocations that reference it (0: imported through
                      the GOT without one, as on MIPS) */
};

struct ic_elf {
    int elf64;        /* ELFCLASS64 */
    int big_endian;   /* ELFDATA2MSB */
    uint16_t type;    /* e_type */
    uint16_t machine; /* e_machine */
    unsigned damaged; /* tables skipped because they were broken */

    /* Program headers. */
    unsigned phnum;       /* read */
    char *interp;         /* PT_INTERP path, or NULL */
    unsigned gnu_stack;   /* PT_GNU_STACK headers */
    int stack_exec;       /* some GNU_STACK has PF_X */
    int stack_rwx;        /* some GNU_STACK has PF_R, PF_W and PF_X */
    unsigned stack_flags; /* p_flags of the first GNU_STACK */
    int gnu_relro;        /* a PT_GNU_RELRO header */
    int has_dynamic;      /* a PT_DYNAMIC header whose entries could be read */

    /* Dynamic section. */
    int bind_now;   /* DT_BIND_NOW, or DF_BIND_NOW in DT_FLAGS */
    int flags1_now; /* DF_1_NOW in DT_FLAGS_1 */
    int flags1_pie; /* DF_1_PIE in DT_FLAGS_1 */
    int dt_debug;   /* a DT_DEBUG entry */
    int has_soname; /* a DT_SONAME entry: a library */
    int has_rpath, has_runpath;
    char *rpath;   /* first DT_RPATH string, or NULL */
    char *runpath; /* first DT_RUNPATH string, or NULL */
    char **needed; /* DT_NEEDED names (up to IC_ELF_MAX_NEEDED) */
    size_t needed_count;

    /* Sections and symbols. */
    unsigned shnum;       /* section headers read */
    int has_symtab;       /* an SHT_SYMTAB section: not stripped */
    int has_dynsym;       /* an SHT_DYNSYM section */
    int canary;           /* a symbol named like __stack_chk_fail,
                             __stack_chk_guard, __intel_security_cookie */
    int chk_symbol;       /* a dynamic symbol whose name ends in _chk */
    unsigned fortified;   /* dynamic symbols that are glibc __*_chk functions */
    unsigned fortifiable; /* those plus dynamic symbols naming the unchecked originals */
    struct ic_elf_import imports[IC_ELF_WATCH_COUNT];
    int relocs_read; /* relocation sections could be read */

    /* Without section headers (sstrip, as OpenWrt does) checksec sees no
     * symbol at all; the reader then takes the dynamic symbols and
     * relocations from the dynamic segment (DT_SYMTAB sized by DT_HASH,
     * DT_GNU_HASH or DT_MIPS_SYMTABNO; DT_REL, DT_RELA, DT_JMPREL). What it
     * finds there fills imports[] and these, never the checksec fields. */
    int dynamic_symbols; /* symbols were read from the dynamic segment */
    int dyn_canary;
    unsigned dyn_fortified, dyn_fortifiable;
};

/* Whether symbols were seen at all (a symbol table or the dynamic segment's),
 * and the stack-protector and FORTIFY evidence from either source. */
int ic_elf_symbols_known(const struct ic_elf *elf);
int ic_elf_has_canary(const struct ic_elf *elf);
unsigned ic_elf_fortified(const struct ic_elf *elf);
unsigned ic_elf_fortifiable(const struct ic_elf *elf);

/* Whether the bytes start with the ELF magic. */
int ic_elf_is_elf(const uint8_t *data, size_t size);

/* Parses the ELF in data[0, size) into *out (zeroed first). The bytes are
 * only borrowed during the call; *out owns copies of every string. Returns
 * IC_OK (possibly with damaged > 0), IC_E_BAD_MAGIC (not an ELF),
 * IC_E_UNSUPPORTED (unknown class or byte order), IC_E_TRUNCATED (no room for
 * the ELF header) or IC_E_NOMEM. Release *out with ic_elf_release() whatever
 * the result. */
int ic_elf_parse(const uint8_t *data, size_t size, struct ic_elf *out);
void ic_elf_release(struct ic_elf *elf);

/* An executable program rather than a library: ET_EXEC, or ET_DYN with an
 * interpreter or the DF_1_PIE flag and no DT_SONAME (libc.so.6 has an
 * interpreter, but it is a library). */
int ic_elf_is_program(const struct ic_elf *elf);
/* Position independent: ET_DYN (the program can be loaded anywhere). */
int ic_elf_is_pie(const struct ic_elf *elf);
/* The stack is executable: no GNU_STACK header (the kernel then maps the
 * stack executable on most architectures) or one with PF_X. */
int ic_elf_exec_stack(const struct ic_elf *elf);

/* checksec's verdicts. The strings are static and are exactly the values
 * of `checksec --format=json --file=F` (2.6): relro "full"|"partial"|"no",
 * pie "yes"|"no"|"dso"|"rel"|"not_elf", the rest "yes"|"no". */
struct ic_elf_checksec {
    const char *relro;
    const char *canary;
    const char *nx;
    const char *pie;
    const char *rpath;
    const char *runpath;
    const char *symbols;
    const char *fortify_source;
    unsigned fortified;
    unsigned fortifiable;
};
void ic_elf_checksec(const struct ic_elf *elf, struct ic_elf_checksec *out);

/* The i-th name of the built-in list of glibc's fortified functions
 * ("memcpy_chk": __memcpy_chk exists), NULL past the end. checksec reads
 * the same list from the C library of the machine it runs on. */
const char *ic_elf_fortify_function(size_t i);

/* "ARM", "MIPS", "x86-64", ... or "machine N" written into buf. */
const char *ic_elf_machine_name(uint16_t machine, char *buf, size_t size);

#endif
