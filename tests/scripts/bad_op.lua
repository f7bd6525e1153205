-- An unhandled failed operation: a double free on line 5.
local h = mm.alloc_pages(2)
print("handle " .. h)
mm.free_pages(h)
mm.free_pages(h)
