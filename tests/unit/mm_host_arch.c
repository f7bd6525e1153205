/* tests/unit/mm_host_arch.c - mm/arch.h on the host, for mm unit tests.
 *
 * The simulated machine: its RAM is one host buffer (mmap'd with
 * MAP_NORESERVE, so even 3.5 GiB costs only the pages touched); physical
 * address p is ram + p.  The "current CPU" is a variable the test sets;
 * arch_on_each_cpu runs the function once per CPU with it switched.  There
 * is one host thread, so a spinlock found taken is a double lock: a bug.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mm_host.h"

static uint8_t *ram;
static uint64_t ram_size;
static unsigned cur_cpu, nr_cpus = 1;
static bool irqs_off[MM_MAX_CPUS];
static unsigned kmaps[MM_MAX_CPUS];    /* temporary mappings held, per CPU */

jmp_buf *mm_host_bug_jmp;
jmp_buf mm_host_bug_env;
static unsigned bugs_caught;
static char last_bug[256];

void mm_host_set_cpu(unsigned cpu)
{
    if (cpu >= MM_MAX_CPUS) {
        fprintf(stderr, "mm_host_set_cpu(%u): at most %u CPUs\n", cpu, MM_MAX_CPUS);
        abort();
    }
    cur_cpu = cpu;
}

void mm_host_set_nr_cpus(unsigned n)
{
    if (n < 1 || n > MM_MAX_CPUS) {
        fprintf(stderr, "mm_host_set_nr_cpus(%u): 1..%u\n", n, MM_MAX_CPUS);
        abort();
    }
    nr_cpus = n;
}

/* ---- bugs ------------------------------------------------------------------------ */

void arch_mm_bug(const char *file, int line, const char *cond)
{
    snprintf(last_bug, sizeof(last_bug), "%s:%d: %s", file, line, cond);
    if (mm_host_bug_jmp) {
        jmp_buf *env = mm_host_bug_jmp;
        mm_host_bug_jmp = NULL;
        bugs_caught++;
        longjmp(*env, 1);
    }
    fprintf(stderr, "mm BUG at %s\n", last_bug);
    fflush(NULL);
    abort();
}

void mm_host_expect_bug_end(void) { mm_host_bug_jmp = NULL; }

bool mm_host_expect_bug(void (*fn)(void *arg), void *arg)
{
    static jmp_buf env;                /* one expectation at a time */
    jmp_buf *volatile saved = mm_host_bug_jmp;

    mm_host_bug_jmp = &env;
    if (setjmp(env) != 0) {
        mm_host_bug_jmp = saved;
        return true;
    }
    fn(arg);
    mm_host_bug_jmp = saved;
    return false;
}
unsigned mm_host_bugs(void) { return bugs_caught; }
const char *mm_host_last_bug(void) { return last_bug; }

/* ---- locks, interrupts, CPUs --------------------------------------------------------- */

unsigned long arch_local_irq_save(void)
{
    unsigned long was = irqs_off[cur_cpu];
    irqs_off[cur_cpu] = true;
    return was;
}

void arch_local_irq_restore(unsigned long flags)
{
    irqs_off[cur_cpu] = flags != 0;
}

unsigned long arch_spin_lock_irqsave(arch_spinlock_t *lock)
{
    unsigned long flags = arch_local_irq_save();
    MM_BUG_ON(lock->word != 0);        /* one thread: taken means a double lock */
    lock->word = cur_cpu + 1;
    return flags;
}

void arch_spin_unlock_irqrestore(arch_spinlock_t *lock, unsigned long flags)
{
    MM_BUG_ON(lock->word != cur_cpu + 1);
    lock->word = 0;
    arch_local_irq_restore(flags);
}

void mm_host_unlock_all(void)
{
    unsigned n, z;

    for (n = 0; n < MAX_NUMNODES; n++)
        for (z = 0; z < MAX_NR_ZONES; z++)
            node_data[n].node_zones[z].lock.word = 0;
    memset(irqs_off, 0, sizeof(irqs_off));
    memset(kmaps, 0, sizeof(kmaps));
}

unsigned arch_cpu_id(void) { return cur_cpu; }
unsigned arch_nr_cpus(void) { return nr_cpus; }

void arch_atomic_or(volatile uint32_t *w, uint32_t bits) { __atomic_fetch_or(w, bits, __ATOMIC_SEQ_CST); }
void arch_atomic_and(volatile uint32_t *w, uint32_t bits) { __atomic_fetch_and(w, bits, __ATOMIC_SEQ_CST); }
int32_t arch_atomic_add_return(volatile int32_t *v, int32_t delta)
{
    return __atomic_add_fetch(v, delta, __ATOMIC_SEQ_CST);
}

void arch_on_each_cpu(void (*fn)(void *arg), void *arg)
{
    unsigned saved = cur_cpu, cpu;

    for (cpu = 0; cpu < nr_cpus; cpu++) {
        cur_cpu = cpu;
        fn(arg);
    }
    cur_cpu = saved;
}

/* ---- memory ---------------------------------------------------------------------------- */

void *arch_phys_to_virt(uint64_t phys)
{
    MM_BUG_ON(ram == NULL);
    MM_BUG_ON(phys >= ((uint64_t)max_low_pfn << PAGE_SHIFT) || phys >= ram_size);
    return ram + phys;
}

uint64_t arch_virt_to_phys(const void *virt)
{
    const uint8_t *v = virt;
    MM_BUG_ON(ram == NULL || v < ram || v >= ram + ram_size);
    return (uint64_t)(v - ram);
}

void *arch_kmap_atomic_pfn(uint32_t pfn)
{
    MM_BUG_ON(ram == NULL || ((uint64_t)pfn << PAGE_SHIFT) >= ram_size);
    kmaps[cur_cpu]++;
    return ram + ((uint64_t)pfn << PAGE_SHIFT);
}

void arch_kunmap_atomic(void *addr)
{
    MM_BUG_ON(kmaps[cur_cpu] == 0);
    MM_BUG_ON((uint8_t *)addr < ram || (uint8_t *)addr >= ram + ram_size);
    kmaps[cur_cpu]--;
}

void *mm_host_ram(uint64_t phys)
{
    if (ram == NULL || phys >= ram_size) {
        fprintf(stderr, "mm_host_ram(0x%llx): outside RAM\n", (unsigned long long)phys);
        abort();
    }
    return ram + phys;
}

/* ---- console ---------------------------------------------------------------------------- */

int arch_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
    return vsnprintf(buf, len, fmt, ap);
}

void arch_puts(const char *s)
{
    fputs(s, stdout);
}

/* ---- boot ---------------------------------------------------------------------------------- */

void mm_host_reset(void)
{
    if (ram)
        munmap(ram, ram_size);
    ram = NULL;
    ram_size = 0;
    memset(node_data, 0, sizeof(node_data));
    memset(cpu_to_node_map, 0, sizeof(cpu_to_node_map));
    nr_online_nodes = 0;
    min_free_kbytes = 0;
    mem_map = NULL;
    max_pfn = max_low_pfn = 0;
    memset(&mm_debug, 0, sizeof(mm_debug));
    mm_bad_pages = 0;
    cur_cpu = 0;
    nr_cpus = 1;
    memset(irqs_off, 0, sizeof(irqs_off));
    memset(kmaps, 0, sizeof(kmaps));
    mm_host_bug_jmp = NULL;
}

void mm_host_boot_info(struct mm_boot_info *bi, uint64_t ram_bytes, unsigned ncpus, unsigned nnodes)
{
    memset(bi, 0, sizeof(*bi));
    bi->nr_ram = 2;
    bi->ram[0].start = 0;
    bi->ram[0].end = 0x9FC00;
    bi->ram[1].start = 1ull << 20;
    bi->ram[1].end = ram_bytes - (128u << 10);
    bi->nr_reserved = 1;
    bi->reserved[0].start = 1ull << 20;
    bi->reserved[0].end = 5ull << 20;
    bi->nr_cpus = ncpus;
    bi->nr_nodes = nnodes;
}

void mm_host_boot_with(const struct mm_boot_info *bi)
{
    uint64_t size = 0;
    unsigned i;

    mm_host_reset();
    for (i = 0; i < bi->nr_ram; i++)
        if (bi->ram[i].end > size)
            size = bi->ram[i].end;
    size = (size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        perror("mm_host_boot: mmap");
        abort();
    }
    ram_size = size;
    mm_host_set_nr_cpus(bi->nr_cpus);
    cur_cpu = 0;
    mm_init(bi);
}

void mm_host_boot(uint64_t ram_bytes, unsigned ncpus, unsigned nnodes)
{
    struct mm_boot_info bi;

    mm_host_boot_info(&bi, ram_bytes, ncpus, nnodes);
    mm_host_boot_with(&bi);
}
