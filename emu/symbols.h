/* emu/symbols.h - the kernel ELF's function and object symbols, for crash
 * reports (func+offset, disassembly from a function's start) and, later,
 * introspection of guest structures. */
#ifndef EMU_SYMBOLS_H
#define EMU_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct emu_symbol {
    uint32_t addr;
    uint32_t size;
    const char *name;      /* points into the table's string storage */
} emu_symbol;

typedef struct emu_symtab {
    emu_symbol *sym;       /* sorted by addr */
    size_t n;
    char *strings;
} emu_symtab;

/* Reads the FUNC and OBJECT symbols of an ELF32 image held in memory.
 * A file without a symbol table gives an empty table (not an error). */
int emu_symtab_load(emu_symtab *t, const uint8_t *elf, size_t size);
void emu_symtab_free(emu_symtab *t);
/* The symbol containing addr (or the nearest one below it if sizes are
 * unknown), or NULL. */
const emu_symbol *emu_symtab_find(const emu_symtab *t, uint32_t addr);
/* The symbol called name, or NULL. */
const emu_symbol *emu_symtab_by_name(const emu_symtab *t, const char *name);

#endif
