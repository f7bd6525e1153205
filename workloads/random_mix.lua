-- random_mix.lua - a seeded random mix of every kind of allocation.
-- Shows: determinism: the operations, sizes and CPUs come from pagelab's
-- PRNG (seed from the header; `pagelab run random_mix.lua --seed N` picks
-- another), so the same seed gives the same output and the same machine.
-- Each step allocates or frees at random on a random CPU; at the end
-- everything is freed and the invariant checker must find nothing.
-- pagelab: cpus=4 ram=512M seed=42

local live = {}          -- { kind, handle, cpu }
local counts = { pages = 0, kmalloc = 0, vmalloc = 0, cache = 0 }
local cache = mm.kmem_cache_create("mix", 136)

local function alloc(cpu)
  local kind = machine.random(4)
  local h
  if kind == 1 then
    h = mm.alloc_pages(machine.random(0, 3), nil, { cpu = cpu }); counts.pages = counts.pages + 1
    live[#live + 1] = { mm.free_pages, h, cpu }
  elseif kind == 2 then
    h = mm.kmalloc(machine.random(1, 8192), nil, { cpu = cpu }); counts.kmalloc = counts.kmalloc + 1
    live[#live + 1] = { mm.kfree, h, cpu }
  elseif kind == 3 then
    h = mm.vmalloc(machine.random(1, 64) * 1024, { cpu = cpu }); counts.vmalloc = counts.vmalloc + 1
    live[#live + 1] = { mm.vfree, h, cpu }
  else
    h = mm.kmem_cache_alloc(cache, nil, { cpu = cpu }); counts.cache = counts.cache + 1
    live[#live + 1] = { mm.kmem_cache_free, h, cpu }
  end
  mm.touch(h, { cpu = cpu, pattern = #live })
end

local function free_one()
  local i = machine.random(#live)
  local e = live[i]
  live[i] = live[#live]
  live[#live] = nil
  -- frees on a random CPU, not necessarily the allocating one
  e[1](e[2], { cpu = machine.random(0, machine.cpus() - 1) })
end

for step = 1, 600 do
  local cpu = machine.random(0, machine.cpus() - 1)
  if #live == 0 or machine.random() < 0.6 then alloc(cpu) else free_one() end
end
print(string.format("600 steps: %d page, %d kmalloc, %d vmalloc, %d cache allocations; %d live",
                    counts.pages, counts.kmalloc, counts.vmalloc, counts.cache, #live))
print("free pages with those live: " .. mm.nr_free())
while #live > 0 do free_one() end
mm.kmem_cache_destroy(cache)
print("invariant violations: " .. mm.check())
print(string.format("machine time %d cycles, %d guest instructions", machine.cycles(), machine.insns()))
