// Gemma 4 (model_type gemma4 / gemma4_text / gemma4_vision): every tensor from transformers' modeling_gemma4.py,
// the KV cache by vLLM's rule (vllm/model_executor/models/gemma4.py). Fixtures and where each total was read:
// tests/fixtures/gemma4/SOURCES.md. Expected values are worked out here by hand, never copied from the program.
#include <fstream>
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/import/config.hpp"
#include "vramplan/model/params.hpp"

using vt::json;
using I = std::int64_t;

namespace {

json fixture(const std::string& name) { return vt::source_json("tests/fixtures/gemma4/" + name); }

vramplan::Architecture parsed(const json& config) {
  return vt::parsed(config, {vramplan::Msg::import_keys_not_read, vramplan::Msg::import_unknown_model_type,
                             vramplan::Msg::import_vision_not_counted});
}

// A small Gemma 4 text config with PLE, KV sharing and the double-wide MLP (the E2B/E4B features), no MoE.
json small_ple_config() {
  json types = json::array();
  for (int i = 0; i < 10; ++i) types.push_back(i % 5 == 4 ? "full_attention" : "sliding_attention");
  return {{"model_type", "gemma4_text"},
          {"hidden_size", 64},
          {"intermediate_size", 128},
          {"num_hidden_layers", 10},
          {"num_attention_heads", 4},
          {"num_key_value_heads", 1},
          {"num_global_key_value_heads", 2},
          {"head_dim", 16},
          {"global_head_dim", 32},
          {"attention_k_eq_v", false},
          {"vocab_size", 1000},
          {"vocab_size_per_layer_input", 500},
          {"hidden_size_per_layer_input", 8},
          {"num_kv_shared_layers", 4},
          {"use_double_wide_mlp", true},
          {"enable_moe_block", false},
          {"sliding_window", 32},
          {"layer_types", types},
          {"tie_word_embeddings", true}};
}

}  // namespace

TEST_CASE("gemma4: 26B-A4B matches the published totals", "[params][gemma4]") {
  const auto a = parsed(fixture("gemma-4-26b-a4b.json"));
  const auto c = vramplan::count_params(vramplan::enumerate_tensors(a));
  const I vision = c.per_class[static_cast<int>(vramplan::TensorClass::vision)];
  const I text = c.total - vision;
  // Google's model card: "Total Parameters 25.2B", "Active Parameters 3.8B", vision encoder ~550M (the card's
  // total is the language model's). Only rounded figures are published: within the rounding.
  CHECK(text >= 25'150'000'000);
  CHECK(text < 25'250'000'000);
  CHECK(c.active >= 3'750'000'000);
  CHECK(c.active < 3'850'000'000);
  CHECK(vision > 500'000'000);
  CHECK(vision < 600'000'000);
  // Hugging Face's safetensors size for checkpoints of this shape: "26B params" (whole billions).
  CHECK(c.total >= 25'500'000'000);
  CHECK(c.total < 26'500'000'000);
}

TEST_CASE("gemma4: 26B-A4B tensor by tensor, from modeling_gemma4.py", "[params][gemma4]") {
  const auto a = parsed(fixture("gemma-4-26b-a4b.json"));
  const auto c = vramplan::count_params(vramplan::enumerate_tensors(a));
  // text_config: hidden 2816, 30 layers (every 6th full), 16 heads; sliding: 8 KV heads x 256; full: k_eq_v,
  // 2 global KV heads x 512, no v_proj; dense MLP 2112 beside 128 experts of 704 (Gemma4TextExperts gate_up +
  // down); Gemma4TextRouter proj + scale + per_expert_scale; 4 + 3 norms, layer_scalar; tied embedding 262144.
  const I h = 2816, V = 262144, E = 128;
  const I sliding = h * 16 * 256 * 2 + 2 * h * 8 * 256 + 2 * 256;  // q, o, k, v, q_norm, k_norm
  const I full = h * 16 * 512 * 2 + h * 2 * 512 + 2 * 512;         // q, o, k (= v), q_norm, k_norm
  const I mlp = 3 * h * 2112 + E * 3 * h * 704 + h * E + h + E + 7 * h + 1;
  const I text = V * h + h + 25 * sliding + 5 * full + 30 * mlp;
  // vision_config: 27 layers of 1152, 16 heads x 72, MLP 4304, patch 16, position table 2 x 10240 x 1152,
  // standardize (std_bias, std_scale), no clipped linears; embed_vision projects 1152 -> 2816.
  const I d = 1152;
  const I layer = 4 * d * d + 2 * 72 + 3 * d * 4304 + 4 * d;
  const I vision = 3 * 16 * 16 * d + 2 * 10240 * d + 27 * layer + 2 * d + d * h;
  CHECK(c.per_class[static_cast<int>(vramplan::TensorClass::vision)] == vision);
  CHECK(c.total == text + vision);
}

TEST_CASE("gemma4: KV cache per sequence by vLLM's rule", "[kv][gemma4]") {
  // vLLM gemma4.py Gemma4DecoderLayer: full layers use global_head_dim and, with attention_k_eq_v,
  // num_global_key_value_heads; "k_eq_v layers load K weights into both K and V slots" of qkv_proj, so the cache
  // holds K and V. Sliding layers get per_layer_sliding_window = sliding_window: they hold 1024 tokens.
  json req = {{"model", {{"config", fixture("gemma-4-26b-a4b.json")}}},
              {"workload", {{"context_tokens", 8192}, {"concurrency", 1}}},
              {"engine", "vllm"},
              {"hardware", {{"gpu", "nvidia-h200-sxm-141gb"}, {"count", 1}}}};
  const json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  const I sliding_token = 2 * 8 * 256 * 2, full_token = 2 * 2 * 512 * 2;  // K and V, bf16
  CHECK(vt::i64(r["kv_cache"]["bytes_per_token"]) == 25 * sliding_token + 5 * full_token);
  CHECK(vt::i64(r["kv_cache"]["bytes_per_sequence"]) == 25 * 1024 * sliding_token + 5 * 8192 * full_token);
}

TEST_CASE("gemma4: PLE, KV-shared layers and the double-wide MLP", "[params][kv][gemma4]") {
  const auto a = parsed(small_ple_config());
  const auto c = vramplan::count_params(vramplan::enumerate_tensors(a));
  // Gemma4TextModel: embed_tokens (1000 x 64), embed_tokens_per_layer (500 x 10*8), per_layer_model_projection
  // (64 -> 80), per_layer_projection_norm (8), norm (64). Layers 6..9 reuse K/V (num_kv_shared_layers 4): no
  // k_proj, v_proj or k_norm, and an MLP of 2 x 128. Full layers (4, 9): head_dim 32, and without
  // attention_k_eq_v the model's one KV head, not num_global_key_value_heads.
  const I h = 64;
  auto attention = [&](I hd, bool own_kv) { return h * 4 * hd * 2 + hd + (own_kv ? 2 * h * hd + hd : 0); };
  const I common = 4 * h + 1 + 2 * h * 8 + h;  // 4 norms, layer_scalar, per-layer gate + projection, its norm
  I layers = 0;
  for (int i = 0; i < 10; ++i) {
    const bool full = i % 5 == 4, shared = i >= 6;
    layers += attention(full ? 32 : 16, !shared) + 3 * h * (shared ? 256 : 128) + common;
  }
  CHECK(c.total == 1000 * h + 500 * 80 + h * 80 + 8 + h + layers);
  // Only layers 0..5 cache: sliding ones hold 32 tokens, layer 4 (full) the whole context; vLLM gives the
  // shared layers no cache of their own (gemma4.py: kv_sharing_target_layer_name).
  const json r = vt::estimate(
      json{{"model", {{"config", small_ple_config()}}}, {"workload", {{"context_tokens", 1000}, {"concurrency", 1}}}});
  REQUIRE_FALSE(r.contains("error"));
  CHECK(vt::i64(r["kv_cache"]["bytes_per_token"]) == 5 * 2 * 16 * 2 + 2 * 32 * 2);
  CHECK(vt::i64(r["kv_cache"]["bytes_per_sequence"]) == 5 * 32 * 2 * 16 * 2 + 1000 * 2 * 32 * 2);
}
