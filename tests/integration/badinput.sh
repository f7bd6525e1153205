#!/usr/bin/env bash
# Bad input: each case is one clear line on stderr naming the file or option,
# nothing on stdout, and exit status 2.
# usage: badinput.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"

# expect_error EXPECTED_STDERR ARGS...
expect_error() {
    local want=$1
    shift
    run_pagelab "$TMP/out" "$TMP/err" "$@"
    check_eq "exit status for '$*'" 2 "$RC"
    check_eq "stderr for '$*'" "$want" "$(cat "$TMP/err")"
    check_eq "stdout for '$*'" "" "$(cat "$TMP/out")"
}

printf 'hello\n' > "$TMP/text"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000' > "$TMP/elf64"
head -c 64 /dev/zero >> "$TMP/elf64"
# An i386 ELF with no Multiboot header: the ELF header of the real kernel,
# followed by zeros (so the header check, not the segment check, must fail).
head -c 52 "$KERNEL" > "$TMP/nomb"
head -c 9000 /dev/zero >> "$TMP/nomb"

expect_error "pagelab: $TMP/missing: cannot open: No such file or directory" --kernel "$TMP/missing"
expect_error "pagelab: $TMP/text: not an ELF file" --kernel "$TMP/text"
expect_error "pagelab: $TMP/elf64: is a 64-bit ELF; pagelab runs 32-bit i386 kernels" --kernel "$TMP/elf64"
expect_error "pagelab: $TMP/nomb: no Multiboot header in the first 8 KiB (not a Multiboot kernel)" --kernel "$TMP/nomb"
expect_error "pagelab: invalid value '8M' for --ram: a whole number of MiB from 16M to 3.5G" --kernel "$KERNEL" --ram 8M
expect_error "pagelab: invalid value '4G' for --ram: a whole number of MiB from 16M to 3.5G" --kernel "$KERNEL" --ram 4G
expect_error "pagelab: invalid value 'lots' for --ram: a whole number of MiB from 16M to 3.5G" --kernel "$KERNEL" --ram lots
expect_error "pagelab: invalid value '0' for --cpus: a number from 1 to 8" --kernel "$KERNEL" --cpus 0
expect_error "pagelab: invalid value '9' for --cpus: a number from 1 to 8" --kernel "$KERNEL" --cpus 9
expect_error "pagelab: bad timing cost 'bogus=3' (want NAME=CYCLES with NAME one of: alu, mem, mul, div, branch_taken, branch_not_taken, string, rep_string, locked, priv, io, msr, invlpg, cr_write, cr3_write, serializing, iret, intr, x87)" --kernel "$KERNEL" --cost alu=1 --cost bogus=3
finish
