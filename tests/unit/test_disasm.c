/* tests/unit/test_disasm.c - crash-report disassembly text (emu/disasm.h). */
#include "disasm.h"
#include "unit.h"

#include <string.h>

/* Hex column padding: 8 bytes of "xx " = 24 characters, so an instruction
 * of n <= 8 bytes is followed by 24 - 3n + 1 spaces after its last pair. */
#define PAD16 "                "      /* 16 spaces: after a 3-byte instruction */
#define PAD22 PAD16 "      "           /* 22 spaces: after a 1-byte instruction */
#define PAD19 PAD16 "   "              /* 19 spaces: after a 2-byte instruction */

static int str_eq(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    fprintf(stderr, "got:      [%s]\nexpected: [%s]\n", a, b);
    return 0;
}

static void test_one(void)
{
    static const uint8_t mov[] = { 0x8b, 0x45, 0x08 };     /* mov eax, [ebp + 8] */
    static const uint8_t ret[] = { 0xc3 };
    /* mov dword ptr [eax + 0x12345678], 0x9abcdef0: 10 bytes, wider than the column */
    static const uint8_t wide[] = { 0xc7, 0x80, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc, 0x9a };
    char out[200];
    CHECK_EQ(emu_disasm_one(mov, sizeof mov, 0xc0101234, out, sizeof out), 3);
    CHECK(str_eq(out, "0xc0101234: 8b 45 08" PAD16 "mov eax, dword ptr [ebp + 8]"));
    CHECK_EQ(emu_disasm_one(ret, sizeof ret, 0x1000, out, sizeof out), 1);
    CHECK(str_eq(out, "0x00001000: c3" PAD22 "ret"));
    CHECK_EQ(emu_disasm_one(wide, sizeof wide, 0x10, out, sizeof out), 10);
    CHECK(str_eq(out, "0x00000010: c7 80 78 56 34 12 f0 de bc 9a "
                      "mov dword ptr [eax + 0x12345678], 0x9abcdef0"));
    /* truncated: the mov needs its disp8 */
    CHECK_EQ(emu_disasm_one(mov, 2, 0x2000, out, sizeof out), 0);
    CHECK(str_eq(out, "0x00002000: 8b" PAD22 "(bad)"));
    CHECK_EQ(emu_disasm_one(mov, 0, 0x2000, out, sizeof out), 0);
    CHECK(str_eq(out, ""));
    /* a small buffer truncates, NUL-terminated */
    char small[12];
    CHECK_EQ(emu_disasm_one(mov, sizeof mov, 0xc0101234, small, sizeof small), 3);
    CHECK(str_eq(small, "0xc0101234:"));
}

static void test_many(void)
{
    static const uint8_t code[] = {
        0x55,                   /* push ebp */
        0x89, 0xe5,             /* mov ebp, esp */
        0x0f, 0x04,             /* 0f: invalid, then 04 c3 = add al, 0xc3 */
        0xc3,
    };
    char out[512];
    CHECK_EQ(emu_disasm(code, sizeof code, 0xc0100000, 10, out, sizeof out), 4);
    CHECK(str_eq(out,
        "0xc0100000: 55" PAD22 "push ebp\n"
        "0xc0100001: 89 e5" PAD19 "mov ebp, esp\n"
        "0xc0100003: 0f" PAD22 "(bad)\n"
        "0xc0100004: 04 c3" PAD19 "add al, 0xc3\n"));
    CHECK_EQ(emu_disasm(code, sizeof code, 0xc0100000, 2, out, sizeof out), 2);
    CHECK(str_eq(out,
        "0xc0100000: 55" PAD22 "push ebp\n"
        "0xc0100001: 89 e5" PAD19 "mov ebp, esp\n"));
    CHECK_EQ(emu_disasm(code, sizeof code, 0xc0100000, 0, out, sizeof out), 0);
    CHECK(str_eq(out, ""));
}

static void test_limits(void)
{
    static const uint8_t code[] = { 0x55, 0x89, 0xe5, 0xff, 0xff };  /* push; mov; (bad) (bad) */
    char out[512];
    /* the last two bytes: ff ff is invalid, then a lone ff is truncated */
    CHECK_EQ(emu_disasm(code, sizeof code, 0, 100, out, sizeof out), 4);
    CHECK(str_eq(out,
        "0x00000000: 55" PAD22 "push ebp\n"
        "0x00000001: 89 e5" PAD19 "mov ebp, esp\n"
        "0x00000003: ff" PAD22 "(bad)\n"
        "0x00000004: ff" PAD22 "(bad)\n"));
    /* room for one full line (44 characters + '\n') but not two: no partial line */
    char small[60];
    CHECK_EQ(emu_disasm(code, sizeof code, 0, 100, small, sizeof small), 1);
    CHECK(str_eq(small, "0x00000000: 55" PAD22 "push ebp\n"));
    CHECK_EQ(emu_disasm(code, sizeof code, 0, 100, small, 10), 0);
    CHECK(str_eq(small, ""));
    CHECK_EQ(emu_disasm(code, 0, 0, 100, out, sizeof out), 0);
    CHECK(str_eq(out, ""));
}

int main(void)
{
    test_one();
    test_many();
    test_limits();
    return unit_done();
}
