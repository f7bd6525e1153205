/* Double fault: with the #NP gate marked not-present, "int $11" raises
 * #NP, whose delivery raises #NP again -> #DF.  The #DF handler
 * restores the gate and resumes after the int instruction. */
#include "expect.h"
#include "idt.h"
#include "layout.h"
#include "printk.h"
#include "selftest.h"
#include "x86.h"

#define GROUP "exceptions"

static struct fault_record df_rec;

/* Test #DF handler: report, record, repair the IDT and recover. */
static void df_handler(struct trapframe *tf)
{
	pr_info("double fault: caught by self-test handler, recovering\n");
	fault_record_take(&df_rec, tf);
	idt_set_present(VEC_SEG_NP, true);
	tf->eip = (uint32_t)ft_double_resume;
}

/* Provoke the double fault with interrupts off. */
void selftest_double_fault(void)
{
	uint32_t flags = read_eflags();
	trap_handler_t old;

	cli();
	df_rec = (struct fault_record){ 0 };
	old = trap_set_handler(VEC_DOUBLE_FAULT, df_handler);
	idt_set_present(VEC_SEG_NP, false);
	ft_double();
	idt_set_present(VEC_SEG_NP, true);
	trap_set_handler(VEC_DOUBLE_FAULT, old);
	write_eflags(flags);
	if (df_rec.hits != 1 || df_rec.vector != VEC_DOUBLE_FAULT ||
	    df_rec.err != 0)
		selftest_result(GROUP, "double fault", false,
				"%d traps, vector %u, error 0x%x", df_rec.hits,
				df_rec.vector, df_rec.err);
	else
		selftest_result(GROUP, "double fault", true, " ");
}
