/* The workload operations (abi/wl_ring.h): each validates its arguments
 * and handles, then calls the kernel's own allocator functions.  A refused
 * request changes nothing; a failed allocation leaves the allocators as
 * they were.  See docs/workloads.md for each operation's contract. */
#include "mm_guest.h"
#include "wl.h"
#include "highmem.h"
#include "internal.h"
#include "kstring.h"
#include "percpu.h"
#include "slab.h"
#include "vmalloc.h"

#define WL_NODE_ANY      0xffffffffu
#define WL_MAX_VMALLOC   (64u << 20)    /* larger requests cannot fit the area */
#define WL_SLAB_FLAGS    (SLAB_RED_ZONE | SLAB_POISON | SLAB_HWCACHE_ALIGN | \
			  SLAB_CACHE_DMA | SLAB_STORE_USER | SLAB_RECLAIM_ACCOUNT)

/* A vmap's bookkeeping: the page handles it holds (kmalloc'd). */
struct wl_vmap_rec {
	uint32_t count;
	uint32_t pages[WL_LIST_MAX];
};

/* True if gfp names a zone the allocator knows (not DMA and HIGHMEM both). */
static bool gfp_valid(uint32_t gfp)
{
	return (gfp & (__GFP_DMA | __GFP_HIGHMEM)) != (__GFP_DMA | __GFP_HIGHMEM);
}

/* Stores a new handle for (type, addr, size) as r's result; on a full
 * table undoes the allocation with undo(addr, size) and fails. */
static void give_handle(struct wl_req *r, unsigned type, uint32_t addr, uint32_t size,
			void (*undo)(uint32_t addr, uint32_t size))
{
	uint32_t h = wl_handle_new(type, addr, size);

	if (!h) {
		undo(addr, size);
		r->status = WL_ENOSPC;
		return;
	}
	r->result = h;
	r->result2 = addr;
}

static void undo_pages(uint32_t pfn, uint32_t order) { __free_pages(pfn_to_page(pfn), order); }
static void undo_kfree(uint32_t addr, uint32_t size) { (void)size; kfree((void *)addr); }
static void undo_vfree(uint32_t addr, uint32_t size) { (void)size; vfree((void *)addr); }

/* alloc_pages(order, gfp) or alloc_pages_node(node, gfp, order). */
static void op_alloc_pages(struct wl_req *r)
{
	uint32_t order = r->arg[0], gfp = r->arg[1], node = r->arg[2];
	struct page *page;

	if (order >= MAX_ORDER || !gfp_valid(gfp) ||
	    (node != WL_NODE_ANY && node >= nr_online_nodes)) {
		r->status = WL_EINVAL;
		return;
	}
	page = node == WL_NODE_ANY ? alloc_pages(gfp, order)
				   : alloc_pages_node((int)node, gfp, order);
	if (!page) {
		r->status = WL_ENOMEM;
		return;
	}
	give_handle(r, WL_H_PAGES, page_to_pfn(page), order, undo_pages);
}

/* __free_pages of a PAGES handle. */
static void op_free_pages(struct wl_req *r)
{
	struct wl_entry e;

	r->status = wl_handle_free(r->arg[0], WL_H_PAGES, &e);
	if (r->status == WL_OK)
		__free_pages(pfn_to_page(e.addr), e.size);
}

/* kmalloc(size, gfp): sizes 1 .. KMALLOC_MAX_CACHE_SIZE. */
static void op_kmalloc(struct wl_req *r)
{
	uint32_t size = r->arg[0], gfp = r->arg[1];
	void *p;

	if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE || !gfp_valid(gfp)) {
		r->status = WL_EINVAL;
		return;
	}
	p = kmalloc(size, gfp);
	if (!p) {
		r->status = WL_ENOMEM;
		return;
	}
	give_handle(r, WL_H_KMALLOC, (uint32_t)p, size, undo_kfree);
}

static void op_kfree(struct wl_req *r)
{
	struct wl_entry e;

	r->status = wl_handle_free(r->arg[0], WL_H_KMALLOC, &e);
	if (r->status == WL_OK)
		kfree((void *)e.addr);
}

/* A cache name: NUL-terminated inside the field, printable, no blanks
 * (slabinfo separates fields by blanks). */
static bool name_valid(const char *name)
{
	size_t i;

	for (i = 0; i < WL_NAME_MAX && name[i]; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return i > 0 && i < WL_NAME_MAX;
}

static void undo_cache(uint32_t addr, uint32_t size) { (void)size; kmem_cache_destroy((void *)addr); }

/* kmem_cache_create(name, size, align, flags). */
static void op_cache_create(struct wl_req *r)
{
	uint32_t size = r->arg[0], align = r->arg[1], flags = r->arg[2];
	struct kmem_cache *c;

	if (!name_valid(r->name) || size == 0 || size > KMALLOC_MAX_CACHE_SIZE ||
	    (align & (align - 1)) || align > 4096 || (flags & ~WL_SLAB_FLAGS)) {
		r->status = WL_EINVAL;
		return;
	}
	c = kmem_cache_create(r->name, size, align, flags, NULL);
	if (!c) {
		r->status = WL_ENOMEM;
		return;
	}
	give_handle(r, WL_H_CACHE, (uint32_t)c, size, undo_cache);
}

/* kmem_cache_alloc from a CACHE handle; the object holds its cache. */
static void op_cache_alloc(struct wl_req *r)
{
	struct wl_entry c;
	uint32_t h;
	void *obj;

	r->status = wl_handle_get(r->arg[0], WL_H_CACHE, &c);
	if (r->status != WL_OK)
		return;
	if (!gfp_valid(r->arg[1])) {
		r->status = WL_EINVAL;
		return;
	}
	obj = kmem_cache_alloc((struct kmem_cache *)c.addr, r->arg[1]);
	if (!obj) {
		r->status = WL_ENOMEM;
		return;
	}
	h = wl_handle_new(WL_H_OBJECT, (uint32_t)obj, r->arg[0]);
	if (!h) {
		kmem_cache_free((struct kmem_cache *)c.addr, obj);
		r->status = WL_ENOSPC;
		return;
	}
	wl_handle_use(r->arg[0], +1);
	r->result = h;
	r->result2 = (uint32_t)obj;
}

static void op_cache_free(struct wl_req *r)
{
	struct wl_entry o, c;

	r->status = wl_handle_free(r->arg[0], WL_H_OBJECT, &o);
	if (r->status != WL_OK)
		return;
	if (wl_handle_get(o.size, WL_H_CACHE, &c) == WL_OK) {
		kmem_cache_free((struct kmem_cache *)c.addr, (void *)o.addr);
		wl_handle_use(o.size, -1);
	}
}

/* kmem_cache_destroy.  With live objects the kernel itself refuses (and
 * prints its report); the handle stays valid. */
static void op_cache_destroy(struct wl_req *r)
{
	struct wl_entry c;

	r->status = wl_handle_get(r->arg[0], WL_H_CACHE, &c);
	if (r->status != WL_OK)
		return;
	if (c.users) {
		kmem_cache_destroy((struct kmem_cache *)c.addr);
		r->status = WL_EBUSY;
		return;
	}
	r->status = wl_handle_free(r->arg[0], WL_H_CACHE, &c);
	if (r->status == WL_OK && kmem_cache_destroy((struct kmem_cache *)c.addr) != 0)
		r->status = WL_EBUSY;     /* cannot happen: no object handles */
}

/* vmalloc / vzalloc(size). */
static void op_vmalloc(struct wl_req *r)
{
	uint32_t size = r->arg[0];
	void *p;

	if (size == 0 || size > WL_MAX_VMALLOC) {
		r->status = WL_EINVAL;
		return;
	}
	p = r->op == WL_OP_VZALLOC ? vzalloc(size) : vmalloc(size);
	if (!p) {
		r->status = WL_ENOMEM;
		return;
	}
	give_handle(r, WL_H_VMALLOC, (uint32_t)p, size, undo_vfree);
}

static void op_vfree(struct wl_req *r)
{
	struct wl_entry e;

	r->status = wl_handle_free(r->arg[0], WL_H_VMALLOC, &e);
	if (r->status == WL_OK)
		vfree((void *)e.addr);
}

/* Collects vmap's pages: a0 handles of order-0 PAGES, all distinct. */
static int vmap_pages(const struct wl_req *r, struct page **pages)
{
	uint32_t i, j, n = r->arg[0];
	struct wl_entry e;
	int st;

	if (n == 0 || n > WL_LIST_MAX)
		return WL_EINVAL;
	for (i = 0; i < n; i++) {
		st = wl_handle_get(r->list[i], WL_H_PAGES, &e);
		if (st != WL_OK)
			return st;
		if (e.size != 0)
			return WL_EINVAL;
		for (j = 0; j < i; j++)
			if (r->list[j] == r->list[i])
				return WL_EINVAL;
		pages[i] = pfn_to_page(e.addr);
	}
	return WL_OK;
}

/* vmap(pages, count): the pages' handles are held until vunmap. */
static void op_vmap(struct wl_req *r)
{
	struct page *pages[WL_LIST_MAX];
	struct wl_vmap_rec *rec;
	uint32_t i, h;
	void *p;

	r->status = vmap_pages(r, pages);
	if (r->status != WL_OK)
		return;
	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	p = rec ? vmap(pages, r->arg[0]) : NULL;
	h = p ? wl_handle_new(WL_H_VMAP, (uint32_t)p, (uint32_t)rec) : 0;
	if (!h) {
		if (p)
			vunmap(p);
		kfree(rec);
		r->status = p ? WL_ENOSPC : WL_ENOMEM;
		return;
	}
	rec->count = r->arg[0];
	for (i = 0; i < rec->count; i++) {
		rec->pages[i] = r->list[i];
		wl_handle_use(r->list[i], +1);
	}
	r->result = h;
	r->result2 = (uint32_t)p;
}

static void op_vunmap(struct wl_req *r)
{
	struct wl_vmap_rec *rec;
	struct wl_entry e;
	uint32_t i;

	r->status = wl_handle_free(r->arg[0], WL_H_VMAP, &e);
	if (r->status != WL_OK)
		return;
	vunmap((void *)e.addr);
	rec = (struct wl_vmap_rec *)e.size;
	for (i = 0; i < rec->count; i++)
		wl_handle_use(rec->pages[i], -1);
	kfree(rec);
}

/* kmap of a PAGES handle's first page; the page handle is held. */
static void op_kmap(struct wl_req *r)
{
	struct wl_entry e;
	uint32_t h;
	void *p;

	r->status = wl_handle_get(r->arg[0], WL_H_PAGES, &e);
	if (r->status != WL_OK)
		return;
	p = kmap(pfn_to_page(e.addr));
	h = wl_handle_new(WL_H_KMAP, (uint32_t)p, r->arg[0]);
	if (!h) {
		kunmap(pfn_to_page(e.addr));
		r->status = WL_ENOSPC;
		return;
	}
	wl_handle_use(r->arg[0], +1);
	r->result = h;
	r->result2 = (uint32_t)p;
}

static void op_kunmap(struct wl_req *r)
{
	struct wl_entry k, pg;

	r->status = wl_handle_free(r->arg[0], WL_H_KMAP, &k);
	if (r->status != WL_OK)
		return;
	if (wl_handle_get(k.size, WL_H_PAGES, &pg) == WL_OK) {
		kunmap(pfn_to_page(pg.addr));
		wl_handle_use(k.size, -1);
	}
}

/* The word written at byte offset off by a touch with seed. */
static uint32_t pattern(uint32_t seed, uint32_t off)
{
	return (seed ^ 0xa5a5a5a5u) + off * 0x9e3779b1u;
}

/* Writes the pattern over [p, p + len) (len rounded up to words), reads
 * it back; returns the offset of the first mismatch or 0xffffffff. */
static uint32_t touch_range(uint32_t *p, uint32_t len, uint32_t seed, uint32_t base_off)
{
	uint32_t i, n = (len + 3) / 4;

	for (i = 0; i < n; i++)
		p[i] = pattern(seed, base_off + 4 * i);
	for (i = 0; i < n; i++)
		if (p[i] != pattern(seed, base_off + 4 * i))
			return base_off + 4 * i;
	return 0xffffffffu;
}

/* Touches a block of 2^order pages one page at a time through
 * kmap_atomic (highmem pages have no permanent address). */
static uint32_t touch_pages(uint32_t pfn, uint32_t order, uint32_t seed)
{
	uint32_t i, bad = 0xffffffffu;

	for (i = 0; i < (1u << order) && bad == 0xffffffffu; i++) {
		void *p = kmap_atomic(pfn_to_page(pfn + i));

		bad = touch_range(p, PAGE_SIZE, seed, i * PAGE_SIZE);
		kunmap_atomic(p);
	}
	return bad;
}

/* wl_mem_extent: see wl.h. */
uint32_t wl_mem_extent(const struct wl_entry *e, uint32_t *addr)
{
	*addr = e->addr;
	switch (e->type) {
	case WL_H_KMALLOC: return e->size;
	case WL_H_OBJECT:  return ksize((void *)e->addr);
	case WL_H_VMALLOC: return e->size;
	case WL_H_VMAP:    return ((struct wl_vmap_rec *)e->size)->count * PAGE_SIZE;
	case WL_H_KMAP:    return PAGE_SIZE;
	default:           return 0;
	}
}

/* Writes a pattern through an allocation's mapping and reads it back. */
static void op_touch(struct wl_req *r)
{
	struct wl_entry e;
	uint32_t addr, len, bad;

	r->status = wl_handle_get(r->arg[0], WL_H_FREE, &e);
	if (r->status != WL_OK)
		return;
	if (e.type == WL_H_PAGES) {
		len = PAGE_SIZE << e.size;
		bad = touch_pages(e.addr, e.size, r->arg[1]);
	} else {
		len = wl_mem_extent(&e, &addr);
		if (!len) {
			r->status = WL_EINVAL;      /* a cache has no memory of its own */
			return;
		}
		bad = touch_range((uint32_t *)addr, len, r->arg[1], 0);
	}
	r->result = len;
	if (bad != 0xffffffffu) {
		r->status = WL_EIO;
		r->result2 = bad;
	}
}

/* kmap_atomic of a PAGES handle's first page: touch it, unmap. */
static void op_kmap_atomic(struct wl_req *r)
{
	struct wl_entry e;
	uint32_t bad;
	void *p;

	r->status = wl_handle_get(r->arg[0], WL_H_PAGES, &e);
	if (r->status != WL_OK)
		return;
	p = kmap_atomic(pfn_to_page(e.addr));
	bad = touch_range(p, PAGE_SIZE, r->arg[1], 0);
	kunmap_atomic(p);
	r->result = (uint32_t)p;
	if (bad != 0xffffffffu) {
		r->status = WL_EIO;
		r->result2 = bad;
	}
}

/* Pages on this CPU's per-CPU lists, all zones. */
static uint32_t pcp_pages_here(void)
{
	unsigned cpu = (unsigned)this_cpu_index(), nid, z;
	uint32_t n = 0;

	for (nid = 0; nid < nr_online_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			n += node_data[nid].node_zones[z].pcp[cpu].count;
	return n;
}

static void op_drain_pcp(struct wl_req *r)
{
	r->result = pcp_pages_here();
	drain_local_pages();
}

static void op_check(struct wl_req *r)
{
	r->result = mm_check_invariants(true);
}

static void op_report(struct wl_req *r)
{
	static void (*const fn[WL_REPORT_COUNT])(struct mm_seq *) = {
		mm_report_buddyinfo, mm_report_pagetypeinfo, mm_report_zoneinfo,
		mm_report_vmallocinfo, mm_report_slabinfo,
	};

	if (r->arg[0] >= WL_REPORT_COUNT) {
		r->status = WL_EINVAL;
		return;
	}
	mm_print_report(fn[r->arg[0]]);
}

/* alloc_pages + __free_pages, `repeat` times (no handles: churn). */
static void op_alloc_free_pages(struct wl_req *r)
{
	uint32_t order = r->arg[0], gfp = r->arg[1], i;
	struct page *page;

	if (order >= MAX_ORDER || !gfp_valid(gfp)) {
		r->status = WL_EINVAL;
		return;
	}
	for (i = 0; i < r->repeat; i++) {
		page = alloc_pages(gfp, order);
		if (!page) {
			r->status = WL_ENOMEM;
			break;
		}
		__free_pages(page, order);
	}
	r->result = i;
}

/* kmalloc + kfree, `repeat` times. */
static void op_kmalloc_kfree(struct wl_req *r)
{
	uint32_t size = r->arg[0], gfp = r->arg[1], i;
	void *p;

	if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE || !gfp_valid(gfp)) {
		r->status = WL_EINVAL;
		return;
	}
	for (i = 0; i < r->repeat; i++) {
		p = kmalloc(size, gfp);
		if (!p) {
			r->status = WL_ENOMEM;
			break;
		}
		kfree(p);
	}
	r->result = i;
}

/* vmalloc + vfree, `repeat` times. */
static void op_vmalloc_vfree(struct wl_req *r)
{
	uint32_t size = r->arg[0], i;
	void *p;

	if (size == 0 || size > WL_MAX_VMALLOC) {
		r->status = WL_EINVAL;
		return;
	}
	for (i = 0; i < r->repeat; i++) {
		p = vmalloc(size);
		if (!p) {
			r->status = WL_ENOMEM;
			break;
		}
		vfree(p);
	}
	r->result = i;
}

/* Small queries: a handle's type and address, free pages, this CPU's node. */
static void op_info(struct wl_req *r)
{
	struct wl_entry e;

	switch (r->arg[0]) {
	case WL_INFO_HANDLE_OF:
		r->status = wl_handle_get(r->arg[1], WL_H_FREE, &e);
		if (r->status == WL_OK) {
			r->result = e.type;
			r->result2 = e.addr;
		}
		break;
	case WL_INFO_NR_FREE:
		r->result = nr_free_pages();
		break;
	case WL_INFO_CPU_NODE:
		r->result = cpu_to_node((unsigned)this_cpu_index());
		break;
	default:
		r->status = WL_EINVAL;
	}
}

static void op_nop(struct wl_req *r)
{
	(void)r;
}

/* wl_run_request: see wl.h. */
void wl_run_request(struct wl_req *r)
{
	static void (*const ops[WL_OP_COUNT])(struct wl_req *) = {
		[WL_OP_NOP] = op_nop,
		[WL_OP_ALLOC_PAGES] = op_alloc_pages,   [WL_OP_FREE_PAGES] = op_free_pages,
		[WL_OP_KMALLOC] = op_kmalloc,           [WL_OP_KFREE] = op_kfree,
		[WL_OP_CACHE_CREATE] = op_cache_create, [WL_OP_CACHE_ALLOC] = op_cache_alloc,
		[WL_OP_CACHE_FREE] = op_cache_free,     [WL_OP_CACHE_DESTROY] = op_cache_destroy,
		[WL_OP_VMALLOC] = op_vmalloc,           [WL_OP_VZALLOC] = op_vmalloc,
		[WL_OP_VFREE] = op_vfree,               [WL_OP_VMAP] = op_vmap,
		[WL_OP_VUNMAP] = op_vunmap,             [WL_OP_KMAP] = op_kmap,
		[WL_OP_KUNMAP] = op_kunmap,             [WL_OP_KMAP_ATOMIC] = op_kmap_atomic,
		[WL_OP_TOUCH] = op_touch,               [WL_OP_DRAIN_PCP] = op_drain_pcp,
		[WL_OP_CHECK] = op_check,               [WL_OP_REPORT] = op_report,
		[WL_OP_ALLOC_FREE_PAGES] = op_alloc_free_pages,
		[WL_OP_KMALLOC_KFREE] = op_kmalloc_kfree,
		[WL_OP_VMALLOC_VFREE] = op_vmalloc_vfree,
		[WL_OP_INFO] = op_info,
		[WL_OP_TOUCH_LOOP] = wl_op_touch_loop,
	};

	r->status = WL_OK;
	r->result = 0;
	r->result2 = 0;
	if (r->op >= WL_OP_COUNT || !ops[r->op]) {
		r->status = WL_ENOSYS;
		return;
	}
	ops[r->op](r);
}
