/* mm/mm_list.c - lists of pages linked by pfn through page->lru.
 *
 * A list is {first, last}; each page on it has lru.prev/lru.next naming its
 * neighbours, MM_NIL at the ends.  A page not on any list has both links
 * MM_NIL.  These helpers only keep the links straight: the counters and
 * flags that go with a list are updated by the caller's helper
 * (add_to_free_list, del_page_from_free_list, ...), together with the list.
 *
 * The primitives of the hot paths (add, add_tail, del, first, last, next)
 * are static inline in page.h; only the splice is here. */
#include "page.h"

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
