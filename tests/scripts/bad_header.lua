-- pagelab: cpus=3 ram=96M
-- pagelab: nodes=2 bogus=1
print(machine.cpus())
