# Generates the message table from core/text/*.json (one file per area of the core, each an object of
# "code": {"en": ..., "zh": ...}): messages.hpp (enum class Msg, one id per code, "kv.group.tokens" ->
# Msg::kv_group_tokens) and messages.cpp (each code and its English template). The page reads the same
# files for its Chinese templates.
#   cmake -DTEXT_DIR=core/text -DOUT_DIR=<dir> -P cmake/messages.cmake
cmake_policy(SET CMP0057 NEW)  # IN_LIST
file(GLOB files ${TEXT_DIR}/*.json)
list(SORT files)
set(enum_lines "")
set(table_lines "")
set(seen "")
foreach(file ${files})
file(READ ${file} text)
string(JSON count LENGTH "${text}")
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON key MEMBER "${text}" ${i})
  if(NOT key MATCHES "^[a-z0-9_]+(\\.[a-z0-9_]+)*$")
    message(FATAL_ERROR "messages.json: code '${key}' must be lower-case words joined by dots")
  endif()
  string(JSON en ERROR_VARIABLE missing GET "${text}" "${key}" en)
  if(missing)
    message(FATAL_ERROR "messages.json: '${key}' has no English template")
  endif()
  string(FIND "${en}" ")vpmsg\"" bad)
  if(NOT bad EQUAL -1)
    message(FATAL_ERROR "messages.json: '${key}' contains the raw-string delimiter")
  endif()
  if("${key}" IN_LIST seen)
    message(FATAL_ERROR "${file}: code '${key}' is defined twice")
  endif()
  list(APPEND seen "${key}")
  string(REPLACE "." "_" ident "${key}")
  string(APPEND enum_lines "  ${ident},\n")
  string(APPEND table_lines "    {\"${key}\", R\"vpmsg(${en})vpmsg\"},\n")
endforeach()
endforeach()
set(hpp "// Generated from core/text/*.json by cmake/messages.cmake. Do not edit.
#pragma once
#include <cstdint>

namespace vramplan {

enum class Msg : std::uint16_t {
  none,
${enum_lines}  count
};

}  // namespace vramplan
")
set(cpp "// Generated from core/text/*.json by cmake/messages.cmake. Do not edit.
#include \"vramplan/common/text.hpp\"

namespace vramplan {
namespace {
struct Entry {
  const char* code;
  const char* en;
};
const Entry kMessages[] = {
    {\"\", \"\"},
${table_lines}};
static_assert(sizeof(kMessages) / sizeof(kMessages[0]) == static_cast<unsigned>(Msg::count), \"table out of step\");
}  // namespace

const char* code(Msg id) { return kMessages[static_cast<unsigned>(id)].code; }
const char* english_template(Msg id) { return kMessages[static_cast<unsigned>(id)].en; }

}  // namespace vramplan
")
file(WRITE ${OUT_DIR}/vramplan/common/messages.hpp.tmp "${hpp}")
file(COPY_FILE ${OUT_DIR}/vramplan/common/messages.hpp.tmp ${OUT_DIR}/vramplan/common/messages.hpp ONLY_IF_DIFFERENT)
file(WRITE ${OUT_DIR}/messages.cpp.tmp "${cpp}")
file(COPY_FILE ${OUT_DIR}/messages.cpp.tmp ${OUT_DIR}/messages.cpp ONLY_IF_DIFFERENT)
