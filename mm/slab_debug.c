/* mm/slab_debug.c - checks on the free path (always: a pointer must be the
 * start of an object of its cache) and the debug features of caches with
 * SLAB_RED_ZONE / SLAB_POISON / SLAB_STORE_USER (all of them with the
 * slab_debug boot option):
 *
 *   buffer:  [red zone 1][object: object_size bytes][red zone 2][last user]
 *            (red zones 32-bit, RED_ACTIVE while allocated, RED_INACTIVE
 *            while free; the last user is the 32-bit address of the last
 *            caller of alloc or free)
 *   poison:  a free object is POISON_FREE bytes ending in POISON_END,
 *            checked when it is handed out again, then POISON_INUSE.
 *
 * Every error is one line "slab error in cache NAME: ..." (docs/mm.md has
 * the list), counted in slab_errors; the object concerned is left alone
 * (not freed, not handed out), so the allocator stays consistent. */
#include <stdarg.h>

#include "internal.h"
#include "slab_internal.h"

/* The guest kernel's symbol table (guest/kernel/backtrace.c); absent on
 * the host, where callers print as raw addresses. */
extern const char *ksym_lookup(uint32_t addr, uint32_t *offset) __attribute__((weak));

static void slab_snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void slab_snprintf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    arch_vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

void slab_format_caller(char *buf, size_t len, uint32_t caller)
{
    uint32_t off = 0;
    const char *sym = (caller && ksym_lookup) ? ksym_lookup(caller, &off) : NULL;

    if (!caller)
        slab_snprintf(buf, len, "?");
    else if (sym)
        slab_snprintf(buf, len, "%s+0x%x", sym, off);
    else
        slab_snprintf(buf, len, "0x%08x", caller);
}

void slab_report(const struct kmem_cache *c, const char *fmt, ...)
{
    char line[256];
    size_t n;
    va_list ap;

    if (c)
        slab_snprintf(line, sizeof(line), "slab error in cache %s: ", c->name);
    else
        slab_snprintf(line, sizeof(line), "slab error in kfree: ");
    for (n = 0; line[n]; n++)
        ;
    va_start(ap, fmt);
    arch_vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    for (n = 0; line[n]; n++)
        ;
    line[n] = '\n';
    line[n + 1] = '\0';
    arch_puts(line);
    arch_atomic_add_return((volatile int32_t *)&slab_errors, 1);
}

/* ---- the debug words of an object (objp: its buffer's phys) ----------------------------- */

static uint32_t *redzone1(const struct kmem_cache *c, uint32_t objp) { (void)c; return slab_virt(objp); }
static uint32_t *redzone2(const struct kmem_cache *c, uint32_t objp)
{
    return slab_virt(objp + c->obj_offset + c->object_size);
}
static uint32_t *userword(const struct kmem_cache *c, uint32_t objp)
{
    return slab_virt(objp + c->obj_offset + c->object_size + ((c->flags & SLAB_RED_ZONE) ? 4 : 0));
}
static uint32_t last_user(const struct kmem_cache *c, uint32_t objp)
{
    return (c->flags & SLAB_STORE_USER) ? *userword(c, objp) : 0;
}

/* Fills the object with val, its last byte POISON_END. */
static void poison_obj(const struct kmem_cache *c, uint32_t objp, uint8_t val)
{
    uint8_t *p = slab_virt(objp + c->obj_offset);

    __builtin_memset(p, val, c->object_size);
    p[c->object_size - 1] = POISON_END;
}

/* The first byte of a free object that is not the free poison, or
 * object_size if it is intact; *want gets the byte expected there. */
static uint32_t check_poison(const struct kmem_cache *c, uint32_t objp, uint8_t *want)
{
    const uint8_t *p = slab_virt(objp + c->obj_offset);
    uint32_t i, last = c->object_size - 1;

    for (i = 0; i < c->object_size; i++) {
        *want = i == last ? POISON_END : POISON_FREE;
        if (p[i] != *want)
            return i;
    }
    return c->object_size;
}

void slab_debug_init_obj(struct kmem_cache *c, uint32_t objp)
{
    if (c->flags & SLAB_POISON)
        poison_obj(c, objp, POISON_FREE);
    if (c->flags & SLAB_RED_ZONE)
        *redzone1(c, objp) = *redzone2(c, objp) = RED_INACTIVE;
    if (c->flags & SLAB_STORE_USER)
        *userword(c, objp) = 0;
}

/* A red zone of objp that is not `want`: reports it ("before"/"after",
 * found by caller during `when`) and returns true. */
static bool redzone_bad(struct kmem_cache *c, uint32_t objp, uint32_t want, uint32_t caller, bool freeing)
{
    uint32_t r1 = *redzone1(c, objp), r2 = *redzone2(c, objp);
    char by[64], user[64];

    if (r1 == want && r2 == want)
        return false;
    slab_format_caller(by, sizeof(by), caller);
    slab_format_caller(user, sizeof(user), last_user(c, objp));
    slab_report(c, "red zone %s %sobject 0x%08x overwritten (0x%08x, expected 0x%08x), found by %s, last user %s",
                r1 != want ? "before" : "after", freeing ? "" : "free ", slab_kaddr(objp + c->obj_offset),
                r1 != want ? r1 : r2, want, by, user);
    return true;
}

bool slab_debug_alloc(struct kmem_cache *c, uint32_t objp, uint32_t caller)
{
    void (*ctor)(void *) = slab_ctors[c->id];
    uint8_t want;

    if (c->flags & SLAB_POISON) {
        uint32_t bad = check_poison(c, objp, &want);
        if (bad < c->object_size) {
            char by[64], user[64];
            slab_format_caller(by, sizeof(by), caller);
            slab_format_caller(user, sizeof(user), last_user(c, objp));
            slab_report(c, "object 0x%08x written after free (byte %u is 0x%02x, expected 0x%02x), found by %s, freed by %s",
                        slab_kaddr(objp + c->obj_offset), bad,
                        ((const uint8_t *)slab_virt(objp + c->obj_offset))[bad], want, by, user);
            return false;
        }
        poison_obj(c, objp, POISON_INUSE);
    }
    if ((c->flags & SLAB_RED_ZONE) && redzone_bad(c, objp, RED_INACTIVE, caller, false))
        return false;
    if (c->flags & SLAB_RED_ZONE)
        *redzone1(c, objp) = *redzone2(c, objp) = RED_ACTIVE;
    if (c->flags & SLAB_STORE_USER)
        *userword(c, objp) = caller;
    if (ctor && (c->flags & SLAB_POISON))
        ctor(slab_virt(objp + c->obj_offset));
    return true;
}

/* Reports a free of the object at phys by caller that cannot be honoured;
 * the caller is formatted only here, on the error path. */
static uint32_t bad_free(struct kmem_cache *c, uint32_t phys, uint32_t caller, const char *why,
                         const char *name)
{
    char by[64];

    slab_format_caller(by, sizeof(by), caller);
    slab_report(c, "free of 0x%08x by %s: %s%s", slab_kaddr(phys), by, why, name);
    return MM_NIL;
}

/* The buffer phys of obj if it is the start of an object of c, else
 * MM_NIL after a report. */
static uint32_t object_start(struct kmem_cache *c, const void *obj, uint32_t caller)
{
    struct kmem_cache *owner;
    uint32_t sphys, phys = slab_phys(obj), rel;

    if (!slab_lookup(obj, &owner, &sphys))
        return bad_free(c, phys, caller, "not a slab object", "");
    if (owner != c)
        return bad_free(c, phys, caller, "the object belongs to cache ", owner->name);
    rel = phys - c->obj_offset - slab_desc(sphys)->s_mem;
    if (phys < slab_desc(sphys)->s_mem + c->obj_offset || rel % c->buffer_size || rel / c->buffer_size >= c->num)
        return bad_free(c, phys, caller, "not the start of an object", "");
    return phys - c->obj_offset;
}

uint32_t slab_check_free(struct kmem_cache *c, const void *obj, uint32_t caller)
{
    uint32_t objp = object_start(c, obj, caller);

    if (objp == MM_NIL || !(c->flags & SLAB_DEBUG_FLAGS))
        return objp;
    if (c->flags & SLAB_RED_ZONE) {
        if (*redzone1(c, objp) == RED_INACTIVE && *redzone2(c, objp) == RED_INACTIVE) {
            char by[64], user[64];
            slab_format_caller(by, sizeof(by), caller);
            slab_format_caller(user, sizeof(user), last_user(c, objp));
            slab_report(c, "double free of object 0x%08x by %s, already freed by %s",
                        slab_kaddr(objp + c->obj_offset), by, user);
            return MM_NIL;
        }
        if (redzone_bad(c, objp, RED_ACTIVE, caller, true))
            return MM_NIL;
        *redzone1(c, objp) = *redzone2(c, objp) = RED_INACTIVE;
    }
    if (c->flags & SLAB_STORE_USER)
        *userword(c, objp) = caller;
    if (c->flags & SLAB_POISON)
        poison_obj(c, objp, POISON_FREE);
    return objp;
}
