// The KV cache descriptor: what each layer caches on one TP rank. Only cache_layout() looks at the
// attention kind; everything else asks the components.
#include "vramplan/model/cache.hpp"

#include <algorithm>

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

bool k_side(CachePart p) {
  return p == CachePart::key || p == CachePart::latent || p == CachePart::rope_key || p == CachePart::indexer_key;
}

// Grouped-query attention: K and V heads split across ranks; with fewer KV heads than ranks each rank keeps
// one (vLLM replicates them).
void add_attention(LayerCache& l, const Architecture& a, const LayerSpec& s, const KvDtype& d, I tp, Holds holds,
                   I span) {
  const I kv_heads = a.kv_heads(s);
  const I heads = kv_heads >= tp ? kv_heads / tp : 1;
  const bool replicated = kv_heads < tp;
  const CachePart k = holds == Holds::fixed_tokens ? CachePart::cross_key : CachePart::key;
  const CachePart v = holds == Holds::fixed_tokens ? CachePart::cross_value : CachePart::value;
  l.parts.push_back({k, holds, span, heads, a.k_head_dim(s), 1, d, replicated});
  l.parts.push_back({v, holds, span, heads, a.v_dim(s), 1, d, replicated});
}

// MLA: one latent (kv_lora_rank) plus the RoPE key shared by all heads per token, identical on every rank.
void add_latent(LayerCache& l, const Architecture& a, const KvDtype& d, I tp) {
  l.parts.push_back({CachePart::latent, Holds::every_token, 0, 1, a.kv_lora_rank, 1, d, tp > 1});
  l.parts.push_back({CachePart::rope_key, Holds::every_token, 0, 1, a.qk_rope_head_dim, 1, d, tp > 1});
}

// The sparse-attention indexer's key: index_head_dim fp8 values and one fp32 scale per 128 of them, the same
// on every rank (vLLM DeepseekV32IndexerCache: head_dim + head_dim // quant_block_size * 4 bytes).
void add_indexer(LayerCache& l, const Architecture& a, I tp) {
  const KvDtype fp8_scaled{"fp8+scale", 128, 132};
  l.parts.push_back({CachePart::indexer_key, Holds::every_token, 0, 1, a.indexer.head_dim, 1, fp8_scaled, tp > 1});
}

// DeepSeek-V4, by vLLM's rule (layers/deepseek_v4_attention.py DeepseekV4MultiHeadLatentAttentionWrapper, "currently
// hardcoded for FP8 sparse": head_bytes = nope fp8 + rope bf16 + nope / 64 scale bytes + 1 pad, 584 B for
// head_dim 512, whatever the KV dtype asked): the last sliding_window tokens (DeepseekV4SWACache), one row per
// compress_ratio tokens (DeepseekV4MLAAttention), on ratio-4 layers the indexer's keys of the compressed rows
// (fp8 + an fp32 scale per 128), and each compressor's state (layers/deepseek_compressor.py
// CompressorStateCache: fp32 rows of 2 x coff x head_dim over a window of coff x ratio tokens, coff 2 at ratio 4).
void add_dsv4(LayerCache& l, const Architecture& a, const LayerSpec& s, I tp) {
  const I rope = a.qk_rope_head_dim, nope = a.head_dim - rope;
  const KvDtype packed{"fp8_ds_mla", static_cast<int>(a.head_dim), static_cast<int>(nope + 2 * rope + nope / 64 + 1)};
  const KvDtype fp32{"fp32", 1, 4};
  const bool rep = tp > 1;
  l.parts.push_back({CachePart::latent, Holds::window, s.window, 1, a.head_dim, 1, packed, rep});
  const I r = s.compress_ratio;
  if (r <= 1) return;
  l.parts.push_back({CachePart::latent, Holds::strided, r, 1, a.head_dim, 1, packed, rep});
  const I coff = r == 4 ? 2 : 1;
  l.parts.push_back({CachePart::compressor_state, Holds::window, coff * r, 1, 2 * coff * a.head_dim, 1, fp32, rep});
  if (!s.indexer) return;
  const KvDtype fp8_scaled{"fp8+scale", 128, 132};
  l.parts.push_back({CachePart::indexer_key, Holds::strided, 4, 1, a.indexer.head_dim, 1, fp8_scaled, rep});
  l.parts.push_back({CachePart::compressor_state, Holds::window, 8, 1, 4 * a.indexer.head_dim, 1, fp32, rep});
}

// Heads split across ranks; a rank keeps at least one.
I per_rank(I n, I tp) { return std::max<I>(1, n / tp); }

// Gated DeltaNet: a key_head_dim x value_head_dim state per value head, plus the short convolution's last
// (kernel - 1) inputs of the mixed q/k/v channels (MambaStateShapeCalculator.gated_delta_net_state_shape).
void add_gated_deltanet(LayerCache& l, const Architecture& a, const StateDtypes& d, I tp) {
  const auto& s = a.linear;
  const I nv = per_rank(s.num_value_heads, tp);
  const I nk = per_rank(s.num_key_heads, tp);
  const bool replicated = s.num_value_heads < tp;
  l.parts.push_back(
      {CachePart::ssm_state, Holds::per_sequence, 0, nv, s.key_head_dim, s.value_head_dim, d.ssm, replicated});
  const I channels = 2 * nk * s.key_head_dim + nv * s.value_head_dim;
  l.parts.push_back({CachePart::conv_state, Holds::per_sequence, 0, 1, channels, std::max<I>(0, s.conv_kernel - 1),
                     d.conv, replicated});
}

// Kimi Delta Attention: a head_dim x head_dim state per head and the q, k and v convolutions' windows. The
// recurrent state is float32 whatever the model or cache dtype (vLLM model_executor/layers/mamba/mamba_utils.py,
// MambaStateDtypeCalculator.kda_state_dtype returns torch.float32 for it); the convolutions keep d.conv.
void add_kda(LayerCache& l, const Architecture& a, const StateDtypes& d, I tp) {
  const auto& s = a.kda;
  const I heads = per_rank(s.num_heads, tp);
  const bool replicated = s.num_heads < tp;
  const KvDtype fp32{"fp32", 1, 4};
  l.parts.push_back({CachePart::ssm_state, Holds::per_sequence, 0, heads, s.head_dim, s.head_dim, fp32, replicated});
  l.parts.push_back({CachePart::conv_state, Holds::per_sequence, 0, 1, 3 * heads * s.head_dim,
                     std::max<I>(0, s.conv_kernel - 1), d.conv, replicated});
}

// Mamba-2: the conv window over x, B and C (groups replicated up to the TP size when fewer,
// extra_groups_for_head_shards) and a head_dim x d_state state per head (mamba2_state_shape).
void add_mamba2(LayerCache& l, const Architecture& a, const StateDtypes& d, I tp) {
  const auto& m = a.mamba;
  const I groups = m.n_groups % tp == 0 ? m.n_groups : tp;
  const I conv = (m.d_inner + 2 * groups * m.d_state) / tp;
  l.parts.push_back(
      {CachePart::conv_state, Holds::per_sequence, 0, 1, conv, std::max<I>(0, m.conv_kernel - 1), d.conv, false});
  l.parts.push_back(
      {CachePart::ssm_state, Holds::per_sequence, 0, per_rank(m.num_heads, tp), m.head_dim, m.d_state, d.ssm, false});
}

// Mamba-1: the conv window over d_inner channels and a d_inner x d_state state (mamba1_state_shape).
void add_mamba1(LayerCache& l, const Architecture& a, const StateDtypes& d, I tp) {
  const auto& m = a.mamba;
  const I inner = m.d_inner / tp;
  l.parts.push_back(
      {CachePart::conv_state, Holds::per_sequence, 0, 1, inner, std::max<I>(0, m.conv_kernel - 1), d.conv, false});
  l.parts.push_back({CachePart::ssm_state, Holds::per_sequence, 0, 1, inner, m.d_state, d.ssm, false});
}

// LFM2's short convolution: the last (kernel - 1) inputs of hidden_size channels (short_conv_state_shape).
void add_short_conv(LayerCache& l, const Architecture& a, const StateDtypes& d, I tp) {
  l.parts.push_back({CachePart::conv_state, Holds::per_sequence, 0, 1, a.hidden_size / tp,
                     std::max<I>(0, a.short_conv.conv_kernel - 1), d.conv, false});
}

LayerCache layer_cache(const Architecture& a, const LayerSpec& s, const KvDtype& d, const StateDtypes& states, I tp) {
  LayerCache l;
  l.attention = s.attention;
  l.state = s.state;
  // A layer reading an earlier layer's K and V caches nothing (vLLM gemma4.py: kv_sharing_target_layer_name).
  const bool dsv4 = s.attention == AttentionKind::compressed;
  switch (s.kv_reused ? AttentionKind::none : s.attention) {
    case AttentionKind::none:
      break;
    case AttentionKind::compressed:
      add_dsv4(l, a, s, tp);
      break;
    case AttentionKind::mla:
      add_latent(l, a, d, tp);
      break;
    case AttentionKind::sliding:
      add_attention(l, a, s, d, tp, Holds::window, s.window);
      break;
    case AttentionKind::chunked:
      add_attention(l, a, s, d, tp, Holds::chunk, s.window);
      break;
    case AttentionKind::cross:
      add_attention(l, a, s, d, tp, Holds::fixed_tokens, a.cross_attention_tokens);
      break;
    case AttentionKind::full:
      if (s.compress_ratio > 1)
        add_attention(l, a, s, d, tp, Holds::strided, s.compress_ratio);
      else
        add_attention(l, a, s, d, tp, Holds::every_token, 0);
      break;
  }
  if (s.indexer && !dsv4) add_indexer(l, a, tp);
  switch (s.state) {
    case StateKind::none:
      break;
    case StateKind::gated_deltanet:
      add_gated_deltanet(l, a, states, tp);
      break;
    case StateKind::kda:
      add_kda(l, a, states, tp);
      break;
    case StateKind::mamba:
      add_mamba1(l, a, states, tp);
      break;
    case StateKind::mamba2:
      add_mamba2(l, a, states, tp);
      break;
    case StateKind::short_conv:
      add_short_conv(l, a, states, tp);
      break;
  }
  return l;
}

}  // namespace

const char* to_string(CachePart part) {
  switch (part) {
    case CachePart::key:
      return "key";
    case CachePart::value:
      return "value";
    case CachePart::latent:
      return "latent";
    case CachePart::rope_key:
      return "rope_key";
    case CachePart::indexer_key:
      return "indexer_key";
    case CachePart::compressor_state:
      return "compressor_state";
    case CachePart::ssm_state:
      return "ssm_state";
    case CachePart::conv_state:
      return "conv_state";
    case CachePart::cross_key:
      return "cross_key";
    case CachePart::cross_value:
      return "cross_value";
  }
  return "key";
}

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
  return make_error(ErrorCode::unknown_format, field,
                    "unknown KV cache dtype '" + id_in.substr(0, 40) + "'; use one of " + join(kv_dtype_ids()));
}

I kv_row_bytes(const KvDtype& d, I n) { return ceil_div(n, d.block_elems) * d.block_bytes; }

I CacheComponent::rows(I context) const {
  switch (holds) {
    case Holds::every_token:
      return context;
    case Holds::window:
    case Holds::chunk:
      return std::min(context, span);
    case Holds::per_sequence:
      return 1;
    case Holds::strided:
      return span > 0 ? ceil_div(context, span) : context;
    case Holds::fixed_tokens:
      return span;
  }
  return context;
}

I LayerCache::bytes_per_token() const { return k_bytes_per_token() + v_bytes_per_token(); }

I LayerCache::k_bytes_per_token() const {
  I total = 0;
  for (const auto& p : parts)
    if (k_side(p.part) && p.grows_with_context())
      total += p.holds == Holds::strided && p.span > 0 ? p.row_bytes() / p.span : p.row_bytes();
  return total;
}

I LayerCache::v_bytes_per_token() const {
  I total = 0;
  for (const auto& p : parts)
    if (p.part == CachePart::value && p.grows_with_context())
      total += p.holds == Holds::strided && p.span > 0 ? p.row_bytes() / p.span : p.row_bytes();
  return total;
}

I LayerCache::state_bytes() const {
  I total = 0;
  for (const auto& p : parts)
    if (p.holds == Holds::per_sequence) total += p.row_bytes();
  return total;
}

I LayerCache::bytes(I context) const {
  I total = 0;
  for (const auto& p : parts) total += p.bytes(context);
  return total;
}

bool LayerCache::attends_to_context() const {
  return std::any_of(parts.begin(), parts.end(),
                     [](const CacheComponent& p) { return p.holds != Holds::per_sequence; });
}

Holds LayerCache::token_holds() const {
  for (const auto& p : parts)
    if (p.holds != Holds::per_sequence) return p.holds;
  return Holds::per_sequence;
}

I LayerCache::token_span() const {
  for (const auto& p : parts)
    if (p.holds != Holds::per_sequence) return p.span;
  return 0;
}

I LayerCache::heads_per_rank() const { return parts.empty() ? 0 : parts.front().heads; }

std::string LayerCache::kind_name() const {
  LayerSpec spec;
  spec.attention = attention;
  spec.state = state;
  return layer_kind(spec);
}

bool LayerCache::replicated() const { return !parts.empty() && parts.front().replicated; }

StateDtypes default_state_dtypes(const Architecture& a) {
  auto model = find_kv_dtype("auto", a, "");
  StateDtypes d{*model, *model};
  if (!a.state_dtype.empty())
    if (auto ssm = find_kv_dtype(a.state_dtype, a, "")) d.ssm = *ssm;
  return d;
}

std::vector<LayerCache> cache_layout(const Architecture& a, const KvDtype& d, I tp) {
  return cache_layout(a, d, default_state_dtypes(a), tp);
}

std::vector<LayerCache> cache_layout(const Architecture& a, const KvDtype& d, const StateDtypes& states, I tp) {
  std::vector<LayerCache> out;
  out.reserve(a.layers.size());
  tp = std::max<I>(1, tp);
  for (const auto& spec : a.layers) out.push_back(layer_cache(a, spec, d, states, tp));
  return out;
}

I kv_bytes_per_token(const Architecture& a, const KvDtype& d) {
  I total = 0;
  for (const auto& l : cache_layout(a, d, 1)) total += l.bytes_per_token();
  return total;
}

I kv_bytes_per_sequence(const std::vector<LayerCache>& layers, I context, std::size_t first, std::size_t last) {
  I total = 0;
  for (std::size_t i = first; i < last && i < layers.size(); ++i) total += layers[i].bytes(context);
  return total;
}

}  // namespace vramplan
