# The CLI contract of API.md: exit 0/2/1, one JSON document on stdout with --json, a message on stderr.
set(fixtures ${CMAKE_CURRENT_LIST_DIR}/fixtures)

function(run_cli expect_rc out_var err_var)
  execute_process(COMMAND ${CLI} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "vramplan ${ARGN}: exit ${rc}, expected ${expect_rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

# A valid request file: exit 0, JSON with the API.md fields.
run_cli(0 out err estimate ${fixtures}/qwq-32b-16k.json --json)
string(JSON kv GET "${out}" kv_cache bytes)
if(NOT kv EQUAL 4194304000)
  message(FATAL_ERROR "QwQ-32B 16k KV: ${kv}, expected 4194304000 (64 x 2 x 8 x 128 x 2 B x 16000)")
endif()
foreach(path "params;total" "params;active" "weights;bytes" "kv_cache;bytes_per_token" "per_gpu;0;total" "per_gpu;0;capacity" "fits" "engine_report" "warnings")
  string(JSON value ERROR_VARIABLE missing GET "${out}" ${path})
  if(missing)
    message(FATAL_ERROR "result lacks ${path}: ${missing}")
  endif()
endforeach()

# Same request from stdin, as a table.
execute_process(COMMAND ${CLI} estimate - INPUT_FILE ${fixtures}/qwq-32b-16k.json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Fits on")
  message(FATAL_ERROR "stdin table: exit ${rc}\n${out}")
endif()

# Malformed JSON: exit 2, the error object on stdout, a message on stderr.
run_cli(2 out err estimate ${fixtures}/malformed.json --json)
string(JSON code GET "${out}" error code)
if(NOT code STREQUAL "invalid_json" OR err STREQUAL "")
  message(FATAL_ERROR "malformed JSON: code '${code}', stderr '${err}'")
endif()

# Bad values through flags: exit 2 naming the field.
run_cli(2 out err estimate --model Qwen/QwQ-32B --context -5 --json)
string(JSON field GET "${out}" error field)
if(NOT field STREQUAL "workload.context_tokens")
  message(FATAL_ERROR "negative context: field '${field}'")
endif()
run_cli(2 out err estimate --model no-such-model)
if(NOT err MATCHES "unknown model")
  message(FATAL_ERROR "unknown model: stderr '${err}'")
endif()
run_cli(2 out err estimate --model Qwen/QwQ-32B --gpu no-such-gpu --json)
string(JSON code GET "${out}" error code)
if(NOT code STREQUAL "unknown_gpu")
  message(FATAL_ERROR "unknown gpu: code '${code}'")
endif()
run_cli(2 out err estimate ${fixtures}/does-not-exist.json)
run_cli(2 out err frobnicate)

# The catalog as JSON.
run_cli(0 out err catalog gpus --json)
string(JSON n LENGTH "${out}" gpus)
if(n LESS 40)
  message(FATAL_ERROR "catalog gpus: ${n} entries")
endif()
run_cli(0 out err catalog models)
