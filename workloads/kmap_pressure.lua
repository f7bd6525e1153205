-- kmap_pressure.lua - permanent kmaps of highmem pages beyond the pkmap slots.
-- Shows: 1,200 highmem pages (ZONE_HIGHMEM exists above 896 MiB, so this
-- needs RAM > 896 MiB) kmapped in rounds of 400 and unmapped; the pkmap
-- window has 1,024 slots, so the rounds wrap around it and
-- flush_all_zero_pkmaps runs, with a "kmap flush" TLB shootdown; and
-- kmap_atomic, which never needs a slot.
-- pagelab: cpus=2 ram=1G

local pages = mm.alloc_pages(0, "GFP_HIGHUSER", { count = 1200 })
local _, pfn = mm.handle_info(pages[1])
print(string.format("1200 highmem pages, the first at pfn %d (highmem starts at pfn %d)",
                    pfn, report.zoneinfo().HighMem.start_pfn))

local before = machine.stats().shootdowns.kmap_flush
for round = 0, 2 do
  local batch = {}
  for i = 1, 400 do batch[i] = pages[round * 400 + i] end
  local maps = mm.kmap(batch)
  local bytes = mm.touch(maps, { pattern = round })
  mm.kunmap(maps)
  local sum = 0
  for _, b in ipairs(bytes) do sum = sum + b end
  print(string.format("round %d: 400 kmaps, %d bytes written and checked, kmap flushes so far %d",
                      round, sum, machine.stats().shootdowns.kmap_flush - before))
end

local addrs = mm.kmap_atomic({ pages[1], pages[2], pages[3] }, { pattern = 9 })
print(string.format("kmap_atomic uses the fixmap: 0x%08x", addrs[1]))
mm.free_pages(pages)
print("invariant violations: " .. mm.check())
