-- pagelab: cpus=3 ram=96M seed=7
-- The machine header: CPUs and RAM unless overridden; the seed.
print(machine.cpus(), machine.ram() >> 20, machine.random(1000000))
