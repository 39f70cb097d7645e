# CI's gates (scripts/gate.sh), one ctest test each: `gate.NAME`, label
# `gate`, so that `ctest --preset asan -L gate` runs everything CI requires
# (the unit tests have the label too) and scripts/test.sh is setup + that.
# Campaigns, which measure (exec/s, time to find, benchmarks), are labelled
# `campaign` as well. A gate runs alone (RUN_SERIAL): it measures or uses
# both cores; one that says "shared" in the list (a check of results on one
# core) runs beside other tests; one that says "beside" (fuzzing on one
# core within a time limit) runs beside a unit test but holds the lock
# `fuzz-work` (build/fuzz/work), so never beside another fuzz gate. The fuzz
# gates need the fuzz preset, which gate.fuzz-build builds first (fixture
# `fuzz-preset`).
if(NOT MEMCONFORM_GATES)
  return()
endif()

set(gate_script ${PROJECT_SOURCE_DIR}/scripts/gate.sh)
execute_process(COMMAND bash ${gate_script} --list OUTPUT_VARIABLE gates OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE listed)
if(NOT listed EQUAL 0)
  message(FATAL_ERROR "scripts/gate.sh --list failed (${listed})")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${gate_script})
string(REPLACE "\n" ";" gates "${gates}")

foreach(line IN LISTS gates)  # NAME NEEDS [campaign|shared|beside]
  string(REPLACE " " ";" fields "${line}")
  list(GET fields 0 gate)
  list(GET fields 1 needs)
  add_test(NAME gate.${gate} COMMAND bash ${gate_script} ${gate} ${CMAKE_BINARY_DIR}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set(labels gate)
  if("campaign" IN_LIST fields)
    list(APPEND labels campaign)
  endif()
  set_tests_properties(gate.${gate} PROPERTIES LABELS "${labels}" TIMEOUT 1800)
  if("beside" IN_LIST fields)
    set_tests_properties(gate.${gate} PROPERTIES RESOURCE_LOCK fuzz-work)
  elseif(NOT "shared" IN_LIST fields)
    set_tests_properties(gate.${gate} PROPERTIES RUN_SERIAL TRUE)
  endif()
  if(needs STREQUAL "builds-fuzz")
    set_tests_properties(gate.${gate} PROPERTIES FIXTURES_SETUP fuzz-preset)
  elseif(needs STREQUAL "fuzz")
    set_tests_properties(gate.${gate} PROPERTIES FIXTURES_REQUIRED fuzz-preset)
  endif()
endforeach()
