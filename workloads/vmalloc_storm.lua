-- vmalloc_storm.lua - vmalloc/vfree on four CPUs at once.
-- Shows: lazy freeing of vmalloc areas (freed areas stay mapped as
-- "unpurged" until lazy_max_pages is exceeded), then the purge, which
-- flushes every CPU's TLB with a shootdown (counted by the host as
-- "vmap purge").  Sizes are drawn from the seeded PRNG.
-- pagelab: cpus=4 ram=512M

local function stats() return machine.stats().shootdowns end

-- A few areas held and freed: they show up unpurged in vmallocinfo.
local hs = mm.vmalloc(8192, { count = 4 })
mm.vfree(hs)
local unpurged = 0
for _, a in ipairs(report.vmallocinfo()) do
  if a.unpurged then unpurged = unpurged + 1 end
end
print("unpurged areas after 4 vfrees: " .. unpurged)

local before = stats()
local rounds = {}
for cpu = 0, machine.cpus() - 1 do
  rounds[cpu] = function(c)
    local pages = 0
    for i = 1, 60 do
      local size = machine.random(16, 256) * 4096
      local h = mm.vmalloc(size)
      mm.touch(h, { pattern = i })
      mm.vfree(h)
      pages = pages + size // 4096
    end
    return pages
  end
end
local pages = mm.parallel(rounds)
local after = stats()
for cpu = 0, machine.cpus() - 1 do
  print(string.format("cpu%d: 60 vmalloc/touch/vfree rounds, %d pages", cpu, pages[cpu]))
end
print(string.format("vmap purge shootdowns: %d (total shootdowns %d, max %d cycles)",
                    after.vmap_purge - before.vmap_purge, after.count - before.count, after.max_cycles))

-- The pair operation: vmalloc+vfree of 1 MiB 200 times on each CPU, in the guest.
mm.parallel(function(cpu) mm.vmalloc_vfree(1 << 20, 200) end)
print(string.format("after 4 x 200 vmalloc_vfree(1M): %d vmap purge shootdowns",
                    stats().vmap_purge - before.vmap_purge))
print("invariant violations: " .. mm.check())
