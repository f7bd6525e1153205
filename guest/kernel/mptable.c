/* Intel MultiProcessor Specification 1.4 tables: find the floating
 * pointer, then list the processor entries of the configuration table. */
#include <stddef.h>
#include "smp.h"
#include "kstring.h"
#include "paging.h"

#define BDA_EBDA_SEG   0x40E
#define BDA_BASE_KB    0x413
#define MP_PROC        0
#define MP_PROC_EN     0x01
#define MP_PROC_BP     0x02

struct mp_float {
	char sig[4];                /* "_MP_" */
	uint32_t config;
	uint8_t length;             /* in 16-byte units */
	uint8_t rev, checksum, feature1;
	uint8_t feature[4];
} __attribute__((packed));

struct mp_config {
	char sig[4];                /* "PCMP" */
	uint16_t length;
	uint8_t rev, checksum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_size, count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mp_proc {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features, reserved[2];
} __attribute__((packed));

/* Byte sum of a region (valid tables sum to 0). */
static uint8_t sum8(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Search [pa, pa+len) on 16-byte boundaries for a valid "_MP_". */
static const struct mp_float *search(uint32_t pa, uint32_t len)
{
	uint32_t off;

	if (pa == 0 || pa + len > lowmem_end_phys())
		return NULL;
	for (off = 0; off + sizeof(struct mp_float) <= len; off += 16) {
		const struct mp_float *f = phys_to_virt(pa + off);

		if (memcmp(f->sig, "_MP_", 4) == 0 && f->length == 1 &&
		    sum8(f, sizeof(*f)) == 0)
			return f;
	}
	return NULL;
}

/* The three places the specification allows. */
static const struct mp_float *find_float(void)
{
	uint32_t ebda = (uint32_t)*(uint16_t *)phys_to_virt(BDA_EBDA_SEG) << 4;
	uint32_t base_kb = *(uint16_t *)phys_to_virt(BDA_BASE_KB);
	const struct mp_float *f = search(ebda, 1024);

	if (!f && base_kb >= 1)
		f = search(base_kb * 1024 - 1024, 1024);
	if (!f)
		f = search(0xF0000, 0x10000);
	return f;
}

/* Entry size by type (processor entries are 20 bytes, others 8). */
static uint32_t entry_size(uint8_t type)
{
	return type == MP_PROC ? sizeof(struct mp_proc) : 8;
}

/* Fill out[] with the enabled processors in table order; returns their
 * number or MPTABLE_NONE when there is no usable configuration table. */
int mptable_scan(struct mp_cpu *out, int max)
{
	const struct mp_float *f = find_float();
	const struct mp_config *c;
	const uint8_t *p, *end;
	int n = 0, i;

	if (!f || f->feature1 || !f->config ||
	    f->config + sizeof(*c) > lowmem_end_phys())
		return MPTABLE_NONE;
	c = phys_to_virt(f->config);
	if (memcmp(c->sig, "PCMP", 4) || f->config + c->length > lowmem_end_phys() ||
	    sum8(c, c->length))
		return MPTABLE_NONE;
	p = (const uint8_t *)(c + 1);
	end = (const uint8_t *)c + c->length;
	for (i = 0; i < c->count && p < end; i++, p += entry_size(*p)) {
		const struct mp_proc *e = (const void *)p;

		if (e->type != MP_PROC || !(e->flags & MP_PROC_EN) || n >= max)
			continue;
		out[n].apic_id = e->apic_id;
		out[n].bsp = (e->flags & MP_PROC_BP) != 0;
		n++;
	}
	return n;
}
