/* emu/disasm.c - Capstone-based i386 disassembly text (see disasm.h). */
#include "disasm.h"

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stdio.h>

/* Writes the hex column for bytes[0..n) into buf (room for 3 * 15 + 1). */
static void format_hex(char *buf, const uint8_t *bytes, size_t n)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += (size_t)snprintf(buf + pos, 4, "%02x ", bytes[i]);
    while (pos < 3 * EMU_DISASM_HEX_COLUMN)
        buf[pos++] = ' ';
    buf[pos] = '\0';
}

/* Formats one line (no '\n') for n bytes at vaddr with text mnem/ops into
 * out; returns snprintf's would-be length. */
static int format_line(char *out, size_t outlen, uint32_t vaddr, const uint8_t *bytes,
                       size_t n, const char *mnem, const char *ops)
{
    char hex[3 * 16 + 1];
    format_hex(hex, bytes, n > 15 ? 15 : n);
    return snprintf(out, outlen, "0x%08x: %s%s%s%s", (unsigned)vaddr, hex, mnem,
                    ops[0] ? " " : "", ops);
}

/* Decodes one instruction with open handle h into line; returns its length
 * or 0 (line then holds the (bad) line for code[0]). */
static size_t decode_line(csh h, cs_insn *insn, const uint8_t *code, size_t len,
                          uint32_t vaddr, char *line, size_t linelen)
{
    const uint8_t *p = code;
    size_t n = len;
    uint64_t addr = vaddr;
    if (cs_disasm_iter(h, &p, &n, &addr, insn)) {
        format_line(line, linelen, vaddr, code, insn->size, insn->mnemonic, insn->op_str);
        return insn->size;
    }
    format_line(line, linelen, vaddr, code, 1, "(bad)", "");
    return 0;
}

/* Opens Capstone for i386 with a reusable instruction buffer. */
static bool open_capstone(csh *h, cs_insn **insn)
{
    if (cs_open(CS_ARCH_X86, CS_MODE_32, h) != CS_ERR_OK)
        return false;
    *insn = cs_malloc(*h);
    if (!*insn) {
        cs_close(h);
        return false;
    }
    return true;
}

/* One instruction: its length, or 0 with the (bad) line in out. */
int emu_disasm_one(const uint8_t *code, size_t len, uint32_t vaddr, char *out, size_t outlen)
{
    csh h;
    cs_insn *insn;
    if (outlen > 0)
        out[0] = '\0';
    if (!code || len == 0 || !open_capstone(&h, &insn))
        return 0;
    size_t n = decode_line(h, insn, code, len, vaddr, out, outlen);
    cs_free(insn, 1);
    cs_close(&h);
    return (int)n;
}

/* Many lines, each '\n'-terminated; returns lines written. */
size_t emu_disasm(const uint8_t *code, size_t len, uint32_t vaddr, unsigned max_insns,
                  char *out, size_t outlen)
{
    csh h;
    cs_insn *insn;
    size_t lines = 0, off = 0, used = 0;
    char line[320];             /* address + 15 bytes of hex + mnemonic (32) + operands (160) */
    if (outlen > 0)
        out[0] = '\0';
    if (!code || outlen == 0 || !open_capstone(&h, &insn))
        return 0;
    while (off < len && lines < max_insns) {
        size_t n = decode_line(h, insn, code + off, len - off, vaddr + (uint32_t)off, line, sizeof line);
        int w = snprintf(out + used, outlen - used, "%s\n", line);
        if (w < 0 || (size_t)w >= outlen - used) {
            out[used] = '\0';           /* drop the partial line */
            break;
        }
        used += (size_t)w;
        off += n ? n : 1;
        lines++;
    }
    cs_free(insn, 1);
    cs_close(&h);
    return lines;
}
