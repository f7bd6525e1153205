/* kmap and kmap_atomic (mm/highmem.c). */
#include "tlb.h"
#include "highmem.h"
#include "selftest.h"

void selftest_kmap(void)
{
}
