# Toolchain file for the pagelab guest kernel: freestanding i386 ELF built with
# the host gcc in 32-bit mode (gcc-multilib) and linked with ld -m elf_i386.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i386)
set(CMAKE_C_COMPILER gcc)
set(CMAKE_ASM_COMPILER gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(_guest_flags "-m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdlib -fno-builtin -fno-omit-frame-pointer -mno-sse -mno-mmx -mno-80387 -fno-asynchronous-unwind-tables")
set(CMAKE_C_FLAGS_INIT "${_guest_flags}")
set(CMAKE_ASM_FLAGS_INIT "-m32")
set(CMAKE_C_LINK_EXECUTABLE "ld -m elf_i386 <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_ASM_LINK_EXECUTABLE "ld -m elf_i386 <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
