#!/bin/sh
# run-qemu.sh KERNEL SMP MEM "CMDLINE"
# Boot the pagelab guest kernel under QEMU (60 s timeout) and print its
# serial output.  Exit status is QEMU's: 2*N+1 for kernel exit code N
# (isa-debug-exit), 124 on timeout.
#
# The kernel finds CPUs only through the Intel MP table.  SeaBIOS lists
# just the first CPU of each package there, and QEMU >= 6.2 turns
# "-smp N" into one package with N cores, so the CPUs are requested as
# N single-core sockets.
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 KERNEL SMP MEM [CMDLINE]" >&2
	exit 2
fi
kernel=$1
smp=$2
mem=$3
cmdline=${4:-}
exec timeout 60 qemu-system-i386 -kernel "$kernel" -smp "$smp,sockets=$smp" -m "$mem" \
	-display none -serial stdio -monitor none -nodefaults \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
	-append "$cmdline"
