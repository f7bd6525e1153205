/* Boot processor's C entry: bring up console, memory, descriptor
 * tables, LAPIC, timer and the other CPUs, set up the page allocator, run
 * self-tests (or the mm benchmark), then shut down or, with `workload`,
 * serve the host's workload requests. */
#include "bootinfo.h"
#include "cmdline.h"
#include "gdt.h"
#include "idt.h"
#include "lapic.h"
#include "mm_guest.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "pic.h"
#include "printk.h"
#include "selftest.h"
#include "shutdown.h"
#include "smp.h"
#include "time.h"
#include "trap.h"
#include "wl.h"
#include "x86.h"

extern uint32_t boot_mb_magic, boot_mb_info;

/* Called by boot/head.S. */
asmlinkage void kernel_main(void) __attribute__((noreturn));

/* Console, multiboot data, command line, memory report. */
static void early_init(void)
{
	bool ok;

	console_init();
	ok = multiboot_copy(boot_mb_magic, boot_mb_info);
	cmdline_init(bootinfo.cmdline);
	console_set_quiet(cmdline_has("quiet"));
	pr_info("pagelab kernel 0.1.0 (i386)\n");
	if (!ok)
		panic("not started by a multiboot loader (eax 0x%08x)",
		      boot_mb_magic);
	pr_info("cmdline: %s\n", cmdline_string());
	memmap_print();
	memory_report();
}

/* Descriptor tables, traps, fixmap, LAPIC and tick on the BSP. */
static void cpu0_init(void)
{
	pic_disable();
	percpu_init();
	gdt_init();
	gdt_load(0);
	idt_init();
	idt_load();
	trap_init();
	paging_init();
	lapic_map();
	percpu_add(lapic_id());
	tss_load(0, &cpus[0].tss, cpus[0].esp0_top);
	lapic_init();
	time_init();
	ipi_init();
	time_start_cpu();
}

/* Entered from head.S on the boot stack with paging on. */
asmlinkage void kernel_main(void)
{
	int failed;

	early_init();
	cpu0_init();
	paging_drop_identity();
	pr_info("paging: on, lowmem 0x%08x-0x%08x mapped at 0x%08x, identity map dropped\n",
		0, lowmem_end_phys() - 1, PAGE_OFFSET);
	sti();
	smp_boot();
	mm_setup();
	mm_bench_run_if_asked();
	failed = selftest_run();
	if (cmdline_has("workload"))
		wl_serve();
	shutdown(failed ? EXIT_FAILED : EXIT_OK);
}
