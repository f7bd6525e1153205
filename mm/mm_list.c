/* mm/mm_list.c - lists of pages linked by pfn through page->lru.
 *
 * A list is {first, last}; each page on it has lru.prev/lru.next naming its
 * neighbours, MM_NIL at the ends.  A page not on any list has both links
 * MM_NIL.  These helpers only keep the links straight: the counters and
 * flags that go with a list are updated by the caller's helper
 * (add_to_free_list, del_page_from_free_list, ...), together with the list. */
#include "page.h"

static struct page *page_or_null(uint32_t pfn)
{
    return pfn == MM_NIL ? NULL : pfn_to_page(pfn);
}

/* Adds p at the front of l.  p must not be on a list. */
void mm_list_add(struct mm_list *l, struct page *p)
{
    uint32_t pfn = page_to_pfn(p);
    MM_BUG_ON(p->lru.next != MM_NIL || p->lru.prev != MM_NIL);
    p->lru.prev = MM_NIL;
    p->lru.next = l->first;
    if (l->first == MM_NIL)
        l->last = pfn;
    else
        pfn_to_page(l->first)->lru.prev = pfn;
    l->first = pfn;
}

/* Adds p at the back of l.  p must not be on a list. */
void mm_list_add_tail(struct mm_list *l, struct page *p)
{
    uint32_t pfn = page_to_pfn(p);
    MM_BUG_ON(p->lru.next != MM_NIL || p->lru.prev != MM_NIL);
    p->lru.next = MM_NIL;
    p->lru.prev = l->last;
    if (l->last == MM_NIL)
        l->first = pfn;
    else
        pfn_to_page(l->last)->lru.next = pfn;
    l->last = pfn;
}

/* Removes p, which must be on l, and clears its links. */
void mm_list_del(struct mm_list *l, struct page *p)
{
    uint32_t pfn = page_to_pfn(p);
    if (p->lru.prev == MM_NIL) {
        MM_BUG_ON(l->first != pfn);
        l->first = p->lru.next;
    } else {
        pfn_to_page(p->lru.prev)->lru.next = p->lru.next;
    }
    if (p->lru.next == MM_NIL) {
        MM_BUG_ON(l->last != pfn);
        l->last = p->lru.prev;
    } else {
        pfn_to_page(p->lru.next)->lru.prev = p->lru.prev;
    }
    p->lru.next = p->lru.prev = MM_NIL;
}

struct page *mm_list_first(const struct mm_list *l)
{
    return page_or_null(l->first);
}

struct page *mm_list_last(const struct mm_list *l)
{
    return page_or_null(l->last);
}

struct page *mm_list_next(const struct page *p)
{
    return page_or_null(p->lru.next);
}

/* Moves all of from to the front (or the back, if tail) of to; from ends empty. */
void mm_list_splice(struct mm_list *from, struct mm_list *to, bool tail)
{
    if (mm_list_empty(from))
        return;
    if (mm_list_empty(to)) {
        *to = *from;
    } else if (tail) {
        pfn_to_page(to->last)->lru.next = from->first;
        pfn_to_page(from->first)->lru.prev = to->last;
        to->last = from->last;
    } else {
        pfn_to_page(from->last)->lru.next = to->first;
        pfn_to_page(to->first)->lru.prev = from->last;
        to->first = from->first;
    }
    mm_list_init(from);
}
