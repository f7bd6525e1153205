/* ui/cli_parse.c - parsing numbers and sizes given on the command line. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Reads digits with an optional fraction as a value scaled by 1000. */
static const char *parse_milli(const char *s, uint64_t *milli)
{
    uint64_t whole = 0, frac = 0, scale = 1000;
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s)) {
        whole = whole * 10 + (uint64_t)(*s++ - '0');
        if (whole > (1ull << 40))
            return NULL;
    }
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return NULL;
        while (isdigit((unsigned char)*s)) {
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*s - '0') * scale;
            }
            s++;
        }
    }
    *milli = whole * 1000 + frac;
    return s;
}

bool cli_parse_size(const char *s, uint64_t *bytes)
{
    uint64_t milli, unit = 1ull << 20;
    const char *p = parse_milli(s, &milli);
    if (!p)
        return false;
    if (*p) {
        switch (toupper((unsigned char)*p++)) {
        case 'K': unit = 1ull << 10; break;
        case 'M': unit = 1ull << 20; break;
        case 'G': unit = 1ull << 30; break;
        default: return false;
        }
        if (*p && strcasecmp(p, "iB") && strcasecmp(p, "B"))
            return false;
    }
    uint64_t v = milli * unit;
    if (v % 1000)
        return false;
    *bytes = v / 1000;
    return true;
}

bool cli_parse_count(const char *s, uint64_t *n)
{
    uint64_t milli, mult = 1;
    const char *p = parse_milli(s, &milli);
    if (!p)
        return false;
    if (*p) {
        switch (*p++) {
        case 'k': case 'K': mult = 1000; break;
        case 'M': mult = 1000000; break;
        case 'G': mult = 1000000000; break;
        default: return false;
        }
        if (*p)
            return false;
    }
    if ((milli * mult) % 1000)
        return false;
    *n = milli * mult / 1000;
    return true;
}
