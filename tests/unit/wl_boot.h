/* tests/unit/wl_boot.h - boots the pagelab kernel with the `workload`
 * option for the unit tests that send it requests: ncpus CPUs, ram_mib MiB,
 * timing mode t, machine description desc (or NULL), events to cb (or
 * NULL); exits the test with a message if the machine cannot be created or
 * its request ring never comes up. */
#ifndef WL_BOOT_H
#define WL_BOOT_H
#include <stdio.h>
#include <stdlib.h>

#include "machine.h"

static inline emu_machine *wl_boot(unsigned ncpus, unsigned ram_mib, emu_timing_mode t, const char *desc,
                                   const emu_callbacks *cb)
{
    emu_config cfg;
    char err[256];
    emu_config_init(&cfg);
    cfg.kernel_path = PAGELAB_KERNEL_PATH;
    cfg.ram_bytes = (uint64_t)ram_mib << 20;
    cfg.ncpus = ncpus;
    cfg.cmdline = "quiet workload";
    cfg.timing = t;
    cfg.machine_desc = desc;
    emu_machine *m = emu_machine_create(&cfg, cb, err, sizeof err);
    if (!m || emu_wl_start(m, 0, err, sizeof err)) {
        fprintf(stderr, "boot: %s\n", err);
        exit(1);
    }
    return m;
}
#endif
