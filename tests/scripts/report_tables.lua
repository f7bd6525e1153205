-- The report tables against their own text: every number of every line,
-- parsed here with Lua patterns, equals the table's value.  Live slab
-- objects, vmalloc areas and a vmap first, so that no report is trivial.
-- pagelab: cpus=2 ram=1G nodes=2
local cache = mm.kmem_cache_create("tables", 300)
local objs = mm.kmem_cache_alloc(cache, nil, { count = 50 })
local v = mm.vmalloc(100000)
local pages = mm.alloc_pages(0, nil, { count = 3 })
local vm = mm.vmap(pages)
local held = mm.alloc_pages(1, nil, { count = 37 })

local function nums(s)
  local t = {}
  for n in s:gmatch("%d+") do t[#t + 1] = tonumber(n) end
  return t
end
local checked = {}
local function eq(name, a, b, what)
  if a ~= b then error(string.format("%s: %s: table %s, text %s", name, what, tostring(a), tostring(b)), 2) end
  checked[name] = (checked[name] or 0) + 1
end

-- buddyinfo: t.nodes[n][z].free[order]; t[z] the sum over nodes
local text, t, sums = report.text("buddyinfo"), report.buddyinfo(), {}
for node, zone, rest in text:gmatch("Node (%d+), zone +(%a+) ([^\n]*)") do
  for i, n in ipairs(nums(rest)) do
    eq("buddyinfo", t.nodes[tonumber(node)][zone].free[i - 1], n, zone .. " order " .. (i - 1))
    sums[zone] = sums[zone] or {}
    sums[zone][i - 1] = (sums[zone][i - 1] or 0) + n
  end
end
for zone, s in pairs(sums) do for o, n in pairs(s) do eq("buddyinfo", t[zone][o], n, zone .. " sum") end end

-- pagetypeinfo: free lists by type and order, block counts by type
text, t = report.text("pagetypeinfo"), report.pagetypeinfo()
for node, zone, type, rest in text:gmatch("Node +(%d+), zone +(%a+), type +(%a+)([^\n]*)") do
  for i, n in ipairs(nums(rest)) do
    eq("pagetypeinfo", t.nodes[tonumber(node)][zone].free[type][i - 1], n, zone .. " " .. type)
  end
end
local types = {}
for ty in text:match("Number of blocks type([^\n]*)"):gmatch("%a+") do types[#types + 1] = ty end
for line in text:gmatch("[^\n]+") do
  local node, zone, rest = line:match("^Node (%d+), zone +(%a+)( +[%d ]+)$")
  if node then
    for i, n in ipairs(nums(rest)) do
      eq("pagetypeinfo", t.nodes[tonumber(node)][zone].blocks[types[i]], n, zone .. " blocks " .. types[i])
    end
  end
end
eq("pagetypeinfo", t.page_block_order, tonumber(text:match("Page block order: (%d+)")), "order")

-- zoneinfo: each zone's lines, in order
text, t = report.text("zoneinfo"), report.zoneinfo()
local blocks = {}
for b in text:gmatch("(Node %d[^\n]*\n[^N]*)") do blocks[#blocks + 1] = b end
local i = 0
for _, block in ipairs(blocks) do
  i = i + 1
  local z = t[i]
  local node, zone = block:match("^Node (%d+), zone +(%a+)")
  eq("zoneinfo", z.node, tonumber(node), "node")
  eq("zoneinfo", z.zone, zone, "zone")
  eq("zoneinfo", z.pages_free, tonumber(block:match("pages free +(%d+)")), zone .. " pages free")
  for _, k in ipairs({ "min", "low", "high", "spanned", "present", "managed" }) do
    eq("zoneinfo", z[k], tonumber(block:match("\n +" .. k .. " +(%d+)")), zone .. " " .. k)
  end
  local p = nums(block:match("protection: %(([^)]*)%)"))
  for k, n in ipairs(p) do eq("zoneinfo", z.protection[k - 1], n, zone .. " protection") end
  for cpu, count, high, batch in block:gmatch("cpu: (%d+)\n +count: +(%d+)\n +high: +(%d+)\n +batch: +(%d+)") do
    local ps = z.pagesets[tonumber(cpu)]
    eq("zoneinfo", ps.count, tonumber(count), "count")
    eq("zoneinfo", ps.high, tonumber(high), "high")
    eq("zoneinfo", ps.batch, tonumber(batch), "batch")
  end
  local hit = block:match("numa_hit +(%d+)")
  if hit then eq("zoneinfo", z.numa_hit, tonumber(hit), "numa_hit") end
end
eq("zoneinfo", #t, i, "zones")

-- slabinfo: every cache line
text, t = report.text("slabinfo"), report.slabinfo()
local n = 0
for name, rest in text:gmatch("\n([%w%-%(%)]+) +([%d :a-z]+)") do
  n = n + 1
  local v = nums(rest)
  local c = t[name]
  eq("slabinfo", t[n], c, "order")
  local fields = { "active_objs", "num_objs", "objsize", "objperslab", "pagesperslab", "limit",
                   "batchcount", "sharedfactor", "active_slabs", "num_slabs", "sharedavail" }
  for k, f in ipairs(fields) do eq("slabinfo", c[f], v[k], name .. " " .. f) end
end
eq("slabinfo", t.tables.active_objs >= 50, true, "tables cache: the 50 live objects")

-- vmallocinfo: every area
text, t = report.text("vmallocinfo"), report.vmallocinfo()
n = 0
for s, e, size, rest in text:gmatch("0x(%x+)%-0x(%x+) +(%d+)([^\n]*)") do
  n = n + 1
  eq("vmallocinfo", t[n].start, tonumber(s, 16), "start")
  eq("vmallocinfo", t[n]["end"], tonumber(e, 16), "end")
  eq("vmallocinfo", t[n].size, tonumber(size), "size")
  local pg = rest:match("pages=(%d+)")
  if pg then eq("vmallocinfo", t[n].pages, tonumber(pg), "pages") end
  eq("vmallocinfo", t[n].vmap or false, rest:find(" vmap") ~= nil, "vmap flag")
end
eq("vmallocinfo", #t, n, "areas")

for _, name in ipairs(report.names()) do
  print(string.format("%s: %d values match", name, checked[name] or 0))
end
print("errors: " .. tostring(report.buddyinfo().errors))
