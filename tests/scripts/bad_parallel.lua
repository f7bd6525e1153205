-- A failed operation on cpu 1 inside mm.parallel (line 4), a bad gfp word (never reached).
mm.parallel{
  [0] = function() mm.kmalloc(64) end,
  [1] = function() mm.alloc_pages(11) end,
}
mm.kmalloc(64, "GFP_NOPE")
