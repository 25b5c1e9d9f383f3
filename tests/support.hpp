#pragma once
// Small helpers shared by the test files.
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "catch.hpp"
#include "vramplan/api/api.hpp"

namespace vt {

using nlohmann::json;

// Runs an estimate through the same JSON API the CLI and wasm use.
inline json estimate(const json& request) { return vramplan::estimate_json(request); }

inline std::int64_t i64(const json& j) { return j.get<std::int64_t>(); }

// A JSON file of the repository (a fixture, a data file), by its path from the repository root.
inline json source_json(const std::string& path) {
  std::ifstream f(std::string(VRAMPLAN_SOURCE_DIR) + "/" + path);
  REQUIRE(f.good());
  return json::parse(f);
}

inline json request(const std::string& model, std::int64_t context = 4096, std::int64_t concurrency = 1,
                    const std::string& weights = "", const std::string& gpu = "", std::int64_t count = 1) {
  json r = {{"model", model}, {"workload", {{"context_tokens", context}, {"concurrency", concurrency}}}};
  if (!weights.empty()) r["weights"] = weights;
  if (!gpu.empty()) r["hardware"] = {{"gpu", gpu}, {"count", count}};
  return r;
}

}  // namespace vt
