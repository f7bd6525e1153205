/* tests/kernels/smp.S - SMP scheduler test kernel (flat protected mode, no paging).
 *
 * The BSP reads the Intel MP table, starts every other listed CPU with INIT,
 * STARTUP, STARTUP through a real-mode trampoline at 0x8000, then every CPU
 * (BSP included) runs the work loop
 *     1: mov $1, %edx; incl own_counter; lock xadd %edx, shared; dec %ecx; jnz 1b
 * (one 5-instruction block).  The BSP does `work` iterations, then writes
 * done = 1 and exits through isa-debug-exit with the value `work`; APs loop
 * 2^32 - 1 times (for tests: forever).
 *
 * Command line: work=N   BSP iterations (default 100000)
 *               halt=M   CPUs whose bit is set in M do `cli; hlt` forever
 *                        instead of the loop (after the BSP started the APs);
 *                        all bits set makes a deadlock.
 * Results (physical, u32): 0x6000 number of CPUs found in the MP table,
 *   0x6004 done, 0x6008 shared counter, 0x6010 work, 0x6014 halt mask,
 *   0x6040 + 64*i counter of CPU i (APIC ID i).
 */
#include "boot.inc"
#define RES        0x6000
#define BSP_STACK  0x1F000

    KERNEL_ENTRY BSP_STACK
    movl $work_key, %esi
    movl $100000, %eax
    call arg_u32
    movl %eax, RES + 0x10
    movl $halt_key, %esi
    xorl %eax, %eax
    call arg_u32
    movl %eax, RES + 0x14
    call mp_scan
    movl ncpus, %eax
    movl %eax, RES
    call start_aps
    pushl $0
    call cpu_work
    addl $4, %esp
    movl $1, RES + 0x04
    movl RES + 0x10, %eax
    movw $0xF4, %dx
    outl %eax, %dx
1:  cli
    hlt
    jmp 1b

ap_main:
    pushl 4(%esp)
    call cpu_work
    addl $4, %esp
    ret

/* cpu_work(id) */
cpu_work:
    movl 4(%esp), %eax
    movl RES + 0x14, %edx
    btl %eax, %edx
    jnc 2f
1:  cli
    hlt
    jmp 1b
2:  movl %eax, %edi
    shll $6, %edi
    addl $(RES + 0x40), %edi
    movl $0xFFFFFFFF, %ecx
    testl %eax, %eax
    jnz 3f
    movl RES + 0x10, %ecx
    testl %ecx, %ecx
    jz 4f
3:  movl $1, %edx
    incl (%edi)
    lock xaddl %edx, RES + 0x08
    decl %ecx
    jnz 3b
4:  ret

#include "smp.inc"
#include "cmdline.inc"

    FLAT_GDT
    .data
work_key:
    .asciz "work="
halt_key:
    .asciz "halt="
