// Pasted config.json files as users have them: Python's JSON dialect, new layer kinds, quantization
// configs. Expected values come from the models' own repositories and the engines' rules (cited per test).
#include <string>
#include <vector>

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

namespace {

// The warnings of a result with this code.
std::vector<json> warnings_with(const json& result, const std::string& code) {
  std::vector<json> out;
  for (const auto& w : result["warnings"])
    if (w["code"] == code) out.push_back(w);
  return out;
}

}  // namespace

TEST_CASE("import: a key the tool does not model is named in a warning, never ignored silently", "[import][keys]") {
  // A plain Llama config: every key is read or known to change nothing in memory, so no such warning.
  const json plain = json::parse(estimate_text(llama_text(
      R"(, "rope_theta": 500000.0, "rms_norm_eps": 1e-05, "bos_token_id": 1, "eos_token_id": [2, 3],
           "hidden_act": "silu", "initializer_range": 0.02, "transformers_version": "4.44.0", "use_cache": true)")));
  REQUIRE_FALSE(plain.contains("error"));
  CHECK(warnings_with(plain, "import.keys_not_read").empty());

  // Gemma-4's per-layer input embeddings and KV-shared layers in a family that has neither (Llama), and an
  // audio tower: all size memory the tool does not model there (google/gemma-4 configs:
  // hidden_size_per_layer_input, num_kv_shared_layers; audio_config).
  const json odd = json::parse(estimate_text(llama_text(
      R"(, "hidden_size_per_layer_input": 256, "num_kv_shared_layers": 20, "audio_config": {"hidden_size": 1536})")));
  REQUIRE_FALSE(odd.contains("error"));
  const auto w = warnings_with(odd, "import.keys_not_read");
  REQUIRE(w.size() == 1);
  const std::string message = w[0]["message"];
  for (const char* key : {"hidden_size_per_layer_input", "num_kv_shared_layers", "audio_config"})
    CHECK(message.find(key) != std::string::npos);
  CHECK(message.find("3 config keys") != std::string::npos);

  // A hostile key name is quoted printable and short.
  const json hostile = json::parse(estimate_text(
      llama_text(R"(, "<script>\u0001alert(1)</script>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": 1)")));
  const auto h = warnings_with(hostile, "import.keys_not_read");
  REQUIRE(h.size() == 1);
  const std::string hm = h[0]["message"];
  CHECK(hm.find('\x01') == std::string::npos);
  CHECK(hm.find("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") == std::string::npos);

  // A value the reader does not model keeps its key among those named: Nemotron-H's use_bias (biases on the
  // Mamba projections, modeling_nemotron_h.py NemotronHMamba2Mixer in_proj/out_proj bias=config.use_bias).
  CHECK(
      warnings_with(json::parse(estimate_text(llama_text(R"(, "use_bias": false)"))), "import.keys_not_read").empty());
  CHECK(warnings_with(json::parse(estimate_text(llama_text(R"(, "use_bias": true)"))), "import.keys_not_read").size() ==
        1);
}

TEST_CASE("import: an unknown model_type says which fields built the architecture", "[import][keys]") {
  std::string text = llama_text("");
  text.replace(text.find("\"llama\""), 7, "\"brand_new\"");
  text.replace(text.find("LlamaForCausalLM"), 16, "BrandNewForCausalLM");
  const json r = json::parse(estimate_text(text));
  REQUIRE_FALSE(r.contains("error"));
  const auto w = warnings_with(r, "import.unknown_model_type");
  REQUIRE(w.size() == 1);
  const std::string message = w[0]["message"];
  for (const char* key : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_key_value_heads", "vocab_size"})
    CHECK(message.find(key) != std::string::npos);
  CHECK(message.find("brand_new") != std::string::npos);
}

TEST_CASE("import: a config without model_type is read as the family its architectures entry names", "[import]") {
  // gemma-2-9b (google/gemma-2-9b config.json): 42 layers, hidden 3584, 16 heads of 256, 8 KV heads, MLP 14336,
  // vocab 256000, tied embeddings by the family's default, 4 norms per layer; its safetensors total is
  // 9,241,705,984 parameters (HF metadata, as collected in github.com/debaditc/kvfit src/kvfit/data/models.json
  // for google/gemma-2-9b-it, the same architecture).
  const std::string body = R"("architectures": ["Gemma2ForCausalLM"], "hidden_size": 3584, "intermediate_size": 14336,
      "num_hidden_layers": 42, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
      "vocab_size": 256000, "sliding_window": 4096, "torch_dtype": "float32")";
  const json with_type = json::parse(estimate_text("{\"model_type\": \"gemma2\", " + body + "}"));
  const json without = json::parse(estimate_text("{" + body + "}"));
  REQUIRE_FALSE(without.contains("error"));
  CHECK(vt::i64(without["params"]["total"]) == 9241705984);
  CHECK(vt::i64(without["params"]["total"]) == vt::i64(with_type["params"]["total"]));
  CHECK(without["kv_cache"]["bytes_per_sequence"] == with_type["kv_cache"]["bytes_per_sequence"]);
  const auto w = warnings_with(without, "import.model_type_inferred");
  REQUIRE(w.size() == 1);
  CHECK(w[0]["message"].get<std::string>().find("gemma2") != std::string::npos);
  CHECK(warnings_with(without, "import.unknown_model_type").empty());
}

TEST_CASE("import: MiMo-V2-Flash's sink logits sit on its sliding layers only", "[import][params]") {
  // XiaomiMiMo/MiMo-V2-Flash config.json: add_swa_attention_sink_bias true, add_full_attention_sink_bias false;
  // the sliding layers have swa_num_attention_heads 64 (modeling_mimo_v2_flash.py: attention_sink_bias of
  // shape [num_attention_heads] when the layer's flag is set). Here: 4 layers, pattern [0, 1, 1, 0].
  const std::string config = R"({"model_type": "mimo_v2_flash", "architectures": ["MiMoV2FlashForCausalLM"],
      "hidden_size": 1024, "intermediate_size": 2048, "num_hidden_layers": 4, "num_attention_heads": 16,
      "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 1000, "sliding_window": 128,
      "hybrid_layer_pattern": [0, 1, 1, 0], "swa_num_attention_heads": 32, "swa_num_key_value_heads": 8,
      "swa_head_dim": 64, "add_swa_attention_sink_bias": true, "add_full_attention_sink_bias": false})";
  std::string no_sinks = config;
  no_sinks.replace(no_sinks.find("\"add_swa_attention_sink_bias\": true"), 35,
                   "\"add_swa_attention_sink_bias\": false");
  const json with = json::parse(estimate_text(config));
  const json without = json::parse(estimate_text(no_sinks));
  REQUIRE_FALSE(with.contains("error"));
  CHECK(vt::i64(with["params"]["total"]) - vt::i64(without["params"]["total"]) == 2 * 32);
  CHECK(warnings_with(with, "import.keys_not_read").empty());
}

TEST_CASE("import: ModelOpt's hf_quant_config.json pasted instead of config.json is named as such", "[import]") {
  // nvidia/*-NVFP4 repositories ship hf_quant_config.json ({"producer": {"name": "modelopt"}, "quantization":
  // {"quant_algo": "NVFP4", ...}}) beside config.json.
  const json r = json::parse(estimate_text(
      R"({"producer": {"name": "modelopt", "version": "0.33.0"}, "quantization": {"quant_algo": "NVFP4",
          "kv_cache_quant_algo": "FP8", "group_size": 16, "exclude_modules": ["lm_head"]}})"));
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["field"] == "model.config");
  CHECK(r["error"]["message"].get<std::string>().find("hf_quant_config.json") != std::string::npos);
}
