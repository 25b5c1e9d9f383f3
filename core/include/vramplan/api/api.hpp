#pragma once
// JSON request -> structs -> core -> JSON result, shared by the CLI, the wasm module and the tests.
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/common/error.hpp"
#include "vramplan/engines/estimate.hpp"
#include "vramplan/import/catalog.hpp"

namespace vramplan {

nlohmann::json error_json(const Error& e);

// A coded text as JSON: {"code": "...", "message": "<English>", <the values it mentions>...}; values that are
// texts themselves nest as {"code", <values>} (no message), lists of texts as arrays. An empty text is null.
void to_json(nlohmann::json& j, const Text& text);
// What the engine itself would report (EngineReport), as the result's engine_report object.
nlohmann::json report_json(const EngineReport& report);

// Validates an estimate request against `catalog` into the core's input.
// `warn_no_gpu`: say so when the request names no GPU (the planner supplies its own hardware).
Expected<EstimateInput> parse_estimate_request(const nlohmann::json& request, const Catalog& catalog,
                                               std::vector<Text>* warnings, bool warn_no_gpu = true);
nlohmann::json estimate_result_json(const EstimateInput& input, const EstimateResult& result, const Catalog& catalog);

// The whole round trip; returns the result object or {"error": {...}}. Never throws.
nlohmann::json estimate_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
// Same from text (parses it; malformed JSON gives an invalid_json error).
std::string estimate_text(const std::string& request_text);

// Memory curves for charts in one call: the request evaluated at each value of `axis`
// ("context_tokens" or "concurrency"). Returns {"axis", "points": [{"value", "per_gpu_total", "weights",
// "kv_cache", "activations", "overhead", "capacity", "fits"}]} or {"error": ...}.
nlohmann::json sweep_json(const nlohmann::json& request, const std::string& axis,
                          const std::vector<std::int64_t>& values, const Catalog& catalog = builtin_catalog());
// Text form for the wasm boundary: {"request": {...}, "axis": "...", "values": [...]}.
std::string sweep_text(const std::string& sweep_request_text);

// Inverse questions (API.md "Fit"): {"max_context_tokens", "max_concurrency", "best_weights",
// "best_kv_cache_dtype", "min_gpus": [...], "suggestions": [...]} or {"error": {...}}.
nlohmann::json fit_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
std::string fit_text(const std::string& request_text);

// Ranked deployment plans (API.md "Plan request and result").
// perf: one given deployment under a given load (API.md "Perf request and result").
nlohmann::json perf_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
std::string perf_text(const std::string& request_text);

nlohmann::json plan_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
std::string plan_text(const std::string& request_text);

nlohmann::json catalog_json(const std::string& which, const Catalog& catalog = builtin_catalog());

// Serialises without throwing on invalid UTF-8 (it is replaced).
std::string dump_json(const nlohmann::json& j, int indent = -1);

// The text form every entry point shares at the wasm boundary: parse `text` (malformed JSON gives the
// invalid_json error object), run `call` on it, serialise the answer.
std::string call_with_text(const std::string& text, nlohmann::json (*call)(const nlohmann::json&));

}  // namespace vramplan
