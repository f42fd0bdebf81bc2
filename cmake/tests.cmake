# tests.cmake — every test, registered with ctest. Unit tests are cmocka
# programs (tests/unit/test_*.c, one per module); e2e and browser tests are
# Node.js programs that start the real binary.
if(NOT CMOCKA_FOUND)
  message(FATAL_ERROR "cmocka not found: run scripts/install-deps.sh")
endif()

# Fixture code the unit tests share (tests/unit/support/*.c, e.g. testdb.h:
# a fresh migrated store per test). Not tests themselves: the glob below
# registers only tests/unit/test_*.c.
file(GLOB UNIT_SUPPORT_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/support/*.c)
add_library(ips_testsupport STATIC ${UNIT_SUPPORT_SRC})
target_include_directories(ips_testsupport PUBLIC ${CMAKE_SOURCE_DIR}/tests/unit/support)
target_compile_options(ips_testsupport PRIVATE ${IPS_WARNINGS})
target_link_libraries(ips_testsupport PUBLIC ips_http PkgConfig::CMOCKA)

file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src IN LISTS UNIT_TESTS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${IPS_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(${name} PRIVATE ips_testsupport ips_http PkgConfig::CMOCKA)
  add_test(NAME unit/${name} COMMAND ${name})
  set_tests_properties(unit/${name} PROPERTIES TIMEOUT 600 LABELS unit)
endforeach()

# The PostgreSQL backend: a throw-away cluster (scripts/pg-test-cluster.sh)
# is started before and stopped after the tests labelled pg; every unit test
# program named in tests/unit/postgres.list runs a second time against it
# (testdb.c gives each test a schema of its own).
set(PG_CLUSTER ${CMAKE_SOURCE_DIR}/scripts/pg-test-cluster.sh)
set(PG_STATE ${CMAKE_BINARY_DIR}/pg-test)
add_test(NAME pg/cluster_start COMMAND ${PG_CLUSTER} start ${PG_STATE})
add_test(NAME pg/cluster_stop COMMAND ${PG_CLUSTER} stop ${PG_STATE})
set_tests_properties(pg/cluster_start PROPERTIES FIXTURES_SETUP pg LABELS pg TIMEOUT 120)
set_tests_properties(pg/cluster_stop PROPERTIES FIXTURES_CLEANUP pg LABELS pg TIMEOUT 120)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CMAKE_SOURCE_DIR}/tests/unit/postgres.list)
file(STRINGS ${CMAKE_SOURCE_DIR}/tests/unit/postgres.list PG_UNIT_TESTS REGEX "^test_[a-z_0-9]+$")
foreach(name IN LISTS PG_UNIT_TESTS)
  add_test(NAME pg/unit/${name} COMMAND ${PG_CLUSTER} run ${PG_STATE} $<TARGET_FILE:${name}>)
  set_tests_properties(pg/unit/${name} PROPERTIES TIMEOUT 600 LABELS "unit;pg"
    FIXTURES_REQUIRED pg)
endforeach()

add_test(NAME lint/banned_functions
         COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-banned.sh ${CMAKE_SOURCE_DIR}/src)
set_tests_properties(lint/banned_functions PROPERTIES LABELS lint)

find_program(NODE node)
file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/*.test.mjs)
foreach(t IN LISTS E2E_TESTS)
  get_filename_component(name ${t} NAME_WE)
  add_test(NAME e2e/${name} COMMAND ${NODE} --test ${t})
  set_tests_properties(e2e/${name} PROPERTIES TIMEOUT 900 LABELS e2e
    ENVIRONMENT "IPRSHIELD_BIN=$<TARGET_FILE:iprshield>;IPRSHIELD_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp")
endforeach()

# ips_pg_twins(KIND TIMEOUT LABELS ENV [RUN_SERIAL]): the Node.js programs
# of tests/KIND named in tests/KIND/postgres.list run a second time, as
# pg/KIND/<name>, inside the throw-away cluster (each server on a fresh
# PostgreSQL schema: tests/e2e/lib.mjs testDbUrl, tests/browser/lib.mjs testDb).
function(ips_pg_twins kind timeout labels env)
  set(list ${CMAKE_SOURCE_DIR}/tests/${kind}/postgres.list)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list})
  file(STRINGS ${list} names REGEX "^[a-z_0-9]+$")
  foreach(name IN LISTS names)
    add_test(NAME pg/${kind}/${name}
             COMMAND ${PG_CLUSTER} run ${PG_STATE} ${NODE} --test
                     ${CMAKE_SOURCE_DIR}/tests/${kind}/${name}.test.mjs)
    set_tests_properties(pg/${kind}/${name} PROPERTIES TIMEOUT ${timeout} LABELS "${labels}"
      FIXTURES_REQUIRED pg ENVIRONMENT "${env}")
    if(ARGN)
      set_tests_properties(pg/${kind}/${name} PROPERTIES ${ARGN} TRUE)
    endif()
  endforeach()
endfunction()

ips_pg_twins(e2e 900 "e2e;pg"
  "IPRSHIELD_BIN=$<TARGET_FILE:iprshield>;IPRSHIELD_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp")

file(GLOB BROWSER_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/browser/*.test.mjs)
foreach(t IN LISTS BROWSER_TESTS)
  get_filename_component(name ${t} NAME_WE)
  add_test(NAME browser/${name} COMMAND ${NODE} --test ${t})
  set_tests_properties(browser/${name} PROPERTIES TIMEOUT 900 LABELS browser RUN_SERIAL TRUE
    ENVIRONMENT "IPRSHIELD_BIN=$<TARGET_FILE:iprshield>;IPRSHIELD_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp;IPRSHIELD_SCREENSHOTS=${CMAKE_BINARY_DIR}/test-output/screenshots")
endforeach()

ips_pg_twins(browser 900 "browser;pg"
  "IPRSHIELD_BIN=$<TARGET_FILE:iprshield>;IPRSHIELD_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp;IPRSHIELD_SCREENSHOTS=${CMAKE_BINARY_DIR}/test-output/screenshots-pg"
  RUN_SERIAL)

include(${CMAKE_SOURCE_DIR}/cmake/fuzz.cmake)
