/* emu/script_run.c - running chunks: the error handler that guarantees
 * "FILE:LINE: message", and the script header (emu_script_read_prefs). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_priv.h"

/* True if msg starts with "SOMETHING:DIGITS: " on its first line. */
static bool has_position(const char *msg)
{
    for (const char *p = msg; *p && *p != '\n'; p++) {
        if (*p != ':' || !isdigit((unsigned char)p[1]))
            continue;
        const char *q = p + 1;
        while (isdigit((unsigned char)*q))
            q++;
        if (q[0] == ':' && q[1] == ' ')
            return p > msg;
    }
    return false;
}

/* Message handler: keeps a positioned string as it is; otherwise prefixes
 * the position of the innermost Lua function (error("x", 0), error
 * objects that are not strings). */
static int error_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg && has_position(msg))
        return 1;
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
            return 1;
        }
    }
    lua_pushstring(L, msg);
    return 1;
}

/* Runs the chunk on top of the stack (below it: the handler) and turns the
 * outcome into a status; pops both. */
static emu_script_status run_chunk(emu_script *s, char *err, size_t errlen)
{
    lua_State *L = s->L;
    int rc = lua_pcall(L, 0, 0, -2);
    emu_script_status st = EMU_SCRIPT_OK;
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        snprintf(err, errlen, "%s", msg ? msg : "(error without a message)");
        st = EMU_SCRIPT_ERROR;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (s->machine_stopped) {
        if (st == EMU_SCRIPT_OK)
            snprintf(err, errlen, "%s", s->stop_msg);
        st = EMU_SCRIPT_MACHINE_STOPPED;
    }
    return st;
}

/* Loads with the handler below the chunk; a load error is reported like a
 * run-time one. */
static emu_script_status load_error(emu_script *s, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", lua_tostring(s->L, -1));
    lua_pop(s->L, 2);
    return EMU_SCRIPT_ERROR;
}

emu_script_status emu_script_run_file(emu_script *s, const char *path, char *err, size_t errlen)
{
    lua_pushcfunction(s->L, error_handler);
    if (luaL_loadfilex(s->L, path, "t") != LUA_OK)
        return load_error(s, err, errlen);
    return run_chunk(s, err, errlen);
}

emu_script_status emu_script_run_string(emu_script *s, const char *name, const char *code,
                                        char *err, size_t errlen)
{
    char chunk[256];
    snprintf(chunk, sizeof chunk, "=%s", name);
    lua_pushcfunction(s->L, error_handler);
    if (luaL_loadbufferx(s->L, code, strlen(code), chunk, "t") != LUA_OK)
        return load_error(s, err, errlen);
    return run_chunk(s, err, errlen);
}

/* ---- the header ---------------------------------------------------------------- */

/* A size like 512M, 1G, 3.5G, 1536MiB (a bare number is MiB) in bytes;
 * false if malformed. */
static bool parse_size(const char *v, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, div = 1;
    const char *p = v;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p) && whole < (1ull << 40); p++)
        whole = whole * 10 + (uint64_t)(*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p) && div < 1000; p++, div *= 10)
            frac = frac * 10 + (uint64_t)(*p - '0');
    uint64_t unit = 1ull << 20;
    if (*p == 'K' || *p == 'k')
        unit = 1ull << 10, p++;
    else if (*p == 'M' || *p == 'm')
        p++;
    else if (*p == 'G' || *p == 'g')
        unit = 1ull << 30, p++;
    if (*p && strcmp(p, "iB") && strcmp(p, "B"))
        return false;
    if ((frac * unit) % div)
        return false;
    *out = whole * unit + frac * unit / div;
    return true;
}

/* One "key=value" of the header into p; NULL, or what is wrong. */
static const char *parse_pref(char *kv, emu_script_prefs *p)
{
    char *eq = strchr(kv, '='), *end;
    if (!eq)
        return "expected key=value";
    *eq = '\0';
    const char *v = eq + 1;
    unsigned long long n = strtoull(v, &end, 0);
    bool num = *v && isdigit((unsigned char)*v) && !*end;
    if (!strcmp(kv, "cpus")) {
        if (!num || n < 1 || n > EMU_MAX_CPUS)
            return "cpus must be 1 to 8";
        p->cpus = (unsigned)n;
    } else if (!strcmp(kv, "nodes")) {
        if (!num || n < 1 || n > 4)
            return "nodes must be 1 to 4";
        p->nodes = (unsigned)n;
    } else if (!strcmp(kv, "ram")) {
        uint64_t b;
        if (!parse_size(v, &b) || b < EMU_RAM_MIN || b > EMU_RAM_MAX || b % (1u << 20))
            return "ram must be a whole number of MiB from 16M to 3.5G";
        p->ram_bytes = b;
    } else if (!strcmp(kv, "seed")) {
        if (!num || errno == ERANGE)
            return "seed must be a number";
        p->has_seed = true;
        p->seed = n;
    } else {
        return "unknown key (known: cpus, ram, nodes, seed)";
    }
    return NULL;
}

/* The words after "-- pagelab:" on header line `line` (number lno). */
static int parse_header_line(char *words, emu_script_prefs *p, const char *path,
                             unsigned lno, char *err, size_t errlen)
{
    char *save = NULL;
    for (char *w = strtok_r(words, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        char word[128];
        snprintf(word, sizeof word, "%s", w);
        errno = 0;
        const char *bad = parse_pref(w, p);
        if (bad) {
            snprintf(err, errlen, "%s:%u: bad machine header '%s': %s", path, lno, word, bad);
            return -1;
        }
    }
    return 0;
}

int emu_script_read_prefs(const char *path, emu_script_prefs *p, char *err, size_t errlen)
{
    static const char tag[] = "-- pagelab:";
    char line[512];
    unsigned lno = 0;
    int rc = 0;
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    /* the header: the leading comment lines (and a #! line) */
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lno++;
        if (lno == 1 && line[0] == '#' && line[1] == '!')
            continue;
        if (strncmp(line, "--", 2))
            break;
        if (!strncmp(line, tag, sizeof tag - 1))
            rc = parse_header_line(line + sizeof tag - 1, p, path, lno, err, errlen);
    }
    fclose(f);
    return rc;
}
