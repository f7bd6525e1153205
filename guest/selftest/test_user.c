/* Ring-3 self-tests: int 0x80 from user mode (privilege change through
 * the TSS), a #PF from user mode on a supervisor page, and the return
 * to ring 0 through an exit system call. */
#include "expect.h"
#include "kstring.h"
#include "layout.h"
#include "paging.h"
#include "selftest.h"
#include "user.h"
#include "panic.h"

#define GROUP          "exceptions"
#define USER_CODE_VA   0x08048000
#define USER_STACK_VA  0x0804A000
#define USER_STACK_TOP (USER_STACK_VA + PAGE_SIZE)
#define SYS_TEST       0x5C
#define SYS_EXIT       0x01
#define USER_ARG       0x12345678u
#define EXIT_MAGIC     0x600D

extern char user_prog_start[], user_prog_after_syscall[], user_prog_fault[];
extern char user_prog_after_fault[], user_prog_end[];

static uint8_t code_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t stack_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct fault_record sys_rec, pf_rec;
static uint32_t exit_status;

/* User address of a label inside user_prog. */
static uint32_t user_va(const char *label)
{
	return USER_CODE_VA + (uint32_t)(label - user_prog_start);
}

/* int 0x80 from ring 3: SYS_TEST echoes ~ebx, SYS_EXIT leaves ring 3. */
static void user_syscall(struct trapframe *tf)
{
	if (tf->eax == SYS_EXIT) {
		exit_status = tf->ebx;
		user_return(EXIT_MAGIC);
	}
	fault_record_take(&sys_rec, tf);
	tf->eax = ~tf->ebx;
}

/* #PF from ring 3: record it and skip the faulting instruction. */
static void user_page_fault(struct trapframe *tf)
{
	fault_record_take(&pf_rec, tf);
	if (tf->cs & 3)
		tf->eip = user_va(user_prog_after_fault);
	else
		panic_trap(tf);
}

/* Map the program and its stack, run it, unmap. */
static int run_user_prog(void)
{
	trap_handler_t old_sys, old_pf;
	int ret;

	memcpy(code_page, user_prog_start,
	       (size_t)(user_prog_end - user_prog_start));
	paging_map_user(USER_CODE_VA, virt_to_phys(code_page), 0);
	paging_map_user(USER_STACK_VA, virt_to_phys(stack_page), PTE_W);
	old_sys = trap_set_handler(VEC_SYSCALL, user_syscall);
	old_pf = trap_set_handler(VEC_PAGE_FAULT, user_page_fault);
	ret = user_enter(USER_CODE_VA, USER_STACK_TOP);
	trap_set_handler(VEC_SYSCALL, old_sys);
	trap_set_handler(VEC_PAGE_FAULT, old_pf);
	paging_unmap_user(USER_CODE_VA);
	paging_unmap_user(USER_STACK_VA);
	return ret;
}

/* Run the user program and check what the handlers saw. */
void selftest_user(void)
{
	int ret;

	sys_rec = pf_rec = (struct fault_record){ 0 };
	exit_status = 0;
	ret = run_user_prog();
	if (sys_rec.cs != SEL_UCODE || sys_rec.user_ss != SEL_UDATA ||
	    sys_rec.user_esp != USER_STACK_TOP)
		selftest_result(GROUP, "int 0x80 ring 3", false,
				"cs 0x%x ss 0x%x esp 0x%08x", sys_rec.cs,
				sys_rec.user_ss, sys_rec.user_esp);
	else
		check_fault("int 0x80 ring 3", &sys_rec, VEC_SYSCALL, 0,
			    ANY_CR2, (void *)user_va(user_prog_after_syscall));
	if (pf_rec.cs != SEL_UCODE)
		selftest_result(GROUP, "#PF ring 3 supervisor page", false,
				"cs 0x%x", pf_rec.cs);
	else
		check_fault("#PF ring 3 supervisor page", &pf_rec, 14, 0x5,
			    KERNEL_VIRT, (void *)user_va(user_prog_fault));
	selftest_result(GROUP, "return to ring 0 via syscall",
			ret == EXIT_MAGIC && exit_status == ~USER_ARG,
			"ret 0x%x status 0x%x", ret, exit_status);
}
