// Coded text: the renderer's formats, the message files, and every text the core emits across the catalog
// and every engine carrying a code of its own (none left as Msg::raw) with every placeholder filled.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/common/text.hpp"
#include "vramplan/engines/engine.hpp"

using vt::json;

TEST_CASE("text: the renderer's formats", "[text]") {
  using vramplan::Msg;
  using vramplan::Text;
  // kv.dtype.plain "{bytes} B ({dtype})"; verdict.fits formats bytes as GB with two decimals (10^9).
  CHECK(vramplan::render(Text(Msg::kv_dtype_plain).integer("bytes", 2).str("dtype", "bf16")) == "2 B (bf16)");
  const Text fits = Text(Msg::verdict_fits)
                        .integer("count", 2)
                        .str("gpu", "H100")
                        .integer("total", 62710000000)
                        .integer("capacity", 85520000000)
                        .integer("free", 22810000000);
  CHECK(vramplan::render(fits) == "Fits on 2 x H100: 62.71 GB of 85.52 GB per GPU, 22.81 GB free per GPU.");
  // Thousands separators; plural choice by value; an optional value left out; a list joined by "; ".
  const Text one = Text(Msg::kv_explain_total)
                       .text("layers", Text(Msg::kv_layers)
                                           .list("groups", {Text(Msg::kv_held_fixed).integer("tokens", 1),
                                                            Text(Msg::kv_held_fixed).integer("tokens", 2)}))
                       .integer("per_sequence", 1234567)
                       .integer("sequences", 1)
                       .integer("total", 1234567);
  CHECK(vramplan::render(one) ==
        " (a fixed 1 tokens);  (a fixed 2 tokens); per sequence 1,234,567 B x 1 sequence = 1,234,567 B (0.00 GB)");
  Text many = one;
  many.args[2].i = 3;
  CHECK(vramplan::render(many).find("x 3 sequences") != std::string::npos);
  // A missing required value shows as its placeholder (so tests find it); a missing optional one is empty.
  CHECK(vramplan::render(Text(Msg::kv_shape_kv).integer("heads", 8)) == "2 (K,V) x 8 KV heads x {head_dim} head_dim");
}

namespace {

// Every message file: code -> {"en", "zh"}.
std::map<std::string, json> message_files() {
  std::map<std::string, json> out;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(VRAMPLAN_SOURCE_DIR) + "/core/text")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    REQUIRE(in.good());
    const json j = json::parse(in, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value();
  }
  return out;
}

std::set<std::string> placeholders(const std::string& t) {
  std::set<std::string> out;
  static const std::regex re(R"(\{([a-z_0-9]+)[?:|}])");
  for (auto it = std::sregex_iterator(t.begin(), t.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

// Every coded text in a result: objects with a "code".
void collect(const json& j, std::vector<json>& out) {
  if (j.is_object()) {
    if (j.contains("code") && j["code"].is_string() && j.contains("message")) out.push_back(j);
    for (const auto& v : j) collect(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, out);
  }
}

void check_texts(const json& result, const std::string& what) {
  std::vector<json> texts;
  collect(result, texts);
  for (const auto& t : texts) {
    CAPTURE(what, t.dump().substr(0, 300));
    CHECK(t["code"] != "raw");
    const std::string m = t["message"];
    CHECK(m.find('{') == std::string::npos);  // every placeholder has its value
  }
}

}  // namespace

TEST_CASE("text: the message files agree with the core's table and with themselves", "[text]") {
  const auto files = message_files();
  CHECK(files.size() >= 80);
  for (const auto& [code, m] : files) {
    CAPTURE(code);
    REQUIRE(m.contains("en"));
    const std::string en = m["en"];
    CHECK_FALSE(en.empty());
    if (m.contains("zh")) CHECK(placeholders(m["zh"].get<std::string>()) == placeholders(en));
    CHECK(placeholders(en).count("code") == 0);
    CHECK(placeholders(en).count("message") == 0);
  }
}

TEST_CASE("text: every text the core emits has its own code and every value", "[text][catalog]") {
  const auto& catalog = vramplan::builtin_catalog();
  for (std::size_t i = 0; i < catalog.models.size(); i += 3) {
    const std::string model = catalog.models[i].id;
    for (const vramplan::EngineProfile* e : vramplan::engines()) {
      json req = vt::request(model, 8192, 4, "", "nvidia-h100-sxm-80gb", 2);
      req["engine"] = e->id;
      if (!e->splits_heads) req["weights"] = "gguf-Q4_K_M";
      const json r = vt::estimate(req);
      if (r.contains("error")) continue;
      check_texts(r, model + " " + e->id);
    }
    check_texts(vramplan::fit_json(vt::request(model, 8192, 4, "", "nvidia-rtx-4090", 1)), model + " fit");
  }
  const json plan = vramplan::plan_json(json::parse(
      R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"qps": 20, "prompt_tokens": 1000, "output_tokens": 500},
          "slo": {"ttft_ms": 2000, "tpot_ms": 100}, "weights": ["bf16", "fp8"], "candidates": {"max_gpus": 16}})"));
  check_texts(plan, "plan");
}
