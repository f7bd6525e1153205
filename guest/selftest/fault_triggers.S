/* Small functions that raise one exception each at a global label
 * (*_insn) and continue at another (*_resume / *_after), so the tests
 * can check the reported EIP and redirect the handler's return. */
#include "layout.h"

	.text
	.macro func name
	.globl \name
	.type \name, @function
\name:
	.endm

func ft_read                     /* uint32_t ft_read(uint32_t addr) */
	movl 4(%esp), %edx
	.globl ft_read_insn, ft_read_resume
ft_read_insn:
	movl (%edx), %eax
ft_read_resume:
	ret

func ft_write                    /* void ft_write(uint32_t addr, uint32_t v) */
	movl 4(%esp), %edx
	movl 8(%esp), %eax
	.globl ft_write_insn, ft_write_resume
ft_write_insn:
	movl %eax, (%edx)
ft_write_resume:
	ret

func ft_ud                       /* void ft_ud(void) */
	.globl ft_ud_insn, ft_ud_resume
ft_ud_insn:
	ud2
ft_ud_resume:
	ret

func ft_div0                     /* uint32_t ft_div0(uint32_t num) */
	movl 4(%esp), %eax
	xorl %edx, %edx
	xorl %ecx, %ecx
	.globl ft_div0_insn, ft_div0_resume
ft_div0_insn:
	divl %ecx
ft_div0_resume:
	ret

func ft_gp_selector              /* void ft_gp_selector(uint32_t sel) */
	pushl %ds
	movl 8(%esp), %eax
	.globl ft_gp_insn, ft_gp_resume
ft_gp_insn:
	movw %ax, %ds
ft_gp_resume:
	popl %ds
	ret

func ft_int3                     /* void ft_int3(void) */
	int3
	.globl ft_int3_after
ft_int3_after:
	ret

func ft_syscall                  /* void ft_syscall(struct sysregs *r) */
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %ebp
	movl 0(%ebp), %eax
	movl 4(%ebp), %ebx
	movl 8(%ebp), %ecx
	movl 12(%ebp), %edx
	movl 16(%ebp), %esi
	movl 20(%ebp), %edi
	int $VEC_SYSCALL
	.globl ft_syscall_after
ft_syscall_after:
	movl %eax, 0(%ebp)
	movl %ebx, 4(%ebp)
	movl %ecx, 8(%ebp)
	movl %edx, 12(%ebp)
	movl %esi, 16(%ebp)
	movl %edi, 20(%ebp)
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

func ft_nested                   /* uint32_t ft_nested(void) */
	xorl %eax, %eax
	int $VEC_SELFTEST
	.globl ft_nested_after
ft_nested_after:
	ret

func ft_double                   /* void ft_double(void) */
	.globl ft_double_insn, ft_double_resume
ft_double_insn:
	int $VEC_SEG_NP
ft_double_resume:
	ret
