# treesitter.cmake - target pg_treesitter: the system libtree-sitter runtime
# plus the tree-sitter grammars procguard parses with, fetched with
# `npm pack`, checked against pinned integrity hashes and compiled from the
# tarballs.
#
# The grammars are generated code and are never committed. They land in
# PG_GRAMMAR_DIR (default <build>/_grammars): the .tgz tarballs, a private npm
# cache, and the extracted sources. A tarball already there whose hash matches
# is used as is, without npm or network: that is how offline and package
# builds work. Fetch once with ci/grammars.sh DIR (which runs this file in
# script mode: `cmake -DPG_GRAMMAR_DIR=DIR -P guard/cmake/treesitter.cmake`),
# then configure with -DPG_GRAMMAR_DIR=DIR. Both paths run the same fetch and
# the same integrity check below; configure checks again before it unpacks.
#
# A grammar is one entry: its _pg_ts_<name>_* pins below and its name in
# _pg_ts_grammars.
#
# tree-sitter-cpp's parser.c is large (about 30 MB): the first build of
# pg_treesitter takes a few minutes.

# Pinned from `npm view <pkg>@<version> dist.integrity` (sha512, base64); the
# hex form is what file(SHA512) produces. Bump version, integrity and hex
# together, and check the new grammar's LANGUAGE_VERSION against the runtime.
set(_pg_ts_c_package tree-sitter-c)
set(_pg_ts_c_version 0.23.6)
set(_pg_ts_c_integrity "sha512-0dxXKznVyUA0s6PjNolJNs2yF87O5aL538A/eR6njA5oqX3C3vH4vnx3QdOKwuUdpKEcFdHuiDpRKLLCA/tjvQ==")
set(_pg_ts_c_sha512 d1dc572b39d5c94034b3a3e336894936cdb217cecee5a2f9dfc03f791ea78c0e68a97dc2def1f8be7c7741d38ac2e51da4a11c15d1ee883a5128b2c203fb63bd)
set(_pg_ts_c_sources src/parser.c)

set(_pg_ts_python_package tree-sitter-python)
set(_pg_ts_python_version 0.23.6)
set(_pg_ts_python_integrity "sha512-yIM9z0oxKIxT7bAtPOhgoVl6gTXlmlIhue7liFT4oBPF/lha7Ha4dQBS82Av6hMMRZoVnFJI8M6mL+SwWoLD3A==")
set(_pg_ts_python_sha512 c8833dcf4a31288c53edb02d3ce860a1597a8135e59a5221b9eee58854f8a013c5fe585aec76b8750052f3602fea130c459a159c5248f0cea62fe4b05a82c3dc)
set(_pg_ts_python_sources src/parser.c src/scanner.c)

# ABI 14: loads with Debian 12's libtree-sitter 0.20.7 (ABI 13 to 14).
set(_pg_ts_cpp_package tree-sitter-cpp)
set(_pg_ts_cpp_version 0.23.4)
set(_pg_ts_cpp_integrity "sha512-qR5qUDyhZ5jJ6V8/umiBxokRbe89bCGmcq/dk94wI4kN86qfdV8k0GHIUEKaqWgcu42wKal5E97LKpLeVW8sKw==")
set(_pg_ts_cpp_sha512 a91e6a503ca16798c9e95f3fba6881c689116def3d6c21a672afdd93de3023890df3aa9f755f24d061c850429aa9681cbb8db029a97913decb2a92de556f2c2b)
set(_pg_ts_cpp_sources src/parser.c src/scanner.c)

set(_pg_ts_grammars c cpp python)

if(CMAKE_SCRIPT_MODE_FILE)
  if(NOT PG_GRAMMAR_DIR)
    message(FATAL_ERROR "usage: cmake -DPG_GRAMMAR_DIR=DIR -P ${CMAKE_CURRENT_LIST_FILE}")
  endif()
  get_filename_component(PG_GRAMMAR_DIR "${PG_GRAMMAR_DIR}" ABSOLUTE)
else()
  set(PG_GRAMMAR_DIR "${CMAKE_BINARY_DIR}/_grammars" CACHE PATH
      "Where the tree-sitter grammar tarballs are fetched to and unpacked")
endif()

function(_pg_ts_tarball_ok tgz expected out)
  set(ok FALSE)
  if(EXISTS "${tgz}")
    file(SHA512 "${tgz}" actual)
    if(actual STREQUAL expected)
      set(ok TRUE)
    endif()
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

# Fetch every grammar whose verified tarball is not already in
# PG_GRAMMAR_DIR, with one `npm pack` and a private cache (the user's npm
# cache and config stay untouched).
set(_pg_ts_missing)
foreach(g IN LISTS _pg_ts_grammars)
  set(tgz "${PG_GRAMMAR_DIR}/${_pg_ts_${g}_package}-${_pg_ts_${g}_version}.tgz")
  _pg_ts_tarball_ok("${tgz}" "${_pg_ts_${g}_sha512}" ok)
  if(NOT ok AND EXISTS "${tgz}")
    # Never used, never overwritten in place: kept aside for inspection.
    file(SHA512 "${tgz}" actual)
    file(RENAME "${tgz}" "${tgz}.rejected")
    message(WARNING
      "procguard: ${tgz} does not match its pinned integrity "
      "${_pg_ts_${g}_integrity}\n  expected sha512 ${_pg_ts_${g}_sha512}\n"
      "  got      ${actual}\nMoved to ${tgz}.rejected; fetching it again.")
  endif()
  if(NOT ok)
    list(APPEND _pg_ts_missing "${_pg_ts_${g}_package}@${_pg_ts_${g}_version}")
  endif()
endforeach()

if(_pg_ts_missing)
  list(JOIN _pg_ts_missing " " _pg_ts_missing_text)
  find_program(PG_NPM npm)
  if(NOT PG_NPM)
    message(FATAL_ERROR
      "procguard: npm is needed to fetch the tree-sitter grammars "
      "(${_pg_ts_missing_text}) and was not found. Install it with "
      "`ci/deps.sh guard`, or put the tarballs in ${PG_GRAMMAR_DIR} "
      "(ci/grammars.sh DIR on a machine that has npm, then "
      "-DPG_GRAMMAR_DIR=DIR), or configure with -DPROCID_BUILD_GUARD=OFF.")
  endif()
  message(STATUS "procguard: fetching ${_pg_ts_missing_text} with npm pack")
  file(MAKE_DIRECTORY "${PG_GRAMMAR_DIR}")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env
            npm_config_update_notifier=false npm_config_fund=false
            npm_config_audit=false
            "${PG_NPM}" pack ${_pg_ts_missing}
            --pack-destination "${PG_GRAMMAR_DIR}"
            --cache "${PG_GRAMMAR_DIR}/npm-cache"
            --fetch-retries=1 --loglevel=error
    WORKING_DIRECTORY "${PG_GRAMMAR_DIR}"
    RESULT_VARIABLE _pg_ts_rc
    OUTPUT_VARIABLE _pg_ts_out
    ERROR_VARIABLE _pg_ts_out
    TIMEOUT 300)
  if(NOT _pg_ts_rc EQUAL 0)
    # npm's first lines name the cause (ENOTFOUND, ECONNREFUSED, E404); the
    # stack trace after them does not help here.
    string(SUBSTRING "${_pg_ts_out}" 0 400 _pg_ts_out)
    message(FATAL_ERROR
      "procguard: `npm pack ${_pg_ts_missing_text}` failed (${_pg_ts_rc}); the "
      "build needs the npm registry once to fetch the tree-sitter grammars "
      "(offline: fetch them once with ci/grammars.sh DIR and configure with "
      "-DPG_GRAMMAR_DIR=DIR). npm said:\n"
      "${_pg_ts_out}")
  endif()
endif()

# The integrity check, whoever put the tarballs there (this configure,
# ci/grammars.sh, or a packager by hand).
foreach(g IN LISTS _pg_ts_grammars)
  set(tgz "${PG_GRAMMAR_DIR}/${_pg_ts_${g}_package}-${_pg_ts_${g}_version}.tgz")
  _pg_ts_tarball_ok("${tgz}" "${_pg_ts_${g}_sha512}" ok)
  if(NOT ok)
    set(actual "(missing)")
    if(EXISTS "${tgz}")
      file(SHA512 "${tgz}" actual)
      # A bad tarball must not be picked up again as if it were verified.
      file(RENAME "${tgz}" "${tgz}.rejected")
    endif()
    message(FATAL_ERROR
      "procguard: ${tgz} does not match its pinned integrity "
      "${_pg_ts_${g}_integrity}\n  expected sha512 ${_pg_ts_${g}_sha512}\n"
      "  got      ${actual}\nRefusing to build generated code that was not "
      "verified; the file was moved to ${tgz}.rejected.")
  endif()
  if(CMAKE_SCRIPT_MODE_FILE)
    message(STATUS "verified ${tgz}")
  endif()
endforeach()
if(CMAKE_SCRIPT_MODE_FILE)
  return() # fetch-and-verify only: no runtime, no targets
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(TREESITTER REQUIRED IMPORTED_TARGET tree-sitter)

# The ABI range the installed runtime accepts, from its own header.
find_file(_pg_ts_api_h tree_sitter/api.h HINTS ${TREESITTER_INCLUDE_DIRS}
          NO_CACHE REQUIRED)
file(STRINGS "${_pg_ts_api_h}" _pg_ts_abi_max
     REGEX "^#define TREE_SITTER_LANGUAGE_VERSION [0-9]+")
file(STRINGS "${_pg_ts_api_h}" _pg_ts_abi_min
     REGEX "^#define TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION [0-9]+")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _pg_ts_abi_max "${_pg_ts_abi_max}")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _pg_ts_abi_min "${_pg_ts_abi_min}")
if(NOT _pg_ts_abi_max MATCHES "^[0-9]+$" OR NOT _pg_ts_abi_min MATCHES "^[0-9]+$")
  message(FATAL_ERROR "procguard: cannot read the tree-sitter ABI range from "
          "${_pg_ts_api_h}; is libtree-sitter-dev installed? (ci/deps.sh guard)")
endif()

set(_pg_ts_all_sources)
foreach(g IN LISTS _pg_ts_grammars)
  set(name "${_pg_ts_${g}_package}-${_pg_ts_${g}_version}")
  set(tgz "${PG_GRAMMAR_DIR}/${name}.tgz")

  # Unpack once per verified hash; the stamp keeps reconfigures cheap and
  # the timestamps (and so the build) stable.
  set(dir "${PG_GRAMMAR_DIR}/${name}")
  set(stamp "${dir}/.procguard-sha512")
  set(have "")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" have)
  endif()
  if(NOT have STREQUAL _pg_ts_${g}_sha512)
    file(REMOVE_RECURSE "${dir}")
    file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}"
         PATTERNS package/src)
    file(WRITE "${stamp}" "${_pg_ts_${g}_sha512}")
  endif()
  set(src "${dir}/package/src")

  file(STRINGS "${src}/parser.c" abi REGEX "^#define LANGUAGE_VERSION [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" abi "${abi}")
  if(NOT abi MATCHES "^[0-9]+$"
     OR abi LESS _pg_ts_abi_min OR abi GREATER _pg_ts_abi_max)
    message(FATAL_ERROR
      "procguard: ${name} was generated for tree-sitter ABI '${abi}', but the "
      "installed runtime (${_pg_ts_api_h}) accepts ${_pg_ts_abi_min} to "
      "${_pg_ts_abi_max}; pin a grammar version generated for that range.")
  endif()

  foreach(s IN LISTS _pg_ts_${g}_sources)
    list(APPEND _pg_ts_all_sources "${dir}/package/${s}")
  endforeach()
endforeach()

# The grammars' own headers (tree_sitter/parser.h) sit under each src/ and
# are identical for one generator, but keep each source on its own tree.
add_library(pg_treesitter STATIC ${_pg_ts_all_sources})
foreach(g IN LISTS _pg_ts_grammars)
  set(dir "${PG_GRAMMAR_DIR}/${_pg_ts_${g}_package}-${_pg_ts_${g}_version}")
  foreach(s IN LISTS _pg_ts_${g}_sources)
    set_source_files_properties("${dir}/package/${s}" PROPERTIES
      INCLUDE_DIRECTORIES "${dir}/package/src")
  endforeach()
endforeach()
# Generated code: not ours to warn about, and never -Werror. Replacing the
# inherited options also leaves out PROCID_SANITIZE instrumentation, as for
# the system runtime these grammars plug into.
set_property(TARGET pg_treesitter PROPERTY COMPILE_OPTIONS -w)
set_property(TARGET pg_treesitter PROPERTY C_EXTENSIONS ON)
set_property(TARGET pg_treesitter PROPERTY POSITION_INDEPENDENT_CODE ON)
target_link_libraries(pg_treesitter PUBLIC PkgConfig::TREESITTER)
