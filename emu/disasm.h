/* emu/disasm.h - i386 disassembly for crash reports and debug views.
 *
 * Intel syntax (Capstone's default), 32-bit mode, one line per instruction:
 *
 *     0xc0101234: 8b 45 08                 mov eax, dword ptr [ebp + 8]
 *
 * i.e. "0x" + 8 hex digits of the address, ": ", the instruction bytes as
 * lower-case hex pairs padded to a column of EMU_DISASM_HEX_COLUMN bytes
 * (longer instructions push the text right by their extra bytes), then the
 * mnemonic and operands.  Undecodable bytes print as "(bad)", one byte a line.
 * Capstone is opened and closed per call: these are rare, not hot.
 */
#ifndef EMU_DISASM_H
#define EMU_DISASM_H

#include <stddef.h>
#include <stdint.h>

#define EMU_DISASM_HEX_COLUMN 8   /* bytes shown before the text column */

/* Disassembles up to max_insns lines from code[0..len) (code sits at guest
 * address vaddr) into out, each line ending in '\n'.  An undecodable byte
 * gives a "(bad)" line and decoding resumes at the next byte.  Stops at
 * max_insns, at len, or before a line that would not fit in outlen; out is
 * always NUL-terminated when outlen > 0.  Returns the number of lines written
 * ((bad) lines included). */
size_t emu_disasm(const uint8_t *code, size_t len, uint32_t vaddr, unsigned max_insns,
                  char *out, size_t outlen);

/* Formats the one instruction at code (no '\n') into out and returns its
 * length in bytes, or 0 when it cannot be decoded (out then holds the
 * "(bad)" line for code[0], or "" when len is 0).  Output longer than outlen
 * is truncated, NUL-terminated. */
int emu_disasm_one(const uint8_t *code, size_t len, uint32_t vaddr, char *out, size_t outlen);

#endif
