#pragma once
// Small helpers shared by the test files.
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "catch.hpp"
#include "vramplan/api/api.hpp"
#include "vramplan/common/text.hpp"
#include "vramplan/import/config.hpp"

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

// A config.json read by the importer, which must accept it without any of the `absent` warnings.
inline vramplan::Architecture parsed(const json& config, std::initializer_list<vramplan::Msg> absent) {
  auto a = vramplan::parse_hf_config(config, "config");
  REQUIRE(a.ok());
  for (const auto& w : a->warnings)
    for (const auto m : absent) {
      CAPTURE(vramplan::render(w));
      CHECK(w.id != m);
    }
  return a.value();
}

}  // namespace vt
