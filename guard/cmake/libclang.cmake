# libclang.cmake - target pg_libclang: libclang's C API (Index.h), dlopen and
# the library to open (PG_LIBCLANG_PATH / _SONAME), pthreads for -j, and
# PG_CLANG_RESOURCE_DIR, the builtin-header directory libclang
# needs for stddef.h and friends (it does not find them on its own when
# loaded from a tool).
#
# Search order: the cache variables PG_LIBCLANG_INCLUDE_DIR /
# PG_LIBCLANG_LIBRARY, then LLVM_CONFIG (or llvm-config on PATH), then the
# Debian LLVM 14 layout, then the usual system locations.

find_package(Threads REQUIRED)

set(PG_LLVM_HINT_DIRS /usr/lib/llvm-14)
find_program(LLVM_CONFIG NAMES llvm-config-14 llvm-config
             HINTS /usr/lib/llvm-14/bin
             DOC "llvm-config used to locate libclang")
if(LLVM_CONFIG)
  execute_process(COMMAND ${LLVM_CONFIG} --prefix
                  OUTPUT_VARIABLE _pg_llvm_prefix
                  OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _pg_llvm_rc)
  if(_pg_llvm_rc EQUAL 0 AND _pg_llvm_prefix)
    list(APPEND PG_LLVM_HINT_DIRS ${_pg_llvm_prefix})
  endif()
endif()

find_path(PG_LIBCLANG_INCLUDE_DIR clang-c/Index.h
          HINTS ${PG_LLVM_HINT_DIRS}
          PATH_SUFFIXES include
          DOC "Directory holding clang-c/Index.h")
find_library(PG_LIBCLANG_LIBRARY NAMES clang libclang clang-14
             HINTS ${PG_LLVM_HINT_DIRS}
             PATH_SUFFIXES lib
             DOC "libclang shared library")

if(NOT PG_LIBCLANG_INCLUDE_DIR OR NOT PG_LIBCLANG_LIBRARY)
  message(FATAL_ERROR
    "procguard needs libclang (clang-c/Index.h and libclang.so) and did not "
    "find it (header: '${PG_LIBCLANG_INCLUDE_DIR}', library: "
    "'${PG_LIBCLANG_LIBRARY}'). Install the Debian package libclang-dev "
    "(apt-get install libclang-dev), or set PG_LIBCLANG_INCLUDE_DIR and "
    "PG_LIBCLANG_LIBRARY, or LLVM_CONFIG, or configure with "
    "-DPROCID_BUILD_GUARD=OFF.")
endif()

# The builtin headers: ask clang first, as its own driver would use them;
# otherwise look beside libclang (<libdir>/clang/<version>/include).
if(NOT PG_CLANG_RESOURCE_DIR)
  find_program(PG_CLANG_EXECUTABLE NAMES clang-14 clang
               HINTS /usr/lib/llvm-14/bin)
  if(PG_CLANG_EXECUTABLE)
    execute_process(COMMAND ${PG_CLANG_EXECUTABLE} -print-resource-dir
                    OUTPUT_VARIABLE _pg_rd
                    OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE _pg_rd_rc ERROR_QUIET)
    if(_pg_rd_rc EQUAL 0 AND EXISTS "${_pg_rd}/include/stddef.h")
      set(_pg_resource_dir "${_pg_rd}")
    endif()
  endif()
  if(NOT _pg_resource_dir)
    # Both the directory named (Debian: /usr/lib/llvm-14/lib) and the one
    # the symlink resolves to.
    get_filename_component(_pg_libdir "${PG_LIBCLANG_LIBRARY}" DIRECTORY)
    get_filename_component(_pg_libreal "${PG_LIBCLANG_LIBRARY}" REALPATH)
    get_filename_component(_pg_libreal "${_pg_libreal}" DIRECTORY)
    file(GLOB _pg_rd_candidates "${_pg_libdir}/clang/*/include/stddef.h"
                                "${_pg_libreal}/clang/*/include/stddef.h")
    if(_pg_rd_candidates)
      list(SORT _pg_rd_candidates COMPARE NATURAL ORDER DESCENDING)
      list(GET _pg_rd_candidates 0 _pg_rd)
      get_filename_component(_pg_rd "${_pg_rd}" DIRECTORY)
      get_filename_component(_pg_resource_dir "${_pg_rd}" DIRECTORY)
    endif()
  endif()
  if(NOT _pg_resource_dir)
    message(FATAL_ERROR
      "procguard: found libclang (${PG_LIBCLANG_LIBRARY}) but not its "
      "builtin headers (<resource-dir>/include/stddef.h). Install the "
      "Debian packages clang and libclang-dev, or set "
      "PG_CLANG_RESOURCE_DIR to the output of `clang -print-resource-dir`.")
  endif()
  set(PG_CLANG_RESOURCE_DIR "${_pg_resource_dir}" CACHE PATH
      "clang resource directory passed to libclang as -resource-dir")
endif()

message(STATUS "procguard: libclang ${PG_LIBCLANG_LIBRARY}, "
               "resource dir ${PG_CLANG_RESOURCE_DIR}")

# procguard opens libclang with dlopen when -p asks for it (libclang.c):
# the path found here, and its soname for when that path is gone.
get_filename_component(_pg_libclang_real "${PG_LIBCLANG_LIBRARY}" REALPATH)
set(_pg_libclang_soname "")
if(CMAKE_OBJDUMP)
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${_pg_libclang_real}"
                  OUTPUT_VARIABLE _pg_objdump RESULT_VARIABLE _pg_objdump_rc
                  ERROR_QUIET)
  if(_pg_objdump_rc EQUAL 0 AND _pg_objdump MATCHES "SONAME +([^\n ]+)")
    set(_pg_libclang_soname "${CMAKE_MATCH_1}")
  endif()
endif()

add_library(pg_libclang INTERFACE)
target_include_directories(pg_libclang SYSTEM INTERFACE
                           ${PG_LIBCLANG_INCLUDE_DIR})
target_link_libraries(pg_libclang INTERFACE ${CMAKE_DL_LIBS} Threads::Threads)
target_compile_definitions(pg_libclang INTERFACE
  PG_CLANG_RESOURCE_DIR="${PG_CLANG_RESOURCE_DIR}"
  PG_LIBCLANG_PATH="${_pg_libclang_real}"
  PG_LIBCLANG_SONAME="${_pg_libclang_soname}")
