/* emu/script_report.c - the `report` module: the host's introspection
 * reports (emu_machine_report) as Linux-format text, printed, or parsed
 * into tables (the parsers: script_report_parse.c). */
#include <stdlib.h>
#include <string.h>

#include "script_priv.h"

const char *script_report_text(lua_State *L, const char *name)
{
    emu_script *s = script_of(L);
    if (!emu_report_known(name))
        luaL_error(L, "unknown report '%s'", name);
    for (;;) {
        int n = emu_machine_report(s->m, name, s->report_buf, s->report_cap);
        if (n < 0)
            luaL_error(L, "report '%s': %s", name, s->report_buf ? s->report_buf : "failed");
        if (s->report_buf && (size_t)n < s->report_cap)
            return s->report_buf;
        size_t cap = (size_t)n + 1 > 64 * 1024 ? (size_t)n + 1 : 64 * 1024;
        char *buf = realloc(s->report_buf, cap);
        if (!buf)
            luaL_error(L, "report '%s': out of memory", name);
        s->report_buf = buf;
        s->report_cap = cap;
    }
}

/* The report name at arg 1, checked against emu_report_known. */
static const char *check_name(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (!emu_report_known(name))
        luaL_argerror(L, 1, lua_pushfstring(L, "unknown report '%s'", name));
    return name;
}

/* report.text(name) -> the Linux-format text */
static int r_text(lua_State *L)
{
    lua_pushstring(L, script_report_text(L, check_name(L)));
    return 1;
}

/* report.print(name): the text through print's output */
static int r_print(lua_State *L)
{
    emu_script *s = script_of(L);
    const char *text = script_report_text(L, check_name(L));
    if (s->host.print)
        s->host.print(s->host.ctx, text, strlen(text));
    return 0;
}

/* report.names() -> {"buddyinfo", ...} in the guest's order */
static int r_names(lua_State *L)
{
    lua_newtable(L);
    for (unsigned i = 0; emu_report_name(i); i++) {
        lua_pushstring(L, emu_report_name(i));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* Parses report `name` with parse (text at stack top -> table). */
static int parsed(lua_State *L, const char *name, void (*parse)(lua_State *L, const char *text))
{
    parse(L, script_report_text(L, name));
    return 1;
}

static int r_buddyinfo(lua_State *L) { return parsed(L, "buddyinfo", script_parse_buddyinfo); }
static int r_pagetypeinfo(lua_State *L) { return parsed(L, "pagetypeinfo", script_parse_pagetypeinfo); }
static int r_zoneinfo(lua_State *L) { return parsed(L, "zoneinfo", script_parse_zoneinfo); }
static int r_slabinfo(lua_State *L) { return parsed(L, "slabinfo", script_parse_slabinfo); }
static int r_vmallocinfo(lua_State *L) { return parsed(L, "vmallocinfo", script_parse_vmallocinfo); }

void script_open_report(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "text", r_text }, { "print", r_print }, { "names", r_names },
        { "buddyinfo", r_buddyinfo }, { "pagetypeinfo", r_pagetypeinfo },
        { "zoneinfo", r_zoneinfo }, { "slabinfo", r_slabinfo },
        { "vmallocinfo", r_vmallocinfo }, { NULL, NULL } };
    luaL_newlib(L, fns);
    lua_setglobal(L, "report");
}
