// The catalogs validate against their schema rules: ids, aliases, types, sources, plausible values.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/catalog/catalog.hpp"

using vt::json;

namespace {

json load(const std::string& path) {
  std::ifstream f(std::string(VRAMPLAN_SOURCE_DIR) + "/" + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Checks one entry against a JSON-Schema-like "required/properties.type" description (the subset the
// schemas use), so the schema files are what the test enforces.
void check_against_schema(const json& entry, const json& schema, const std::string& where) {
  CAPTURE(where);
  for (const auto& key : schema["required"]) {
    CAPTURE(key.get<std::string>());
    CHECK(entry.contains(key.get<std::string>()));
  }
  for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
    if (!entry.contains(it.key())) continue;
    const json& value = entry[it.key()];
    json types = it.value().contains("type") ? it.value()["type"] : json();
    if (types.is_null()) continue;
    if (types.is_string()) types = json::array({types});
    bool ok = false;
    for (const auto& t : types) {
      const std::string ty = t;
      ok = ok || (ty == "string" && value.is_string()) || (ty == "integer" && value.is_number_integer()) ||
           (ty == "number" && value.is_number()) || (ty == "boolean" && value.is_boolean()) ||
           (ty == "array" && value.is_array()) || (ty == "object" && value.is_object()) ||
           (ty == "null" && value.is_null());
    }
    CAPTURE(it.key());
    CHECK(ok);
  }
}

}  // namespace

TEST_CASE("catalog: gpus.json follows gpus.schema.json", "[catalog]") {
  json doc = load("data/gpus.json");
  json schema = load("data/gpus.schema.json");
  REQUIRE_FALSE(doc.is_discarded());
  REQUIRE_FALSE(schema.is_discarded());
  json item_schema = schema["properties"]["gpus"]["items"];
  if (item_schema.contains("$ref")) {
    std::string ref = item_schema["$ref"];  // "#/$defs/gpu"
    item_schema = schema["$defs"][ref.substr(ref.rfind('/') + 1)];
  }
  REQUIRE(doc["gpus"].size() >= 40);
  std::set<std::string> ids, aliases;
  const std::regex slug("^[a-z0-9]+(-[a-z0-9]+)*$");
  std::set<std::string> vendors;
  for (const auto& g : doc["gpus"]) {
    const std::string id = g["id"];
    check_against_schema(g, item_schema, id);
    CAPTURE(id);
    CHECK(std::regex_match(id, slug));
    CHECK(ids.insert(id).second);
    for (const auto& a : g["aliases"]) CHECK(aliases.insert(lower(a.get<std::string>())).second);
    CHECK(g["memory_bytes"].get<std::int64_t>() > 0);
    CHECK_FALSE(g["source"].empty());
    vendors.insert(g["vendor"].get<std::string>());
    // Runtime-reported totals sit near the nominal capacity (GB vs GiB, ECC and reserved memory).
    const double ratio = g["memory_bytes"].get<double>() / (g["nominal_memory_gb"].get<double>() * 1e9);
    CHECK(ratio > 0.9);
    CHECK(ratio < 1.13);
  }
  for (const auto& id : ids) CHECK(aliases.count(id) == 0);
  for (const char* v : {"nvidia", "amd", "huawei", "apple", "intel"}) CHECK(vendors.count(v) == 1);
  // The ids API.md names.
  for (const char* id :
       {"nvidia-a100-sxm-80gb", "nvidia-h100-sxm-80gb", "nvidia-rtx-4090", "amd-mi300x", "huawei-ascend-910b"})
    CHECK(ids.count(id) == 1);
}

TEST_CASE("catalog: models.json follows models.schema.json", "[catalog]") {
  json doc = load("data/models.json");
  json schema = load("data/models.schema.json");
  REQUIRE_FALSE(doc.is_discarded());
  REQUIRE_FALSE(schema.is_discarded());
  json item_schema = schema["$defs"]["model"];
  REQUIRE(doc["models"].size() >= 40);
  std::set<std::string> ids, aliases;
  for (const auto& m : doc["models"]) {
    const std::string id = m["id"];
    check_against_schema(m, item_schema, id);
    CAPTURE(id);
    CHECK(ids.insert(lower(id)).second);
    for (const auto& a : m["aliases"]) CHECK(aliases.insert(lower(a.get<std::string>())).second);
    CHECK_FALSE(m["source"].get<std::string>().empty());
    if (m["official_params"].is_number()) CHECK_FALSE(m["official_params_source"].get<std::string>().empty());
  }
  for (const auto& id : ids) CHECK(aliases.count(id) == 0);
  // The seeds' models (PRODUCT.md §6).
  for (const char* id : {"meta-llama/Llama-2-7b-hf", "meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-70B",
                         "meta-llama/Llama-3.1-405B", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-72B-Instruct",
                         "Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4", "Qwen/QwQ-32B", "Qwen/Qwen3-32B",
                         "Qwen/Qwen3-235B-A22B", "Qwen/Qwen3-235B-A22B-FP8", "deepseek-ai/DeepSeek-V3",
                         "deepseek-ai/DeepSeek-R1", "moonshotai/Kimi-K2-Instruct"})
    CHECK(ids.count(lower(id)) == 1);
}

TEST_CASE("catalog: the embedded catalog parses and finds entries by id, alias and short name", "[catalog]") {
  const auto& c = vramplan::builtin_catalog();
  REQUIRE(c.models.size() >= 40);
  REQUIRE(c.gpus.size() >= 40);
  CHECK(c.find_model("qwen/qwq-32b") != nullptr);
  CHECK(c.find_model("QwQ-32B") != nullptr);
  CHECK(c.find_gpu("H100") != nullptr);
  CHECK(c.find_gpu("nvidia-h100-sxm-80gb") != nullptr);
  CHECK(c.find_gpu("no-such-gpu") == nullptr);
  CHECK_FALSE(c.closest_models("llama-3-8", 3).empty());
}
