/* mm_layout_check.c - the layout of mm/'s structures as this (i386) build
 * sees it.  The host reads these structures out of guest RAM with the same
 * headers (emu/introspect*.c); the list of constants, sizes and offsets it
 * relies on is mm/mm_layout_list.h, which the host build asserts too
 * (tests/unit/test_introspect_layout.c), so a difference between the builds
 * fails one of them.  Nothing here generates code. */
#include <stddef.h>
#include "mmzone.h"
#include "page.h"
#include "slab_internal.h"
#include "vmap_tree.h"

#define L(expr, value) _Static_assert((expr) == (value), #expr " is " #value " for the host's introspection");

#include "mm_layout_list.h"
#undef L

