-- pcp_lists.lua - the per-CPU page lists (pagesets).
-- Shows: order-0 frees going to the freeing CPU's list (count grows up to
-- high, then batch pages go back to the buddy lists); allocations served
-- from the list; another CPU's list untouched; drain_pcp emptying it.
-- pagelab: cpus=2 ram=256M

local function pcp(cpu) return report.zoneinfo().Normal.pagesets[cpu] end
local p0 = pcp(0)
print(string.format("Normal pageset: high %d, batch %d", p0.high, p0.batch))
mm.drain_pcp({ cpu = 0 })
mm.drain_pcp({ cpu = 1 })
print(string.format("after draining: cpu0 %d, cpu1 %d pages", pcp(0).count, pcp(1).count))

-- One allocation refills the list with a batch.
local h = mm.alloc_pages(0, nil, { cpu = 0 })
print(string.format("1 allocation on cpu0: list holds %d (a batch of %d, minus the page)",
                    pcp(0).count, p0.batch))
mm.free_pages(h, { cpu = 0 })

-- Frees pile up to high, then a batch goes back to the buddy allocator.
local hs = mm.alloc_pages(0, nil, { cpu = 1, count = 400 })
for _, n in ipairs({ 50, 100, 150, 200, 250 }) do
  local part = {}
  for i = n - 49, n do part[#part + 1] = hs[i] end
  mm.free_pages(part, { cpu = 0 })
  print(string.format("freed %3d pages on cpu0: cpu0 list %3d, cpu1 list %3d",
                      n, pcp(0).count, pcp(1).count))
end
local rest = {}
for i = 251, 400 do rest[#rest + 1] = hs[i] end
mm.free_pages(rest, { cpu = 1 })
print(string.format("freed 150 on cpu1: cpu1 list %d", pcp(1).count))
print(string.format("drain_pcp on cpu0 gave back %d pages; list now %d",
                    mm.drain_pcp({ cpu = 0 }), pcp(0).count))
print("invariant violations: " .. mm.check())
