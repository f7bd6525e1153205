/* emu/symbols.c - the kernel's symbol table (see symbols.h). */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

static int by_addr(const void *a, const void *b)
{
    const emu_symbol *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Finds the .symtab section and its string table; 0 if there is none. */
static const Elf32_Shdr *find_symtab(const uint8_t *elf, size_t size, const Elf32_Shdr **strtab)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf;
    if (eh->e_shentsize != sizeof(Elf32_Shdr) ||
        (uint64_t)eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) > size)
        return NULL;
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(elf + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf32_Shdr *st = &sh[sh[i].sh_link];
        if ((uint64_t)sh[i].sh_offset + sh[i].sh_size > size || (uint64_t)st->sh_offset + st->sh_size > size)
            return NULL;
        *strtab = st;
        return &sh[i];
    }
    return NULL;
}

int emu_symtab_load(emu_symtab *t, const uint8_t *elf, size_t size)
{
    const Elf32_Shdr *strtab = NULL, *symtab = find_symtab(elf, size, &strtab);
    memset(t, 0, sizeof *t);
    if (!symtab || strtab->sh_size == 0)
        return 0;
    size_t count = symtab->sh_size / sizeof(Elf32_Sym);
    const Elf32_Sym *s = (const Elf32_Sym *)(elf + symtab->sh_offset);
    t->sym = calloc(count ? count : 1, sizeof *t->sym);
    t->strings = malloc(strtab->sh_size + 1);
    if (!t->sym || !t->strings) {
        emu_symtab_free(t);
        return -1;
    }
    memcpy(t->strings, elf + strtab->sh_offset, strtab->sh_size);
    t->strings[strtab->sh_size] = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned type = ELF32_ST_TYPE(s[i].st_info);
        if ((type != STT_FUNC && type != STT_OBJECT) || s[i].st_name >= strtab->sh_size || !s[i].st_value)
            continue;
        t->sym[t->n++] = (emu_symbol){ s[i].st_value, s[i].st_size, t->strings + s[i].st_name };
    }
    qsort(t->sym, t->n, sizeof *t->sym, by_addr);
    return 0;
}

void emu_symtab_free(emu_symtab *t)
{
    free(t->sym);
    free(t->strings);
    memset(t, 0, sizeof *t);
}

const emu_symbol *emu_symtab_find(const emu_symtab *t, uint32_t addr)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {               /* first symbol with addr > target */
        size_t mid = (lo + hi) / 2;
        if (t->sym[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const emu_symbol *s = &t->sym[lo - 1];
    if (s->size && addr - s->addr >= s->size)
        return NULL;
    return s;
}

const emu_symbol *emu_symtab_by_name(const emu_symtab *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->sym[i].name, name))
            return &t->sym[i];
    return NULL;
}
