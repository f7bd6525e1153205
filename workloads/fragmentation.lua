-- fragmentation.lua - external fragmentation from order-0 churn.
-- Shows: a small machine's memory taken page by page (order 0, in batches),
-- then every other page (by pfn) given back.  Half the memory is free again, yet
-- buddyinfo has nothing above order 0 and every high-order allocation fails
-- (ENOMEM, returned by mm.try instead of raised) once the few larger blocks
-- the min watermark kept back are claimed too.  Freeing the rest merges
-- the buddies back into order-10 blocks.
-- pagelab: cpus=1 ram=64M

local NOWARN = "GFP_KERNEL|__GFP_NOWARN"

local function show(label)
  local b = report.buddyinfo().Normal
  local parts = {}
  for order = 0, 10 do parts[#parts + 1] = string.format("%5d", b[order]) end
  print(string.format("%-22s%s", label, table.concat(parts)))
end

local function try_orders(label)
  local ok = {}
  for order = 0, 6 do
    local h = mm.try.alloc_pages(order, NOWARN)
    ok[#ok + 1] = h and "ok" or "--"
    if h then mm.free_pages(h) end
  end
  print(string.format("%-22s%s", label, table.concat(ok, " ")))
end

print(string.format("%-22s%s", "Normal, by order:", "    0    1    2    3    4    5    6    7    8    9   10"))
show("boot")
try_orders("orders 0..6 at boot:")

-- Take every free page, 1,000 at a time (GFP_ATOMIC may dip below the
-- min watermark), until a batch fails; then the last larger blocks.
local ATOMIC = "GFP_ATOMIC|__GFP_NOWARN"
local held, big = {}, {}
repeat
  local hs, pfns = mm.try.alloc_pages(0, ATOMIC, { count = 1000 })
  for i, h in ipairs(hs) do if h then held[#held + 1] = { h = h, pfn = pfns[i] } end end
until mm.last().failed > 0
print(string.format("held %d order-0 pages; nr_free now %d (below the min watermark)",
                    #held, mm.nr_free()))
show("all taken")

-- Give back every other page by pfn: no two free pages are buddies.
table.sort(held, function(a, b) return a.pfn < b.pfn end)
local odd, even = {}, {}
for i, e in ipairs(held) do
  if i % 2 == 1 then odd[#odd + 1] = e.h else even[#even + 1] = e.h end
end
mm.free_pages(odd)
mm.drain_pcp()
print(string.format("freed %d pages (every other one); nr_free %d", #odd, mm.nr_free()))
-- The few larger blocks the watermark kept back are usable now: claim them.
for order = 10, 1, -1 do
  repeat
    local h = mm.try.alloc_pages(order, NOWARN)
    big[#big + 1] = h or nil
  until not h
end
print(string.format("claimed the %d larger blocks left", #big))
show("every other freed")
try_orders("orders 0..6 now:")

mm.free_pages(even)
mm.free_pages(big)
mm.drain_pcp()
show("all freed")
try_orders("orders 0..6 at the end:")
print("invariant violations: " .. mm.check())
