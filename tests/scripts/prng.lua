-- The PRNG: known first values for the default seed and for seed 1
-- (xoshiro256** seeded by splitmix64), math.random is machine.random,
-- reseeding repeats the sequence.
local function draws() return machine.random(0, 0x7fffffff), machine.random(6), machine.random() end
print(string.format("default: %d %d %.6f", draws()))
machine.seed(1)
local a = { draws() }
math.randomseed(1)
local b = { math.random(0, 0x7fffffff), math.random(6), math.random() }
print(string.format("seed 1: %d %d %.6f", a[1], a[2], a[3]))
print("math.random is machine.random: " .. tostring(a[1] == b[1] and a[2] == b[2] and a[3] == b[3]))
print("sandbox: " .. tostring(io == nil and os == nil and load == nil and dofile == nil
                              and loadfile == nil and require == nil and debug == nil))
