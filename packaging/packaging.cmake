# packaging.cmake - Debian packages with CPack (cpack -G DEB), one per
# install component:
#
#   lib   -> libprocid0      the shared library                  (libs)
#   dev   -> libprocid-dev   header, static library, .so link,
#                            procid.pc, CMake package, libprocid(3) (libdevel)
#   cli   -> procid          the command, procid(1), completions (utils)
#   guard -> procguard       the checker, procguard(1), hook and
#                            CI scripts, grammars built in        (devel)
#
# Configure a package build with the Debian paths, then run cpack:
#   cmake -S . -B build-deb -DCMAKE_INSTALL_PREFIX=/usr -DPROCID_BUILD_TESTS=OFF
#   cmake --build build-deb && (cd build-deb && cpack -G DEB)
# The package test (tests/package/deb.sh) does exactly that, then installs,
# runs, lints and removes the packages.

set(PROCID_DEB_MAINTAINER
    "The procid authors <maintainers@users.noreply.r-seed-1548d8c5.example>"
    CACHE STRING "Maintainer field of the Debian packages")

# procguard opens libclang with dlopen, so dpkg-shlibdeps cannot see it:
# name the packages that hold the libclang, its builtin headers and the
# tree-sitter runtime this build uses (dpkg -S), falling back to Debian 12's.
function(_procid_deb_owner path fallback out)
  set(pkg "${fallback}")
  find_program(PROCID_DPKG_QUERY dpkg-query)
  if(PROCID_DPKG_QUERY AND EXISTS "${path}")
    get_filename_component(real "${path}" REALPATH)
    execute_process(COMMAND ${PROCID_DPKG_QUERY} -S "${real}"
                    OUTPUT_VARIABLE owner RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0 AND owner MATCHES "^([^:, ]+)")
      set(pkg "${CMAKE_MATCH_1}")
    endif()
  endif()
  set(${out} "${pkg}" PARENT_SCOPE)
endfunction()

set(CPACK_PACKAGE_NAME procid)
# Each package's first description line is its own synopsis. CPackDeb
# prepends the summary to every package unless it is CPack's default, so the
# summary is set to exactly that default.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_VENDOR "The procid authors")
set(CPACK_PACKAGE_CONTACT "${PROCID_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/procid/procid")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_SET_DESTDIR ON) # install(CODE) sees the real prefix (procid.pc)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL lib dev cli)
if(PROCID_BUILD_GUARD)
  list(APPEND CPACK_COMPONENTS_ALL guard)
endif()

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PROCID_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS OFF)
set(_procid_exact "(= ${PROJECT_VERSION})")

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libprocid0)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
# shlibs (CPackDeb reads these two globally; only libprocid0 has a shared
# object) and the ldconfig trigger Debian wants from a library package
# (CPack's own postinst/postrm ldconfig calls remain: lintian warns, it does
# not fail).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
configure_file(${CMAKE_CURRENT_LIST_DIR}/libprocid0.triggers
               ${CMAKE_CURRENT_BINARY_DIR}/deb-lib/triggers COPYONLY)
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_BINARY_DIR}/deb-lib/triggers)
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_LIB_DESCRIPTION "library for PIDs pinned to the exact process
libprocid records a process's identity (PID, start time, boot id and, on
Linux 6.9+, the pidfs inode) instead of its bare PID, writes pidfiles
atomically, reads them defensively, and signals only the verified process
(on Linux through a pidfd, with no window between check and kill).

This package contains the shared library.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libprocid-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libprocid0 ${_procid_exact}")
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF) # only the .so link and a .a
set(CPACK_DEBIAN_DEV_DESCRIPTION "library for PIDs pinned to the exact process (development files)
libprocid records a process's identity (PID, start time, boot id and, on
Linux 6.9+, the pidfs inode) instead of its bare PID, writes pidfiles
atomically, reads them defensively, and signals only the verified process.

This package contains the header, the static library, the pkg-config file,
the CMake package (procid::procid, procid::procid_static) and libprocid(3).")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME procid)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
# dpkg-shlibdeps cannot resolve a sibling package built in the same run: it
# is told where the library is (-l) and libprocid0 is named here; libc comes
# from shlibdeps.
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "libprocid0 ${_procid_exact}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
set(CPACK_DEBIAN_CLI_DESCRIPTION "pidfiles that cannot point at the wrong process
procid writes, checks and signals pidfiles that record a process's identity
(PID, start time, boot id, pidfs inode), not only its PID: a PID recycled
by the kernel for another process is reported as dead and never signalled.
Status exit codes follow the LSB init-script conventions; line 1 of the
pidfile stays the bare PID that systemd, pgrep -F and start-stop-daemon
read.")

if(PROCID_BUILD_GUARD)
  _procid_deb_owner("${PG_LIBCLANG_LIBRARY}" libclang1-14 _procid_libclang_pkg)
  _procid_deb_owner("${PG_CLANG_RESOURCE_DIR}/include/stddef.h"
                    libclang-common-14-dev _procid_clang_headers_pkg)
  find_library(_procid_ts_lib NAMES tree-sitter HINTS ${TREESITTER_LIBRARY_DIRS}
               NO_CACHE)
  _procid_deb_owner("${_procid_ts_lib}" libtree-sitter0 _procid_ts_pkg)
  set(CPACK_DEBIAN_GUARD_PACKAGE_NAME procguard)
  set(CPACK_DEBIAN_GUARD_PACKAGE_SECTION devel)
  set(CPACK_DEBIAN_GUARD_PACKAGE_DEPENDS
      "${_procid_libclang_pkg}, ${_procid_clang_headers_pkg}, ${_procid_ts_pkg}")
  set(CPACK_DEBIAN_GUARD_PACKAGE_RECOMMENDS git)
  set(CPACK_DEBIAN_GUARD_DESCRIPTION "checker that confines raw /proc access to reviewed sites
procguard finds every string literal that names /proc in C, C++ and Python
code (after macro expansion and literal concatenation, with libclang and a
compile database; in inactive #if branches and Python with tree-sitter)
and accepts it only where a portability: comment says why and the file is
on the project's allowlist. Output is GCC-style text, JSON or SARIF 2.1.0.

libclang is loaded at run time (dlopen) when a compile database is given;
the tree-sitter grammars for C, C++ and Python are built in.")
endif()

include(CPack)
