// KV cache per layer: what one token (or one sequence, for linear layers) costs on one TP rank.
#include "vramplan/model/kv_cache.hpp"

#include <algorithm>
#include <cctype>

#include "vramplan/common/strings.hpp"

namespace vramplan {
namespace {

using I = std::int64_t;

struct KvType {
  const char* id;
  int block_elems;
  int block_bytes;
};
// llama.cpp cache types use ggml block layouts (ggml-common.h): q8_0 = 34 B per 32 values, etc.
const KvType kKvTypes[] = {
    {"fp32", 1, 4},     {"fp16", 1, 2},   {"bf16", 1, 2},     {"fp8", 1, 1},    {"fp8_e4m3", 1, 1},
    {"fp8_e5m2", 1, 1}, {"int8", 1, 1},   {"q8_0", 32, 34},   {"q5_1", 32, 24}, {"q5_0", 32, 22},
    {"q4_1", 32, 20},   {"q4_0", 32, 18}, {"iq4_nl", 32, 18},
};
const char* const kKvAliases[][2] = {{"f32", "fp32"},  {"float32", "fp32"},  {"f16", "fp16"},      {"float16", "fp16"},
                                     {"half", "fp16"}, {"bfloat16", "bf16"}, {"fp8_ds_mla", "fp8"}};

}  // namespace

std::vector<std::string> kv_dtype_ids() {
  std::vector<std::string> ids{"auto"};
  for (const auto& t : kKvTypes) ids.emplace_back(t.id);
  return ids;
}

Expected<KvDtype> find_kv_dtype(const std::string& id_in, const Architecture& arch, const std::string& field) {
  std::string id = lower(id_in);
  for (const auto& a : kKvAliases)
    if (id == a[0]) id = a[1];
  if (id == "auto" || id.empty()) {
    if (arch.dtype == "float32") return KvDtype{"fp32", 1, 4};
    if (arch.dtype == "float16") return KvDtype{"fp16", 1, 2};
    return KvDtype{"bf16", 1, 2};
  }
  for (const auto& t : kKvTypes)
    if (id == t.id) return KvDtype{t.id, t.block_elems, t.block_bytes};
  std::string list;
  for (const auto& s : kv_dtype_ids()) list += (list.empty() ? "" : ", ") + s;
  return make_error(ErrorCode::unknown_format, field,
                    "unknown KV cache dtype '" + id_in.substr(0, 40) + "'; use one of " + list);
}

I kv_row_bytes(const KvDtype& d, I n) { return ceil_div(n, d.block_elems) * d.block_bytes; }

std::vector<KvLayerCost> kv_layer_costs(const Architecture& a, const KvDtype& d, I tp) {
  std::vector<KvLayerCost> out;
  out.reserve(a.layers.size());
  tp = std::max<I>(1, tp);
  for (const auto& layer : a.layers) {
    KvLayerCost c;
    c.kind = layer.attention;
    c.window = layer.window;
    switch (layer.attention) {
      case AttentionKind::mla:
        // One latent (kv_lora_rank) plus the shared RoPE key per token, identical on every rank.
        c.heads_per_rank = 1;
        c.replicated = tp > 1;
        c.k_bytes_per_token = kv_row_bytes(d, a.kv_lora_rank + a.qk_rope_head_dim);
        c.v_bytes_per_token = 0;
        break;
      case AttentionKind::linear: {
        // Gated DeltaNet state: a dk x dv matrix per value head plus the conv window of the mixed q/k/v.
        const auto& l = a.linear;
        const I nv = std::max<I>(1, l.num_value_heads / tp);
        const I nk = std::max<I>(1, l.num_key_heads / tp);
        const I conv = (2 * nk * l.key_head_dim + nv * l.value_head_dim) * std::max<I>(0, l.conv_kernel - 1);
        c.state_bytes = kv_row_bytes(d, nv * l.key_head_dim * l.value_head_dim) + kv_row_bytes(d, conv);
        c.heads_per_rank = nv;
        c.replicated = l.num_value_heads < tp;
        break;
      }
      default: {
        // Heads split across ranks; with fewer KV heads than ranks each rank keeps one (vLLM replicates).
        const I heads = a.num_kv_heads >= tp ? a.num_kv_heads / tp : 1;
        c.heads_per_rank = heads;
        c.replicated = a.num_kv_heads < tp;
        c.k_bytes_per_token = kv_row_bytes(d, heads * a.head_dim);
        c.v_bytes_per_token = kv_row_bytes(d, heads * a.v_head_dim);
      }
    }
    out.push_back(c);
  }
  return out;
}

I kv_tokens_held(const KvLayerCost& layer, I context) {
  switch (layer.kind) {
    case AttentionKind::sliding:
    case AttentionKind::chunked:
      return std::min(context, layer.window);
    case AttentionKind::linear:
      return 0;
    default:
      return context;
  }
}

I kv_bytes_per_token(const Architecture& a, const KvDtype& d) {
  I total = 0;
  for (const auto& c : kv_layer_costs(a, d, 1)) total += c.k_bytes_per_token + c.v_bytes_per_token;
  return total;
}

I kv_bytes_per_sequence(const std::vector<KvLayerCost>& costs, I context, std::size_t first, std::size_t last) {
  I total = 0;
  for (std::size_t i = first; i < last && i < costs.size(); ++i) {
    const auto& c = costs[i];
    total += (c.k_bytes_per_token + c.v_bytes_per_token) * kv_tokens_held(c, context) + c.state_bytes;
  }
  return total;
}

}  // namespace vramplan
