-- numa.lua - NUMA placement with two (fake) nodes.
-- Shows: each CPU's node; allocations from the local node by default
-- (numa_hit/numa_local), explicit node= placement, and the numa_miss /
-- numa_foreign counters when a node is asked for but memory comes from
-- the other.  Run with --nodes 2 (the header asks for it).
-- pagelab: cpus=2 ram=1G nodes=2

local function counters(node, zone)
  local z = report.zoneinfo().nodes[node][zone]
  return string.format("node %d %s: free %d, numa_hit %d, numa_miss %d, numa_foreign %d, numa_local %d, numa_other %d",
                       node, zone, z.pages_free, z.numa_hit, z.numa_miss, z.numa_foreign,
                       z.numa_local, z.numa_other)
end

for cpu = 0, machine.cpus() - 1 do
  print(string.format("cpu%d is on node %d", cpu, mm.cpu_node(cpu)))
end
print(counters(0, "Normal"))
print(counters(1, "Normal"))

-- Default placement: each CPU allocates from its own node.
local got = mm.parallel(function(cpu)
  local hs = mm.alloc_pages(2, nil, { count = 50 })
  local _, pfn = mm.handle_info(hs[1])
  mm.free_pages(hs)
  return pfn
end)
local b = report.zoneinfo()
print(string.format("cpu0's first page: pfn %d; cpu1's: pfn %d (node 1 starts at pfn %d)",
                    got[0], got[1], b.nodes[1].Normal.start_pfn))

-- Explicit placement from cpu 0 on node 1.
local remote = mm.alloc_pages(0, nil, { cpu = 0, node = 1, count = 100 })
print(string.format("100 pages for node 1 asked on cpu0: first pfn %d", select(2, mm.handle_info(remote[1]))))
mm.free_pages(remote)
print(counters(0, "Normal"))
print(counters(1, "Normal"))
print("node 1 HighMem: " .. report.buddyinfo().nodes[1].HighMem.free[10] .. " free order-10 blocks")
print("invariant violations: " .. mm.check())
