-- slab_churn.lua - slab caches under churn.
-- Shows: six caches of different object sizes and alignments, objects
-- allocated in batches and freed in an interleaved order so slabs end up
-- partially full; slabinfo (as a table) after each phase; kmalloc churn
-- over the general caches; caches destroyed at the end (EBUSY while objects
-- are live, handled with mm.try).
-- pagelab: cpus=2 ram=256M

local sizes = { 24, 72, 200, 520, 1500, 3000 }
local caches, objs = {}, {}

for i, size in ipairs(sizes) do
  local name = "churn-" .. size
  caches[i] = mm.kmem_cache_create(name, size, { align = (i % 2 == 0) and 64 or 0 })
  objs[i] = mm.kmem_cache_alloc(caches[i], "GFP_KERNEL", { count = 300 })
end

local function show(label)
  local s = report.slabinfo()
  print(label)
  for _, size in ipairs(sizes) do
    local c = s["churn-" .. size]
    print(string.format("  %-12s objsize %5d, %3d per slab, %4d/%4d objects active, %3d/%3d slabs",
                        c.name, c.objsize, c.objperslab, c.active_objs, c.num_objs,
                        c.active_slabs, c.num_slabs))
  end
end
show("after 300 allocations per cache:")

-- Free two objects out of three: partially full slabs everywhere.
for i = 1, #sizes do
  local drop = {}
  for k, h in ipairs(objs[i]) do
    if k % 3 ~= 0 then drop[#drop + 1] = h; objs[i][k] = false end
  end
  mm.kmem_cache_free(drop)
end
show("after freeing two objects out of three:")

-- A cache with live objects cannot be destroyed.
local ok, err = mm.try.kmem_cache_destroy(caches[1])
print("destroy with live objects: " .. tostring(ok) .. ", " .. tostring(err))

-- kmalloc churn over the general caches, both CPUs at once.
mm.parallel(function(cpu)
  for _, size in ipairs({ 8, 32, 96, 128, 256, 512, 1024, 2048, 4096 }) do
    mm.kmalloc_kfree(size, 200)
  end
end)
local s = report.slabinfo()
print(string.format("general caches after churn: size-32 %d objects, size-4096 %d objects",
                    s["size-32"].num_objs, s["size-4096"].num_objs))

for i = 1, #sizes do
  mm.kmem_cache_free(objs[i])
  mm.kmem_cache_destroy(caches[i])
end
print("caches left: " .. (report.slabinfo()["churn-24"] and "some" or "none"))
print("invariant violations: " .. mm.check())
