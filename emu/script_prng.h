/* emu/script_prng.h - the script engine's PRNG: xoshiro256** (Blackman and
 * Vigna), its state filled from the seed by splitmix64.  Written from the
 * published algorithm descriptions; no host entropy anywhere. */
#ifndef EMU_SCRIPT_PRNG_H
#define EMU_SCRIPT_PRNG_H

#include <stdint.h>

typedef struct emu_script_prng {
    uint64_t s[4];
} emu_script_prng;

/* One splitmix64 step: advances *state and returns the next output. */
uint64_t emu_script_splitmix64(uint64_t *state);
/* Seeds: the four state words are the first four splitmix64 outputs from seed. */
void emu_script_prng_seed(emu_script_prng *r, uint64_t seed);
/* The next 64-bit output. */
uint64_t emu_script_prng_next(emu_script_prng *r);
/* Uniform in [lo, hi] (lo <= hi), by rejection: no modulo bias. */
int64_t emu_script_prng_range(emu_script_prng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1) with 53 random bits. */
double emu_script_prng_float(emu_script_prng *r);

#endif
