// The module's exports, registered with embind: JSON text in, JSON text out, exactly the text entry points
// of the core (api/api.hpp), so the wasm and the native CLI answer
// with the same bytes. Nothing clever lives here; errors are values ({"error": {...}}) that vramplan.js
// turns into one JS Error class. The core never throws on bad input, so this is built with
// -fno-exceptions, and with embind's no-RTTI mode (-fno-rtti -DEMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0).
// There is no training entry point in the core yet: vramplan.js answers train() with `unsupported`.
// Built twice (wasm/CMakeLists.txt): vramplan_core with every entry point, and vramplan_calc, the page's
// first-visit module, without the planner (VRAMPLAN_WASM_CALCULATOR), so the linker drops its code.
#include <emscripten/bind.h>

#include <string>

#include "vramplan/api/api.hpp"
#include "vramplan/api/json_read.hpp"

namespace {

std::string catalog_text(const std::string& which) { return vramplan::dump_json(vramplan::catalog_json(which)); }

}  // namespace

EMSCRIPTEN_BINDINGS(vramplan) {
  emscripten::function("estimate", &vramplan::estimate_text);
  emscripten::function("sweep", &vramplan::sweep_text);
  emscripten::function("catalog", &catalog_text);
  emscripten::function("fit", &vramplan::fit_text);
#ifndef VRAMPLAN_WASM_CALCULATOR
  emscripten::function("perf", &vramplan::perf_text);
  emscripten::function("plan", &vramplan::plan_text);
#endif
  // A pasted config.json as JSON the page can parse: Python's bare NaN / Infinity become strings the core reads.
  emscripten::function("standard_json", &vramplan::standard_json);
}
