# ACCURACY.md must be what `vramplan accuracy tests/reference/cases.json tests/reference/serving_cases.json` prints now.
execute_process(COMMAND ${CLI} accuracy ${SRC}/tests/reference/cases.json ${SRC}/tests/reference/serving_cases.json RESULT_VARIABLE rc OUTPUT_VARIABLE now)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vramplan accuracy failed (exit ${rc})")
endif()
file(READ ${SRC}/ACCURACY.md committed)
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "ACCURACY.md is stale: run  build/dev/bin/vramplan accuracy tests/reference/cases.json tests/reference/serving_cases.json > ACCURACY.md")
endif()
