/* ACPI tables (ACPI 1.0 layout, which later revisions extend): find the
 * RSDP in the BIOS areas, follow the RSDT to the MADT ("APIC") and list its
 * enabled Processor Local APIC entries.  Tables may lie anywhere below
 * 4 GiB (SeaBIOS puts the RSDT and MADT near the top of RAM, which is
 * highmem above 896 MiB), so everything past the RSDP is copied out through
 * phys_read rather than dereferenced in place. */
#include <stddef.h>
#include "acpi.h"
#include "kstring.h"
#include "lapic.h"
#include "paging.h"

#define BDA_EBDA_SEG     0x40E
#define EBDA_SEARCH      1024
#define BIOS_AREA_LOW    0xE0000
#define BIOS_AREA_HIGH   0xF0000
#define BIOS_AREA_END    0x100000
#define RSDP_V1_LEN      20
#define RSDP_V2_MIN_LEN  36
#define RSDP_V2_MAX_LEN  256         /* sanity bound on the RSDP length */
#define SDT_MAX_LEN      0x10000     /* sanity bound on a table's length */
#define MADT_ENTRIES     44          /* header, LAPIC address, flags */
#define MADT_LAPIC       0
#define MADT_LAPIC_LEN   8
#define MADT_LAPIC_EN    0x01
#define SUM_CHUNK        64

/* Fixmap slot for reading tables outside lowmem.  The slot list lives in
 * layout.h; this one is the last, kept clear of the list's growth. */
#define ACPI_FIX_SLOT    (FIX_SLOTS - 1)

struct acpi_rsdp {
	char sig[8];                /* "RSD PTR " */
	uint8_t checksum;           /* over the first 20 bytes */
	char oem[6];
	uint8_t rev;                /* 0: ACPI 1.0; 2: the fields below exist */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum;          /* over length bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_sdt {
	char sig[4];
	uint32_t length;            /* whole table, header included */
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev;
	char creator[4];
	uint32_t creator_rev;
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, length;
	uint8_t uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

/* Copy len bytes at physical pa to dst: lowmem through the direct map,
 * anything else a page at a time through the ACPI fixmap slot (BSP only,
 * before the APs run).  False if the range wraps past 4 GiB. */
static bool phys_read(void *dst, uint32_t pa, uint32_t len)
{
	uint8_t *d = dst;
	uint32_t chunk, off;

	if (len && pa + (len - 1) < pa)
		return false;
	while (len) {
		if (pa < lowmem_end_phys()) {
			chunk = lowmem_end_phys() - pa;
			chunk = chunk < len ? chunk : len;
			memcpy(d, phys_to_virt(pa), chunk);
		} else {
			off = pa & (PAGE_SIZE - 1);
			chunk = PAGE_SIZE - off;
			chunk = chunk < len ? chunk : len;
			memcpy(d, (const uint8_t *)fixmap_set(ACPI_FIX_SLOT,
				pa - off, PTE_P) + off, chunk);
			fixmap_clear(ACPI_FIX_SLOT);
		}
		d += chunk;
		pa += chunk;
		len -= chunk;
	}
	return true;
}

/* Byte sum of len bytes at p (valid structures sum to 0). */
static uint8_t sum8(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* True if the len bytes at physical pa sum to 0 and are readable. */
static bool phys_sum_ok(uint32_t pa, uint32_t len)
{
	uint8_t buf[SUM_CHUNK], s = 0;
	uint32_t chunk;

	while (len) {
		chunk = len < SUM_CHUNK ? len : SUM_CHUNK;
		if (!phys_read(buf, pa, chunk))
			return false;
		s += sum8(buf, chunk);
		pa += chunk;
		len -= chunk;
	}
	return s == 0;
}

/* True if the lowmem bytes at pa hold a valid RSDP: signature, the ACPI 1.0
 * checksum and, from revision 2, the extended checksum. */
static bool rsdp_valid(uint32_t pa)
{
	const struct acpi_rsdp *r = phys_to_virt(pa);

	if (memcmp(r->sig, "RSD PTR ", 8) || sum8(r, RSDP_V1_LEN))
		return false;
	if (r->rev < 2)
		return true;
	return r->length >= RSDP_V2_MIN_LEN && r->length <= RSDP_V2_MAX_LEN &&
	       pa + r->length <= lowmem_end_phys() && sum8(r, r->length) == 0;
}

/* Search lowmem [pa, pa+len) on 16-byte boundaries for a valid RSDP;
 * returns its virtual address or NULL. */
static const struct acpi_rsdp *search(uint32_t pa, uint32_t len)
{
	uint32_t off;

	if (pa == 0 || pa + len > lowmem_end_phys())
		return NULL;
	for (off = 0; off + RSDP_V1_LEN <= len; off += 16)
		if (rsdp_valid(pa + off))
			return phys_to_virt(pa + off);
	return NULL;
}

/* The places ACPI allows: the first KiB of the EBDA, then the BIOS area
 * 0xE0000-0xFFFFF.  Its upper 64 KiB goes first: SeaBIOS and pagelab keep
 * the RSDP there, and on pagelab 0xE0000-0xEFFFF is open bus whose every
 * access is reported. */
static const struct acpi_rsdp *find_rsdp(void)
{
	uint32_t ebda = (uint32_t)*(uint16_t *)phys_to_virt(BDA_EBDA_SEG) << 4;
	const struct acpi_rsdp *r = search(ebda, EBDA_SEARCH);

	if (!r)
		r = search(BIOS_AREA_HIGH, BIOS_AREA_END - BIOS_AREA_HIGH);
	if (!r)
		r = search(BIOS_AREA_LOW, BIOS_AREA_HIGH - BIOS_AREA_LOW);
	return r;
}

/* Read the header of the table at physical pa into h and check it: the
 * signature sig (NULL: any), a sane length, the checksum of the whole
 * table.  Returns true if the table is usable. */
static bool sdt_valid(uint32_t pa, const char *sig, struct acpi_sdt *h)
{
	if (pa == 0 || !phys_read(h, pa, sizeof(*h)))
		return false;
	if (sig && memcmp(h->sig, sig, 4))
		return false;
	return h->length >= sizeof(*h) && h->length <= SDT_MAX_LEN &&
	       phys_sum_ok(pa, h->length);
}

/* The root table the RSDP names: the RSDT (4-byte entries) if present,
 * else an XSDT (8-byte entries) below 4 GiB.  Returns its physical address
 * and sets *esize, or returns 0. */
static uint32_t root_table(const struct acpi_rsdp *r, uint32_t *esize)
{
	if (r->rsdt) {
		*esize = 4;
		return r->rsdt;
	}
	if (r->rev >= 2 && r->xsdt && r->xsdt < 0x100000000ull) {
		*esize = 8;
		return (uint32_t)r->xsdt;
	}
	return 0;
}

/* Physical address of a valid MADT listed in the root table at pa with
 * entry size esize, or 0.  XSDT entries at or above 4 GiB are skipped. */
static uint32_t find_madt(uint32_t pa, uint32_t esize)
{
	struct acpi_sdt root, h;
	uint32_t off, lo, hi;

	if (!sdt_valid(pa, esize == 4 ? "RSDT" : "XSDT", &root))
		return 0;
	for (off = sizeof(root); off + esize <= root.length; off += esize) {
		hi = 0;
		if (!phys_read(&lo, pa + off, 4) ||
		    (esize == 8 && !phys_read(&hi, pa + off + 4, 4)))
			return 0;
		if (hi == 0 && sdt_valid(lo, "APIC", &h))
			return lo;
	}
	return 0;
}

/* Fill out[] (at most max) with the enabled Processor Local APIC entries
 * of the MADT at physical pa, in table order; returns their number.
 * Stops at a malformed entry. */
static int madt_cpus(uint32_t pa, struct mp_cpu *out, int max)
{
	struct acpi_sdt h;
	struct madt_lapic e;
	uint32_t off, bsp = lapic_id();
	int n = 0;

	if (!phys_read(&h, pa, sizeof(h)))
		return 0;
	for (off = MADT_ENTRIES; off + 2 <= h.length; off += e.length) {
		if (!phys_read(&e, pa + off, 2) || e.length < 2 ||
		    off + e.length > h.length)
			break;
		if (e.type != MADT_LAPIC || e.length < MADT_LAPIC_LEN)
			continue;
		if (!phys_read(&e, pa + off, MADT_LAPIC_LEN))
			break;
		if (!(e.flags & MADT_LAPIC_EN) || n >= max)
			continue;
		out[n].apic_id = e.apic_id;
		out[n].bsp = e.apic_id == bsp;
		n++;
	}
	return n;
}

/* Fill out[] with the enabled processors of the ACPI MADT in table order;
 * returns their number, or ACPI_NONE when there is no RSDP, no valid MADT
 * or no enabled processor in it.  Runs on the BSP with its LAPIC mapped. */
int acpi_scan_cpus(struct mp_cpu *out, int max)
{
	const struct acpi_rsdp *r = find_rsdp();
	uint32_t root, esize = 0, madt;
	int n;

	if (!r)
		return ACPI_NONE;
	root = root_table(r, &esize);
	madt = root ? find_madt(root, esize) : 0;
	if (!madt)
		return ACPI_NONE;
	n = madt_cpus(madt, out, max);
	return n > 0 ? n : ACPI_NONE;
}
