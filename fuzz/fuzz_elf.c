/* Fuzz target for the ELF reader (src/lib/checks/elf/elf.c): the bytes are
 * parsed as an ELF file; every string it keeps and every verdict derived
 * from it is touched so the sanitizers see any bad read. */
#include "checks/elf/elf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_elf elf;
    if (ic_elf_parse(data, size, &elf) == 0) {
        struct ic_elf_checksec cs;
        ic_elf_checksec(&elf, &cs);
        sink += strlen(cs.relro) + strlen(cs.pie) + cs.fortified + cs.fortifiable;
        sink += (size_t)ic_elf_is_program(&elf) + (size_t)ic_elf_exec_stack(&elf);
        if (elf.interp)
            sink += strlen(elf.interp);
        if (elf.rpath)
            sink += strlen(elf.rpath);
        if (elf.runpath)
            sink += strlen(elf.runpath);
        for (size_t i = 0; i < elf.needed_count; i++)
            sink += strlen(elf.needed[i]);
        for (int w = 0; w < IC_ELF_WATCH_COUNT; w++)
            sink += elf.imports[w].refs;
        char buf[32];
        sink += strlen(ic_elf_machine_name(elf.machine, buf, sizeof(buf)));
    }
    ic_elf_release(&elf);
    return 0;
}
