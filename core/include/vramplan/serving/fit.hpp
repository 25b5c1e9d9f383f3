#pragma once
// Inverse questions for one model, format and hardware: the largest context, the most sequences, the
// best weight format and KV dtype that fit, the fewest GPUs of each type, and what to change to fit.
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/catalog/catalog.hpp"

namespace vramplan {

// Takes an estimate request; returns {"max_context_tokens", "max_concurrency", "best_weights",
// "best_kv_cache_dtype", "min_gpus": [...], "suggestions": [...]} or {"error": {...}}.
nlohmann::json fit_json(const nlohmann::json& request, const Catalog& catalog = builtin_catalog());
std::string fit_text(const std::string& request_text);

}  // namespace vramplan
