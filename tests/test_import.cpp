// Pasted config.json files as users have them: Python's JSON dialect, new layer kinds, quantization
// configs. Expected values come from the models' own repositories and the engines' rules (cited per test).
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/api/json_read.hpp"

using vt::json;

namespace {

// A small Llama-shaped config, as text, with `extra` spliced in before the closing brace.
std::string llama_text(const std::string& extra) {
  return R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 2048,
             "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
             "num_key_value_heads": 8, "vocab_size": 128256, "torch_dtype": "bfloat16")" +
         extra + "}";
}

std::string estimate_text(const std::string& config_text) {
  return vramplan::estimate_text(R"({"model": {"config": )" + config_text +
                                 R"(}, "workload": {"context_tokens": 1024, "concurrency": 1}})");
}

}  // namespace

TEST_CASE("import: Python's NaN and Infinity are read as floats, outside strings only", "[import][json]") {
  // Nemotron-H's config.json (nvidia/Nemotron-H-56B-Base-8K) holds "time_step_limit": [0.0, Infinity].
  CHECK(vramplan::standard_json(R"({"a": [0.0, Infinity], "b": -Infinity, "c": NaN})") ==
        R"({"a": [0.0, "Infinity"], "b": "-Infinity", "c": "NaN"})");
  // Inside strings, and as parts of longer words, nothing changes.
  CHECK(vramplan::standard_json(R"({"NaN": "Infinity and NaN", "x": "a\"NaN"})") ==
        R"({"NaN": "Infinity and NaN", "x": "a\"NaN"})");
  CHECK(vramplan::standard_json("[NaNa, xInfinity]") == "[NaNa, xInfinity]");
  CHECK(vramplan::parse_json("[1, NaN]").is_array());
  CHECK(vramplan::parse_json("{\"a\": NaN").is_discarded());

  const json ok = json::parse(estimate_text(llama_text(R"(, "time_step_limit": [0.0, Infinity], "rope_theta": NaN)")));
  REQUIRE_FALSE(ok.contains("error"));
  CHECK(ok["params"]["total"].get<std::int64_t>() > 0);
}

TEST_CASE("import: a size that holds NaN or Infinity is refused with its field named", "[import][json]") {
  std::string text = llama_text("");
  text.replace(text.find("\"hidden_size\": 2048"), 19, "\"hidden_size\": Infinity");
  const json bad = json::parse(estimate_text(text));
  REQUIRE(bad.contains("error"));
  CHECK(bad["error"]["field"] == "model.config.hidden_size");
  CHECK(bad["error"]["message"].get<std::string>().find("Infinity") != std::string::npos);

  std::string nan_heads = llama_text("");
  nan_heads.replace(nan_heads.find("\"num_attention_heads\": 32"), 25, "\"num_attention_heads\": NaN");
  const json bad2 = json::parse(estimate_text(nan_heads));
  REQUIRE(bad2.contains("error"));
  CHECK(bad2["error"]["field"] == "model.config.num_attention_heads");
}
