/* tests/unit/unit.h - a tiny assertion kit for host unit tests.
 * CHECK* record a failure and go on; the test's main returns unit_done(),
 * which prints "N passed, M failed" and is non-zero on any failure. */
#ifndef UNIT_H
#define UNIT_H
#include <inttypes.h>
#include <stdio.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do { if (cond) unit_pass++; else { unit_fail++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); \
    if (_a == _b) unit_pass++; else { unit_fail++; \
    fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n", \
            __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)

static inline int unit_done(void)
{
    printf("%d passed, %d failed\n", unit_pass, unit_fail);
    return unit_fail != 0;
}
#endif
