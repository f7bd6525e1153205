-- A syntax error on line 3.
print("never")
local x = = 1
