/* emu/mmu.c - the host's own i386 page walk (two levels, 4 KiB and PSE 4 MiB
 * pages, no PAE), used to deliver exceptions through guest memory, to fetch
 * code bytes for the timing model, and by inspection.  It follows the
 * architecture: U/S and R/W checks with CR0.WP, and the accessed and dirty
 * bits are set when the access comes from the emulated CPU (EMU_ACC_SET_AD),
 * never when the host merely looks. */
#include <string.h>

#include "machine_priv.h"

#define PTE_P  0x001u
#define PTE_W  0x002u
#define PTE_U  0x004u
#define PTE_A  0x020u
#define PTE_D  0x040u
#define PDE_PS 0x080u

static uint32_t *pt_entry(emu_machine *m, uint64_t paddr)
{
    return (uint32_t *)emu_phys_ptr(m, paddr, 4);
}

/* Checks the combined rights of a PDE and PTE against the access. */
static bool rights_ok(uint32_t pde, uint32_t pte, unsigned acc, uint32_t cr0)
{
    bool user_ok = (pde & PTE_U) && (pte & PTE_U);
    bool write_ok = (pde & PTE_W) && (pte & PTE_W);
    if (acc & EMU_ACC_USER)
        return user_ok && (!(acc & EMU_ACC_WRITE) || write_ok);
    return !(acc & EMU_ACC_WRITE) || write_ok || !(cr0 & 0x10000u);
}

static uint32_t pf_code(bool present, unsigned acc)
{
    return (present ? 1u : 0u) | ((acc & EMU_ACC_WRITE) ? 2u : 0u) | ((acc & EMU_ACC_USER) ? 4u : 0u);
}

int emu_mmu_translate(emu_machine *m, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                      uint32_t vaddr, unsigned acc, uint64_t *paddr, uint32_t *pf_err)
{
    if (!(cr0 & 0x80000000u)) {
        *paddr = vaddr;
        return 0;
    }
    uint32_t *pde = pt_entry(m, (cr3 & ~0xfffu) + (vaddr >> 22) * 4);
    if (!pde || !(*pde & PTE_P)) {
        *pf_err = pf_code(false, acc);
        return -1;
    }
    if ((*pde & PDE_PS) && (cr4 & 0x10u)) {
        if (!rights_ok(*pde, *pde, acc, cr0)) {
            *pf_err = pf_code(true, acc);
            return -1;
        }
        if (acc & EMU_ACC_SET_AD)
            *pde |= PTE_A | ((acc & EMU_ACC_WRITE) ? PTE_D : 0);
        *paddr = (*pde & 0xffc00000u) | (vaddr & 0x3fffffu);
        return 0;
    }
    uint32_t *pte = pt_entry(m, (*pde & ~0xfffu) + ((vaddr >> 12) & 0x3ff) * 4);
    if (!pte || !(*pte & PTE_P)) {
        *pf_err = pf_code(false, acc);
        return -1;
    }
    if (!rights_ok(*pde, *pte, acc, cr0)) {
        *pf_err = pf_code(true, acc);
        return -1;
    }
    if (acc & EMU_ACC_SET_AD) {
        *pde |= PTE_A;
        *pte |= PTE_A | ((acc & EMU_ACC_WRITE) ? PTE_D : 0);
    }
    *paddr = (*pte & ~0xfffu) | (vaddr & 0xfffu);
    return 0;
}

/* Copies between guest virtual memory and buf, page by page, through cpu's
 * page tables.  Returns -1 with the faulting address and #PF error code on
 * an unmapped or forbidden page, -2 on memory that is neither RAM nor ROM. */
static int virt_copy(emu_cpu *c, uint32_t vaddr, void *buf, size_t len, unsigned acc,
                     uint32_t *fault_addr, uint32_t *pf_err)
{
    uint32_t cr0 = emu_reg(c, UC_X86_REG_CR0), cr3 = emu_reg(c, UC_X86_REG_CR3);
    uint32_t cr4 = emu_reg(c, UC_X86_REG_CR4);
    uint8_t *p = buf;
    while (len) {
        size_t chunk = EMU_PAGE_SIZE - (vaddr & (EMU_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t pa = 0;
        uint32_t err = 0;
        if (emu_mmu_translate(c->m, cr0, cr3, cr4, vaddr, acc, &pa, &err) < 0) {
            *fault_addr = vaddr;
            *pf_err = err;
            return -1;
        }
        uint8_t *host = emu_phys_ptr(c->m, pa, chunk);
        if (!host && pa >= EMU_ROM_BASE && pa + chunk <= EMU_ROM_BASE + EMU_ROM_SIZE &&
            !(acc & EMU_ACC_WRITE))
            host = c->m->rom + (pa - EMU_ROM_BASE);
        if (!host) {
            *fault_addr = vaddr;
            *pf_err = 0;
            return -2;
        }
        if (acc & EMU_ACC_WRITE)
            memcpy(host, p, chunk);
        else
            memcpy(p, host, chunk);
        p += chunk;
        vaddr += (uint32_t)chunk;
        len -= chunk;
    }
    return 0;
}

int emu_virt_read(emu_cpu *c, uint32_t vaddr, void *buf, size_t len, unsigned acc,
                  uint32_t *fault_addr, uint32_t *pf_err)
{
    return virt_copy(c, vaddr, buf, len, acc & ~(unsigned)EMU_ACC_WRITE, fault_addr, pf_err);
}

int emu_virt_write(emu_cpu *c, uint32_t vaddr, const void *buf, size_t len, unsigned acc,
                   uint32_t *fault_addr, uint32_t *pf_err)
{
    return virt_copy(c, vaddr, (void *)buf, len, acc | EMU_ACC_WRITE, fault_addr, pf_err);
}
