/* SMP bring-up: the BSP finds the CPUs in the ACPI MADT (or, without
 * ACPI, the MP table), starts the APs one at a time (INIT, 10 ms, STARTUP,
 * 200 us, STARTUP) and waits for each to report online, so the boot output
 * order is fixed. */
#include "smp.h"
#include "wl.h"
#include "linkage.h"
#include "acpi.h"
#include "idt.h"
#include "gdt.h"
#include "kstring.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "printk.h"
#include "time.h"
#include "x86.h"

#define MP_SCAN_MAX   64
#define AP_WAIT_MS    2000

extern char ap_trampoline_start[], ap_trampoline_end[];

/* Read by the trampoline / ap_start_high (physical and virtual). */
uint32_t ap_boot_pgdir;
uint32_t ap_boot_stack;
uint32_t ap_boot_cpu;

/* Called by boot/ap_trampoline.S's ap_start_high, cpu on the stack. */
asmlinkage void ap_main(int cpu) __attribute__((noreturn));

/* C entry of an AP: per-CPU descriptor tables, LAPIC, tick, then idle
 * serving interrupts. */
asmlinkage void ap_main(int cpu)
{
	struct cpu *c = &cpus[cpu];

	gdt_load(cpu);
	idt_load();
	tss_load(cpu, &c->tss, c->esp0_top);
	lapic_init();
	time_start_cpu();
	pr_info("cpu %d: online (apic id %u)\n", cpu, c->apic_id);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	wl_idle_loop();
}

/* Send the INIT/STARTUP sequence to one AP and wait for it. */
static bool start_ap(int cpu)
{
	struct cpu *c = &cpus[cpu];
	int ms;

	ap_boot_stack = c->kstack_top;
	ap_boot_cpu = (uint32_t)cpu;
	lapic_send_init(c->apic_id);
	mdelay(10);
	lapic_send_startup(c->apic_id, TRAMPOLINE_PHYS);
	udelay(200);
	lapic_send_startup(c->apic_id, TRAMPOLINE_PHYS);
	for (ms = 0; ms < AP_WAIT_MS; ms++) {
		if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			return true;
		mdelay(1);
	}
	return false;
}

/* Fill out[] with the enabled processors from the ACPI MADT or, if there
 * is none, the MP table; returns their number (or a negative value: no
 * table) and sets *source to the table's name. */
static int find_cpus(struct mp_cpu *out, int max, const char **source)
{
	int n = acpi_scan_cpus(out, max);

	*source = "ACPI MADT";
	if (n != ACPI_NONE)
		return n;
	*source = "MP table";
	n = mptable_scan(out, max);
	return n == MPTABLE_NONE ? -1 : n;
}

/* Register and start every enabled non-boot processor in table order. */
static void start_aps(const struct mp_cpu *mp, int n)
{
	int i, cpu;

	memcpy(phys_to_virt(TRAMPOLINE_PHYS), ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	ap_boot_pgdir = paging_trampoline_pgdir();
	for (i = 0; i < n; i++) {
		if (mp[i].apic_id == cpus[0].apic_id)
			continue;
		cpu = percpu_add(mp[i].apic_id);
		if (cpu < 0) {
			pr_info("smp: ignoring cpu with apic id %u (limit %d)\n",
				mp[i].apic_id, MAX_CPUS);
			continue;
		}
		if (!start_ap(cpu))
			printk("cpu %d: did not come online (apic id %u)\n",
			       cpu, mp[i].apic_id);
	}
}

/* Number of CPUs that reported online. */
int smp_online_count(void)
{
	int i, n = 0;

	for (i = 0; i < ncpus; i++)
		n += cpus[i].online ? 1 : 0;
	return n;
}

/* Bring up all processors listed in the MADT or MP table (BSP already
 * runs). */
void smp_boot(void)
{
	static struct mp_cpu mp[MP_SCAN_MAX];
	const char *source;
	int n = find_cpus(mp, MP_SCAN_MAX, &source);

	cpus[0].online = 1;
	pr_info("cpu 0: online (apic id %u)\n", cpus[0].apic_id);
	if (n < 0) {
		pr_info("smp: no ACPI MADT or MP table found, running with 1 CPU\n");
	} else {
		pr_info("smp: CPUs from %s\n", source);
		start_aps(mp, n);
	}
	pr_info("smp: %d CPUs online\n", smp_online_count());
}
