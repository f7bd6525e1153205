-- error() with a level of 0 and a non-string error: both get a position.
local function f() error("no position", 0) end
local ok, e = pcall(f)
print(e)
error({ code = 1 })
