#pragma once
// Small helpers shared by the test files.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "vramplan/api/api.hpp"

namespace vt {

using nlohmann::json;

// Runs an estimate through the same JSON API the CLI and wasm use.
inline json estimate(const json& request) { return vramplan::estimate_json(request); }

inline std::int64_t i64(const json& j) { return j.get<std::int64_t>(); }

inline json request(const std::string& model, std::int64_t context = 4096, std::int64_t concurrency = 1,
                    const std::string& weights = "", const std::string& gpu = "", std::int64_t count = 1) {
  json r = {{"model", model}, {"workload", {{"context_tokens", context}, {"concurrency", concurrency}}}};
  if (!weights.empty()) r["weights"] = weights;
  if (!gpu.empty()) r["hardware"] = {{"gpu", gpu}, {"count", count}};
  return r;
}

}  // namespace vt
