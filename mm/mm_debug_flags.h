/* mm/mm_debug_flags.h - the switches of mm's rare paths (debug checks,
 * poisoning, the event trace), in one word so that a hot path tests them
 * all with one compare (mm_debug.any) and leaves the details to its out of
 * line slow tail.  Included by mm.h and by the guest's ktrace.h. */
#ifndef MM_DEBUG_FLAGS_H
#define MM_DEBUG_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

struct mm_debug_opts {
    union {
        struct {
            bool check_each_op;   /* run mm_check_invariants after every alloc/free */
            bool poison;          /* fill freed pages with 0xaa, check on allocation */
            uint8_t trace;        /* record trace events (mm/trace.h); only the arch
                                   * layer writes it (guest: trace_init; host: tests) */
            uint8_t unused;
        };
        uint32_t any;             /* non-zero iff one of the above is set */
    };
};
extern struct mm_debug_opts mm_debug;

#endif
