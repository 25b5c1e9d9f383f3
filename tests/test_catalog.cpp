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
    // Enumerations (vendor, segment, link, backend, fp8_path) hold one of the schema's values.
    if (it.value().contains("enum")) {
      bool listed = false;
      for (const auto& allowed : it.value()["enum"]) listed = listed || allowed == value;
      CAPTURE(value.dump());
      CHECK(listed);
    }
  }
}

// A catalog figure that is a number lies in [lo, hi]; null (unpublished) passes.
bool within(const json& v, double lo, double hi) {
  return v.is_null() || (v.is_number() && v.get<double>() >= lo && v.get<double>() <= hi);
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
  REQUIRE(doc["gpus"].size() >= 80);  // issue 10: 80 or more accelerators
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
    // Sane figures: the slowest catalogued memory is Jetson-class LPDDR (~100 GB/s), the fastest HBM3e ~8 TB/s;
    // dense 16-bit tensor throughput from a few TFLOPS (RTX A2000) to a few PFLOPS (B300).
    CHECK(within(g["bandwidth_gb_s"], 100, 10000));
    CHECK(within(g["bf16_tflops"], 5, 5000));
    CHECK(within(g["fp8_tflops"], 20, 10000));
    CHECK(within(g["tdp_w"], 10, 2000));
    for (const auto& s : g["source"]) CHECK(s.get<std::string>().size() >= 10);
    // A low-precision figure is never below the 16-bit one (dense to dense).
    if (g["bf16_tflops"].is_number() && g["fp8_tflops"].is_number())
      CHECK(g["fp8_tflops"].get<double>() >= g["bf16_tflops"].get<double>());
    // Unified-memory parts are SoCs with one device per node; discrete cards may use all their memory.
    if (g["unified_memory"].get<bool>()) {
      CHECK(g["segment"] == "soc");
      CHECK(g["gpus_per_node"] == 1);
    } else {
      CHECK(g["usable_fraction"] == 1.0);
    }
    // Compute paths: an FP8 figure means FP8 tensor cores; weight-only FP8 is vLLM's Marlin kernel, CUDA only.
    const std::string fp8_path = g["fp8_path"];
    if (g["fp8_tflops"].is_number()) CHECK(fp8_path == "native");
    if (fp8_path == "weight-only") {
      CHECK(g["fp8_tflops"].is_null());
      CHECK(g["backend"] == "cuda");
    }
    if (fp8_path == "native" && g["fp8_tflops"].is_null()) {  // unpublished: the entry must say so
      bool said = false;
      for (const auto& u : g["uncertain"]) said = said || u.get<std::string>().find("fp8") != std::string::npos;
      CHECK(said);
    }
  }
  for (const auto& id : ids) CHECK(aliases.count(id) == 0);
  for (const char* v : {"nvidia", "amd", "huawei", "apple", "intel"}) CHECK(vendors.count(v) == 1);
  // The ids API.md names.
  for (const char* id :
       {"nvidia-a100-sxm-80gb", "nvidia-h100-sxm-80gb", "nvidia-rtx-4090", "amd-mi300x", "huawei-ascend-910b"})
    CHECK(ids.count(id) == 1);
}

TEST_CASE("catalog: the cards people run models on resolve by the names they type", "[catalog]") {
  // Expected figures from the vendors' published specifications (memory bus x data rate), not from the catalog.
  struct Row {
    const char* alias;
    const char* id;
    double memory_gib;  // marketed capacity
    double bandwidth_gb_s;
    const char* where;
  };
  const auto& c = vramplan::builtin_catalog();
  for (const Row& r : {
           Row{"3060", "nvidia-rtx-3060-12gb", 12, 360, "192-bit x 15 Gbps GDDR6"},
           Row{"4060ti", "nvidia-rtx-4060-ti-16gb", 16, 288, "128-bit x 18 Gbps GDDR6"},
           Row{"4080 super", "nvidia-rtx-4080-super", 16, 736, "256-bit x 23 Gbps GDDR6X"},
           Row{"4090d", "nvidia-rtx-4090d", 24, 1008, "384-bit x 21 Gbps GDDR6X"},
           Row{"5060 ti", "nvidia-rtx-5060-ti-16gb", 16, 448, "128-bit x 28 Gbps GDDR7"},
           Row{"5070ti", "nvidia-rtx-5070-ti", 16, 896, "256-bit x 28 Gbps GDDR7"},
           Row{"RTX 5080", "nvidia-rtx-5080", 16, 960, "256-bit x 30 Gbps GDDR7"},
           Row{"7900xtx", "amd-radeon-rx-7900-xtx", 24, 960, "384-bit x 20 Gbps GDDR6"},
           Row{"b580", "intel-arc-b580", 12, 456, "192-bit x 19 Gbps GDDR6"},
           Row{"dgx spark", "nvidia-dgx-spark", 128, 273, "NVIDIA: 128 GB LPDDR5x, 273 GB/s"},
           Row{"strix halo", "amd-ryzen-ai-max-395-128gb", 128, 256, "256-bit x LPDDR5X-8000"},
           Row{"m5", "apple-m5-32gb", 32, 153, "Apple: 153 GB/s"},
           Row{"910c", "huawei-ascend-910c", 128, 3200, "8 x HBM2e, 3.2 TB/s (press)"},
           Row{"mlu370", "cambricon-mlu370-x8", 48, 614.4, "Cambricon: 48 GB LPDDR5, 614.4 GB/s"},
           Row{"s4000", "moorethreads-mtt-s4000", 48, 768, "384-bit GDDR6, 768 GB/s"},
       }) {
    CAPTURE(r.alias, r.where);
    const vramplan::GpuEntry* g = c.find_gpu(r.alias);
    REQUIRE(g != nullptr);
    CHECK(g->id == r.id);
    CHECK(g->memory_bytes == static_cast<std::int64_t>(r.memory_gib * 1073741824.0));
    CHECK(g->bandwidth_bytes_per_s == Approx(r.bandwidth_gb_s * 1e9));
  }
  // Unified memory: the Ryzen AI Max+ 395 gives the GPU up to 96 of its 128 GB (ComputerBase).
  CHECK(c.find_gpu("ryzen ai max+ 395")->capacity_bytes() == 96LL * 1073741824);
  // Atlas 300I Duo is two 48 GB NPUs on one card; the entry is one NPU, as npu-smi lists them.
  CHECK(c.find_gpu("300i duo")->memory_bytes == 48LL * 1073741824);
  for (const char* parsed : {"mlulink", "mtlink"}) {
    vramplan::Link link;
    CHECK(vramplan::parse_link(parsed, &link));
  }
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

TEST_CASE("catalog: the embedded copy (no-memory keys dropped) sizes every model as its full config.json does",
          "[catalog]") {
  // cmake/embed_catalog.cmake drops the keys of import/keys.cpp's kNoMemoryEffect from the embedded configs; a key
  // wrongly listed there (one the importer reads) would change a figure here.
  json doc = load("data/models.json");
  REQUIRE(doc["models"].size() >= 100);
  for (const auto& m : doc["models"]) {
    if (m.contains("checkpoint")) continue;  // what a checkpoint stores beyond config.json applies by id only
    const std::string id = m["id"];
    CAPTURE(id);
    json by_id = vt::estimate(vt::request(id, 32768, 4, "", "nvidia-h100-sxm-80gb", 1));
    json req = vt::request(id, 32768, 4, "", "nvidia-h100-sxm-80gb", 1);
    req["model"] = {{"config", m["config"]}};
    json full = vt::estimate(req);
    REQUIRE_FALSE(by_id.contains("error"));
    REQUIRE_FALSE(full.contains("error"));
    CHECK(full["params"]["checkpoint_total"] == by_id["params"]["checkpoint_total"]);
    CHECK(full["params"]["by_class"] == by_id["params"]["by_class"]);
    CHECK(full["weights"] == by_id["weights"]);
    CHECK(full["kv_cache"] == by_id["kv_cache"]);
    CHECK(full["per_gpu"] == by_id["per_gpu"]);
  }
}
