/* tests/kernels/delivery.S - exception and interrupt delivery test kernel.
 *
 * One CPU.  Sets up its own GDT (ring 0/3 code and data, a TSS with
 * ss0:esp0), an IDT, and paging (4 KiB pages identity-mapping 0-4 MiB with
 * U=1 W=1, except three test pages; a 4 MiB PSE page for the LAPIC), then
 * raises one exception after the other.  Every handler goes through one
 * common stub that appends a 64-byte record to a table at a fixed physical
 * address and, if the case asked for it (H_RESUME != 0), returns to
 * H_RESUME instead of the saved EIP.
 *
 * Interface (physical addresses, all little-endian u32):
 *   HDR  0x200000: +0 number of records, +4 done marker (1 just before the
 *                  triple fault), +8 kernel ESP during the ring-0 cases,
 *                  +0xC resume EIP (internal), +0x10 LAPIC current count read
 *                  between the two timer markers, +0x20 + 4*i label
 *                  addresses (L_* below).
 *   RECS 0x200100: records of 64 bytes:
 *     +0 vector, +4 error code (0 if none), +8 1 if the CPU pushed an error
 *     code, +12 CR2, +16 saved EIP, +20 saved CS, +24 saved EFLAGS,
 *     +28 saved ESP and +32 saved SS (only for a ring-3 source, else 0),
 *     +36 ESP on handler entry (after the CPU's pushes), +40 EFLAGS on
 *     handler entry, +44 record index, +48 LAPIC current count (vector 0x40).
 * Cases, in record order: see tests/unit/test_delivery.c.
 * The kernel ends with a triple fault (IDT limit 0, int3), never an exit.
 * The command line option timer=N sets the one-shot LAPIC count (default 20000).
 */
#include "boot.inc"
#define HDR      0x00200000
#define RECS     0x00200100
#define H_COUNT  (HDR + 0x00)
#define H_DONE   (HDR + 0x04)
#define H_KESP   (HDR + 0x08)
#define H_RESUME (HDR + 0x0C)
#define H_CUR    (HDR + 0x10)
#define H_LBL(i) (HDR + 0x20 + (i) * 4)
#define PD       0x00210000
#define PT0      0x00211000
#define PG_NP    0x00220000
#define PG_RO    0x00221000
#define PG_SUP   0x00222000
#define KSTACK   0x00238000
#define ESP0     0x00248000
#define USTACK   0x00258000
#define LAPIC    0xFEE00000
#define FL       0x8D7          /* CF PF AF ZF SF OF + bit 1 */
#define FL_IF    0xAD7

#define L_DE 0
#define L_UD 1
#define L_GP 2
#define L_PFR 3
#define L_PFW 4
#define L_PFRO 5
#define L_INT3N 6
#define L_I80N 7
#define L_I81N 8
#define L_NP 9
#define L_NESTED 10
#define L_DF 11
#define L_UI80N 12
#define L_UPFR 13
#define L_UPFW 14
#define L_UI81 15
#define L_UI82 16
#define L_HLTN 17
#define L_TRIPLE 18
#define L_I85N 19
#define L_I86N 20

    KERNEL_ENTRY KSTACK

    /* labels for the host test */
    movl $de_at, H_LBL(L_DE)
    movl $ud_at, H_LBL(L_UD)
    movl $gp_at, H_LBL(L_GP)
    movl $pfr_at, H_LBL(L_PFR)
    movl $pfw_at, H_LBL(L_PFW)
    movl $pfro_at, H_LBL(L_PFRO)
    movl $int3_next, H_LBL(L_INT3N)
    movl $i80_next, H_LBL(L_I80N)
    movl $i81_next, H_LBL(L_I81N)
    movl $np_at, H_LBL(L_NP)
    movl $nested_at, H_LBL(L_NESTED)
    movl $df_at, H_LBL(L_DF)
    movl $ui80_next, H_LBL(L_UI80N)
    movl $upfr_at, H_LBL(L_UPFR)
    movl $upfw_at, H_LBL(L_UPFW)
    movl $ui81_at, H_LBL(L_UI81)
    movl $ui82_at, H_LBL(L_UI82)
    movl $hlt_next, H_LBL(L_HLTN)
    movl $triple_at, H_LBL(L_TRIPLE)
    movl $i85_next, H_LBL(L_I85N)
    movl $i86_next, H_LBL(L_I86N)

    /* TSS descriptor (GDT 0x28) */
    movl $tss, %eax
    movl %eax, %edx
    shll $16, %edx
    orl $103, %edx
    movl %edx, gdt + 0x28
    movl %eax, %edx
    andl $0xFF000000, %edx
    orl $0x00008900, %edx
    movl %eax, %ecx
    shrl $16, %ecx
    andl $0xFF, %ecx
    orl %ecx, %edx
    movl %edx, gdt + 0x2C
    movl $ESP0, tss + 4
    movl $0x10, tss + 8
    movw $0x28, %ax
    ltr %ax

    /* IDT */
    movl $idt_tab, %esi
1:  movl (%esi), %ecx
    cmpl $-1, %ecx
    je 2f
    movl 4(%esi), %eax
    leal idt(, %ecx, 8), %edi
    movl %eax, %ebx
    andl $0xFFFF, %ebx
    orl $0x00080000, %ebx
    movl %ebx, (%edi)
    andl $0xFFFF0000, %eax
    orl 8(%esi), %eax
    movl %eax, 4(%edi)
    addl $12, %esi
    jmp 1b
2:  lidt idtr

    /* paging: PT0 identity 0-4 MiB, P|W|U; three test pages */
    movl $PT0, %edi
    movl $7, %eax
    movl $1024, %ecx
1:  movl %eax, (%edi)
    addl $4, %edi
    addl $0x1000, %eax
    loop 1b
    movl $0, PT0 + (PG_NP >> 12) * 4
    movl $(PG_RO | 1), PT0 + (PG_RO >> 12) * 4      /* present, read-only, supervisor */
    movl $(PG_SUP | 3), PT0 + (PG_SUP >> 12) * 4    /* present, writable, supervisor */
    movl $PD, %edi
    xorl %eax, %eax
    movl $1024, %ecx
    rep stosl
    movl $(PT0 | 7), PD
    movl $(0xFEC00000 | 0x93), PD + (0xFEC00000 >> 22) * 4   /* 4 MiB: P W PCD PS */
    movl $PD, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $0x10, %eax
    movl %eax, %cr4
    movl %cr0, %eax
    orl $0x80010000, %eax           /* PG | WP */
    movl %eax, %cr0
    jmp 1f
1:  movl %esp, H_KESP

    /* ---- ring 0 cases ---- */
    /* #DE */
    xorl %edx, %edx
    movl $1, %eax
    xorl %ecx, %ecx
    pushl $FL
    popfl
    movl $1f, H_RESUME
de_at:
    divl %ecx
1:
    /* #UD */
    pushl $FL
    popfl
    movl $1f, H_RESUME
ud_at:
    ud2
1:
    /* #GP(0x100): selector 0x103 is beyond the GDT limit */
    movw $0x103, %ax
    pushl $FL
    popfl
    movl $1f, H_RESUME
gp_at:
    movw %ax, %ds
1:
    /* #PF read, not present */
    pushl $FL
    popfl
    movl $1f, H_RESUME
pfr_at:
    movl PG_NP + 0x10, %eax
1:
    /* #PF write, not present */
    pushl $FL
    popfl
    movl $1f, H_RESUME
pfw_at:
    movl $0x11111111, PG_NP + 0x20
1:
    /* #PF write to a read-only page, CR0.WP = 1 */
    pushl $FL
    popfl
    movl $1f, H_RESUME
pfro_at:
    movl $0x22222222, PG_RO + 0x30
1:
    /* int3: a trap, returns after the instruction */
    pushl $FL
    popfl
    int3
int3_next:
    /* int 0x80 (trap gate) with IF=1: IF stays set in the handler */
    pushl $FL_IF
    popfl
    int $0x80
i80_next:
    /* int 0x81 (interrupt gate) with IF=1: IF clear in the handler */
    pushl $FL_IF
    popfl
    int $0x81
i81_next:
    /* int 0x90: not-present gate -> #NP(0x90*8+2) */
    pushl $FL
    popfl
    movl $1f, H_RESUME
np_at:
    int $0x90
1:
    /* nested: the 0x84 handler takes a #PF and goes on */
    pushl $FL
    popfl
    int $0x84
    /* double fault: int 0x90 -> #NP, but the #NP gate is not present */
    andb $0x7F, idt + 11 * 8 + 5
    pushl $FL
    popfl
    movl $1f, H_RESUME
df_at:
    int $0x90
1:  orb $0x80, idt + 11 * 8 + 5

    /* ---- ring 3 ---- */
    movw $0x23, %ax
    movw %ax, %ds
    movw %ax, %es
    pushl $0x23
    pushl $USTACK
    pushl $0x202
    pushl $0x1B
    pushl $user_code
    iret

kernel_again:                      /* from int 0x83, on the esp0 stack */
    movl $KSTACK, %esp
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es

    /* ---- LAPIC one-shot timer ---- */
    movl $timer_key, %esi
    movl $20000, %eax
    call arg_u32
    movl %eax, %ebx
    movl $0x1FF, LAPIC + 0xF0      /* SVR: enable, spurious vector 0xFF */
    movl $0x40, LAPIC + 0x320      /* LVT timer: one-shot, vector 0x40 */
    movl $0xB, LAPIC + 0x3E0       /* divide by 1 */
    movl %ebx, LAPIC + 0x380       /* initial count: the timer starts */
    int $0x85                      /* marker: same block as the start */
i85_next:
    movl LAPIC + 0x390, %eax
    movl %eax, H_CUR
    int $0x86                      /* marker: same block as the read */
i86_next:
    pushl $FL
    popfl
    sti
    hlt
hlt_next:
    cli

    /* ---- triple fault ---- */
    movl $1, H_DONE
    lidt idtr_zero
triple_at:
    int3
    jmp .

/* ---- ring-3 code (the whole low 4 MiB is user-accessible) ---- */
user_code:
    pushl $FL_IF
    popfl
    int $0x80
ui80_next:
    movl $1f, H_RESUME
    pushl $FL_IF
    popfl
upfr_at:
    movl PG_SUP + 0x50, %eax
1:  movl $1f, H_RESUME
    pushl $FL_IF
    popfl
upfw_at:
    movl $0x33333333, PG_SUP + 0x60
1:  movl $1f, H_RESUME
    pushl $FL_IF
    popfl
ui81_at:
    int $0x81                      /* DPL-0 gate from ring 3: #GP(0x81*8+2) */
1:  movl $1f, H_RESUME
    pushl $FL_IF
    popfl
ui82_at:
    int $0x82                      /* not present, DPL 3: #NP(0x82*8+2) */
1:  int $0x83                      /* back to the kernel */
    jmp .

/* ---- handlers ---- */
.macro STUB_NOERR n
stub_\n:
    pushl $0
    pushl $\n
    pushl $0
    jmp common
.endm
.macro STUB_ERR n
stub_\n:
    pushl $\n
    pushl $1
    jmp common
.endm

    .irp n, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    STUB_NOERR \n
    .endr
    .irp n, 8,10,11,12,13,14,17
    STUB_ERR \n
    .endr
    .irp n, 64,128,129,133,134
    STUB_NOERR \n
    .endr

stub_131:                          /* int 0x83: continue the kernel in ring 0 */
    jmp kernel_again

stub_132:                          /* int 0x84: fault inside a handler */
    pushl H_RESUME
    movl $1f, H_RESUME
nested_at:
    movl PG_NP + 0x40, %eax
1:  popl H_RESUME
    pushl $0
    pushl $132
    pushl $0
    jmp common

/* Stack: 0 pushal, 32 handler EFLAGS, 36 has_err, 40 vector, 44 error,
 * 48 EIP, 52 CS, 56 EFLAGS, 60 ESP, 64 SS (ring-3 source). */
common:
    pushfl
    pushal
    movl %esp, %ebp
    movl H_COUNT, %eax
    movl %eax, %ebx
    shll $6, %ebx
    addl $RECS, %ebx
    incl H_COUNT
    movl 40(%ebp), %ecx
    movl %ecx, 0(%ebx)
    movl 44(%ebp), %ecx
    movl %ecx, 4(%ebx)
    movl 36(%ebp), %ecx
    movl %ecx, 8(%ebx)
    movl %cr2, %ecx
    movl %ecx, 12(%ebx)
    movl 48(%ebp), %ecx
    movl %ecx, 16(%ebx)
    movl 52(%ebp), %ecx
    movl %ecx, 20(%ebx)
    movl 56(%ebp), %ecx
    movl %ecx, 24(%ebx)
    testb $3, 52(%ebp)
    jz 1f
    movl 60(%ebp), %ecx
    movl %ecx, 28(%ebx)
    movl 64(%ebp), %ecx
    movl %ecx, 32(%ebx)
    jmp 2f
1:  movl $0, 28(%ebx)
    movl $0, 32(%ebx)
2:  movl 36(%ebp), %ecx
    shll $2, %ecx
    negl %ecx
    leal 48(%ebp, %ecx), %ecx
    movl %ecx, 36(%ebx)
    movl 32(%ebp), %ecx
    movl %ecx, 40(%ebx)
    movl %eax, 44(%ebx)
    movl $0, 48(%ebx)
    cmpl $0x40, 40(%ebp)
    jne 3f
    movl LAPIC + 0x390, %ecx
    movl %ecx, 48(%ebx)
    movl $0, LAPIC + 0xB0          /* EOI */
3:  movl H_RESUME, %ecx
    testl %ecx, %ecx
    jz 4f
    movl %ecx, 48(%ebp)
    movl $0, H_RESUME
4:  popal
    popfl
    addl $12, %esp
    iret

#include "cmdline.inc"

    .data
    .align 8
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF       /* 0x08 ring-0 code */
    .quad 0x00CF92000000FFFF       /* 0x10 ring-0 data */
    .quad 0x00CFFA000000FFFF       /* 0x18 ring-3 code */
    .quad 0x00CFF2000000FFFF       /* 0x20 ring-3 data */
    .quad 0                        /* 0x28 TSS, filled in */
gdt_end:
    .align 4
    .word 0
gdtr:
    .word gdt_end - gdt - 1
    .long gdt
    .word 0
idtr:
    .word 256 * 8 - 1
    .long idt
    .word 0
idtr_zero:
    .word 0
    .long 0
    .align 4
mbi:
    .long 0
timer_key:
    .asciz "timer="
    .align 4
/* vector, handler, gate type/attributes (high-dword bits 8-15) */
idt_tab:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long \n, stub_\n, 0x8E00
    .endr
    .long 0x40, stub_64, 0x8E00    /* LAPIC timer */
    .long 0x80, stub_128, 0xEF00   /* trap gate, DPL 3 */
    .long 0x81, stub_129, 0x8E00   /* interrupt gate, DPL 0 */
    .long 0x82, stub_129, 0x6E00   /* not present, DPL 3 */
    .long 0x83, stub_131, 0xEE00   /* DPL 3: back to ring 0 */
    .long 0x84, stub_132, 0x8E00
    .long 0x85, stub_133, 0x8E00
    .long 0x86, stub_134, 0x8E00
    .long 0x90, stub_129, 0x0E00   /* not present, DPL 0 */
    .long -1
    .align 16
tss:
    .fill 26, 4, 0

    .bss
    .align 8
idt:
    .fill 256, 8, 0
