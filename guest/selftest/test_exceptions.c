/* Ring-0 exception self-tests: each fault is raised by a helper in
 * fault_triggers.S; the recording handler checks vector, error code,
 * CR2 and EIP, then resumes after the faulting instruction. */
#include <stddef.h>
#include "expect.h"
#include "layout.h"
#include "paging.h"
#include "selftest.h"

#define GROUP        "exceptions"
#define BAD_SELECTOR 0x200          /* beyond the GDT limit */

static uint8_t ro_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* Page faults: not-present read/write and a write to a read-only page. */
static void test_page_faults(void)
{
	uint32_t np = FIX_ADDR(FIX_SELFTEST_NP);
	uint32_t ro = fixmap_set(FIX_SELFTEST_RO, virt_to_phys(ro_page), PTE_P);
	struct fault_record r;

	fixmap_clear(FIX_SELFTEST_NP);
	expect_fault(VEC_PAGE_FAULT, ft_read_resume);
	ft_read(np);
	r = expect_end(VEC_PAGE_FAULT);
	check_fault("#PF read not-present", &r, 14, 0x0, np, ft_read_insn);

	expect_fault(VEC_PAGE_FAULT, ft_write_resume);
	ft_write(np, 1);
	r = expect_end(VEC_PAGE_FAULT);
	check_fault("#PF write not-present", &r, 14, 0x2, np, ft_write_insn);

	expect_fault(VEC_PAGE_FAULT, ft_write_resume);
	ft_write(ro, 1);
	r = expect_end(VEC_PAGE_FAULT);
	check_fault("#PF write read-only (WP)", &r, 14, 0x3, ro, ft_write_insn);
	fixmap_clear(FIX_SELFTEST_RO);
}

/* #UD, #DE, #GP and int3. */
static void test_simple_faults(void)
{
	struct fault_record r;

	expect_fault(6, ft_ud_resume);
	ft_ud();
	r = expect_end(6);
	check_fault("#UD ud2", &r, 6, 0, ANY_CR2, ft_ud_insn);

	expect_fault(0, ft_div0_resume);
	ft_div0(1234);
	r = expect_end(0);
	check_fault("#DE divide by zero", &r, 0, 0, ANY_CR2, ft_div0_insn);

	expect_fault(13, ft_gp_resume);
	ft_gp_selector(BAD_SELECTOR);
	r = expect_end(13);
	check_fault("#GP bad selector", &r, 13, BAD_SELECTOR, ANY_CR2, ft_gp_insn);

	expect_fault(3, NULL);
	ft_int3();
	r = expect_end(3);
	check_fault("int3", &r, 3, 0, ANY_CR2, ft_int3_after);
}

static struct fault_record syscall_rec;

/* int 0x80 handler: eax = ebx + ecx + edx, ebx = ~ebx; others kept. */
static void syscall_handler(struct trapframe *tf)
{
	fault_record_take(&syscall_rec, tf);
	if (tf->eax == 0x5C)
		tf->eax = tf->ebx + tf->ecx + tf->edx;
	tf->ebx = ~tf->ebx;
}

/* int 0x80 from ring 0 with registers in and out. */
static void test_syscall(void)
{
	struct sysregs r = { 0x5C, 1, 2, 3, 0x51, 0xD1 };
	trap_handler_t old = trap_set_handler(VEC_SYSCALL, syscall_handler);
	bool regs_ok;

	syscall_rec = (struct fault_record){ 0 };
	ft_syscall(&r);
	trap_set_handler(VEC_SYSCALL, old);
	regs_ok = r.eax == 6 && r.ebx == ~1u && r.ecx == 2 && r.edx == 3 &&
		  r.esi == 0x51 && r.edi == 0xD1;
	if (!regs_ok)
		selftest_result(GROUP, "int 0x80 ring 0", false,
				"registers eax 0x%x ebx 0x%x", r.eax, r.ebx);
	else
		check_fault("int 0x80 ring 0", &syscall_rec, VEC_SYSCALL, 0,
			    ANY_CR2, ft_syscall_after);
}

/* The "exceptions" self-test group. */
void selftest_exceptions(void)
{
	test_page_faults();
	test_simple_faults();
	test_syscall();
	selftest_user();
	selftest_nested();
	selftest_double_fault();
}
