/* AP start code.  Copied to TRAMPOLINE_PHYS; an AP arrives here in real
 * mode (CS = TRAMPOLINE_PHYS >> 4, IP = 0) after STARTUP.  It switches
 * to protected mode with a temporary flat GDT, turns on paging with the
 * trampoline page directory (kernel map + identity map of the first
 * 4 MiB) and jumps to ap_start_high at the kernel's linked address. */
#include "layout.h"

#define TRAMP(sym)  (TRAMPOLINE_PHYS + (sym) - ap_trampoline_start)

	.text
	.code16
	.globl ap_trampoline_start, ap_trampoline_end
	.type ap_trampoline_start, @function
ap_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdt_ptr - ap_trampoline_start
	movl %cr0, %eax
	orl $1, %eax                    /* CR0.PE */
	movl %eax, %cr0
	ljmpl $0x08, $TRAMP(tramp_pm)

	.code32
tramp_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl %cr4, %eax
	orl $0x10, %eax                 /* CR4.PSE */
	movl %eax, %cr4
	movl (ap_boot_pgdir - PAGE_OFFSET), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax           /* CR0.PG | CR0.WP */
	movl %eax, %cr0
	movl $ap_start_high, %eax
	jmp *%eax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF        /* flat 32-bit code */
	.quad 0x00CF92000000FFFF        /* flat 32-bit data */
tramp_gdt_ptr:
	.word 3 * 8 - 1
	.long TRAMP(tramp_gdt)
ap_trampoline_end:
	.size ap_trampoline_start, . - ap_trampoline_start

/* High-half AP entry: switch to the kernel page directory (no identity
 * map), take the stack prepared by the BSP and call ap_main(cpu). */
	.globl ap_start_high
	.type ap_start_high, @function
ap_start_high:
	movl $(kernel_pgdir - PAGE_OFFSET), %eax
	movl %eax, %cr3
	movl ap_boot_stack, %esp
	xorl %ebp, %ebp
	pushl ap_boot_cpu
	call ap_main
1:	cli
	hlt
	jmp 1b
	.size ap_start_high, . - ap_start_high
