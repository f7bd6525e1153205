/* 64-bit division helpers that GCC calls on i386 (a / b, a % b on 64-bit
 * operands).  The kernel is built with -mregparm=3, and GCC passes the
 * arguments of these library calls in registers too, so libgcc (built for
 * the stack convention) cannot be linked: these are compiled with the
 * kernel's own flags.  Division by zero raises #DE, as libgcc's does (the
 * divl faults). */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/* n / d with the remainder in *rem, from 32-bit divl and shifts only. */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint32_t d_hi = (uint32_t)(d >> 32);

	if (d_hi == 0) {
		/* Two divl steps: (hi / d), then ((hi % d):lo) / d. */
		uint32_t d_lo = (uint32_t)d, hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
		uint32_t q_hi = 0, q_lo, r = 0;

		if (hi >= d_lo || d_lo == 0) {
			__asm__("divl %2" : "=a"(q_hi), "=d"(r) : "rm"(d_lo), "a"(hi), "d"(0u));
			hi = r;
		}
		__asm__("divl %2" : "=a"(q_lo), "=d"(r) : "rm"(d_lo), "a"(lo), "d"(hi));
		*rem = r;
		return ((uint64_t)q_hi << 32) | q_lo;
	} else {
		/* d >= 2^32: the quotient fits in 32 bits; shift and subtract. */
		uint64_t q = 0, r = n;
		int shift = __builtin_clz(d_hi) - __builtin_clz((uint32_t)(n >> 32) | 1u);

		if (n < d) {
			*rem = n;
			return 0;
		}
		if (shift < 0)
			shift = 0;
		d <<= shift;
		for (; shift >= 0; shift--) {
			q <<= 1;
			if (r >= d) {
				r -= d;
				q |= 1;
			}
			d >>= 1;
		}
		*rem = r;
		return q;
	}
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	uint64_t r;
	return udivmod64(n, d, &r);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;
	udivmod64(n, d, &r);
	return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t r, q = udivmod64(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
	return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;
	udivmod64(n < 0 ? -(uint64_t)n : (uint64_t)n, d < 0 ? -(uint64_t)d : (uint64_t)d, &r);
	return n < 0 ? -(int64_t)r : (int64_t)r;
}
