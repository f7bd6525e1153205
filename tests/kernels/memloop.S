/* tests/kernels/memloop.S - a memory-bound SMP kernel for benchmarks, with
 * paging on (4 KiB pages).
 *
 * Interface
 *   Command line: words=W (default 16384 = 64 KiB; 1 .. 1048576 = 4 MiB)
 *   and passes=P (default 1): the array size in 32-bit words and the
 *   number of passes over it, per CPU.
 *   Boot: the BSP builds page tables mapping the first 48 MiB to
 *   themselves with 4 KiB pages (P|RW, no global pages; page directory at
 *   0x20000, page tables at 0x21000..0x2CFFF), so that the arrays of up to
 *   8 CPUs of 4 MiB each are mapped, finds the CPUs in the Intel
 *   MP table and starts every AP (smp.inc; paging off until then).  Each
 *   CPU i (APIC ID i) loads CR3, sets CR0.PG, calls
 *   mem_loop(0x1000000 + i * 0x400000, words, passes) on its own array
 *   (RAM starts zeroed), stores the result and increments the done counter;
 *   APs then `cli; hlt`.  The BSP waits (pause loop) until all CPUs are done
 *   and writes 0 to isa-debug-exit (port 0xF4, 32 bits).
 *   Flat protected mode, no interrupts.
 *   Results (physical = virtual, u32): 0x6000 number of CPUs, 0x6004 passes,
 *   0x6008 done counter, 0x600C words, 0x6010 + 4*i mem_loop's result on
 *   CPU i.
 *
 *   uint32_t mem_loop(uint32_t *buf, uint32_t words, uint32_t passes)  (cdecl)
 *   Touches nothing but its arguments: the stack (4 saved registers, the
 *   return address and the three arguments) and buf[0..words).
 *   Position-independent (relative jumps only); mem_loop_end marks the end
 *   of its code, so a benchmark can copy [mem_loop, mem_loop_end) into a
 *   raw engine, push the arguments and a return address and run it.
 *   Each pass walks buf upwards one word at a time: per word one
 *   8-instruction block (a load of buf[j], add, rol, a store of buf[j],
 *   add, pointer increment, dec, taken jnz), so every word is read and
 *   written once a pass and every cache line is touched once a pass, in
 *   order.  Instructions: 19 + passes * (8 * words + 4) for words >= 1.
 *   Returns a checksum (EDX) that depends only on words, passes and buf's
 *   initial contents; passes = 0 returns 0x9E3779B9 and touches nothing.
 */
#include "boot.inc"
#define RES        0x6000
#define BSP_STACK  0x1F000
#define MEM_BUFS   0x1000000
#define BUF_STRIDE 0x400000
#define PGDIR      0x20000
#define PGTABLES   0x21000
#define MAPPED_MB  48

    KERNEL_ENTRY BSP_STACK
    movl $passes_key, %esi
    movl $1, %eax
    call arg_u32
    movl %eax, RES + 0x04
    movl $words_key, %esi
    movl $16384, %eax
    call arg_u32
    movl %eax, RES + 0x0C
    call build_page_tables
    call mp_scan
    movl ncpus, %eax
    movl %eax, RES
    call start_aps
    RUN_ON_EVERY_CPU mem_cpu, RES, RES + 0x08

/* Identity map of the first MAPPED_MB MiB with 4 KiB pages. */
build_page_tables:
    movl $PGTABLES, %edi
    movl $0x003, %eax                  /* frame 0, P|RW */
    movl $(MAPPED_MB * 256), %ecx
1:  movl %eax, (%edi)
    addl $0x1000, %eax
    addl $4, %edi
    decl %ecx
    jnz 1b
    movl $PGDIR, %edi
    movl $(PGTABLES | 0x003), %eax
    movl $(MAPPED_MB / 4), %ecx
1:  movl %eax, (%edi)
    addl $0x1000, %eax
    addl $4, %edi
    decl %ecx
    jnz 1b
    ret

/* mem_cpu(id): paging on, then mem_loop on this CPU's array. */
mem_cpu:
    pushl %ebx
    movl $PGDIR, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    movl 8(%esp), %ebx
    pushl RES + 0x04
    pushl RES + 0x0C
    movl %ebx, %eax
    shll $22, %eax
    addl $MEM_BUFS, %eax
    pushl %eax
    call mem_loop
    addl $12, %esp
    movl %eax, RES + 0x10(, %ebx, 4)
    lock incl RES + 0x08
    popl %ebx
    ret

    .globl mem_loop, mem_loop_end
    .type mem_loop, @function
mem_loop:
    pushl %ebx
    pushl %esi
    pushl %edi
    pushl %ebp
    movl 20(%esp), %edi            /* buf */
    movl 24(%esp), %ebp            /* words */
    movl 28(%esp), %ebx            /* passes */
    movl $0x9E3779B9, %edx         /* checksum */
    testl %ebp, %ebp
    jz 3f
    jmp 4f
1:  movl %edi, %esi
    movl %ebp, %ecx
2:  movl (%esi), %eax
    addl %edx, %eax
    roll $5, %eax
    movl %eax, (%esi)
    addl %eax, %edx
    addl $4, %esi
    decl %ecx
    jnz 2b
4:  subl $1, %ebx
    jae 1b
3:  movl %edx, %eax
    popl %ebp
    popl %edi
    popl %esi
    popl %ebx
    ret
mem_loop_end:
    .size mem_loop, mem_loop_end - mem_loop

#include "smp.inc"
#include "cmdline.inc"

    FLAT_GDT
    .data
passes_key:
    .asciz "passes="
words_key:
    .asciz "words="
