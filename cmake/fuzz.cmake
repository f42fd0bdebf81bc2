# fuzz.cmake — the libFuzzer harnesses of tests/fuzz/ (docs/fuzzing.md).
#
# Every tests/fuzz/fuzz_<parser>.c defines LLVMFuzzerTestOneInput. It is built
#   - always: as fuzz_replay_<parser>, linked with tests/fuzz/replay.c, and
#     registered as the ctest test fuzz-replay/<parser>, which runs it over
#     every file of tests/fuzz/corpus/<parser>/ (seeds and saved crash
#     inputs), so `make test` and `make test-asan` replay the corpora;
#   - with -DIPRSHIELD_FUZZ=ON (clang): as fuzz_<parser>, a libFuzzer
#     binary (target `fuzz`), against libraries compiled with
#     -fsanitize=fuzzer-no-link,address,undefined (see CMakeLists.txt).
#     `make fuzz-smoke` builds and runs them for a bounded time.
file(GLOB FUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
if(IPRSHIELD_FUZZ)
  add_custom_target(fuzz)
endif()
foreach(src IN LISTS FUZZ_HARNESSES)
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" parser ${name})
  set(corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${parser})
  if(IPRSHIELD_FUZZ)
    add_executable(${name} EXCLUDE_FROM_ALL ${src})
    target_compile_options(${name} PRIVATE ${IPS_WARNINGS} -Wno-missing-prototypes)
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)
    target_link_libraries(${name} PRIVATE ips_http)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    add_dependencies(fuzz ${name})
  else()
    add_executable(fuzz_replay_${parser} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay.c)
    target_compile_options(fuzz_replay_${parser} PRIVATE ${IPS_WARNINGS} -Wno-missing-prototypes)
    target_include_directories(fuzz_replay_${parser} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)
    target_link_libraries(fuzz_replay_${parser} PRIVATE ips_http)
    add_test(NAME fuzz-replay/${parser} COMMAND fuzz_replay_${parser} ${corpus})
    set_tests_properties(fuzz-replay/${parser} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
endforeach()
