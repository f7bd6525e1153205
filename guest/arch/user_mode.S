/* Ring-3 excursions for self-tests.
 *
 * int user_enter(uint32_t eip, uint32_t esp): save the kernel context,
 * iret to ring 3 at eip with stack esp.  Returns only when a trap
 * handler calls user_return(value), which discards the trap stack and
 * makes user_enter return value. */
#include "layout.h"

	.text
	.globl user_enter
	.type user_enter, @function
user_enter:
	pushl %ebp
	movl %esp, %ebp
	pushfl
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, user_saved_esp
	movl 8(%ebp), %ecx              /* eip */
	movl 12(%ebp), %edx             /* esp */
	movl $SEL_UDATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	pushl $SEL_UDATA
	pushl %edx
	pushfl
	andl $~0x3000, (%esp)           /* IOPL 0 */
	pushl $SEL_UCODE
	pushl %ecx
	iret
	.size user_enter, . - user_enter

	.globl user_return
	.type user_return, @function
user_return:
	movl 4(%esp), %eax
	movl $SEL_KDATA, %ecx
	movw %cx, %ds
	movw %cx, %es
	movl $SEL_PERCPU, %ecx
	movw %cx, %fs
	xorl %ecx, %ecx
	movw %cx, %gs
	movl user_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popfl
	popl %ebp
	ret
	.size user_return, . - user_return

	.bss
	.balign 4
user_saved_esp:
	.skip 4
