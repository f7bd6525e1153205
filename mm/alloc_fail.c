/* mm/alloc_fail.c - STUB, to be replaced by the colleague's alloc_fail.c
 * (the "page allocation failure" report).  Only enough to link. */
#include "internal.h"

void warn_alloc_failed(gfp_t gfp, unsigned order)
{
    (void)gfp;
    (void)order;
    arch_puts("page allocation failure\n");
}
