-- demo.lua - the default demo: a short tour of the scripting API.
-- Shows: page allocations of several orders and their effect on buddyinfo,
-- kmalloc batches (count=) and slabinfo, vmalloc with its vmallocinfo line,
-- both CPUs allocating at once (mm.parallel), a churn pair operation with
-- its guest cost, and the invariant checker at the end.
-- pagelab: cpus=2 ram=1G

local function order_counts(zone)
  local b = report.buddyinfo()[zone]
  local parts = {}
  for order = 0, 10 do parts[#parts + 1] = tostring(b[order]) end
  return table.concat(parts, " ")
end

print(string.format("machine: %d CPUs, %d MiB", machine.cpus(), machine.ram() >> 20))
print("Normal free blocks by order:   " .. order_counts("Normal"))

-- Pages of orders 0..4 on CPU 0, then free them.
local pages = {}
for order = 0, 4 do
  local h, pfn = mm.alloc_pages(order)
  pages[#pages + 1] = h
  print(string.format("alloc_pages(%d) -> handle %d, pfn %d, %d guest instructions",
                      order, h, pfn, mm.last().insns))
end
print("after the allocations:         " .. order_counts("Normal"))
mm.free_pages(pages)

-- 100 kmalloc(192) in one batch: watch the size-192 cache grow.
local objs = mm.kmalloc(192, "GFP_KERNEL", { count = 100 })
local c = report.slabinfo()["size-192"]
print(string.format("100 x kmalloc(192): size-192 has %d active objects in %d slabs",
                    c.active_objs, c.active_slabs))
print(string.format("the batch took %d guest instructions (%d per kmalloc)",
                    mm.last().insns, mm.last().insns // 100))
mm.kfree(objs)

-- vmalloc: an area in vmallocinfo, written and read back through its mapping.
local v, addr = mm.vmalloc(40000)
print(string.format("vmalloc(40000) at 0x%08x; touch checked %d bytes", addr, mm.touch(v)))
for _, a in ipairs(report.vmallocinfo()) do
  if a.start == addr then print(string.format("vmallocinfo: %d bytes, %d pages", a.size, a.pages)) end
end
mm.vfree(v)

-- Both CPUs at once: each allocates and frees 2,000 order-0 pages.
local done = mm.parallel(function(cpu)
  local n = mm.alloc_free_pages(0, 2000)
  return n
end)
print(string.format("parallel churn: cpu0 %d pairs, cpu1 %d pairs", done[0], done[1]))
for cpu = 0, machine.cpus() - 1 do
  print(string.format("cpu%d: %d cycles per alloc+free pair", cpu, mm.last(cpu).cycles // 2000))
end

print("per-CPU list of CPU 0: " .. report.zoneinfo().Normal.pagesets[0].count .. " pages")
print("invariant violations: " .. mm.check())
