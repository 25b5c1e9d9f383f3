// The embind table: JSON text in, JSON text out, exactly the functions of core/include/vramplan/api.hpp.
// Nothing clever lives here; errors are values ({"error": {...}}) that vramplan.js turns into one
// JS Error class. The core never throws on bad input, so this is built with -fno-exceptions.
#include <emscripten/bind.h>

#include <string>

#include "vramplan/api.hpp"
#if defined(VRAMPLAN_HAS_FIT_TEXT) && __has_include("vramplan/fit.hpp")
#include "vramplan/fit.hpp"
#endif
#if defined(VRAMPLAN_HAS_PLAN_TEXT) && __has_include("vramplan/planner.hpp")
#include "vramplan/planner.hpp"
#endif
#if defined(VRAMPLAN_HAS_TRAIN_TEXT) && __has_include("vramplan/training.hpp")
#include "vramplan/training.hpp"
#endif

namespace {

std::string catalog_text(const std::string& which) { return vramplan::dump_json(vramplan::catalog_json(which)); }

}  // namespace

EMSCRIPTEN_BINDINGS(vramplan) {
  emscripten::function("estimate", &vramplan::estimate_text);
  emscripten::function("sweep", &vramplan::sweep_text);
  emscripten::function("catalog", &catalog_text);
  // Bound automatically once the core declares them (wasm/CMakeLists.txt greps the headers); until then
  // the JS wrapper answers with an `unsupported` error.
#ifdef VRAMPLAN_HAS_FIT_TEXT
  emscripten::function("fit", &vramplan::fit_text);
#endif
#ifdef VRAMPLAN_HAS_PLAN_TEXT
  emscripten::function("plan", &vramplan::plan_text);
#endif
#ifdef VRAMPLAN_HAS_TRAIN_TEXT
  emscripten::function("train", &vramplan::train_text);
#endif
}
