/* emu/script_prng.c - xoshiro256** seeded by splitmix64 (see script_prng.h). */
#include "script_prng.h"

/* splitmix64: add the golden-ratio increment, then mix with two
 * multiply-xorshift rounds. */
uint64_t emu_script_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fills the state from seed; never all zero (splitmix64 outputs of one
 * sequence are distinct). */
void emu_script_prng_seed(emu_script_prng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = emu_script_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: output rotl(s1 * 5, 7) * 9, then the xor-shift-rotate
 * state transition. */
uint64_t emu_script_prng_next(emu_script_prng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [lo, hi]: draws until the value falls below the largest
 * multiple of the range's width, so every value is equally likely. */
int64_t emu_script_prng_range(emu_script_prng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;   /* width - 1 */
    if (span == UINT64_MAX)
        return (int64_t)emu_script_prng_next(r);
    uint64_t width = span + 1;
    uint64_t reject_below = (0 - width) % width;    /* 2^64 mod width */
    uint64_t x;
    do
        x = emu_script_prng_next(r);
    while (x < reject_below);
    return (int64_t)((uint64_t)lo + x % width);
}

/* The top 53 bits scaled into [0, 1). */
double emu_script_prng_float(emu_script_prng *r)
{
    return (double)(emu_script_prng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
