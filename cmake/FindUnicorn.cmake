# Finds Unicorn >= 2.1 (static), preferring the project-local prefix that
# cmake/setup-deps.sh unpacks into .deps/unicorn.  Defines the imported
# target Unicorn::unicorn.  Older versions are refused with a clear message.
set(_uc_hint "${PAGELAB_DEPS_DIR}/unicorn/usr")
find_path(UNICORN_INCLUDE_DIR unicorn/unicorn.h
          HINTS "${_uc_hint}/include" NO_DEFAULT_PATH)
find_path(UNICORN_INCLUDE_DIR unicorn/unicorn.h)
find_library(UNICORN_STATIC_LIB NAMES libunicorn.a
             HINTS "${_uc_hint}/lib/x86_64-linux-gnu" "${_uc_hint}/lib" NO_DEFAULT_PATH)
find_library(UNICORN_STATIC_LIB NAMES libunicorn.a)

set(_uc_howto "Run `bash cmake/setup-deps.sh` as root (it unpacks Unicorn 2.1.1 into .deps/).")
if(NOT UNICORN_INCLUDE_DIR OR NOT UNICORN_STATIC_LIB)
  message(FATAL_ERROR "pagelab needs Unicorn >= 2.1 (static library), not found. ${_uc_howto}")
endif()
file(STRINGS "${UNICORN_INCLUDE_DIR}/unicorn/unicorn.h" _uc_ver REGEX "#define UC_API_(MAJOR|MINOR|PATCH) ")
string(REGEX REPLACE ".*UC_API_MAJOR ([0-9]+).*" "\\1" UNICORN_VERSION_MAJOR "${_uc_ver}")
string(REGEX REPLACE ".*UC_API_MINOR ([0-9]+).*" "\\1" UNICORN_VERSION_MINOR "${_uc_ver}")
string(REGEX REPLACE ".*UC_API_PATCH ([0-9]+).*" "\\1" UNICORN_VERSION_PATCH "${_uc_ver}")
set(UNICORN_VERSION "${UNICORN_VERSION_MAJOR}.${UNICORN_VERSION_MINOR}.${UNICORN_VERSION_PATCH}")
if(UNICORN_VERSION VERSION_LESS 2.1)
  message(FATAL_ERROR "Unicorn ${UNICORN_VERSION} at ${UNICORN_INCLUDE_DIR} is too old: "
                      "pagelab needs >= 2.1 (2.0 cannot run a paging kernel). ${_uc_howto}")
endif()
message(STATUS "Unicorn ${UNICORN_VERSION}: ${UNICORN_STATIC_LIB}")
add_library(Unicorn::unicorn STATIC IMPORTED)
set_target_properties(Unicorn::unicorn PROPERTIES
  IMPORTED_LOCATION "${UNICORN_STATIC_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${UNICORN_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;m")
