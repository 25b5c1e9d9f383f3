// KV cache, layer by layer: GQA, MLA, sliding windows, linear layers, quantised KV types, TP sharding.
#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/import/catalog.hpp"
#include "vramplan/import/config.hpp"
#include "vramplan/model/cache.hpp"

using vt::i64;
using vt::json;

TEST_CASE("kv: bytes per token for each attention kind", "[kv]") {
  struct Row {
    const char* model;
    std::int64_t bytes_per_token;
    const char* source;
  };
  const Row rows[] = {
      // ENGINES.md A1: MLA caches kv_lora_rank + qk_rope_head_dim = 576 values per layer, one "head".
      {"deepseek-ai/DeepSeek-V3", 61 * 576 * 2, "61 layers x 576 x 2 B (ENGINES.md A1, vLLM MLA head_size)"},
      {"moonshotai/Kimi-K2-Instruct", 61 * 576 * 2, "same MLA shape (config: kv_lora_rank 512, rope 64)"},
      // config.json: gpt-oss-20b 24 layers, 8 KV heads x 64.
      {"openai/gpt-oss-20b", 24 * 2 * 8 * 64 * 2, "24 x 2 x 8 x 64 x 2 B"},
      // Qwen3-Next: 12 of 48 layers are full attention, 2 KV heads x 256.
      {"Qwen/Qwen3-Next-80B-A3B-Instruct", 12 * 2 * 2 * 256 * 2, "12 x 2 x 2 x 256 x 2 B"},
      // gemma-3-27b: 62 layers x 16 KV heads x 128.
      {"google/gemma-3-27b-it", 62 * 2 * 16 * 128 * 2, "62 x 2 x 16 x 128 x 2 B"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.model, row.source);
    json r = vt::estimate(vt::request(row.model));
    CHECK(i64(r["kv_cache"]["bytes_per_token"]) == row.bytes_per_token);
  }
}

TEST_CASE("kv: llama.cpp KV sizes from real logs (f16)", "[kv]") {
  // engine_cases.json llamacpp-01: Llama-3-8B n_ctx 512 -> "KV self size = 64.00 MiB".
  json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 512, 1, "", "", 1));
  json req = vt::request("meta-llama/Meta-Llama-3-8B", 512);
  req["kv_cache_dtype"] = "f16";
  r = vt::estimate(req);
  CHECK(i64(r["kv_cache"]["bytes"]) == 64LL * 1048576);
  // engine_cases.json llamacpp-04: gpt-oss-20b, 131072 cells -> non-SWA cache "3072.00 MiB (12 layers)".
  json oss = vt::estimate(vt::request("openai/gpt-oss-20b", 131072));
  std::int64_t full = 0;
  for (const auto& l : oss["kv_cache"]["layers"])
    if (l["kind"] == "full") full = i64(l["count"]) * i64(l["bytes_per_token"]) * 131072;
  CHECK(full == 3072LL * 1048576);
}

TEST_CASE("kv: quantised cache types use ggml block sizes", "[kv]") {
  // ggml-common.h: q8_0 = 34 B per 32 values, q4_0 = 18 B per 32; fp8/int8 = 1 B per value.
  struct Row {
    const char* dtype;
    std::int64_t per_layer_k;  // one layer's K for Llama-3-8B: 8 heads x 128 = 1024 values
  };
  for (const auto& row : {Row{"q8_0", 1024 / 32 * 34}, Row{"q4_0", 1024 / 32 * 18}, Row{"fp8", 1024}, Row{"int8", 1024},
                          Row{"bf16", 2048}, Row{"fp32", 4096}}) {
    CAPTURE(row.dtype);
    json req = vt::request("meta-llama/Meta-Llama-3-8B");
    req["kv_cache_dtype"] = row.dtype;
    json r = vt::estimate(req);
    REQUIRE_FALSE(r.contains("error"));
    CHECK(i64(r["kv_cache"]["bytes_per_token"]) == 32 * 2 * row.per_layer_k);
  }
}

TEST_CASE("kv: sliding windows cap what a layer holds", "[kv]") {
  // Mistral-7B-v0.1: sliding_window 4096 on every layer -> 8k context holds the same KV as 4k.
  json at4k = vt::estimate(vt::request("mistralai/Mistral-7B-v0.1", 4096));
  json at8k = vt::estimate(vt::request("mistralai/Mistral-7B-v0.1", 8192));
  CHECK(i64(at4k["kv_cache"]["bytes"]) == i64(at8k["kv_cache"]["bytes"]));
  // gemma-3-27b: 52 sliding layers (window 1024) and 10 global layers; 2 x 16 x 128 x 2 B = 8192 B per layer-token.
  json g = vt::estimate(vt::request("google/gemma-3-27b-it", 32768));
  CHECK(i64(g["kv_cache"]["bytes"]) == 10LL * 8192 * 32768 + 52LL * 8192 * 1024);
}

TEST_CASE("kv: linear-attention layers keep a constant state", "[kv]") {
  // Qwen3-Next: 36 gated-delta-net layers, 32 value heads x 128 x 128 state + conv window of
  // (2 x 16 x 128 + 32 x 128) x (4 - 1) values, all in bf16; 12 full layers at 2,048 B per token.
  const std::int64_t state = (32LL * 128 * 128 + (2LL * 16 * 128 + 32 * 128) * 3) * 2;
  for (std::int64_t ctx : {1LL, 1000LL, 100000LL}) {
    CAPTURE(ctx);
    json r = vt::estimate(vt::request("Qwen/Qwen3-Next-80B-A3B-Instruct", ctx));
    CHECK(i64(r["kv_cache"]["bytes_per_sequence"]) == 36 * state + 12LL * 2048 * ctx);
  }
}

TEST_CASE("kv: tensor parallelism splits heads, replicates when heads < TP, replicates MLA", "[kv][tp]") {
  auto per_gpu_kv = [](const char* model, const char* gpu, int count) {
    json req = vt::request(model, 4096, 1, "", gpu, count);
    json r = vt::estimate(req);
    REQUIRE_FALSE(r.contains("error"));
    return std::make_pair(i64(r["per_gpu"][0]["kv_cache"]), i64(r["kv_cache"]["bytes_per_sequence"]));
  };
  // Llama-3-70B has 8 KV heads: TP 8 -> one head per rank (1/8); TP 16 is not allowed by 64 heads? It is
  // (64 % 16 == 0): each rank then keeps one replicated head, still 1/8 of the sequence's KV.
  auto [tp8, whole] = per_gpu_kv("meta-llama/Meta-Llama-3-70B", "nvidia-h100-sxm-80gb", 8);
  CHECK(tp8 * 8 == whole);
  auto [tp16, whole16] = per_gpu_kv("meta-llama/Meta-Llama-3-70B", "nvidia-h100-sxm-80gb", 16);
  CHECK(tp16 * 8 == whole16);
  // MLA: every rank holds the whole latent cache.
  auto [mla, mla_whole] = per_gpu_kv("deepseek-ai/DeepSeek-V3", "nvidia-h200-sxm-141gb", 8);
  CHECK(mla == mla_whole);
}

namespace {
std::vector<vramplan::LayerCache> layout_of(const char* model, const char* kv, std::int64_t tp) {
  const auto* entry = vramplan::builtin_catalog().find_model(model);
  REQUIRE(entry != nullptr);
  auto arch = vramplan::model_architecture(*entry, "model");
  REQUIRE(arch.ok());
  auto dtype = vramplan::find_kv_dtype(kv, arch.value(), "kv");
  REQUIRE(dtype.ok());
  return vramplan::cache_layout(arch.value(), dtype.value(), tp);
}
}  // namespace

TEST_CASE("kv: the cache descriptor lists each layer's components with what they hold", "[kv][descriptor]") {
  using vramplan::CachePart;
  using vramplan::Holds;
  // Llama-3-8B (config.json: 8 KV heads x 128): K and V of every token; TP 4 splits the heads 2 per rank.
  auto llama = layout_of("meta-llama/Meta-Llama-3-8B", "auto", 4);
  REQUIRE(llama.size() == 32);
  REQUIRE(llama[0].parts.size() == 2);
  CHECK(llama[0].parts[0].part == CachePart::key);
  CHECK(llama[0].parts[1].part == CachePart::value);
  CHECK(llama[0].parts[0].heads == 2);
  CHECK(llama[0].bytes_per_token() == 2 * 2 * 128 * 2);
  CHECK(llama[0].bytes(1000) == 1000 * 2 * 2 * 128 * 2);

  // DeepSeek-V3 (kv_lora_rank 512, qk_rope_head_dim 64): a latent and a RoPE key, no V, the same on every rank.
  auto ds = layout_of("deepseek-ai/DeepSeek-V3", "auto", 8);
  REQUIRE(ds[0].parts.size() == 2);
  CHECK(ds[0].parts[0].part == CachePart::latent);
  CHECK(ds[0].parts[1].part == CachePart::rope_key);
  CHECK(ds[0].replicated());
  CHECK(ds[0].k_bytes_per_token() == 576 * 2);
  CHECK(ds[0].v_bytes_per_token() == 0);

  // gemma-3-27b: 5 of every 6 layers hold a 1024-token window; the 6th every token.
  auto gemma = layout_of("google/gemma-3-27b-it", "auto", 1);
  CHECK(gemma[0].token_holds() == Holds::window);
  CHECK(gemma[0].token_span() == 1024);
  CHECK(gemma[5].token_holds() == Holds::every_token);
  CHECK(gemma[0].bytes(4096) == 1024 * gemma[0].bytes_per_token());
  CHECK(gemma[5].bytes(4096) == 4096 * gemma[5].bytes_per_token());

  // Qwen3-Next gated DeltaNet layers (config: 16 key heads, 32 value heads, 128 x 128, conv kernel 4): a fixed
  // state of 32 x 128 x 128 values plus (2 x 16 x 128 + 32 x 128) channels x 3 conv steps, per sequence.
  auto next = layout_of("Qwen/Qwen3-Next-80B-A3B-Instruct", "auto", 1);
  CHECK_FALSE(next[0].attends_to_context());
  CHECK(next[0].bytes_per_token() == 0);
  CHECK(next[0].state_bytes() == (32 * 128 * 128 + (2 * 16 * 128 + 32 * 128) * 3) * 2);
  CHECK(next[0].bytes(1) == next[0].bytes(100000));
  CHECK(next[3].attends_to_context());  // every 4th layer is full attention

  // A quantised cache type rounds each row up to whole blocks: q8_0 keeps 34 B per 32 values.
  auto q8 = layout_of("meta-llama/Meta-Llama-3-8B", "q8_0", 1);
  CHECK(q8[0].parts[0].row_bytes() == 8 * 128 / 32 * 34);
}

TEST_CASE("kv: hybrid and sparse-attention models of 2025-26, per sequence by the engine's rule", "[kv][hybrid]") {
  // Nemotron-3-Nano-30B-A3B (config.json): hybrid_override_pattern has 23 Mamba-2 blocks (M) and 6 attention
  // blocks (*); attention: 2 KV heads x head_dim 128; Mamba-2: mamba_num_heads 64, mamba_head_dim 64, n_groups 8,
  // ssm_state_size 128, conv_kernel 4, mamba_ssm_cache_dtype float32. vLLM (model_executor/layers/mamba/
  // mamba_utils.py, MambaStateShapeCalculator.mamba2_state_shape): conv state (conv_kernel - 1) x (heads x
  // head_dim + 2 x n_groups x state_size) in the model dtype (bf16), temporal state heads x head_dim x state_size
  // in mamba_ssm_cache_dtype (fp32).
  {
    json req = vt::request("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", 8192, 1, "", "nvidia-h200-sxm-141gb", 1);
    req["engine"] = "vllm";
    const json r = vt::estimate(req);
    REQUIRE_FALSE(r.contains("error"));
    const std::int64_t conv = (4 - 1) * (64 * 64 + 2 * 8 * 128) * 2;
    const std::int64_t ssm = 64 * 64 * 128 * 4;
    CHECK(i64(r["kv_cache"]["bytes_per_token"]) == 6 * 2 * 2 * 128 * 2);
    CHECK(i64(r["kv_cache"]["bytes_per_sequence"]) == 23 * (conv + ssm) + 8192 * 6 * 2 * 2 * 128 * 2);
  }
  // DeepSeek-V3.2 (config.json: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64, index_head_dim 128): MLA caches
  // 576 values per layer; the sparse-attention indexer caches one fp8 key of index_head_dim plus one fp32 scale per
  // 128 values per token and layer (vLLM model_executor/models/deepseek_v2.py, DeepseekV32IndexerCache: head_dim +
  // head_dim // quant_block_size * 4 = 132 B).
  {
    const json r = vt::estimate(vt::request("deepseek-ai/DeepSeek-V3.2", 4096, 1, "", "nvidia-h200-sxm-141gb", 8));
    REQUIRE_FALSE(r.contains("error"));
    CHECK(i64(r["kv_cache"]["bytes_per_token"]) == 61 * (576 * 2 + 132));
  }
}

TEST_CASE("kv: Kimi Delta Attention keeps its recurrent state in float32", "[kv][hybrid]") {
  // Kimi-Linear's layout keys (moonshotai/Kimi-Linear-48B-A3B-Instruct config.json: linear_attn_config with
  // kda_layers, num_heads, head_dim, short_conv_kernel_size; MLA elsewhere), on a reduced model: 4 layers, KDA on
  // layers 1-3 (1-based), 8 heads of 128, kernel 4, bf16 weights. vLLM (model_executor/layers/mamba/mamba_utils.py):
  // MambaStateDtypeCalculator.kda_state_dtype keeps the q/k/v conv states in the cache dtype and the recurrent
  // state in torch.float32; MambaStateShapeCalculator.kda_state_shape: conv (kernel - 1) x heads x head_dim for
  // each of q, k, v; recurrent heads x head_dim x head_dim.
  const std::string config = R"({"model_type": "kimi_linear", "architectures": ["KimiLinearForCausalLM"],
      "hidden_size": 1024, "intermediate_size": 2048, "num_hidden_layers": 4, "num_attention_heads": 8,
      "num_key_value_heads": 8, "vocab_size": 1000, "kv_lora_rank": 512, "q_lora_rank": null,
      "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "torch_dtype": "bfloat16",
      "linear_attn_config": {"kda_layers": [1, 2, 3], "full_attn_layers": [4], "num_heads": 8, "head_dim": 128,
                             "short_conv_kernel_size": 4}})";
  const json r = vt::estimate(
      json{{"model", {{"config", json::parse(config)}}}, {"workload", {{"context_tokens", 1000}, {"concurrency", 1}}}});
  REQUIRE_FALSE(r.contains("error"));
  const std::int64_t per_kda_layer = 8 * 128 * 128 * 4 + 3 * (4 - 1) * 8 * 128 * 2;
  const std::int64_t mla = (512 + 64) * 2;
  CHECK(i64(r["kv_cache"]["bytes_per_token"]) == mla);
  CHECK(i64(r["kv_cache"]["bytes_per_sequence"]) == 3 * per_kda_layer + 1000 * mla);
}

namespace {

json config_fixture(const std::string& name) { return vt::source_json("tests/fixtures/configs/" + name); }

json estimate_config(const json& config, std::int64_t context) {
  return vt::estimate(json{{"model", {{"config", config}}},
                           {"engine", "vllm"},
                           {"workload", {{"context_tokens", context}, {"concurrency", 1}}},
                           {"hardware", {{"gpu", "nvidia-h200-sxm-141gb"}, {"count", 8}}}});
}

std::vector<json> import_warnings(const json& r) {
  std::vector<json> out;
  for (const auto& w : r["warnings"])
    if (w["code"].get<std::string>().rfind("import.", 0) == 0) out.push_back(w);
  return out;
}

}  // namespace

TEST_CASE("kv: GLM-5.2's shared-indexer layers hold no indexer keys", "[kv][hybrid]") {
  // zai-org/GLM-5.2 config.json (tests/fixtures/configs/SOURCES.md): 78 MLA layers (kv_lora_rank 512 +
  // qk_rope_head_dim 64 per token), indexer_types with 21 "full" layers that keep an fp8 indexer key of
  // index_head_dim 128 + one fp32 scale (132 B, vLLM DeepseekV32IndexerCache) and 57 "shared" layers that reuse
  // the last full layer's top-k and keep none.
  const json config = config_fixture("glm-5.2.json");
  std::int64_t full = 0;
  for (const auto& t : config["indexer_types"]) full += t == "full" ? 1 : 0;
  REQUIRE(full == 21);
  const json r = estimate_config(config, 4096);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["kv_cache"]["bytes_per_token"]) == 78 * (512 + 64) * 2 + 21 * 132);
}

TEST_CASE("kv: Nemotron-3-Ultra has no num_hidden_layers — its layers_block_type says 108", "[kv][hybrid]") {
  // nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16 config.json: layers_block_type lists 48 mamba, 48 moe and 12
  // attention blocks; attention 2 KV heads x 128; Mamba-2 with 256 heads of 64, n_groups 8, ssm_state_size 128,
  // conv_kernel 4, mamba_ssm_cache_dtype float32 (vLLM mamba_utils.py MambaStateShapeCalculator.mamba2_state_shape:
  // conv (kernel - 1) x (heads x head_dim + 2 x groups x state) in bf16, SSM heads x head_dim x state in fp32;
  // TP 8 splits heads and channels).
  const json r = estimate_config(config_fixture("nemotron-3-ultra-550b-a55b-bf16.json"), 8192);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(import_warnings(r).size() <= 1);  // at most the MTP keys (mtp_layers_block_type), named
  CHECK(i64(r["kv_cache"]["bytes_per_token"]) == 12 * 2 * 2 * 128 * 2);
  const std::int64_t conv = 3 * (256 * 64 + 2 * 8 * 128) * 2;
  const std::int64_t ssm = 256 * 64 * 128 * 4;
  CHECK(i64(r["kv_cache"]["bytes_per_sequence"]) == 48 * (conv + ssm) + 8192 * 12 * 2 * 2 * 128 * 2);
}
