/* emu/script_report_parse.c - Linux-format report text into Lua tables.
 *
 * Every table keeps the text's order in its array part (t[1], t[2], ...:
 * one entry per zone, cache or area), per-node entries in t.nodes[node][zone]
 * and, for zones, a machine-wide view in t[zone] (buddyinfo and
 * pagetypeinfo: summed over nodes; zoneinfo: the lowest node where the zone
 * is populated).  Lines that are not part of the format (the host's
 * "introspect: ..." lines) go to t.errors. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_priv.h"

#define MAX_NUMS 32
#define LINE_MAX_LEN 1024

/* Copies the next line of *p (without its newline, cut to len - 1) into
 * buf and advances *p; false at the end of the text. */
static bool next_line(const char **p, char *buf, size_t len)
{
    if (!**p)
        return false;
    const char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    size_t c = n < len - 1 ? n : len - 1;
    memcpy(buf, *p, c);
    buf[c] = '\0';
    *p += n + (nl ? 1 : 0);
    return true;
}

/* Pushes t[key] (t at idx), created as a table if missing. */
static void sub_table(lua_State *L, int idx, const char *key)
{
    idx = lua_absindex(L, idx);
    if (lua_getfield(L, idx, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, idx, key);
    }
}

/* Pushes t[key] (t at idx), created as a table if missing. */
static void sub_tablei(lua_State *L, int idx, lua_Integer key)
{
    idx = lua_absindex(L, idx);
    if (lua_geti(L, idx, key) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_seti(L, idx, key);
    }
}

/* Appends the value on top to the array part of the table at idx (pops it). */
static void append(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_seti(L, idx, (lua_Integer)lua_rawlen(L, idx) + 1);
}

/* Appends line to t.errors (t at idx). */
static void add_error(lua_State *L, int idx, const char *line)
{
    sub_table(L, idx, "errors");
    lua_pushstring(L, line);
    append(L, -2);
    lua_pop(L, 1);
}

/* t[key] += v for the table at idx (a missing key counts as 0). */
static void add_to(lua_State *L, int idx, lua_Integer key, long long v)
{
    idx = lua_absindex(L, idx);
    lua_geti(L, idx, key);
    lua_Integer old = lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_pushinteger(L, old + v);
    lua_seti(L, idx, key);
}

/* The decimal numbers of s, at most max; returns how many. */
static int parse_numbers(const char *s, long long *out, int max)
{
    int n = 0;
    char *end;
    while (n < max) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!isdigit((unsigned char)*s))
            break;
        out[n++] = strtoll(s, &end, 10);
        s = end;
    }
    return n;
}

/* Pushes {[0] = nums[0], ...} and adds the numbers into the 0-based array
 * at sum_idx. */
static void push_counts(lua_State *L, const long long *nums, int n, int sum_idx)
{
    sum_idx = lua_absindex(L, sum_idx);
    lua_createtable(L, n, 1);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, nums[i]);
        lua_seti(L, -2, i);
        add_to(L, sum_idx, i, nums[i]);
    }
}

/* Pushes the entry t.nodes[node][zone] (t at idx), creating it as
 * {node = node, zone = zone} appended to t's array part if missing. */
static void zone_entry(lua_State *L, int idx, int node, const char *zone)
{
    idx = lua_absindex(L, idx);
    sub_table(L, idx, "nodes");
    sub_tablei(L, -1, node);
    if (lua_getfield(L, -1, zone) == LUA_TTABLE) {
        lua_replace(L, -3);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushinteger(L, node);
    lua_setfield(L, -2, "node");
    lua_pushstring(L, zone);
    lua_setfield(L, -2, "zone");
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, zone);
    lua_pushvalue(L, -1);
    append(L, idx);
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* buddyinfo: t[i] = {node, zone, free = {[order] = blocks}};
 * t.nodes[node][zone] = that entry; t[zone] = {[order] = blocks summed over nodes}. */
void script_parse_buddyinfo(lua_State *L, const char *text)
{
    char line[LINE_MAX_LEN], zone[32];
    long long nums[MAX_NUMS];
    lua_newtable(L);
    int t = lua_gettop(L);
    while (next_line(&text, line, sizeof line)) {
        int node, pos = 0;
        if (!*line)
            continue;
        if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &pos) != 2 || strchr(zone, ',')) {
            add_error(L, t, line);
            continue;
        }
        int n = parse_numbers(line + pos, nums, MAX_NUMS);
        zone_entry(L, t, node, zone);
        sub_table(L, t, zone);
        push_counts(L, nums, n, -1);
        lua_setfield(L, -3, "free");
        lua_pop(L, 2);
    }
}

/* pagetypeinfo's free-list line "Node N, zone Z, type T counts...". */
static void pti_free_line(lua_State *L, int t, int node, const char *zone, const char *type,
                          const char *rest)
{
    long long nums[MAX_NUMS];
    int n = parse_numbers(rest, nums, MAX_NUMS);
    zone_entry(L, t, node, zone);
    sub_table(L, -1, "free");
    sub_table(L, t, zone);
    sub_table(L, -1, "free");
    sub_table(L, -1, type);
    push_counts(L, nums, n, -1);
    lua_setfield(L, -5, type);
    lua_pop(L, 5);
}

/* pagetypeinfo's block-count line "Node N, zone Z counts..." with the
 * column names of the last "Number of blocks type" header. */
static void pti_block_line(lua_State *L, int t, int node, const char *zone, const char *rest,
                           char types[][32], int ntypes)
{
    long long nums[MAX_NUMS];
    int n = parse_numbers(rest, nums, MAX_NUMS);
    zone_entry(L, t, node, zone);
    sub_table(L, -1, "blocks");
    sub_table(L, t, zone);
    sub_table(L, -1, "blocks");
    for (int i = 0; i < n && i < ntypes; i++) {
        lua_pushinteger(L, nums[i]);
        lua_setfield(L, -4, types[i]);
        lua_getfield(L, -1, types[i]);
        lua_Integer old = lua_tointeger(L, -1);
        lua_pop(L, 1);
        lua_pushinteger(L, old + nums[i]);
        lua_setfield(L, -2, types[i]);
    }
    lua_pop(L, 4);
}

/* The column names after "Number of blocks type"; returns how many. */
static int pti_types(char *line, char types[][32], int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line + strlen("Number of blocks type"), " ", &save); w && n < max;
         w = strtok_r(NULL, " ", &save))
        snprintf(types[n++], 32, "%s", w);
    return n;
}

/* pagetypeinfo: t.page_block_order, t.pages_per_block; t[i] = {node, zone,
 * free = {[type] = {[order] = blocks}}, blocks = {[type] = pageblocks}};
 * t.nodes[node][zone] = that entry; t[zone] = {free, blocks} summed over nodes. */
void script_parse_pagetypeinfo(lua_State *L, const char *text)
{
    char line[LINE_MAX_LEN], zone[32], type[32], types[8][32];
    int ntypes = 0, node, pos, v;
    lua_newtable(L);
    int t = lua_gettop(L);
    while (next_line(&text, line, sizeof line)) {
        pos = 0;
        if (!*line || !strncmp(line, "Free pages count per migrate type", 33)) {
            continue;
        } else if (sscanf(line, "Page block order: %d", &v) == 1) {
            lua_pushinteger(L, v);
            lua_setfield(L, t, "page_block_order");
        } else if (sscanf(line, "Pages per block: %d", &v) == 1) {
            lua_pushinteger(L, v);
            lua_setfield(L, t, "pages_per_block");
        } else if (!strncmp(line, "Number of blocks type", 21)) {
            ntypes = pti_types(line, types, 8);
        } else if (sscanf(line, "Node %d, zone %31[^,], type %31s%n", &node, zone, type, &pos) == 3 && pos) {
            pti_free_line(L, t, node, zone, type, line + pos);
        } else if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &pos) == 2 && pos && ntypes) {
            pti_block_line(L, t, node, zone, line + pos, types, ntypes);
        } else {
            add_error(L, t, line);
        }
    }
}

/* Splits a zoneinfo line "  key words  N" / "key: N" into a key (words
 * joined by '_', no colon) and its number; false if it has no number. */
static bool key_value(const char *line, char *key, size_t len, long long *v)
{
    while (*line == ' ')
        line++;
    const char *last = strrchr(line, ' ');
    if (!last || !isdigit((unsigned char)last[1]))
        return false;
    *v = strtoll(last + 1, NULL, 10);
    size_t n = 0;
    for (const char *p = line; p < last && n < len - 1; p++) {
        if (*p == ':')
            continue;
        if (*p == ' ') {
            if (n && key[n - 1] != '_')
                key[n++] = '_';
            continue;
        }
        key[n++] = *p;
    }
    while (n && key[n - 1] == '_')
        n--;
    key[n] = '\0';
    return n > 0;
}

/* "protection: (a, b, c)" into entry.protection = {[0] = a, ...} (entry on top). */
static void zi_protection(lua_State *L, const char *p)
{
    lua_newtable(L);
    char *end;
    p = strchr(p, '(');
    for (int i = 0; p && *p && *p != ')'; i++) {
        long long v = strtoll(p + 1, &end, 10);
        if (end == p + 1)
            break;
        lua_pushinteger(L, v);
        lua_seti(L, -2, i);
        p = end;
    }
    lua_setfield(L, -2, "protection");
}

/* t[zone] = the zone of the lowest node where it is populated (present > 0),
 * else of the lowest node. */
static void zi_zone_views(lua_State *L, int t)
{
    for (lua_Integer i = 1; lua_geti(L, t, i) == LUA_TTABLE; i++) {
        lua_getfield(L, -1, "zone");
        const char *zone = lua_tostring(L, -1);
        lua_getfield(L, -2, "present");
        bool populated = lua_tointeger(L, -1) > 0;
        lua_pop(L, 1);
        bool set = lua_getfield(L, t, zone) != LUA_TTABLE;
        if (!set) {
            lua_getfield(L, -1, "present");
            set = populated && lua_tointeger(L, -1) == 0;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (set) {
            lua_pushvalue(L, -2);
            lua_setfield(L, t, zone);
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* One zoneinfo line inside a zone (entry at -1, or entry and the current
 * pageset at -2/-1 when *in_pageset); keeps the stack shape. */
static void zi_line(lua_State *L, int t, const char *line, bool *in_pageset)
{
    static const char *const pcp_keys[] = { "count", "high", "batch", "vm_stats_threshold", NULL };
    char key[64];
    long long v;
    if (strstr(line, "protection:")) {
        zi_protection(L, line);
        return;
    }
    if (!key_value(line, key, sizeof key, &v)) {
        if (strcmp(line, "  pagesets"))
            add_error(L, t, line);
        return;
    }
    bool pcp = false;
    for (int i = 0; pcp_keys[i]; i++)
        pcp |= !strcmp(key, pcp_keys[i]);
    if (!strcmp(key, "cpu")) {
        if (*in_pageset)
            lua_pop(L, 1);
        sub_table(L, -1, "pagesets");
        sub_tablei(L, -1, v);
        lua_remove(L, -2);
        *in_pageset = true;
        return;
    }
    if (*in_pageset && !pcp) {
        lua_pop(L, 1);
        *in_pageset = false;
    }
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* zoneinfo: t[i] = one zone {node, zone, pages_free, min, low, high,
 * spanned, present, managed, protection = {[zone index] = pages},
 * nr_free_pages, ..., pagesets = {[cpu] = {count, high, batch,
 * vm_stats_threshold}}, node_unreclaimable, start_pfn}; t.nodes[node][zone];
 * t[zone] (see zi_zone_views). */
void script_parse_zoneinfo(lua_State *L, const char *text)
{
    char line[LINE_MAX_LEN], zone[32];
    int node, depth = 0;   /* values pushed: the entry, then a pageset */
    bool in_pageset = false;
    lua_newtable(L);
    int t = lua_gettop(L);
    while (next_line(&text, line, sizeof line)) {
        if (!*line)
            continue;
        if (sscanf(line, "Node %d, zone %31s", &node, zone) == 2) {
            lua_pop(L, depth);
            zone_entry(L, t, node, zone);
            depth = 1;
            in_pageset = false;
        } else if (!depth) {
            add_error(L, t, line);
        } else {
            zi_line(L, t, line, &in_pageset);
            depth = in_pageset ? 2 : 1;
        }
    }
    lua_pop(L, depth);
    zi_zone_views(L, t);
}

/* slabinfo: t.version; t[i] = {name, active_objs, num_objs, objsize,
 * objperslab, pagesperslab, limit, batchcount, sharedfactor, active_slabs,
 * num_slabs, sharedavail}; t[name] = that entry. */
void script_parse_slabinfo(lua_State *L, const char *text)
{
    static const char *const fields[] = { "active_objs", "num_objs", "objsize", "objperslab",
        "pagesperslab", "limit", "batchcount", "sharedfactor", "active_slabs", "num_slabs",
        "sharedavail" };
    char line[LINE_MAX_LEN], name[64], version[16];
    long long v[11];
    lua_newtable(L);
    int t = lua_gettop(L);
    while (next_line(&text, line, sizeof line)) {
        if (!*line || line[0] == '#')
            continue;
        if (sscanf(line, "slabinfo - version: %15s", version) == 1) {
            lua_pushstring(L, version);
            lua_setfield(L, t, "version");
            continue;
        }
        if (sscanf(line, "%63s %lld %lld %lld %lld %lld : tunables %lld %lld %lld : slabdata %lld %lld %lld",
                   name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10]) != 12) {
            add_error(L, t, line);
            continue;
        }
        lua_createtable(L, 0, 12);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
        for (int i = 0; i < 11; i++) {
            lua_pushinteger(L, v[i]);
            lua_setfield(L, -2, fields[i]);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, t, name);
        append(L, t);
    }
}

/* One word after a vmallocinfo area's size into the entry on top:
 * key=number, a caller (func+0xoff/0xsize), or a flag word (true). */
static void vmi_word(lua_State *L, const char *w)
{
    const char *eq = strchr(w, '=');
    if (eq && eq > w && isdigit((unsigned char)eq[1])) {
        lua_pushlstring(L, w, (size_t)(eq - w));
        lua_pushinteger(L, (lua_Integer)strtoll(eq + 1, NULL, 0));
        lua_settable(L, -3);
    } else if (strstr(w, "+0x")) {
        lua_pushstring(L, w);
        lua_setfield(L, -2, "caller");
    } else {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, w);
    }
}

/* vmallocinfo: t[i] = {start, ["end"], size, caller, pages, phys, and each
 * flag word (vmalloc, vmap, unpurged, vm_area, ...) = true}. */
void script_parse_vmallocinfo(lua_State *L, const char *text)
{
    char line[LINE_MAX_LEN];
    lua_newtable(L);
    int t = lua_gettop(L);
    while (next_line(&text, line, sizeof line)) {
        unsigned long long start, end;
        long long size;
        int pos = 0;
        if (!*line)
            continue;
        if (sscanf(line, "0x%llx-0x%llx %lld%n", &start, &end, &size, &pos) != 3 || !pos) {
            add_error(L, t, line);
            continue;
        }
        lua_createtable(L, 0, 6);
        lua_pushinteger(L, (lua_Integer)start);
        lua_setfield(L, -2, "start");
        lua_pushinteger(L, (lua_Integer)end);
        lua_setfield(L, -2, "end");
        lua_pushinteger(L, size);
        lua_setfield(L, -2, "size");
        char *save = NULL;
        for (char *w = strtok_r(line + pos, " ", &save); w; w = strtok_r(NULL, " ", &save))
            vmi_word(L, w);
        append(L, t);
    }
}
