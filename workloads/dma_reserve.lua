-- dma_reserve.lua - DMA-zone exhaustion and lowmem_reserve.
-- Shows: the DMA zone's protection (lowmem_reserve) against allocations
-- that could have used a higher zone; GFP_DMA allocations draining the DMA
-- zone until they fail, while GFP_KERNEL still succeeds from Normal; and a
-- Normal-zone allocation never falling back into DMA below its reserve.
-- pagelab: cpus=1 ram=128M

local NOWARN = "__GFP_NOWARN"
local z = report.zoneinfo()
local dma = z.DMA
print(string.format("DMA: %d pages free, watermarks min %d low %d high %d",
                    dma.pages_free, dma.min, dma.low, dma.high))
print(string.format("DMA protection (lowmem_reserve) against DMA, Normal, HighMem: %d, %d, %d",
                    dma.protection[0], dma.protection[1], dma.protection[2]))

-- Drain the DMA zone with GFP_DMA order-0 allocations.
local held = {}
repeat
  local hs = mm.try.alloc_pages(0, "GFP_DMA|" .. NOWARN, { count = 256 })
  for _, h in ipairs(hs) do if h then held[#held + 1] = h end end
until mm.last().failed > 0
print(string.format("GFP_DMA: %d pages until ENOMEM; DMA now has %d pages free",
                    #held, report.zoneinfo().DMA.pages_free))
local h, err = mm.try.alloc_pages(0, "GFP_DMA|" .. NOWARN)
print("one more GFP_DMA page: " .. tostring(h) .. ", " .. tostring(err))
local k = mm.alloc_pages(0, "GFP_KERNEL")
print("GFP_KERNEL still works: pfn " .. select(2, mm.handle_info(k)))
mm.free_pages(k)
mm.free_pages(held)
mm.drain_pcp()

-- Fill Normal: GFP_KERNEL may fall back to DMA only down to DMA's
-- min watermark plus its protection against Normal.
local normal = {}
repeat
  local hs = mm.try.alloc_pages(0, "GFP_KERNEL|" .. NOWARN, { count = 1000 })
  for _, x in ipairs(hs) do if x then normal[#normal + 1] = x end end
until mm.last().failed > 0
local d = report.zoneinfo().DMA
print(string.format("GFP_KERNEL: %d pages until ENOMEM; DMA kept %d free (min %d + reserve %d = %d)",
                    #normal, d.pages_free, d.min, d.protection[1], d.min + d.protection[1]))
mm.free_pages(normal)
mm.drain_pcp()
print("invariant violations: " .. mm.check())
