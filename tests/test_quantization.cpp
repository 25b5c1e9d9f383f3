// A checkpoint's quantisation read in full: schemes, targets, exclusions matched per module and per layer with
// vLLM's rule for the method, GPTQ overrides, the KV cache scheme, and hostile configs.
#include <chrono>
#include <fstream>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/formats/quantization.hpp"

using vt::i64;
using vt::json;

namespace {

json read_fixture(const std::string& name) { return vt::source_json("tests/fixtures/quant/" + name); }

json catalog_config(const std::string& id) {
  const json d = vt::source_json("data/models.json");
  for (const auto& m : d["models"])
    if (m["id"] == id) return m["config"];
  FAIL("no catalog entry " << id);
  return {};
}

json estimate_config(const json& config, const std::string& weights = "", const std::string& engine = "generic") {
  json req = {{"model", {{"config", config}}},
              {"engine", engine},
              {"workload", {{"context_tokens", 4096}, {"concurrency", 1}}},
              {"hardware", {{"gpu", "nvidia-h100-sxm-80gb"}, {"count", 8}, {"tensor_parallel", 8}}}};
  if (!weights.empty()) req["weights"] = weights;
  return vt::estimate(req);
}

json by_class(const json& r, const std::string& cls) {
  for (const auto& c : r["weights"]["by_class"])
    if (c["class"] == cls) return c;
  return json::object();
}

bool has_warning(const json& r, const std::string& code) {
  for (const auto& w : r["warnings"])
    if (w["code"] == code) return true;
  return false;
}

}  // namespace

TEST_CASE("quant: Kimi-K2.5 is sized as its INT4 checkpoint", "[quant]") {
  const json r = vt::estimate(vt::request("moonshotai/Kimi-K2.5"));
  REQUIRE_FALSE(r.contains("error"));
  // Routed experts: layers 1..60 (first_k_dense_replace 1), 384 experts, gate/up/down of 2048 x 7168 each.
  // compressed-tensors pack-quantized int4 g32 symmetric (CompressedTensorsWNA16): E/2 packed bytes, a 16-bit
  // scale per 32 values (E/16 bytes), no zero points, a weight_shape of 2 x int64 per module.
  const std::int64_t E = 2048LL * 7168;
  CHECK(i64(by_class(r, "experts")["bytes"]) == 60LL * 384 * 3 * (E / 2 + E / 16 + 16));
  // The ignore list ("re:.*self_attn.*", "re:.*shared_experts.*", "re:.*mlp\.(gate|up|gate_up|down)_proj.*")
  // leaves attention, shared experts and layer 0's dense MLP in BF16.
  for (const char* cls : {"attention", "shared_experts", "mlp", "embedding", "lm_head"}) {
    CAPTURE(cls);
    CHECK(i64(by_class(r, cls)["bytes"]) == 2 * i64(by_class(r, cls)["params"]));
  }
  // Issue 10: the INT4 checkpoint is about 595 GB (this entry leaves out the ~0.4B-parameter vision tower).
  const double gb = i64(r["weights"]["bytes"]) / 1e9;
  CHECK(gb > 590);
  CHECK(gb < 597);
}

TEST_CASE("quant: MiniMax-M2's \"gate\" exclusion names the router only, not every gate_proj", "[quant]") {
  const json r = estimate_config(read_fixture("minimax-m2.json"));
  REQUIRE_FALSE(r.contains("error"));
  // fp8.py uses quant_utils.is_layer_skipped: an exact name ("gate" equals no module path), and for experts an
  // entry naming "experts"; so every expert projection is FP8 with one fp32 scale per 128 x 128 block.
  const json ex = by_class(r, "experts");
  const double bpp = static_cast<double>(i64(ex["bytes"])) / i64(ex["params"]);
  CHECK(bpp < 1.001);
  CHECK(ex["storage"].get<std::string>().find("fp8") != std::string::npos);
  // MiniMax-M2 card: 230B parameters, FP8 -> about 230 GB, not 33 % more.
  const double ratio = static_cast<double>(i64(r["weights"]["bytes"])) / i64(r["params"]["total"]);
  CHECK(ratio < 1.02);
}

TEST_CASE("quant: module names and the matching rules of each method", "[quant]") {
  using vramplan::TensorClass;
  vramplan::TensorGroup q;
  q.name = "model.layers.*.self_attn.q_proj.weight";
  q.cls = TensorClass::attention;
  q.shard = vramplan::Shard::column;
  vramplan::TensorGroup gate;
  gate.name = "model.layers.*.mlp.experts.*.gate_proj.weight";
  gate.cls = TensorClass::experts;
  vramplan::TensorGroup dense_gate = gate;
  dense_gate.name = "model.layers.*.mlp.gate_proj.weight";
  dense_gate.cls = TensorClass::mlp;
  CHECK(vramplan::module_names(q, 3) == std::vector<std::string>{"model.layers.3.self_attn.q_proj"});
  CHECK(vramplan::vllm_prefix(q, 3) == "model.layers.3.self_attn.qkv_proj");
  CHECK(vramplan::module_names(gate, 7) == std::vector<std::string>{"model.layers.7.mlp.experts.0.gate_proj"});
  CHECK(vramplan::vllm_prefix(gate, 7) == "model.layers.7.mlp.experts");

  vramplan::QuantizationConfig ct;
  ct.method = "compressed-tensors";
  ct.schemes.push_back({});
  ct.schemes.back().targets = {"Linear"};
  ct.exclusion = vramplan::ExclusionRule::exact_or_regex;
  ct.modules_not_converted = {"re:.*mlp\\.(gate|up|gate_up|down)_proj.*", "model.layers.2.self_attn.q_proj"};
  CHECK(vramplan::checkpoint_scheme(ct, dense_gate, 0) == -1);  // re.match(".*mlp\.(gate|...)_proj", ...)
  CHECK(vramplan::checkpoint_scheme(ct, gate, 1) == 0);         // "experts.0.gate_proj" has no "mlp.gate_proj"
  CHECK(vramplan::checkpoint_scheme(ct, q, 2) == -1);           // exact name
  CHECK(vramplan::checkpoint_scheme(ct, q, 3) == 0);

  vramplan::QuantizationConfig awq = ct;  // awq.py is_layer_skipped_awq: substring of the fused layer name
  awq.method = "awq";
  awq.exclusion = vramplan::ExclusionRule::substring;
  awq.modules_not_converted = {"gate"};
  CHECK(vramplan::checkpoint_scheme(awq, dense_gate, 0) == -1);  // "gate" in "...mlp.gate_up_proj"

  vramplan::QuantizationConfig fp8 = awq;  // quant_utils.is_layer_skipped: exact
  fp8.method = "fp8";
  fp8.exclusion = vramplan::ExclusionRule::exact;
  CHECK(vramplan::checkpoint_scheme(fp8, dense_gate, 0) == 0);
  fp8.modules_not_converted = {"model.layers.7.mlp.experts.3.down_proj"};  // names the FusedMoE prefix
  CHECK(vramplan::checkpoint_scheme(fp8, gate, 7) == -1);
  CHECK(vramplan::checkpoint_scheme(fp8, gate, 8) == 0);

  vramplan::QuantizationConfig bnb = fp8;  // bitsandbytes.py: a dotted component or a leading path
  bnb.exclusion = vramplan::ExclusionRule::bnb_components;
  bnb.modules_not_converted = {"self_attn"};
  CHECK(vramplan::checkpoint_scheme(bnb, q, 0) == -1);
  CHECK(vramplan::checkpoint_scheme(bnb, dense_gate, 0) == 0);

  vramplan::QuantizationConfig mo = fp8;  // modelopt.py: exact, substring or fnmatch
  mo.exclusion = vramplan::ExclusionRule::modelopt;
  mo.modules_not_converted = {"model.layers.1*"};
  CHECK(vramplan::checkpoint_scheme(mo, q, 1) == -1);
  CHECK(vramplan::checkpoint_scheme(mo, q, 12) == -1);
  CHECK(vramplan::checkpoint_scheme(mo, q, 2) == 0);
}

TEST_CASE("quant: the regex matcher is bounded and says what it refuses", "[quant]") {
  const auto re = vramplan::compile_regex("(a*)*b");
  REQUIRE(re.ok);
  const std::string many(20000, 'a');
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(vramplan::regex_match_prefix(re, many));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(vramplan::regex_match_prefix(vramplan::compile_regex(".*mlp.gate$"), "model.layers.3.mlp.gate"));
  CHECK_FALSE(vramplan::regex_match_prefix(vramplan::compile_regex(".*mlp.gate$"), "model.layers.3.mlp.gate_proj"));
  CHECK(vramplan::regex_match_prefix(vramplan::compile_regex("model\\.layers\\.[0-9]{1,2}\\."), "model.layers.42.x"));
  for (const char* bad : {"(", "a)", "(?=x)", "\\1", "a{1000}", "[z-a]", "*a", "a++"}) {
    CAPTURE(bad);
    const auto r = vramplan::compile_regex(bad);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.error.empty());
  }
  CHECK(vramplan::glob_match("model.layers.*.self_attn*", "model.layers.3.self_attn.qkv_proj"));
}

TEST_CASE("quant: ModelOpt FP8 with an FP8 KV cache — vLLM's auto follows it", "[quant]") {
  json config = catalog_config("meta-llama/Meta-Llama-3-8B");
  config["quantization_config"] = {
      {"quant_method", "modelopt"},
      {"quantization", {{"quant_algo", "FP8"}, {"kv_cache_quant_algo", "FP8"}, {"exclude_modules", {"lm_head"}}}}};
  const json v = estimate_config(config, "", "vllm");
  REQUIRE_FALSE(v.contains("error"));
  CHECK(v["kv_cache"]["dtype"] == "fp8");
  CHECK(has_warning(v, "quant.kv_auto_from_checkpoint"));
  const json g = estimate_config(config, "", "generic");
  CHECK(g["kv_cache"]["dtype"] == "bf16");
  // FP8 per tensor: 1 byte per value + one fp32 scale per module (7 modules x 32 layers).
  const json mlp = by_class(g, "mlp");
  CHECK(i64(mlp["bytes"]) == i64(mlp["params"]) + 3 * 32 * 4);
  CHECK(i64(by_class(g, "lm_head")["bytes"]) == 2 * i64(by_class(g, "lm_head")["params"]));  // excluded
}

TEST_CASE("quant: a catalog checkpoint whose scheme is only in hf_quant_config.json is read as ModelOpt", "[quant]") {
  // nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8: config.json has no quantization_config; its hf_quant_config.json
  // says quant_algo FP8 and kv_cache_quant_algo FP8 (data/models.json keeps it under checkpoint.hf_quant_config).
  json req = vt::request("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8", 4096, 1, "", "nvidia-h100-sxm-80gb", 8);
  req["engine"] = "vllm";
  req["hardware"]["tensor_parallel"] = 8;
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["kv_cache"]["dtype"] == "fp8");
  const json experts = by_class(r, "experts");
  // FP8 per tensor: one byte per value plus one fp32 scale per projection; far from the 2 bytes of BF16.
  CHECK(i64(experts["bytes"]) >= i64(experts["params"]));
  CHECK(i64(experts["bytes"]) < i64(experts["params"]) * 101 / 100);
  // The same config pasted without the hf_quant_config.json is 16-bit: the file is what carries the scheme.
  json config;
  const json catalog = vt::source_json("data/models.json");
  for (const auto& m : catalog["models"])
    if (m["id"] == "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8") config = m["config"];
  const json pasted = estimate_config(config, "", "vllm");
  CHECK(i64(by_class(pasted, "experts")["bytes"]) == 2 * i64(experts["params"]));
  // Given beside the pasted config.json as model.hf_quant_config, the file gives what the catalog entry gives.
  json req2 = req;
  req2["model"] = {{"config", config},
                   {"hf_quant_config", {{"quantization", {{"quant_algo", "FP8"}, {"kv_cache_quant_algo", "FP8"}}}}}};
  const json both = vt::estimate(req2);
  REQUIRE_FALSE(both.contains("error"));
  CHECK(both["weights"] == r["weights"]);
  CHECK(both["kv_cache"]["dtype"] == "fp8");
  // Not that file: an error that names the field.
  req2["model"]["hf_quant_config"] = {{"quant_algo", "FP8"}};
  const json bad = vt::estimate(req2);
  REQUIRE(bad.contains("error"));
  CHECK(bad["error"]["field"] == "model.hf_quant_config");
}

TEST_CASE("quant: GPTQ dynamic overrides and exclusions, per layer", "[quant]") {
  json config = catalog_config("meta-llama/Meta-Llama-3-8B");
  config["quantization_config"] = {
      {"quant_method", "gptq"},
      {"bits", 4},
      {"group_size", 128},
      {"desc_act", false},
      {"dynamic", {{"-:model\\.layers\\.0\\..*", json::object()}, {"+:.*down_proj", {{"bits", 8}}}}}};
  const json r = estimate_config(config);
  REQUIRE_FALSE(r.contains("error"));
  // Layer 0 is excluded: its 4 attention matrices stay BF16; 31 layers in int4 g128 (+ fp16 scales, packed
  // zeros, g_idx). q: 4096 x 4096, k/v: 1024 x 4096, o: 4096 x 4096.
  auto gptq4 = [](std::int64_t rows, std::int64_t cols) {
    return rows * cols / 2 + (cols / 128) * rows * 2 + (cols / 128) * rows / 2 + cols * 4;
  };
  const std::int64_t layer16 = 2LL * 4096 * (4096 + 1024 + 1024 + 4096);
  const std::int64_t layer4 = gptq4(4096, 4096) * 2 + gptq4(1024, 4096) * 2;
  CHECK(i64(by_class(r, "attention")["bytes"]) == layer16 + 31 * layer4);
  CHECK(by_class(r, "mlp")["storage"].get<std::string>().find("int8") != std::string::npos);  // "+:" bits 8
}

TEST_CASE("quant: an explicit format keeps the checkpoint's exclusions unless told otherwise", "[quant]") {
  const json r = vt::estimate(vt::request("moonshotai/Kimi-K2.5", 4096, 1, "fp8"));
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(by_class(r, "attention")["bytes"]) == 2 * i64(by_class(r, "attention")["params"]));
  CHECK(has_warning(r, "quant.exclusions_kept"));
  json req = vt::request("moonshotai/Kimi-K2.5", 4096, 1, "fp8");
  req["keep_checkpoint_exclusions"] = false;
  const json all = vt::estimate(req);
  CHECK(i64(by_class(all, "attention")["bytes"]) < 2 * i64(by_class(all, "attention")["params"]));
}

TEST_CASE("quant: hostile or unknown quantization configs give an error or a coded warning", "[quant]") {
  const json base = catalog_config("meta-llama/Meta-Llama-3-8B");
  struct Row {
    const char* what;
    json qc;
    const char* error_field;  // nullptr: no error expected
    const char* warning;      // nullptr: none required
  };
  const Row rows[] = {
      {"unknown method", {{"quant_method", "hqq"}}, nullptr, "quant.unknown_method"},
      {"config_groups not an object",
       {{"quant_method", "compressed-tensors"}, {"config_groups", 5}},
       "model.config.quantization_config.config_groups",
       nullptr},
      {"bad ignore regex",
       {{"quant_method", "compressed-tensors"},
        {"config_groups",
         {{"g",
           {{"targets", {"Linear"}},
            {"weights", {{"num_bits", 4}, {"type", "int"}, {"strategy", "group"}, {"group_size", 128}}}}}}},
        {"ignore", {"re:(a", "lm_head"}}},
       nullptr,
       "quant.pattern_unsupported"},
      {"unmodelled scheme",
       {{"quant_method", "compressed-tensors"},
        {"config_groups", {{"g", {{"targets", {"Linear"}}, {"weights", {{"num_bits", 3}, {"type", "float"}}}}}}}},
       nullptr,
       "quant.scheme_unmodelled"},
      {"three block sizes",
       {{"quant_method", "fp8"}, {"weight_block_size", {128, 128, 128}}},
       "model.config.quantization_config.weight_block_size",
       nullptr},
      {"huge bits", {{"quant_method", "gptq"}, {"bits", 1000000}}, "model.config.quantization_config.bits", nullptr},
      {"ignore not a list",
       {{"quant_method", "compressed-tensors"}, {"ignore", "lm_head"}},
       "model.config.quantization_config.ignore",
       nullptr},
      {"quantization_config a string", "fp8", "model.config.quantization_config", nullptr},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    json config = base;
    config["quantization_config"] = row.qc;
    const json r = estimate_config(config);
    if (row.error_field) {
      REQUIRE(r.contains("error"));
      CHECK(r["error"]["field"] == row.error_field);
    } else {
      REQUIRE_FALSE(r.contains("error"));
      if (row.warning) CHECK(has_warning(r, row.warning));
    }
  }
}

TEST_CASE("quant: Mixtral's experts are matched by their checkpoint names (block_sparse_moe.experts.N.w1/w2/w3)",
          "[quant]") {
  // mistralai/Mixtral-8x7B: model.layers.N.block_sparse_moe.gate (router) and .experts.E.{w1,w2,w3}
  // (transformers MixtralSparseMoeBlock / MixtralBlockSparseTop2MLP). A W4A16 compressed-tensors checkpoint that
  // keeps the whole MoE block in 16 bits writes its ignore list with those names (vLLM compressed_tensors
  // should_ignore_layer: "re:" patterns matched from the start of the module name). Reduced: 2 layers, 4 experts.
  const json config = {
      {"model_type", "mixtral"},
      {"architectures", {"MixtralForCausalLM"}},
      {"hidden_size", 1024},
      {"intermediate_size", 2048},
      {"num_hidden_layers", 2},
      {"num_attention_heads", 16},
      {"num_key_value_heads", 4},
      {"num_local_experts", 4},
      {"num_experts_per_tok", 2},
      {"vocab_size", 1000},
      {"torch_dtype", "bfloat16"},
      {"quantization_config",
       {{"quant_method", "compressed-tensors"},
        {"config_groups",
         {{"group_0",
           {{"targets", {"Linear"}},
            {"weights",
             {{"num_bits", 4}, {"type", "int"}, {"strategy", "group"}, {"group_size", 128}, {"symmetric", true}}}}}}},
        {"ignore", {"lm_head", "re:.*block_sparse_moe.*"}}}}};
  const json r = vt::estimate(json{{"model", {{"config", config}}}});
  REQUIRE_FALSE(r.contains("error"));
  // Experts in bf16: 2 layers x 4 experts x 3 x 2048 x 1024 x 2 B; routers 2 x 4 x 1024 x 2 B; embeddings and
  // lm_head 2 x 1000 x 1024 x 2 B; norms 2 x 2 x 1024 + 1024 values x 2 B. Attention in int4 g128 symmetric:
  // q/o 1024 x 1024 and k/v 256 x 1024 per layer, 0.5 B per weight + one bf16 scale per 128 inputs.
  const std::int64_t experts = 2LL * 4 * 3 * 2048 * 1024 * 2;
  const std::int64_t routers = 2LL * 4 * 1024 * 2;
  const std::int64_t embed_head = 2LL * 1000 * 1024 * 2;
  const std::int64_t norms = (2LL * 2 * 1024 + 1024) * 2;
  const std::int64_t attn_weights = 2LL * (2 * 1024 + 2 * 256) * 1024;
  const std::int64_t attn_int4 = attn_weights / 2 + attn_weights / 128 * 2;
  const std::int64_t ours = vt::i64(r["weights"]["bytes"]);
  CHECK(ours >= experts + routers + embed_head + norms + attn_int4);
  // compressed-tensors may store a small per-tensor shape record; nothing else is added.
  CHECK(ours <= experts + routers + embed_head + norms + attn_int4 + 2 * 4 * 16);
}
