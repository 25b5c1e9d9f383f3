// Which mixer, MLP and geometry each decoder layer has. Configs spell the schedule in several ways; each
// reader below handles one spelling and the first one a config uses wins:
//   block_configs (Llama-Nemotron NAS), hybrid_override_pattern / layers_block_type (Nemotron-H),
//   layer_types (Qwen3.5, Gemma, gpt-oss, Granite-4.0-H, LFM2), linear_attn_config (Kimi-Linear, 1-based),
//   full_attention_interval (Qwen3-Next), attn_layer_period/offset (Jamba), hybrid_layer_pattern (MiMo-V2),
//   attn_type_list (MiniMax), else the family's sliding-window layout.
// The MoE layout (moe_layer_freq as an int or a list, first_k_dense_replace, mlp_only_layers ...) applies to the
// layers whose MLP the schedule leaves open.
#include <algorithm>
#include <cmath>
#include <set>

#include "readers.hpp"

namespace vramplan::import {
namespace {

using I = std::int64_t;

Status fail(JsonReader& r, const char* key, const std::string& message) {
  return make_error(ErrorCode::invalid_field, r.field(key), message);
}

std::string quoted(const std::string& s) { return "'" + s.substr(0, 40) + "'"; }

// Per-layer attention geometry when one kind of layer has its own (Gemma 4's global layers; MiMo-V2's SWA).
struct Geometry {
  I heads = 0, kv_heads = 0, head_dim = 0;
  bool kv_shared = false;
};

void apply(LayerSpec& l, const Geometry& g) {
  l.num_heads = g.heads;
  l.num_kv_heads = g.kv_heads;
  l.head_dim = g.head_dim;
  l.kv_shared = g.kv_shared;
}

// Gemma 4 (Gemma4TextAttention): full-attention layers use global_head_dim; with attention_k_eq_v they also use
// num_global_key_value_heads and one projection for K and V (use_alternative_attention), else the model's KV heads.
Geometry global_geometry(JsonReader& r) {
  Geometry g;
  g.head_dim = r.integer("global_head_dim", 0, 0, 65536);
  const I kv_heads = r.integer("num_global_key_value_heads", 0, 0, kMaxHeads);
  g.kv_shared = r.boolean("attention_k_eq_v", false);
  if (g.kv_shared) g.kv_heads = kv_heads;
  return g;
}

// Gemma 4 (Gemma4TextAttention / Gemma4TextMLP): the last num_kv_shared_layers layers reuse the K and V of the
// last earlier layer of their kind, so they have no k/v projections or norms and cache nothing; with
// use_double_wide_mlp their MLP is twice intermediate_size.
void read_kv_sharing(JsonReader& r, const Family& fam, Architecture& a) {
  if (!fam.has(kKvSharing)) return;
  const I shared = r.integer("num_kv_shared_layers", 0, 0, kMaxLayers);
  const bool double_wide = r.boolean("use_double_wide_mlp", false);
  const I first = a.num_layers - shared;
  if (shared == 0 || first <= 0) return;  // the modeling file: layer_idx >= first_kv_shared_layer_idx > 0
  for (I i = first; i < a.num_layers; ++i) {
    LayerSpec& l = a.layers[static_cast<std::size_t>(i)];
    l.kv_reused = true;
    if (double_wide) l.intermediate_size = 2 * a.intermediate_size;
  }
}

// One entry of layer_types.
Status layer_type(JsonReader& r, const std::string& kind, std::size_t i, I window, const Geometry& global,
                  LayerSpec& spec) {
  if (kind == "sliding_attention" || kind == "local_attention") {
    if (window <= 0) return fail(r, "sliding_window", "layer_types lists sliding layers but sliding_window is not set");
    spec.attention = AttentionKind::sliding;
    spec.window = window;
  } else if (kind == "chunked_attention") {
    spec.attention = AttentionKind::chunked;
    spec.window = r.integer("attention_chunk_size", 8192, 1, kMaxContext);
  } else if (kind == "full_attention" || kind == "attention" || kind == "global_attention" ||
             kind == "deepseek_sparse_attention") {
    // An MLA model's attention layers stay MLA (GLM-5.2 lists them as deepseek_sparse_attention).
    if (spec.attention != AttentionKind::mla) {
      if (kind == "deepseek_sparse_attention")
        return fail(r, "layer_types", "layer_types lists deepseek_sparse_attention but the config has no kv_lora_rank");
      spec.attention = AttentionKind::full;
      apply(spec, global);
    }
  } else if (kind == "linear_attention") {
    spec.attention = AttentionKind::none;
    spec.state = StateKind::gated_deltanet;
  } else if (kind == "mamba" || kind == "mamba2") {
    spec.attention = AttentionKind::none;
    spec.state = StateKind::mamba2;
  } else if (kind == "conv") {
    spec.attention = AttentionKind::none;
    spec.state = StateKind::short_conv;
  } else {
    return fail(r, "layer_types",
                "layer_types[" + std::to_string(i) + "] is " + quoted(kind) +
                    "; known: full_attention, sliding_attention, chunked_attention, linear_attention (Gated "
                    "DeltaNet), mamba (Mamba-2), conv (LFM2 short convolution)");
  }
  return std::nullopt;
}

Status read_layer_types(JsonReader& r, Architecture& a, const std::vector<std::string>& types, I window) {
  if (static_cast<I>(types.size()) != a.num_layers)
    return fail(
        r, "layer_types",
        "layer_types has " + std::to_string(types.size()) + " entries for " + std::to_string(a.num_layers) + " layers");
  const Geometry global = global_geometry(r);
  for (std::size_t i = 0; i < types.size(); ++i)
    if (auto e = layer_type(r, types[i], i, window, global, a.layers[i])) return e;
  return std::nullopt;
}

// Nemotron-H: one character per block: M Mamba-2, * attention, - MLP, E MoE (each block has one sub-module).
// `layers` already has one entry per block; `field` names the key in errors.
Status read_block_pattern(JsonReader& r, std::vector<LayerSpec>& layers, const std::string& pattern,
                          const char* field) {
  if (pattern.size() != layers.size())
    return fail(r, field,
                std::string(field) + " has " + std::to_string(pattern.size()) + " characters for " +
                    std::to_string(layers.size()) + " layers");
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    LayerSpec& l = layers[i];
    l.attention = AttentionKind::none;
    l.mlp = MlpKind::none;
    switch (pattern[i]) {
      case 'M':
        l.state = StateKind::mamba2;
        break;
      case '*':
        l.attention = AttentionKind::full;
        break;
      case '-':
        l.mlp = MlpKind::dense;
        break;
      case 'E':
        l.mlp = MlpKind::moe;
        break;
      default:
        return fail(r, field,
                    std::string(field) + "[" + std::to_string(i) + "] is '" + std::string(1, pattern[i]) +
                        "'; known: M (Mamba-2), * (attention), - (MLP), E (mixture of experts)");
    }
  }
  return std::nullopt;
}

// Nemotron-3-Ultra spells the same schedule as a list of words.
Expected<std::string> block_types_as_pattern(JsonReader& r, const std::vector<std::string>& types, const char* field) {
  std::string pattern;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const std::string& t = types[i];
    if (t == "mamba")
      pattern += 'M';
    else if (t == "attention")
      pattern += '*';
    else if (t == "mlp")
      pattern += '-';
    else if (t == "moe")
      pattern += 'E';
    else
      return *fail(
          r, field,
          std::string(field) + "[" + std::to_string(i) + "] is " + quoted(t) + "; known: mamba, attention, mlp, moe");
  }
  return pattern;
}

// Nemotron-3's MTP module as blocks of its own (mtp_hybrid_override_pattern "*E" or mtp_layers_block_type):
// vLLM / SGLang nemotron_h_mtp.py NemotronHMultiTokenPredictor builds one layer per character, the first with
// enorm / hnorm / eh_proj, the last with the final norm; the embedding and head are the main model's.
Status read_mtp_blocks(JsonReader& r, Architecture& a) {
  std::string pattern;
  const char* field = "mtp_hybrid_override_pattern";
  if (r.has(field)) {
    pattern = r.string(field, "");
  } else if (r.has("mtp_layers_block_type")) {
    field = "mtp_layers_block_type";
    const auto types = r.string_list(field);
    if (!r.ok()) return r.error();
    auto p = block_types_as_pattern(r, types, field);
    if (!p) return p.error();
    pattern = *p;
  } else {
    return std::nullopt;
  }
  if (!r.ok()) return r.error();
  if (pattern.empty() || pattern.size() > 64) return fail(r, field, std::string(field) + " must list 1 to 64 blocks");
  a.mtp_blocks.assign(pattern.size(), LayerSpec{});
  return read_block_pattern(r, a.mtp_blocks, pattern, field);
}

// DeciLM's _ffn_mult_to_intermediate_size: int(2 * ffn_mult * hidden / 3) rounded up to a multiple of 256.
I nas_ffn_width(double mult, I hidden) {
  const I width = static_cast<I>(2.0 * mult * static_cast<double>(hidden) / 3.0);
  return ceil_div(width, 256) * 256;
}

// Llama-Nemotron (DeciLM) NAS: each layer's attention (kv heads = heads / n_heads_in_group, no_op,
// replace_with_linear) and FFN (ffn_mult, no_op, replace_with_linear).
Status read_block_configs(JsonReader& r, Architecture& a, const nlohmann::json& blocks) {
  if (!blocks.is_array() || static_cast<I>(blocks.size()) != a.num_layers)
    return fail(r, "block_configs",
                "block_configs must list one block per layer (" + std::to_string(a.num_layers) + ")");
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string at = r.field("block_configs") + "[" + std::to_string(i) + "]";
    if (!blocks[i].is_object()) return make_error(ErrorCode::invalid_field, at, "a block config must be an object");
    const nlohmann::json empty = nlohmann::json::object();
    const auto& attn_j = blocks[i].contains("attention") ? blocks[i]["attention"] : empty;
    const auto& ffn_j = blocks[i].contains("ffn") ? blocks[i]["ffn"] : empty;
    JsonReader attn(attn_j, at + ".attention"), ffn(ffn_j, at + ".ffn");
    LayerSpec& l = a.layers[i];
    if (attn.boolean("no_op", false)) {
      l.attention = AttentionKind::none;
    } else if (attn.boolean("replace_with_linear", false)) {
      l.attention = AttentionKind::none;
      l.linear_mixer = true;
    } else {
      const I group = attn.integer("n_heads_in_group", 0, 1, kMaxHeads, true);
      if (attn.ok() && a.num_heads % group != 0)
        return make_error(ErrorCode::invalid_field, attn.field("n_heads_in_group"),
                          "n_heads_in_group (" + std::to_string(group) + ") must divide num_attention_heads (" +
                              std::to_string(a.num_heads) + ")");
      l.num_kv_heads = attn.ok() ? a.num_heads / group : 0;
    }
    if (ffn.boolean("no_op", false)) {
      l.mlp = MlpKind::none;
    } else if (ffn.boolean("replace_with_linear", false)) {
      l.mlp = MlpKind::linear;
    } else {
      const double mult = ffn.number("ffn_mult", 0, 0.01, 1000, true);
      l.intermediate_size = nas_ffn_width(mult, a.hidden_size);
    }
    if (!attn.ok()) return attn.error();
    if (!ffn.ok()) return ffn.error();
  }
  return std::nullopt;
}

// Kimi-Linear: linear_attn_config lists the KDA layers and the full (MLA) layers, counting from 1.
Status read_kimi_linear(JsonReader& r, Architecture& a, const nlohmann::json& cfg) {
  JsonReader k(cfg, r.field("linear_attn_config"));
  const auto kda = k.integer_list("kda_layers", 1, a.num_layers);  // the others (full_attn_layers) stay MLA
  if (!k.ok()) return k.error();
  for (I n : kda) {
    LayerSpec& l = a.layers[static_cast<std::size_t>(n - 1)];
    l.attention = AttentionKind::none;
    l.state = StateKind::kda;
  }
  return std::nullopt;
}

// Jamba: attention every attn_layer_period layers from attn_layer_offset, Mamba elsewhere; MoE likewise.
void read_jamba(JsonReader& r, Architecture& a) {
  const I period = r.integer("attn_layer_period", 8, 1, kMaxLayers);
  const I offset = r.integer("attn_layer_offset", 4, 0, kMaxLayers);
  for (I i = 0; i < a.num_layers; ++i) {
    LayerSpec& l = a.layers[static_cast<std::size_t>(i)];
    if (i % period != offset) {
      l.attention = AttentionKind::none;
      l.state = StateKind::mamba;
    }
  }
}

// MiMo-V2: 0 full attention, 1 sliding window; the sliding layers have their own head counts and sizes.
Status read_hybrid_layer_pattern(JsonReader& r, Architecture& a, const std::vector<I>& pattern, I window) {
  if (static_cast<I>(pattern.size()) != a.num_layers)
    return fail(r, "hybrid_layer_pattern",
                "hybrid_layer_pattern has " + std::to_string(pattern.size()) + " entries for " +
                    std::to_string(a.num_layers) + " layers");
  if (window <= 0) return fail(r, "sliding_window", "hybrid_layer_pattern lists sliding layers but no sliding_window");
  Geometry swa;
  swa.heads = r.integer("swa_num_attention_heads", 0, 0, kMaxHeads);
  swa.kv_heads = r.integer("swa_num_key_value_heads", 0, 0, kMaxHeads);
  swa.head_dim = r.integer("swa_head_dim", 0, 0, 65536);
  if (r.integer("swa_v_head_dim", a.v_head_dim, 1, 65536) != a.v_head_dim) r.not_modelled("swa_v_head_dim");
  if (r.integer("attention_chunk_size", window, 0, kMaxContext) != window) r.not_modelled("attention_chunk_size");
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if (pattern[i] == 1) {
      a.layers[i].attention = AttentionKind::sliding;
      a.layers[i].window = window;
      apply(a.layers[i], swa);
    }
  return std::nullopt;
}

// The family's own layout of sliding or chunked layers, when the config has no per-layer list.
void apply_family_layout(JsonReader& r, const Family& fam, Architecture& a, I window) {
  const I L = a.num_layers;
  auto slide = [&](I i) {
    a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::sliding;
    a.layers[static_cast<std::size_t>(i)].window = window;
  };
  switch (fam.sliding) {
    case SlidingLayout::even_layers:
      for (I i = 0; i < L && window > 0; i += 2) slide(i);
      break;
    case SlidingLayout::pattern: {
      const I pattern = r.integer("sliding_window_pattern", 6, 1, kMaxLayers);
      for (I i = 0; i < L && window > 0; ++i)
        if ((i + 1) % pattern != 0) slide(i);
      break;
    }
    case SlidingLayout::rope_chunks: {
      const I chunk = r.integer("attention_chunk_size", 0, 0, kMaxContext);
      auto rope = r.integer_list("no_rope_layers", 0, 1);
      for (I i = 0; i < L && chunk > 0; ++i) {
        // no_rope_layers[i] == 1: the layer uses RoPE and chunked local attention; 0: a global NoPE layer.
        const bool local =
            rope.size() == static_cast<std::size_t>(L) ? rope[static_cast<std::size_t>(i)] != 0 : ((i + 1) % 4 != 0);
        if (local) {
          a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::chunked;
          a.layers[static_cast<std::size_t>(i)].window = chunk;
        }
      }
      break;
    }
    case SlidingLayout::every_layer:
    case SlidingLayout::opt_in: {
      const bool opt_in = fam.sliding == SlidingLayout::opt_in;
      // Qwen: only with use_sliding_window, and layers below max_window_layers keep full attention.
      const bool use_window = r.boolean("use_sliding_window", !opt_in);
      const I full_below = r.integer("max_window_layers", 0, 0, kMaxLayers);
      if (window <= 0 || !use_window) break;
      if (!opt_in && full_below > 0) r.not_modelled("max_window_layers");
      for (I i = opt_in ? full_below : 0; i < L; ++i) slide(i);
      break;
    }
  }
}

// Which mixer each layer has. Returns whether the schedule also fixed the MLP kinds (Nemotron-H, NAS).
Expected<bool> read_mixers(JsonReader& r, const nlohmann::json& merged, const Family& fam, Architecture& a) {
  const I window = r.first_integer({"sliding_window", "sliding_window_size"}, 0, 0, kMaxContext);  // MiMo-V2: both
  if (a.is_mla())
    for (auto& l : a.layers) l.attention = AttentionKind::mla;
  if (fam.has(kParallelMamba))
    for (auto& l : a.layers) l.state = StateKind::mamba2;  // Falcon-H1: attention and Mamba-2 side by side
  // Llama 3.2 Vision (MllamaTextModel): the listed layers cross-attend to the image instead of attending to the text.
  for (const I i : r.integer_list("cross_attention_layers", 0, a.num_layers - 1))
    a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::cross;
  if (merged.contains("block_configs") && !merged["block_configs"].is_null()) {
    r.has("block_configs");
    if (auto e = read_block_configs(r, a, merged["block_configs"])) return *e;
    return true;
  }
  if (r.has("hybrid_override_pattern")) {
    const std::string pattern = r.string("hybrid_override_pattern", "");
    if (!r.ok()) return r.error();
    if (auto e = read_block_pattern(r, a.layers, pattern, "hybrid_override_pattern")) return *e;
    if (auto e = read_mtp_blocks(r, a)) return *e;
    return true;
  }
  if (r.has("layers_block_type")) {
    const auto types = r.string_list("layers_block_type");
    if (!r.ok()) return r.error();
    auto pattern = block_types_as_pattern(r, types, "layers_block_type");
    if (!pattern) return pattern.error();
    if (auto e = read_block_pattern(r, a.layers, *pattern, "layers_block_type")) return *e;
    if (auto e = read_mtp_blocks(r, a)) return *e;
    return true;
  }
  const auto layer_types = r.string_list("layer_types");
  if (!r.ok()) return r.error();
  if (!layer_types.empty()) {
    if (auto e = read_layer_types(r, a, layer_types, window)) return *e;
    return false;
  }
  if (r.has("full_attn_idxs")) {
    // LFM2 (first configs): the listed layers attend, the others are short convolutions.
    const auto full = r.integer_list("full_attn_idxs", 0, a.num_layers - 1);
    if (!r.ok()) return r.error();
    for (auto& l : a.layers) {
      l.attention = AttentionKind::none;
      l.state = StateKind::short_conv;
    }
    for (I i : full) {
      a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::full;
      a.layers[static_cast<std::size_t>(i)].state = StateKind::none;
    }
    return false;
  }
  if (merged.contains("linear_attn_config") && merged["linear_attn_config"].is_object()) {
    r.has("linear_attn_config");
    if (auto e = read_kimi_linear(r, a, merged["linear_attn_config"])) return *e;
    return false;
  }
  if (r.has("full_attention_interval")) {
    // Qwen3-Next: every n-th layer is full attention, the rest Gated DeltaNet.
    const I interval = r.integer("full_attention_interval", 4, 1, kMaxLayers);
    for (I i = 0; i < a.num_layers; ++i)
      if ((i + 1) % interval != 0) {
        a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::none;
        a.layers[static_cast<std::size_t>(i)].state = StateKind::gated_deltanet;
      }
    return false;
  }
  if (r.has("attn_layer_period")) {
    read_jamba(r, a);
    return false;
  }
  if (r.has("hybrid_layer_pattern")) {
    const auto pattern = r.integer_list("hybrid_layer_pattern", 0, 1);
    if (!r.ok()) return r.error();
    if (auto e = read_hybrid_layer_pattern(r, a, pattern, window)) return *e;
    return false;
  }
  if (r.has("attn_type_list")) {
    // MiniMax: 1 softmax attention, 0 lightning (linear) attention, which this tool does not model.
    const auto types = r.integer_list("attn_type_list", 0, 1);
    if (!r.ok()) return r.error();
    for (std::size_t i = 0; i < types.size(); ++i)
      if (types[i] == 0)
        return *fail(r, "attn_type_list",
                     "attn_type_list[" + std::to_string(i) +
                         "] is 0 (MiniMax lightning attention), a layer kind this tool does not model");
    return false;
  }
  if (!a.is_mla()) apply_family_layout(r, fam, a, window);
  return false;
}

// Which layers have a mixture of experts, among those whose MLP the schedule left open.
Status read_moe_layers(JsonReader& r, const nlohmann::json& merged, Architecture& a) {
  if (a.num_experts == 0) return std::nullopt;
  // ERNIE-4.5 (modeling_ernie4_5_moe.py Ernie4_5_MoeDecoderLayer) spells the same rule moe_layer_start_index /
  // moe_layer_interval, and ends it at moe_layer_end_index (-1: the last layer).
  const I first_dense = r.first_integer({"first_k_dense_replace", "moe_layer_start_index"}, 0, 0, kMaxLayers);
  const I sparse_step = r.first_integer({"decoder_sparse_step", "moe_layer_interval"}, 1, 1, kMaxLayers);
  I last_moe = r.integer("moe_layer_end_index", -1, -1, kMaxLayers);
  if (last_moe < 0) last_moe = a.num_layers - 1;
  const I interleave = r.integer("interleave_moe_layer_step", 1, 1, kMaxLayers);
  I freq = 1;
  std::vector<I> freq_list;
  if (merged.contains("moe_layer_freq") && merged["moe_layer_freq"].is_array())
    freq_list = r.integer_list("moe_layer_freq", 0, 1);  // MiMo-V2, MiniMax-M3: one 0/1 per layer
  else
    freq = r.integer("moe_layer_freq", 1, 1, kMaxLayers);
  if (!freq_list.empty() && static_cast<I>(freq_list.size()) != a.num_layers)
    return fail(
        r, "moe_layer_freq",
        "moe_layer_freq lists " + std::to_string(freq_list.size()) + " layers for " + std::to_string(a.num_layers));
  const I jamba_period = r.integer("expert_layer_period", 0, 0, kMaxLayers);
  const I jamba_offset = r.integer("expert_layer_offset", 0, 0, kMaxLayers);
  auto mlp_only = r.integer_list("mlp_only_layers", 0, kMaxLayers);
  auto moe_layers = r.integer_list("moe_layers", 0, kMaxLayers);
  const auto mlp_types = r.string_list("mlp_layer_types");  // GLM-5: "dense" / "sparse"
  if (!r.ok()) return r.error();
  const std::set<I> dense_set(mlp_only.begin(), mlp_only.end());
  for (I i = 0; i < a.num_layers; ++i) {
    const auto u = static_cast<std::size_t>(i);
    bool moe = i >= first_dense && (i % freq == 0 || freq == 1) && ((i + 1) % sparse_step == 0) &&
               ((i + 1) % interleave == 0) && !dense_set.count(i) && i <= last_moe;
    if (!freq_list.empty()) moe = freq_list[u] == 1 && !dense_set.count(i);
    if (jamba_period > 0) moe = i % jamba_period == jamba_offset;
    if (!moe_layers.empty()) moe = std::find(moe_layers.begin(), moe_layers.end(), i) != moe_layers.end();
    if (mlp_types.size() == static_cast<std::size_t>(a.num_layers)) moe = mlp_types[u] == "sparse";
    a.layers[u].mlp = moe ? MlpKind::moe : MlpKind::dense;
  }
  return std::nullopt;
}

bool any_state(const Architecture& a, StateKind kind) {
  return std::any_of(a.layers.begin(), a.layers.end(), [&](const LayerSpec& l) { return l.state == kind; });
}

// Mamba-1 and Mamba-2 fields under the names of each family: Nemotron-H (mamba_num_heads, ssm_state_size,
// conv_kernel), Granite-4.0-H / Bamba / Falcon-H1 (mamba_n_heads, mamba_d_state, mamba_d_conv), Jamba
// (mamba_d_state, mamba_expand, mamba_dt_rank), transformers' Mamba2Config (num_heads, state_size).
Status read_mamba(JsonReader& r, Architecture& a, bool mamba2) {
  auto& m = a.mamba;
  const I expand = r.first_integer({"mamba_expand", "expand"}, 2, 1, 64);
  m.d_state = r.first_integer({"ssm_state_size", "mamba_d_state", "state_size"}, 0, 1, 65536);
  m.conv_kernel = r.first_integer({"conv_kernel", "mamba_d_conv"}, 4, 1, 1024);
  m.conv_bias = r.first_boolean({"use_conv_bias", "mamba_conv_bias"}, true);
  m.proj_bias = r.first_boolean({"mamba_proj_bias", "use_bias"}, false);
  if (mamba2) {
    m.num_heads = r.first_integer({"mamba_num_heads", "mamba_n_heads", "num_heads"}, 0, 1, kMaxHeads);
    // Granite may write mamba_d_head "auto": expand x hidden / heads.
    const bool head_auto = r.has("mamba_d_head") && !r.is_number("mamba_d_head");
    m.head_dim = head_auto ? 0 : r.first_integer({"mamba_head_dim", "mamba_d_head", "head_dim"}, 0, 1, 65536);
    if (head_auto && m.num_heads > 0) m.head_dim = expand * a.hidden_size / m.num_heads;
    m.n_groups = r.first_integer({"n_groups", "mamba_n_groups"}, 1, 1, kMaxHeads);
    // d_inner: Falcon-H1's mamba_d_ssm, else heads x head_dim (Nemotron-3-Nano: 64 x 64 = 4096, not
    // expand x hidden = 5376), else expand x hidden.
    m.d_inner = r.first_integer({"mamba_d_ssm"}, 0, 1, kMaxDim);
    if (m.d_inner == 0)
      m.d_inner = m.num_heads > 0 && m.head_dim > 0 ? m.num_heads * m.head_dim : expand * a.hidden_size;
    if (m.num_heads == 0 && m.head_dim > 0) m.num_heads = m.d_inner / m.head_dim;
    m.gated_norm = r.boolean("mamba_rms_norm", true);  // Falcon-H1 may drop the gated RMSNorm
    // Mamba-2's dt is one value per head (in_proj emits num_heads of them, dt_bias [num_heads]): the Mamba-1
    // time_step_rank that some configs still carry (Nemotron-H) sizes nothing here.
    r.has("time_step_rank");
    if (m.num_heads == 0 || m.head_dim == 0 || m.d_state == 0)
      return fail(r, "mamba_num_heads",
                  "Mamba-2 layers need the head count, head size and state size (mamba_num_heads / mamba_n_heads, "
                  "mamba_head_dim / mamba_d_head, ssm_state_size / mamba_d_state)");
  } else {
    m.d_inner = expand * a.hidden_size;
    m.dt_rank = ceil_div(a.hidden_size, 16);  // "auto"
    if (r.is_number("mamba_dt_rank")) m.dt_rank = r.integer("mamba_dt_rank", 0, 1, kMaxDim);
    m.dt_norms = true;  // Jamba's dt/B/C RMSNorms
    if (m.d_state == 0) return fail(r, "mamba_d_state", "Mamba layers need mamba_d_state");
  }
  return r.ok() ? std::nullopt : Status(r.error());
}

}  // namespace

Status read_state_specs(JsonReader& r, const nlohmann::json& merged, Architecture& a) {
  if (any_state(a, StateKind::gated_deltanet)) {
    a.linear.num_key_heads = r.integer("linear_num_key_heads", 0, 1, kMaxHeads, true);
    a.linear.num_value_heads = r.integer("linear_num_value_heads", 0, 1, kMaxHeads, true);
    a.linear.key_head_dim = r.integer("linear_key_head_dim", 0, 1, 65536, true);
    a.linear.value_head_dim = r.integer("linear_value_head_dim", 0, 1, 65536, true);
    a.linear.conv_kernel = r.integer("linear_conv_kernel_dim", 4, 1, 1024);
  }
  if (any_state(a, StateKind::kda)) {
    JsonReader k(merged["linear_attn_config"], r.field("linear_attn_config"));
    a.kda.num_heads = k.integer("num_heads", 0, 1, kMaxHeads, true);
    a.kda.head_dim = k.integer("head_dim", 0, 1, 65536, true);
    a.kda.conv_kernel = k.integer("short_conv_kernel_size", 4, 1, 1024);
    if (!k.ok()) return k.error();
  }
  if (any_state(a, StateKind::mamba2))
    if (auto e = read_mamba(r, a, true)) return e;
  if (any_state(a, StateKind::mamba))
    if (auto e = read_mamba(r, a, false)) return e;
  if (any_state(a, StateKind::short_conv)) {
    a.short_conv.conv_kernel = r.integer("conv_L_cache", 3, 1, 1024);
    a.short_conv.bias = r.boolean("conv_bias", false);
  }
  // The SSM state's dtype when the checkpoint asks for one (Qwen3.5 mamba_ssm_dtype, Nemotron-3
  // mamba_ssm_cache_dtype: float32).
  for (const char* key : {"mamba_ssm_cache_dtype", "mamba_ssm_dtype"})
    if (r.has(key)) a.state_dtype = r.string(key, "");
  // The sparse-attention indexer (DeepSeek-V3.2, GLM-5): on every attention layer unless indexer_types says.
  a.indexer.head_dim = r.integer("index_head_dim", 0, 0, 65536);
  if (a.indexer.head_dim > 0) {
    a.indexer.num_heads = r.integer("index_n_heads", 0, 1, kMaxHeads, true);
    a.indexer.topk = r.integer("index_topk", 0, 0, kMaxContext);
    // indexer_types (GLM-5.2): "full" layers run their own indexer; "shared" layers reuse the top-k of the last
    // full layer and hold neither indexer weights nor indexer keys. Given the list, index_topk_freq and
    // index_skip_topk_offset only repeat it.
    const auto types = r.string_list("indexer_types");
    const bool listed = types.size() == a.layers.size();
    for (std::size_t i = 0; i < a.layers.size(); ++i)
      a.layers[i].indexer = a.layers[i].attends() && (!listed || (types[i] != "none" && types[i] != "shared"));
    if (listed) {
      r.has("index_topk_freq");
      r.has("index_skip_topk_offset");
    }
  }
  return r.ok() ? std::nullopt : Status(r.error());
}

Status read_layer_layout(JsonReader& r, const nlohmann::json& merged, const Family& fam, Architecture& a) {
  a.layers.assign(static_cast<std::size_t>(a.num_layers), LayerSpec{});
  auto mlp_fixed = read_mixers(r, merged, fam, a);
  if (!mlp_fixed) return mlp_fixed.error();
  if (!*mlp_fixed)
    if (auto e = read_moe_layers(r, merged, a)) return e;
  read_kv_sharing(r, fam, a);
  const bool any_dense = std::any_of(a.layers.begin(), a.layers.end(), [&](const LayerSpec& l) {
    return l.mlp == MlpKind::dense && a.mlp_width(l) == 0;
  });
  if (any_dense) return fail(r, "intermediate_size", "intermediate_size is required: some layers use a dense MLP");
  // Learned sink logits: every attention layer of gpt-oss; MiMo-V2 says per kind of layer.
  const bool swa_sinks = r.boolean("add_swa_attention_sink_bias", fam.has(kAttentionSinks));
  const bool full_sinks = r.boolean("add_full_attention_sink_bias", fam.has(kAttentionSinks));
  for (auto& l : a.layers)
    if (l.attends()) l.sinks = l.attention == AttentionKind::sliding ? swa_sinks : full_sinks;
  // Spelled twice: a per-layer list wins over the interval it repeats; a dense model's MLP-only list says nothing.
  r.has("full_attention_interval");
  r.has("mlp_only_layers");
  return std::nullopt;
}

}  // namespace vramplan::import
