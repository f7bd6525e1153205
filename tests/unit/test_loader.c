/* tests/unit/test_loader.c - the Multiboot v1 loader and the boot ROM
 * (emu/loader.c) through emu_machine_create: every rejected input gives
 * NULL and one line naming the file and the problem; a good kernel gets the
 * Multiboot state, information structure, memory map and Intel MP tables
 * (MP spec 1.4) it is promised.  The ELF files are written here, by hand. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine.h"
#include "unit.h"

#define LOAD 0x100000u
#define MB_MAGIC 0x1BADB002u

static char tmpdir[] = "/tmp/pagelab-loader-XXXXXX";

/* The description of a test kernel: one or two PT_LOAD segments. */
typedef struct kspec {
    uint8_t klass;           /* ELFCLASS32 normally */
    uint16_t machine, type;
    bool multiboot;
    uint32_t mb_flags;
    int32_t mb_checksum_delta;   /* added to the correct checksum */
    uint32_t paddr, memsz;       /* first segment (file size = whole file) */
    uint32_t paddr2, memsz2;     /* second segment if memsz2 */
    uint32_t entry;              /* 0: the code after the header */
} kspec;

/* The code: mov eax, ebx; mov dx, 0xf4; out dx, eax; hlt (exit value =
 * the EBX the loader gave). */
static const uint8_t code[] = { 0x89, 0xd8, 0x66, 0xba, 0xf4, 0x00, 0xef, 0xf4 };
#define HDR_END (sizeof(Elf32_Ehdr) + 2 * sizeof(Elf32_Phdr))   /* 116 */
#define MB_OFF 0x80u
#define CODE_OFF (MB_OFF + 12)

static kspec good(void)
{
    kspec k = { .klass = ELFCLASS32, .machine = EM_386, .type = ET_EXEC, .multiboot = true,
                .paddr = LOAD, .memsz = 0x1000 };
    return k;
}

/* Writes the kernel described by k to dir/name; returns the path (static). */
static const char *write_kernel(const char *name, const kspec *k)
{
    static char path[256];
    uint8_t file[CODE_OFF + sizeof code];
    memset(file, 0, sizeof file);
    Elf32_Ehdr *eh = (Elf32_Ehdr *)file;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = k->klass;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = k->type;
    eh->e_machine = k->machine;
    eh->e_version = EV_CURRENT;
    eh->e_entry = k->entry ? k->entry : k->paddr + CODE_OFF;
    eh->e_phoff = sizeof(Elf32_Ehdr);
    eh->e_ehsize = sizeof(Elf32_Ehdr);
    eh->e_phentsize = sizeof(Elf32_Phdr);
    eh->e_phnum = k->memsz2 ? 2 : 1;
    Elf32_Phdr *ph = (Elf32_Phdr *)(file + sizeof(Elf32_Ehdr));
    ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = k->paddr, .p_paddr = k->paddr,
                          .p_filesz = sizeof file, .p_memsz = k->memsz, .p_flags = PF_R | PF_W | PF_X,
                          .p_align = 0x1000 };
    if (k->memsz2)
        ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_vaddr = k->paddr2,
                              .p_paddr = k->paddr2, .p_filesz = 0, .p_memsz = k->memsz2,
                              .p_flags = PF_R | PF_W, .p_align = 0x1000 };
    if (k->multiboot) {
        uint32_t mb[3] = { MB_MAGIC, k->mb_flags,
                           (uint32_t)(-(MB_MAGIC + k->mb_flags) + (uint32_t)k->mb_checksum_delta) };
        memcpy(file + MB_OFF, mb, sizeof mb);
    }
    memcpy(file + CODE_OFF, code, sizeof code);
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(file, 1, sizeof file, f);
        fclose(f);
    }
    return path;
}

static const char *write_bytes(const char *name, const void *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return path;
}

static emu_config config(const char *path)
{
    emu_config cfg;
    emu_config_init(&cfg);
    cfg.kernel_path = path;
    cfg.ram_bytes = 16ull << 20;
    cfg.ncpus = 1;
    return cfg;
}

/* Creating must fail with exactly "<path>: <msg>" (or msg if path is NULL). */
static void expect_fail(const emu_config *cfg, const char *path, const char *msg)
{
    char err[512], want[512];
    memset(err, 0, sizeof err);
    emu_machine *m = emu_machine_create(cfg, NULL, err, sizeof err);
    CHECK(m == NULL);
    if (m)
        emu_machine_destroy(m);
    if (path)
        snprintf(want, sizeof want, "%s: %s", path, msg);
    else
        snprintf(want, sizeof want, "%s", msg);
    if (strcmp(err, want)) {
        fprintf(stderr, "  got:  \"%s\"\n  want: \"%s\"\n", err, want);
        CHECK(0);
    } else {
        CHECK(1);
    }
}

static void test_bad_files(void)
{
    char path[256], msg[256];
    emu_config cfg;

    snprintf(path, sizeof path, "%s/does-not-exist.elf", tmpdir);
    cfg = config(path);
    expect_fail(&cfg, path, "cannot open: No such file or directory");

    const char *p = write_bytes("text.elf", "hello, world\n", 13);
    cfg = config(p);
    expect_fail(&cfg, p, "not an ELF file");

    p = write_bytes("empty.elf", "", 0);
    cfg = config(p);
    expect_fail(&cfg, p, "not an ELF file");

    Elf64_Ehdr e64;
    memset(&e64, 0, sizeof e64);
    memcpy(e64.e_ident, ELFMAG, SELFMAG);
    e64.e_ident[EI_CLASS] = ELFCLASS64;
    e64.e_ident[EI_DATA] = ELFDATA2LSB;
    e64.e_ident[EI_VERSION] = EV_CURRENT;
    e64.e_type = ET_EXEC;
    e64.e_machine = EM_X86_64;
    e64.e_version = EV_CURRENT;
    e64.e_entry = 0x100000;
    e64.e_ehsize = sizeof e64;
    p = write_bytes("elf64.elf", &e64, sizeof e64);
    cfg = config(p);
    expect_fail(&cfg, p, "is a 64-bit ELF; pagelab runs 32-bit i386 kernels");

    kspec k = good();
    k.machine = EM_X86_64;
    p = write_kernel("amd64.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "not an i386 ELF (machine 62)");

    k = good();
    k.type = ET_DYN;
    p = write_kernel("dyn.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "not an executable ELF (type 3)");

    k = good();
    k.multiboot = false;
    p = write_kernel("nomb.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "no Multiboot header in the first 8 KiB (not a Multiboot kernel)");

    k = good();
    k.mb_checksum_delta = 1;
    p = write_kernel("badsum.elf", &k);
    cfg = config(p);
    snprintf(msg, sizeof msg, "Multiboot header at offset 0x%x has a bad checksum", MB_OFF);
    expect_fail(&cfg, p, msg);

    k = good();
    k.mb_flags = 0x4;     /* video mode: not offered */
    p = write_kernel("video.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "Multiboot header requires features pagelab does not offer (flags 0x4)");

    /* In the VGA hole, beyond the end of 16 MiB of RAM, and a bad second
     * segment after a good one. */
    k = good();
    k.paddr = 0xA0000;
    p = write_kernel("hole.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "segment 0 at physical 0x000a0000-0x000a0fff is outside RAM");

    k = good();
    k.paddr = 0xFFF000;
    k.memsz = 0x2000;
    p = write_kernel("top.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "segment 0 at physical 0x00fff000-0x01000fff is outside RAM");

    k = good();
    k.paddr2 = 0xFEE00000;
    k.memsz2 = 0x1000;
    p = write_kernel("lapic.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "segment 1 at physical 0xfee00000-0xfee00fff is outside RAM");

    k = good();
    k.entry = 0x200000;
    p = write_kernel("entry.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "entry point 0x00200000 is not in any loaded segment's physical range");

    k = good();
    k.entry = LOAD + 0x1000;   /* one past the segment's end */
    p = write_kernel("entry2.elf", &k);
    cfg = config(p);
    expect_fail(&cfg, p, "entry point 0x00101000 is not in any loaded segment's physical range");
}

static void test_bad_configs(void)
{
    kspec k = good();
    const char *p = write_kernel("ok.elf", &k);
    const char *ram = "RAM size must be a whole number of MiB from 16 MiB to 3.5 GiB";
    const uint64_t bad_ram[] = { 0, 15ull << 20, (16ull << 20) - 4096, (16ull << 20) + 4096,
                                 (64ull << 20) + 512, 3585ull << 20, 4096ull << 20 };
    for (unsigned i = 0; i < sizeof bad_ram / sizeof bad_ram[0]; i++) {
        emu_config cfg = config(p);
        cfg.ram_bytes = bad_ram[i];
        expect_fail(&cfg, NULL, ram);
    }
    const unsigned bad_cpus[] = { 0, 9, 100 };
    for (unsigned i = 0; i < 3; i++) {
        emu_config cfg = config(p);
        cfg.ncpus = bad_cpus[i];
        expect_fail(&cfg, NULL, "number of CPUs must be from 1 to 8");
    }
    /* The limits themselves are fine. */
    const uint64_t ok_ram[] = { 16ull << 20, 17ull << 20, 3584ull << 20 };
    for (unsigned i = 0; i < 3; i++) {
        emu_config cfg = config(p);
        char err[256];
        cfg.ram_bytes = ok_ram[i];
        cfg.ncpus = i == 2 ? 8 : 1;
        emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
        CHECK(m != NULL);
        if (m) {
            CHECK_EQ(emu_machine_ram_size(m), ok_ram[i]);
            CHECK_EQ(emu_machine_ncpus(m), cfg.ncpus);
        }
        emu_machine_destroy(m);
    }
}

static uint32_t peek32(const emu_machine *m, uint64_t pa)
{
    uint32_t v = 0;
    CHECK_EQ(emu_machine_peek_phys(m, pa, &v, 4), 0);
    return v;
}

static uint8_t sum_bytes(const emu_machine *m, uint32_t pa, size_t len)
{
    uint8_t buf[4096], s = 0;
    CHECK(len <= sizeof buf);
    emu_machine_peek_phys(m, pa, buf, len);
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + buf[i]);
    return s;
}

/* The MP floating pointer is in the BIOS ROM area (0xF0000-0xFFFFF) on a
 * 16-byte boundary; returns its address or 0. */
static uint32_t find_mp(const emu_machine *m)
{
    for (uint32_t a = 0xF0000; a < 0x100000; a += 16) {
        char sig[4];
        emu_machine_peek_phys(m, a, sig, 4);
        if (!memcmp(sig, "_MP_", 4))
            return a;
    }
    return 0;
}

static void check_mp(const emu_machine *m, unsigned ncpus)
{
    uint32_t fp = find_mp(m);
    CHECK(fp != 0);
    if (!fp)
        return;
    uint8_t f[16];
    emu_machine_peek_phys(m, fp, f, 16);
    CHECK_EQ(sum_bytes(m, fp, 16), 0);
    CHECK_EQ(f[8], 1);                 /* length in 16-byte units */
    CHECK_EQ(f[9], 4);                 /* spec 1.4 */
    CHECK_EQ(f[11], 0);                /* feature 1 = 0: a configuration table exists */
    uint32_t ct;
    memcpy(&ct, f + 4, 4);
    char sig[4];
    emu_machine_peek_phys(m, ct, sig, 4);
    CHECK(!memcmp(sig, "PCMP", 4));
    uint8_t h[44];
    emu_machine_peek_phys(m, ct, h, sizeof h);
    uint16_t len = (uint16_t)(h[4] | h[5] << 8), count = (uint16_t)(h[34] | h[35] << 8);
    CHECK_EQ(len, 44 + 20 * ncpus);    /* header + one 20-byte processor entry per CPU */
    CHECK_EQ(h[6], 4);
    CHECK_EQ(sum_bytes(m, ct, len), 0);
    CHECK_EQ(count, ncpus);
    CHECK_EQ(peek32(m, ct + 36), 0xFEE00000u);   /* LAPIC address */
    for (unsigned i = 0; i < ncpus; i++) {
        uint8_t e[20];
        emu_machine_peek_phys(m, ct + 44 + 20 * i, e, 20);
        CHECK_EQ(e[0], 0);                       /* processor */
        CHECK_EQ(e[1], i);                       /* LAPIC ID */
        CHECK_EQ(e[3], i == 0 ? 3 : 1);          /* enabled, BSP only on CPU 0 */
    }
}

/* A good kernel: Multiboot machine state, the information structure and
 * the memory map (the SeaBIOS-compatible map of emu/loader.c), MP tables. */
static void test_good(void)
{
    kspec k = good();
    const char *p = write_kernel("good.elf", &k);
    const uint64_t rams[] = { 16ull << 20, 64ull << 20, 1024ull << 20 };
    for (unsigned r = 0; r < 3; r++) {
        for (unsigned n = 1; n <= 8; n += 3) {
            emu_config cfg = config(p);
            char err[256];
            cfg.ram_bytes = rams[r];
            cfg.ncpus = n;
            cfg.cmdline = "console=ttyS0 answer=42";
            emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
            CHECK(m != NULL);
            if (!m) {
                fprintf(stderr, "%s\n", err);
                continue;
            }
            emu_regs regs;
            emu_machine_read_regs(m, 0, &regs);
            CHECK_EQ(regs.eax, 0x2BADB002u);
            CHECK_EQ(regs.eip, LOAD + CODE_OFF);
            CHECK_EQ(regs.cr0 & 0x80000001u, 1);   /* PE on, PG off */
            CHECK_EQ(regs.eflags & 0x20200u, 0);   /* IF and VM clear */
            emu_cpu_stats st;
            emu_machine_cpu_stats(m, 0, &st);
            CHECK_EQ(st.state, EMU_CPU_RUNNING);
            for (unsigned i = 1; i < n; i++) {
                emu_machine_cpu_stats(m, i, &st);
                CHECK_EQ(st.state, EMU_CPU_WAIT_INIT);
            }
            /* The segment is loaded: header bytes and the code. */
            uint8_t got[sizeof code];
            emu_machine_peek_phys(m, LOAD + CODE_OFF, got, sizeof got);
            CHECK(!memcmp(got, code, sizeof code));
            CHECK_EQ(peek32(m, LOAD + MB_OFF), MB_MAGIC);
            CHECK_EQ(peek32(m, LOAD + CODE_OFF + sizeof code), 0);   /* bss part zeroed */

            uint32_t mbi = regs.ebx;
            CHECK_EQ(peek32(m, mbi), 0x245);             /* mem, cmdline, mmap, loader name */
            CHECK_EQ(peek32(m, mbi + 4), 639);           /* below the 1 KiB EBDA */
            CHECK_EQ(peek32(m, mbi + 8), (rams[r] - (1u << 20) - (128u << 10)) / 1024);
            char s[64];
            memset(s, 0, sizeof s);
            emu_machine_peek_phys(m, peek32(m, mbi + 16), s, sizeof s - 1);
            CHECK(!strcmp(s, "console=ttyS0 answer=42"));
            memset(s, 0, sizeof s);
            emu_machine_peek_phys(m, peek32(m, mbi + 64), s, sizeof s - 1);
            CHECK(!strncmp(s, "pagelab ", 8));
            struct { uint64_t base, len; uint32_t type; } want[6] = {
                { 0, 0x9FC00, 1 },
                { 0x9FC00, 0x400, 2 },
                { 0xF0000, 0x10000, 2 },
                { 0x100000, rams[r] - 0x100000 - 0x20000, 1 },
                { rams[r] - 0x20000, 0x20000, 2 },
                { 0xFFFC0000u, 0x40000, 2 },
            };
            uint32_t mlen = peek32(m, mbi + 44), maddr = peek32(m, mbi + 48);
            CHECK_EQ(mlen, 6 * 24);
            for (unsigned i = 0; i < 6 && i * 24 < mlen; i++) {
                uint8_t e[24];
                uint64_t base, len;
                uint32_t size, type;
                emu_machine_peek_phys(m, maddr + 24 * i, e, 24);
                memcpy(&size, e, 4);
                memcpy(&base, e + 4, 8);
                memcpy(&len, e + 12, 8);
                memcpy(&type, e + 20, 4);
                CHECK_EQ(size, 20);
                CHECK_EQ(base, want[i].base);
                CHECK_EQ(len, want[i].len);
                CHECK_EQ(type, want[i].type);
            }
            check_mp(m, n);

            /* The kernel itself sees EBX: it exits with it. */
            CHECK_EQ(emu_machine_run(m, 0), EMU_STOP_EXIT);
            CHECK_EQ(emu_machine_exit_value(m), mbi);
            emu_machine_destroy(m);
        }
    }
    /* No command line: an empty string. */
    emu_config cfg = config(p);
    char err[256];
    cfg.cmdline = NULL;
    emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        emu_regs regs;
        emu_machine_read_regs(m, 0, &regs);
        uint8_t c = 0xAA;
        emu_machine_peek_phys(m, peek32(m, regs.ebx + 16), &c, 1);
        CHECK_EQ(c, 0);
        emu_machine_destroy(m);
    }
}

/* The test kernels built with this project load too. */
static void test_built_kernels(void)
{
    const char *names[] = { "delivery.elf", "smp.elf", "spin.elf" };
    for (unsigned i = 0; i < 3; i++) {
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/%s", PAGELAB_TEST_KERNELS, names[i]);
        emu_config cfg = config(path);
        emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
        CHECK(m != NULL);
        if (!m)
            fprintf(stderr, "%s\n", err);
        emu_machine_destroy(m);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_bad_files();
    test_bad_configs();
    test_good();
    test_built_kernels();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return unit_done();
}
