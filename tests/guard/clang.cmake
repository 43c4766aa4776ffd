# tests/guard/clang.cmake - the compile database reader and the libclang
# pass (include()d from tests/guard/CMakeLists.txt).
#
# The fixtures violate the /proc rule on purpose; they live only under
# tests/guard/clang_fixtures/, which the self-check excludes
# (allowlist/proc.ignore). The test writes its compile_commands.json to a
# temporary directory at run time, with absolute paths to the fixtures.
add_executable(test_clang_pass ${CMAKE_CURRENT_LIST_DIR}/test_clang_pass.c)
target_link_libraries(test_clang_pass PRIVATE pg_core PkgConfig::CMOCKA)
target_compile_definitions(test_clang_pass PRIVATE
  PG_CLANG_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/clang_fixtures")
add_test(NAME clang_pass COMMAND test_clang_pass)
