#!/usr/bin/env bash
# Boot on N CPUs: banner, command line, memory map, paging, every CPU online,
# every self-test passing, a clean shutdown with exit status 0.
# usage: boot.sh PAGELAB KERNEL NCPUS
PAGELAB=$1 KERNEL=$2 N=$3
. "$(dirname "$0")/lib.sh"

run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cpus "$N" --ram 1G --cmdline "selftest=all"
check_eq "exit status" 0 "$RC"
check_eq "first line" "pagelab kernel 0.1.0 (i386)" "$(head -n 1 "$TMP/out")"
has_line "$TMP/out" "cmdline: selftest=all"
# The firmware memory map of a 1 GiB PC as SeaBIOS gives it under QEMU:
# EBDA, BIOS area, RAM from 1 MiB less 128 KiB at the top, BIOS ROM alias.
check_eq "memory map" "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable
BIOS-e820: [mem 0x000000003ffe0000-0x000000003fffffff] reserved
BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved" "$(grep '^BIOS-e820' "$TMP/out")"
# lowmem: 639 KiB + 895 MiB - 1 MiB ... = all usable RAM below 896 MiB; highmem: the rest.
has_line "$TMP/out" "Memory: 917119K lowmem, 130944K highmem"
check_eq "paging line" 1 "$(count_lines "$TMP/out" '^paging: on')"
for ((i = 0; i < N; i++)); do
    has_line "$TMP/out" "cpu $i: online (apic id $i)"
done
check_eq "CPUs online" "$N" "$(count_lines "$TMP/out" '^cpu [0-9]+: online')"
has_line "$TMP/out" "smp: $N CPUs online"
check_eq "failed self-tests" 0 "$(count_lines "$TMP/out" ': FAIL')"
summary=$(grep -E '^selftest: [0-9]+ passed, 0 failed$' "$TMP/out" || true)
[ -n "$summary" ] && pass || fail "no clean self-test summary"
check_eq "last line" "shutdown: exit code 0" "$(tail -n 1 "$TMP/out")"
check_eq "stderr" "" "$(cat "$TMP/err")"
finish
