# ci/mingw-w64.cmake - CMake toolchain for cross-compiling libprocid to
# 64-bit Windows with Debian's gcc-mingw-w64-x86-64.
#
#   cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE=ci/mingw-w64.cmake
#
# MINGW_PREFIX overrides the tool prefix (e.g. i686-w64-mingw32 for 32-bit).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

if(NOT MINGW_PREFIX)
  set(MINGW_PREFIX x86_64-w64-mingw32)
endif()

# Prefer the -win32 thread model variant where both are installed: it needs
# no winpthread DLL at run time, and libprocid uses no threads of its own.
find_program(_procid_mingw_cc NAMES ${MINGW_PREFIX}-gcc-win32 ${MINGW_PREFIX}-gcc)
if(NOT _procid_mingw_cc)
  message(FATAL_ERROR "${MINGW_PREFIX}-gcc not found; install gcc-mingw-w64-x86-64 (ci/deps.sh cross)")
endif()
set(CMAKE_C_COMPILER ${_procid_mingw_cc})
set(CMAKE_RC_COMPILER ${MINGW_PREFIX}-windres)

# Look for headers and libraries only in the target's sysroot, for programs
# (cmake's helpers) only on the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
