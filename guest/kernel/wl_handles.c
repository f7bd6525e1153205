/* The workload handle table (see wl.h).  The host names allocations by
 * handles; every operation validates the handle it is given here before
 * touching memory, so a wrong, stale or doubly freed handle is refused and
 * never reaches the allocators.
 *
 * Handle layout: index + 1 in the low WL_HANDLE_INDEX_BITS bits, the
 * entry's generation above.  Free entries form a LIFO list threaded
 * through their `size` field (index + 1, 0 ends it), so the handles given
 * out depend only on the sequence of requests: runs are reproducible. */
#include "wl.h"
#include "spinlock.h"
#include "vmalloc.h"

#define INDEX_MASK ((1u << WL_HANDLE_INDEX_BITS) - 1)
#define GEN_MASK   (0xfffu)

static struct {
	struct spinlock lock;
	struct wl_entry *e;     /* capacity entries (vmalloc'd) */
	uint32_t capacity;      /* entries; < INDEX_MASK */
	uint32_t free_head;     /* first free index + 1, 0 if none; under lock */
} tab = { SPINLOCK_INIT, 0, 0, 0 };

/* wl_handles_init: see wl.h. */
bool wl_handles_init(uint32_t capacity)
{
	uint32_t i;

	if (capacity == 0 || capacity >= INDEX_MASK)
		return false;
	tab.e = vzalloc((unsigned long)capacity * sizeof(*tab.e));
	if (!tab.e)
		return false;
	tab.capacity = capacity;
	for (i = 0; i < capacity; i++)
		tab.e[i].size = i + 2 <= capacity ? i + 2 : 0;
	tab.free_head = 1;
	return true;
}

uint32_t wl_handles_capacity(void)
{
	return tab.capacity;
}

/* Handle of entry i as it is now. */
static uint32_t make_handle(uint32_t i)
{
	return ((uint32_t)(tab.e[i].gen & GEN_MASK) << WL_HANDLE_INDEX_BITS) | (i + 1);
}

/* wl_handle_new: see wl.h. */
uint32_t wl_handle_new(unsigned type, uint32_t addr, uint32_t size)
{
	uint32_t flags = spin_lock_irqsave(&tab.lock), i, h = 0;

	if (tab.free_head) {
		i = tab.free_head - 1;
		tab.free_head = tab.e[i].size;
		tab.e[i].type = (uint16_t)type;
		tab.e[i].addr = addr;
		tab.e[i].size = size;
		tab.e[i].users = 0;
		h = make_handle(i);
	}
	spin_unlock_irqrestore(&tab.lock, flags);
	return h;
}

/* Index of live handle h of `type` (WL_H_FREE: any), or a negative status.
 * Called under the lock. */
static int find_locked(uint32_t h, unsigned type)
{
	uint32_t i = (h & INDEX_MASK) - 1;
	const struct wl_entry *e;

	if ((h & INDEX_MASK) == 0 || i >= tab.capacity)
		return WL_EBADF;
	e = &tab.e[i];
	if ((h >> WL_HANDLE_INDEX_BITS) != (e->gen & GEN_MASK))
		return WL_ESTALE;           /* freed (and maybe reused) since */
	if (e->type == WL_H_FREE)
		return WL_ESTALE;
	if (type != WL_H_FREE && e->type != type)
		return WL_EBADF;
	return (int)i;
}

/* wl_handle_get: see wl.h. */
int wl_handle_get(uint32_t h, unsigned type, struct wl_entry *out)
{
	uint32_t flags = spin_lock_irqsave(&tab.lock);
	int i = find_locked(h, type);

	if (i >= 0) {
		*out = tab.e[i];
		i = WL_OK;
	}
	spin_unlock_irqrestore(&tab.lock, flags);
	return i;
}

/* wl_handle_free: see wl.h. */
int wl_handle_free(uint32_t h, unsigned type, struct wl_entry *out)
{
	uint32_t flags = spin_lock_irqsave(&tab.lock);
	int i = find_locked(h, type);

	if (i >= 0 && tab.e[i].users)
		i = WL_EBUSY;
	if (i >= 0) {
		*out = tab.e[i];
		tab.e[i].type = WL_H_FREE;
		tab.e[i].gen = (uint16_t)((tab.e[i].gen + 1) & GEN_MASK);
		tab.e[i].size = tab.free_head;
		tab.free_head = (uint32_t)i + 1;
		i = WL_OK;
	}
	spin_unlock_irqrestore(&tab.lock, flags);
	return i;
}

/* wl_handle_use: see wl.h. */
void wl_handle_use(uint32_t h, int delta)
{
	uint32_t flags = spin_lock_irqsave(&tab.lock);
	int i = find_locked(h, WL_H_FREE);

	if (i >= 0)
		tab.e[i].users += (uint32_t)delta;
	spin_unlock_irqrestore(&tab.lock, flags);
}
