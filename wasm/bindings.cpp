// The module's exports: JSON text in, JSON text out, exactly the functions of core/include/vramplan/api/api.hpp
// (plus fit/plan/train when bound). Plain C exports rather than embind: embind's runtime was ~5 KB of the
// page's gzipped weight for six string -> string functions. vramplan.js copies the request into the heap
// (malloc), calls vp_<name>, and reads the NUL-terminated result, which stays valid until the next call.
// Nothing clever lives here; errors are values ({"error": {...}}) that vramplan.js turns into one JS Error
// class. The core never throws on bad input, so this is built with -fno-exceptions.
#include <emscripten/emscripten.h>

#include <string>

#include "vramplan/api/api.hpp"
#if defined(VRAMPLAN_HAS_FIT_TEXT) && __has_include("vramplan/serving/fit.hpp")
#include "vramplan/serving/fit.hpp"
#endif
#if defined(VRAMPLAN_HAS_PLAN_TEXT) && __has_include("vramplan/serving/planner.hpp")
#include "vramplan/serving/planner.hpp"
#endif
#if defined(VRAMPLAN_HAS_TRAIN_TEXT) && __has_include("vramplan/serving/training.hpp")
#include "vramplan/serving/training.hpp"
#endif

namespace {

std::string last_result;  // the text the last call returned; the module is single-threaded

const char* give(std::string text) {
  last_result = std::move(text);
  return last_result.c_str();
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* vp_estimate(const char* request) { return give(vramplan::estimate_text(request)); }
EMSCRIPTEN_KEEPALIVE const char* vp_sweep(const char* request) { return give(vramplan::sweep_text(request)); }
EMSCRIPTEN_KEEPALIVE const char* vp_catalog(const char* which) {
  return give(vramplan::dump_json(vramplan::catalog_json(which)));
}
// Exported automatically once the core declares them (wasm/CMakeLists.txt greps the headers); until then
// the JS wrapper answers with an `unsupported` error.
#ifdef VRAMPLAN_HAS_FIT_TEXT
EMSCRIPTEN_KEEPALIVE const char* vp_fit(const char* request) { return give(vramplan::fit_text(request)); }
#endif
#ifdef VRAMPLAN_HAS_PLAN_TEXT
EMSCRIPTEN_KEEPALIVE const char* vp_plan(const char* request) { return give(vramplan::plan_text(request)); }
#endif
#ifdef VRAMPLAN_HAS_TRAIN_TEXT
EMSCRIPTEN_KEEPALIVE const char* vp_train(const char* request) { return give(vramplan::train_text(request)); }
#endif

}  // extern "C"
