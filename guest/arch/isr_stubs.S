/* One 16-byte entry stub per vector.  Each pushes a zero error code
 * when the CPU does not push one, then the vector number, and jumps to
 * trap_common, which saves the registers as a struct trapframe. */
#include "layout.h"

	.altmacro
	.macro isr_stub vec
	.balign 16
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushl $0
	.endif
	pushl $\vec
	jmp trap_common
	.endm

	.text
	.balign 16
	.globl isr_stub_table
	.type isr_stub_table, @function
isr_stub_table:
	.set vec, 0
	.rept 256
	isr_stub %vec
	.set vec, vec + 1
	.endr
	.size isr_stub_table, . - isr_stub_table

/* Save state, load the kernel's data segments and this CPU's per-CPU
 * segment, call trap_dispatch(tf) with a fake frame linking to the
 * interrupted code for backtraces, restore state and return. */
	.globl trap_common
	.type trap_common, @function
trap_common:
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movl $SEL_KDATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw $SEL_PERCPU, %ax           /* from ring 3, %fs is the user's */
	movw %ax, %fs
	cld
	movl %esp, %ebx
	pushl 56(%ebx)                  /* tf->eip */
	pushl 8(%ebx)                   /* tf->ebp */
	movl %esp, %ebp
	pushl %ebx
	call trap_dispatch
	movl %ebx, %esp
	.globl trap_return
trap_return:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp                   /* vector, error code */
	iret
	.size trap_common, . - trap_common
