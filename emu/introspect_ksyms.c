/* emu/introspect_ksyms.c - code addresses named as the guest names them.
 *
 * The guest's arch_symbolize (guest/arch/tlb.c) looks addresses up in its
 * own table, .ksyms (ksym_count, then ksym_addrs[] = pairs of address and
 * name offset sorted by address, then ksym_names), generated from the text
 * symbols of the first link pass.  The host reads that very table out of
 * guest memory, so the names, offsets and sizes are the guest's.  The
 * table's labels are untyped symbols, which the machine's symbol table
 * (FUNC and OBJECT only) leaves out: they are looked up in the kernel ELF's
 * .symtab here. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"

#define KSYM_MAX 1000000u   /* more would not fit a kernel image */

/* Finds the three labels in the ELF file's .symtab; 0 if all were found. */
static int find_labels(const char *path, uint32_t out[3])
{
    static const char *const want[3] = { "ksym_count", "ksym_addrs", "ksym_names" };
    unsigned found = 0;
    uint8_t *elf = NULL;
    long size;
    FILE *f = fopen(path, "rb");

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > (long)sizeof(Elf32_Ehdr) &&
        fseek(f, 0, SEEK_SET) == 0 && (elf = malloc((size_t)size)) &&
        fread(elf, 1, (size_t)size, f) == (size_t)size) {
        const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf;
        const Elf32_Shdr *sh = (const Elf32_Shdr *)(elf + eh->e_shoff);

        if (!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS32 &&
            eh->e_shentsize == sizeof(Elf32_Shdr) &&
            (uint64_t)eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) <= (uint64_t)size) {
            for (unsigned i = 0; i < eh->e_shnum; i++) {
                if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
                    continue;
                const Elf32_Shdr *st = &sh[sh[i].sh_link];
                if ((uint64_t)sh[i].sh_offset + sh[i].sh_size > (uint64_t)size ||
                    (uint64_t)st->sh_offset + st->sh_size > (uint64_t)size || st->sh_size == 0)
                    break;
                const Elf32_Sym *sym = (const Elf32_Sym *)(elf + sh[i].sh_offset);
                const char *str = (const char *)(elf + st->sh_offset);
                for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf32_Sym); k++) {
                    if (sym[k].st_name >= st->sh_size)
                        continue;
                    const char *name = str + sym[k].st_name;
                    if (!memchr(name, '\0', st->sh_size - sym[k].st_name))
                        continue;
                    for (unsigned w = 0; w < 3; w++)
                        if (!(found & (1u << w)) && !strcmp(name, want[w])) {
                            out[w] = sym[k].st_value;
                            found |= 1u << w;
                        }
                }
                break;
            }
        }
    }
    free(elf);
    fclose(f);
    return found == 7 ? 0 : -1;
}

static int load(ik_ctx *c)
{
    uint32_t a[3];

    if (c->ksyms_state)
        return c->ksyms_state;
    c->ksyms_state = -1;
    if (find_labels(c->m->kernel_path, a) < 0) {
        ik_error(c, "%s: no ksym_count/ksym_addrs/ksym_names symbols: callers shown as addresses",
                 c->m->kernel_path);
        return -1;
    }
    if (ik_read_virt(c, a[0], &c->ksym_count, 4) < 0 || c->ksym_count > KSYM_MAX) {
        ik_error(c, "cannot read the guest's ksym_count at 0x%08x: callers shown as addresses", a[0]);
        return -1;
    }
    c->ksym_addrs = a[1];
    c->ksym_names = a[2];
    c->ksyms_state = 1;
    return 1;
}

/* ksym_addrs[i]; -1 if unreadable. */
static int entry(ik_ctx *c, uint32_t i, uint32_t *v)
{
    return ik_read_virt(c, c->ksym_addrs + 4u * i, v, 4);
}

void ik_symbolize(ik_ctx *c, uint32_t addr, char *buf, size_t len)
{
    uint32_t lo = 0, hi, at = 0, name_off = 0, next = 0, off, size;
    char name[128];

    snprintf(buf, len, "0x%08x", addr);
    if (load(c) < 0)
        return;
    hi = c->ksym_count;
    /* the guest's binary search (backtrace.c ksym_lookup, tlb.c arch_symbolize) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2, v;

        if (entry(c, 2 * mid, &v) < 0)
            goto unreadable;
        if (v <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (c->ksym_count == 0)
        return;
    if (entry(c, 2 * lo, &at) < 0 || entry(c, 2 * lo + 1, &name_off) < 0)
        goto unreadable;
    if (at > addr)
        return;
    off = addr - at;
    if (lo + 1 < c->ksym_count) {
        if (entry(c, 2 * (lo + 1), &next) < 0)
            goto unreadable;
        size = next - at;
    } else {
        size = off + 1;
    }
    memset(name, 0, sizeof name);
    for (size_t i = 0; i + 1 < sizeof name; i++) {
        if (ik_read_virt(c, c->ksym_names + name_off + (uint32_t)i, &name[i], 1) < 0)
            goto unreadable;
        if (!name[i])
            break;
    }
    snprintf(buf, len, "%s+0x%x/0x%x", name, off, size);
    return;
unreadable:
    c->ksyms_state = -1;      /* one error line, then addresses */
    ik_error(c, "cannot read the guest's symbol table (.ksyms at 0x%08x)", c->ksym_addrs);
}
