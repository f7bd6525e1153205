#!/bin/sh
# check_ksyms.sh NM PASS1.ELF FINAL.ELF
# Fail if any function or data symbol outside .ksyms moved between the
# first link pass and the final link (the symbol table must not shift
# addresses).  __kernel_end, the page-aligned end of .ksyms, moves with
# the table's size by design.
set -eu
nm_tool=$1
list() {
	"$nm_tool" -n "$1" | awk '$2 ~ /^[TtWwDdBbRr]$/ && $3 !~ /^ksym_/ && $3 != "__kernel_end" { print $1, $3 }'
}
a=$(list "$2")
b=$(list "$3")
if [ "$a" != "$b" ]; then
	echo "check_ksyms: symbol addresses differ between link passes" >&2
	exit 1
fi
