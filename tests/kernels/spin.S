/* tests/kernels/spin.S - a CPU-bound SMP kernel for benchmarks.
 *
 * Interface
 *   Command line: iters=N (decimal; default 1000000): iterations per CPU.
 *   Boot: the BSP finds the CPUs in the Intel MP table and starts every AP
 *   (INIT, STARTUP, STARTUP; real-mode trampoline at 0x8000).  Each CPU i
 *   (APIC ID i) then calls spin_loop(0x400000 + i * 0x10000, iters) on its
 *   own 64 KiB array (RAM starts zeroed), stores the result and increments
 *   the done counter; APs then `cli; hlt`.  The BSP waits (pause loop) until
 *   all CPUs are done and writes 0 to isa-debug-exit (port 0xF4, 32 bits).
 *   Flat protected mode, paging off, no interrupts.
 *   Results (physical, u32): 0x6000 number of CPUs, 0x6004 iters,
 *   0x6008 done counter, 0x6010 + 4*i spin_loop's result on CPU i.
 *
 *   uint32_t spin_loop(uint32_t *buf, uint32_t iters)    (cdecl, global symbol)
 *   Touches nothing but its arguments: the stack (4 saved registers, the
 *   return address and the two arguments) and buf[0..16383] (64 KiB).
 *   Position-independent (relative jumps only); spin_loop_end marks the end
 *   of its code, so a benchmark can copy [spin_loop, spin_loop_end) into a
 *   raw engine, push the arguments and a return address and run it.
 *   Per iteration one 10-instruction block: a load and a store of
 *   buf[j], ALU work (add, rol, xor, add, add, and, dec) and a taken jnz;
 *   j walks the array with stride 17 words (mod 16384), so every word is
 *   visited.  Returns a checksum (EDX of the loop) that depends only on
 *   iters and buf's initial contents; iters = 0 returns 0x9E3779B9 and
 *   touches nothing.
 */
#include "boot.inc"
#define RES        0x6000
#define BSP_STACK  0x1F000
#define SPIN_BUFS  0x400000

    KERNEL_ENTRY BSP_STACK
    movl $iters_key, %esi
    movl $1000000, %eax
    call arg_u32
    movl %eax, RES + 0x04
    call mp_scan
    movl ncpus, %eax
    movl %eax, RES
    call start_aps
    RUN_ON_EVERY_CPU spin_cpu, RES, RES + 0x08

/* spin_cpu(id) */
spin_cpu:
    pushl %ebx
    movl 8(%esp), %ebx
    pushl RES + 0x04
    movl %ebx, %eax
    shll $16, %eax
    addl $SPIN_BUFS, %eax
    pushl %eax
    call spin_loop
    addl $8, %esp
    movl %eax, RES + 0x10(, %ebx, 4)
    lock incl RES + 0x08
    popl %ebx
    ret

    .globl spin_loop, spin_loop_end
    .type spin_loop, @function
spin_loop:
    pushl %ebx
    pushl %esi
    pushl %edi
    pushl %ebp
    movl 20(%esp), %esi            /* buf */
    movl 24(%esp), %ecx            /* iters */
    xorl %ebx, %ebx                /* j */
    movl $0x9E3779B9, %edx         /* checksum */
    testl %ecx, %ecx
    jz 2f
1:  movl (%esi, %ebx, 4), %eax
    addl %edx, %eax
    roll $5, %eax
    xorl %ecx, %eax
    movl %eax, (%esi, %ebx, 4)
    addl %eax, %edx
    addl $17, %ebx
    andl $0x3FFF, %ebx
    decl %ecx
    jnz 1b
2:  movl %edx, %eax
    popl %ebp
    popl %edi
    popl %esi
    popl %ebx
    ret
spin_loop_end:
    .size spin_loop, spin_loop_end - spin_loop

#include "smp.inc"
#include "cmdline.inc"

    FLAT_GDT
    .data
iters_key:
    .asciz "iters="
