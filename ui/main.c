/* ui/main.c - the pagelab command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "machine.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: pagelab run [options]     boot the guest kernel and run it until it exits\n"
        "       pagelab run SCRIPT.lua [options] [--seed N]\n"
        "                                 boot it with `workload` and run a Lua script\n"
        "                                 (docs/scripting.md; exit 1 on a script error)\n"
        "       pagelab --help | --version\n"
        "\n"
        "pagelab run options:\n"
        "  -k, --kernel PATH      Multiboot i386 kernel (default: the pagelab kernel built with pagelab)\n"
        "  -m, --ram SIZE         guest RAM, 16M to 3.5G (default 1G; a bare number means MiB)\n"
        "  -c, --cpus N           number of CPUs, 1 to 8 (default 2)\n"
        "  -a, --cmdline STR      kernel command line, e.g. \"selftest=all\" or \"quiet\"\n"
        "      --nodes N          NUMA nodes the kernel emulates, 1 to 4: appends\n"
        "                         \" numa=fake=N\" to the kernel command line\n"
        "  -n, --max-insns N      stop after N guest instructions in total (k/M/G suffixes)\n"
        "  -l, --serial-log FILE  also write the serial console to FILE\n"
        "      --clock HZ         simulated CPU clock (default 1G = 1 GHz)\n"
        "      --quantum CYCLES   cycles per CPU turn in the round-robin (default 10k)\n"
        "      --cost NAME=CYCLES set an instruction-class cost of the timing model\n"
        "                         (repeatable; see docs/timing.md for the names)\n"
        "      --timing MODE      fast (per-block instruction costs, the default) or\n"
        "                         detailed (adds TLBs, caches, page walks, IPI and\n"
        "                         interrupt costs, and the stale-TLB detector)\n"
        "      --machine FILE     machine description: \"key = value\" lines setting TLB\n"
        "                         and cache geometries, latencies and costs (docs/timing.md)\n"
        "  -s, --stats            print per-CPU statistics to stderr at exit\n"
        "      --ram-hash         print a hash of all guest RAM to stderr at exit\n"
        "      --report NAME,...  at exit, print the host's own reading of the guest's\n"
        "                         memory manager to stdout, each under a line\n"
        "                         \"== host report: NAME ==\": buddyinfo, pagetypeinfo,\n"
        "                         zoneinfo, vmallocinfo, slabinfo, or all (the formats of\n"
        "                         the kernel's report= option; docs/machine.md)\n"
        "      --seed N           a script's PRNG seed (default: its header's, else 0x5eed)\n"
        "      --report-at LINE   take those readings when the guest prints the serial\n"
        "                         line LINE (first time; the machine pauses, then goes\n"
        "                         on) instead of at exit\n"
        "      --trace FILE       write the kernel's event trace to FILE (Chrome trace\n"
        "                         JSON, simulated time; adds `trace` to the command line)\n"
        "\n"
        "Exit status: the value the guest wrote to its isa-debug-exit port (0 = clean\n"
        "shutdown); 2 for bad options or a bad kernel file; 124 if --max-insns ran out;\n"
        "125 if the machine crashed (triple fault, emulator failure: a report is printed);\n"
        "126 if every CPU halted for good.\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("pagelab %s\n", PAGELAB_VERSION_STRING);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return cli_run(argc - 1, argv + 1, argv[0]);
    if (argc < 2)
        fprintf(stderr, "pagelab: missing command\n");
    else
        fprintf(stderr, "pagelab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
