/* Nested traps: the handler of a software interrupt takes and handles
 * a page fault itself, then returns normally. */
#include "expect.h"
#include "layout.h"
#include "selftest.h"

#define GROUP        "exceptions"
#define NESTED_MAGIC 0xC0DEu

static struct fault_record inner;

/* int VEC_SELFTEST handler: fault on a not-present page, return magic. */
static void nested_handler(struct trapframe *tf)
{
	expect_fault(VEC_PAGE_FAULT, ft_read_resume);
	ft_read(FIX_ADDR(FIX_SELFTEST_NP));
	inner = expect_end(VEC_PAGE_FAULT);
	tf->eax = NESTED_MAGIC;
}

/* Raise the software interrupt and check both levels. */
void selftest_nested(void)
{
	trap_handler_t old = trap_set_handler(VEC_SELFTEST, nested_handler);
	uint32_t ret;

	inner = (struct fault_record){ 0 };
	ret = ft_nested();
	trap_set_handler(VEC_SELFTEST, old);
	if (ret != NESTED_MAGIC)
		selftest_result(GROUP, "#PF nested in int handler", false,
				"int returned 0x%x", ret);
	else
		check_fault("#PF nested in int handler", &inner, 14, 0,
			    FIX_ADDR(FIX_SELFTEST_NP), ft_read_insn);
}
