-- A bad argument on line 3 (after some output).
print("before")
mm.kmalloc("big")
