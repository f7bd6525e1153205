/* emu/loader.c - a Multiboot v1 loader for ELF32 i386 kernels.
 *
 * It checks the file (ELF32, little-endian, i386, executable, a valid
 * Multiboot header in the first 8 KiB), copies the PT_LOAD segments to their
 * physical addresses, builds the boot ROM at 0xF0000 (Multiboot information,
 * memory map, command line, loader name, the Intel MP tables that tell the
 * kernel how many CPUs there are, and a flat GDT) and puts the bootstrap CPU
 * in the state the Multiboot specification describes: EAX = 0x2BADB002,
 * EBX = physical address of the information, flat protected mode, paging
 * off, interrupts off.  Every failure is one line naming the file.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "machine_priv.h"

#define MB_MAGIC        0x1BADB002u
#define MB_BOOT_MAGIC   0x2BADB002u
#define MB_SEARCH       8192u
#define MB_SUPPORTED_REQS 0x3u   /* page-align, memory info */

/* Layout of the boot ROM (offsets from EMU_ROM_BASE). */
#define ROM_GDT      0x000
#define ROM_INFO     0x100
#define ROM_MMAP     0x200
#define ROM_LOADER   0x400
#define ROM_MPFP     0x500
#define ROM_MPCT     0x600
/* ACPI RSDP, RSDT, MADT: 0x700, 0x800, 0x900 (acpi.h) */
#define ROM_CMDLINE  0x1000

typedef struct loader {
    emu_machine *m;
    const char *path;
    uint8_t *file;
    size_t size;
    char *err;
    size_t errlen;
} loader;

static int fail(loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(loader *l, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s: %s", l->path, msg);
    return -1;
}

static int read_file(loader *l)
{
    FILE *f = fopen(l->path, "rb");
    if (!f)
        return fail(l, "cannot open: %s", strerror(errno));
    if (fseek(f, 0, SEEK_END) || (long)(l->size = (size_t)ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return fail(l, "cannot read: %s", strerror(errno));
    }
    l->file = malloc(l->size ? l->size : 1);
    size_t got = l->file ? fread(l->file, 1, l->size, f) : 0;
    fclose(f);
    if (got != l->size)
        return fail(l, "cannot read the whole file");
    return 0;
}

/* Checks the ELF identification and header. */
static int check_elf(loader *l, const Elf32_Ehdr **out)
{
    if (l->size < EI_NIDENT || memcmp(l->file, ELFMAG, SELFMAG))
        return fail(l, "not an ELF file");
    if (l->file[EI_CLASS] == ELFCLASS64)
        return fail(l, "is a 64-bit ELF; pagelab runs 32-bit i386 kernels");
    if (l->file[EI_CLASS] != ELFCLASS32 || l->size < sizeof(Elf32_Ehdr))
        return fail(l, "not a valid ELF32 file");
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)l->file;
    if (l->file[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386)
        return fail(l, "not an i386 ELF (machine %u)", eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return fail(l, "not an executable ELF (type %u)", eh->e_type);
    if (eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phnum == 0 ||
        (uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > l->size)
        return fail(l, "ELF program headers are missing or truncated");
    *out = eh;
    return 0;
}

/* Finds and checks the Multiboot header; returns its flags. */
static int check_multiboot(loader *l, uint32_t *flags)
{
    size_t limit = l->size < MB_SEARCH ? l->size : MB_SEARCH;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t h[3];
        memcpy(h, l->file + off, 12);
        if (h[0] != MB_MAGIC)
            continue;
        if ((uint32_t)(h[0] + h[1] + h[2]) != 0)
            return fail(l, "Multiboot header at offset 0x%zx has a bad checksum", off);
        if (h[1] & 0xffffu & ~MB_SUPPORTED_REQS)
            return fail(l, "Multiboot header requires features pagelab does not offer (flags 0x%x)", h[1]);
        *flags = h[1];
        return 0;
    }
    return fail(l, "no Multiboot header in the first 8 KiB (not a Multiboot kernel)");
}

/* Copies the PT_LOAD segments to physical memory; checks the entry point. */
static int load_segments(loader *l, const Elf32_Ehdr *eh)
{
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(l->file + eh->e_phoff);
    bool entry_ok = false;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf32_Phdr *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        if (p->p_filesz > p->p_memsz || (uint64_t)p->p_offset + p->p_filesz > l->size)
            return fail(l, "segment %u is truncated", i);
        uint8_t *dst = emu_phys_ptr(l->m, p->p_paddr, p->p_memsz);
        if (!dst)
            return fail(l, "segment %u at physical 0x%08x-0x%08x is outside RAM", i, p->p_paddr,
                        p->p_paddr + p->p_memsz - 1);
        memcpy(dst, l->file + p->p_offset, p->p_filesz);
        memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
        if (eh->e_entry >= p->p_paddr && eh->e_entry < p->p_paddr + p->p_memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        return fail(l, "entry point 0x%08x is not in any loaded segment's physical range", eh->e_entry);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return (uint8_t)-s;
}

/* One memory-map entry in Multiboot format (size field first). */
static size_t mmap_entry(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
    put32(p, 20);
    memcpy(p + 4, &base, 8);
    memcpy(p + 12, &len, 8);
    put32(p + 20, type);
    return 24;
}

/* Writes the Intel MP floating pointer and configuration table (spec 1.4)
 * with one processor entry per CPU. */
static void build_mp_tables(emu_machine *m)
{
    uint8_t *fp = m->rom + ROM_MPFP, *ct = m->rom + ROM_MPCT;
    memcpy(fp, "_MP_", 4);
    put32(fp + 4, EMU_ROM_BASE + ROM_MPCT);
    fp[8] = 1;      /* length in 16-byte units */
    fp[9] = 4;      /* spec revision 1.4 */
    fp[10] = checksum(fp, 16);
    memcpy(ct, "PCMP", 4);
    ct[6] = 4;
    memcpy(ct + 8, "PAGELAB PC          ", 20);   /* OEM id (8) + product id (12) */
    put32(ct + 36, EMU_LAPIC_BASE);
    size_t len = 44;
    for (unsigned i = 0; i < m->ncpus; i++, len += 20) {
        uint8_t *e = ct + len;
        e[0] = 0;                          /* processor entry */
        e[1] = (uint8_t)i;                 /* local APIC id */
        e[2] = 0x14;                       /* local APIC version */
        e[3] = 1 | (i == 0 ? 2 : 0);       /* enabled, bootstrap */
        put32(e + 4, 0x611);               /* family 6 model 1 stepping 1 */
        put32(e + 8, (1u << 0) | (1u << 9)); /* FPU, APIC */
    }
    ct[4] = (uint8_t)len;
    ct[5] = (uint8_t)(len >> 8);
    ct[34] = (uint8_t)m->ncpus;            /* entry count */
    ct[7] = checksum(ct, len);
}

/* Builds the Multiboot information structure and its memory map. */
static uint32_t build_boot_info(emu_machine *m)
{
    uint8_t *rom = m->rom, *info = rom + ROM_INFO, *mm = rom + ROM_MMAP;
    size_t n = 0;
    /* The same map SeaBIOS gives under QEMU: 1 KiB EBDA below 640 KiB, the
     * BIOS area, RAM from 1 MiB with 128 KiB reserved at its top, the BIOS ROM
     * alias below 4 GiB.  The same kernel then sees the same memory on both. */
    n += mmap_entry(mm + n, 0, EMU_EBDA_BASE, 1);
    n += mmap_entry(mm + n, EMU_EBDA_BASE, EMU_LOW_RAM_END - EMU_EBDA_BASE, 2);
    n += mmap_entry(mm + n, EMU_ROM_BASE, EMU_ROM_SIZE, 2);
    n += mmap_entry(mm + n, EMU_HIGH_RAM, m->ram_size - EMU_FW_TOP_RESERVED - EMU_HIGH_RAM, 1);
    n += mmap_entry(mm + n, m->ram_size - EMU_FW_TOP_RESERVED, EMU_FW_TOP_RESERVED, 2);
    n += mmap_entry(mm + n, EMU_BIOS_ALIAS, 0x100000000ull - EMU_BIOS_ALIAS, 2);
    size_t clen = strlen(m->cmdline);
    if (clen > EMU_ROM_SIZE - ROM_CMDLINE - 1)
        clen = EMU_ROM_SIZE - ROM_CMDLINE - 1;
    memcpy(rom + ROM_CMDLINE, m->cmdline, clen);
    rom[ROM_CMDLINE + clen] = 0;
    strcpy((char *)rom + ROM_LOADER, "pagelab " PAGELAB_VERSION_STRING);
    put32(info + 0, (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));  /* mem, cmdline, mmap, name */
    put32(info + 4, EMU_EBDA_BASE / 1024);
    put32(info + 8, (uint32_t)((m->ram_size - EMU_FW_TOP_RESERVED - EMU_HIGH_RAM) / 1024));
    put32(info + 16, EMU_ROM_BASE + ROM_CMDLINE);
    put32(info + 44, (uint32_t)n);
    put32(info + 48, EMU_ROM_BASE + ROM_MMAP);
    put32(info + 64, EMU_ROM_BASE + ROM_LOADER);
    return EMU_ROM_BASE + ROM_INFO;
}

/* Puts the bootstrap CPU at the kernel entry as Multiboot requires. */
static void enter_kernel(emu_machine *m, uint32_t entry, uint32_t info)
{
    emu_cpu *c = &m->cpu[0];
    /* Accessed bits preset: loading a selector must not write to the ROM. */
    static const uint64_t gdt[3] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull };
    memcpy(m->rom + ROM_GDT, gdt, sizeof gdt);
    uc_x86_mmr gdtr = { .base = EMU_ROM_BASE + ROM_GDT, .limit = sizeof gdt - 1 };
    emu_set_reg(c, UC_X86_REG_CR0, 0x11);   /* PE | ET */
    uc_reg_write(c->uc, UC_X86_REG_GDTR, &gdtr);
    static const int data[] = { UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS };
    for (unsigned i = 0; i < sizeof data / sizeof data[0]; i++)
        emu_set_reg(c, data[i], 0x10);
    emu_set_reg(c, UC_X86_REG_CS, 0x08);
    emu_set_reg(c, UC_X86_REG_EFLAGS, 0x2);
    emu_set_reg(c, UC_X86_REG_EAX, MB_BOOT_MAGIC);
    emu_set_reg(c, UC_X86_REG_EBX, info);
    emu_set_reg(c, UC_X86_REG_EIP, entry);
    c->state = EMU_CPU_RUNNING;
}

int emu_load_kernel(emu_machine *m, const char *path, char *err, size_t errlen)
{
    loader l = { .m = m, .path = path, .err = err, .errlen = errlen };
    const Elf32_Ehdr *eh = NULL;
    uint32_t flags = 0;
    int r = read_file(&l);
    if (!r)
        r = check_elf(&l, &eh);
    if (!r)
        r = check_multiboot(&l, &flags);
    if (!r)
        r = load_segments(&l, eh);
    if (!r && emu_symtab_load(&m->syms, l.file, l.size))
        r = fail(&l, "out of memory reading the symbol table");
    if (!r) {
        build_mp_tables(m);
        emu_acpi_build(m->rom, EMU_ROM_BASE, m->ncpus);
        enter_kernel(m, eh->e_entry, build_boot_info(m));
    }
    free(l.file);
    return r;
}
