#!/bin/sh
# run-qemu.sh KERNEL SMP MEM "CMDLINE"
# Boot the pagelab guest kernel under QEMU (60 s timeout) and print its
# serial output.  Exit status is QEMU's: 2*N+1 for kernel exit code N
# (isa-debug-exit), 124 on timeout.
#
# The kernel finds CPUs in the ACPI MADT, where SeaBIOS lists every CPU,
# so a plain "-smp N" is enough.  (SeaBIOS's MP table, the kernel's
# fallback, lists only the first CPU of each package, and QEMU >= 6.2 makes
# "-smp N" one package with N cores.)
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 KERNEL SMP MEM [CMDLINE]" >&2
	exit 2
fi
kernel=$1
smp=$2
mem=$3
cmdline=${4:-}
exec timeout 60 qemu-system-i386 -kernel "$kernel" -smp "$smp" -m "$mem" \
	-display none -serial stdio -monitor none -nodefaults \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
	-append "$cmdline"
