// config.json -> Architecture. Families differ only in which small tensors exist and in how layers are
// laid out; those differences are columns of the family table (families.cpp), and the readers below
// branch on the columns, never on model_type.
#include "vramplan/import/config.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "families.hpp"
#include "vramplan/api/json_read.hpp"

namespace vramplan {
namespace {

using import::Family;
using nlohmann::json;
using I = std::int64_t;

constexpr I kMaxDim = 1 << 20;  // hidden/intermediate sizes
constexpr I kMaxLayers = 4096;
constexpr I kMaxHeads = 4096;
constexpr I kMaxVocab = 1 << 23;
constexpr I kMaxExperts = 16384;
constexpr I kMaxContext = I{1} << 32;

// The text model's part of a config: multimodal checkpoints nest it.
const json& text_part(const json& config) {
  for (const char* key : {"text_config", "llm_config", "language_config"}) {
    auto it = config.find(key);
    if (it != config.end() && it->is_object() && !it->empty()) return *it;
  }
  return config;
}

// Text-config keys win, top-level keys fill the gaps (dtype, tie_word_embeddings, quantization_config),
// and the family's defaults fill what neither says (HF saves only non-default keys in nested configs).
json merged_config(const json& config, const json& text) {
  json merged = config;
  if (&text != &config)
    for (auto it = text.begin(); it != text.end(); ++it) merged[it.key()] = it.value();
  const std::string type =
      merged.contains("model_type") && merged["model_type"].is_string() ? merged["model_type"].get<std::string>() : "";
  bool known = false;
  const Family& fam = import::find_family(type, &known);
  if (fam.defaults_json) {
    const json defaults = json::parse(fam.defaults_json, nullptr, false);
    for (auto it = defaults.begin(); it != defaults.end(); ++it)
      if (!merged.contains(it.key()) || merged[it.key()].is_null()) merged[it.key()] = it.value();
  }
  return merged;
}

Status read_dimensions(JsonReader& r, Architecture& a) {
  a.hidden_size = r.integer("hidden_size", 0, 1, kMaxDim, true);
  if (!r.has("num_hidden_layers") && r.has("n_layer"))
    a.num_layers = r.integer("n_layer", 0, 1, kMaxLayers, true);
  else
    a.num_layers = r.integer("num_hidden_layers", 0, 1, kMaxLayers, true);
  a.num_heads = r.integer("num_attention_heads", 0, 1, kMaxHeads, true);
  a.num_kv_heads = r.integer("num_key_value_heads", a.num_heads, 1, kMaxHeads);
  if (r.has("multi_query") && r.boolean("multi_query", false)) a.num_kv_heads = 1;
  a.vocab_size = r.integer("vocab_size", 0, 1, kMaxVocab, true);
  a.max_position_embeddings = r.integer("max_position_embeddings", 0, 0, kMaxContext);
  if (!r.ok()) return r.error();

  if (a.num_heads % a.num_kv_heads != 0)
    return make_error(ErrorCode::invalid_field, r.field("num_key_value_heads"),
                      "num_key_value_heads (" + std::to_string(a.num_kv_heads) + ") must divide num_attention_heads (" +
                          std::to_string(a.num_heads) + ")");
  a.head_dim = r.integer("head_dim", 0, 1, 65536);
  if (a.head_dim == 0) {
    if (a.hidden_size % a.num_heads != 0)
      return make_error(ErrorCode::invalid_field, r.field("head_dim"),
                        "head_dim is absent and hidden_size (" + std::to_string(a.hidden_size) +
                            ") is not a multiple of num_attention_heads (" + std::to_string(a.num_heads) + ")");
    a.head_dim = a.hidden_size / a.num_heads;
  }
  a.v_head_dim = a.head_dim;
  a.intermediate_size = r.integer("intermediate_size", 0, 0, kMaxDim);
  if (r.has("ffn_hidden_size") && a.intermediate_size == 0)
    a.intermediate_size = r.integer("ffn_hidden_size", 0, 0, kMaxDim);
  return std::nullopt;
}

// Biases, norms and gates: which small tensors each block has.
void read_block_tensors(JsonReader& r, const Family& fam, Architecture& a) {
  a.tie_word_embeddings = r.boolean("tie_word_embeddings", fam.has(import::kTiedByDefault));
  const bool attention_bias = r.boolean("attention_bias", false);
  a.qkv_bias =
      fam.has(import::kQkvBias) || attention_bias || r.boolean("qkv_bias", false) || r.boolean("add_qkv_bias", false);
  a.o_bias = fam.has(import::kOAlwaysBiased) || (!fam.has(import::kONeverBiased) && attention_bias);
  a.gated_mlp = !fam.has(import::kUngatedMlp);
  a.mlp_bias = fam.has(import::kUngatedMlp) || r.boolean("mlp_bias", false);
  a.qk_norm = fam.has(import::kQkNorm) || r.boolean("use_qk_norm", false) || r.boolean("qk_layernorm", false);
  a.qk_norm_full = fam.has(import::kQkNormFull);
  a.norms_per_layer = fam.norms_per_layer;
  a.norm_bias = fam.has(import::kLayerNormBias);
  if (fam.has(import::kAttentionSinks)) a.attention_sinks = a.num_heads;
  a.router_bias = fam.has(import::kRouterBias);
  a.expert_bias = fam.has(import::kExpertBias);
  if (fam.has(import::kOutputGate)) a.attention_output_gate = r.boolean("attn_output_gate", true);
  if (fam.has(import::kMtpSharesEmbeddings)) a.mtp_own_embeddings = false;
}

Status read_experts(JsonReader& r, const Family& fam, Architecture& a) {
  a.num_experts = r.integer("n_routed_experts", 0, 0, kMaxExperts);
  if (a.num_experts == 0) a.num_experts = r.integer("num_experts", 0, 0, kMaxExperts);
  if (a.num_experts == 0) a.num_experts = r.integer("num_local_experts", 0, 0, kMaxExperts);
  if (a.num_experts > 0) {
    a.experts_per_token = r.integer("num_experts_per_tok", 0, 0, kMaxExperts);
    if (a.experts_per_token == 0) a.experts_per_token = r.integer("experts_per_token", 0, 0, kMaxExperts);
    if (a.experts_per_token == 0) a.experts_per_token = r.integer("moe_topk", 1, 1, kMaxExperts);
    if (a.experts_per_token > a.num_experts)
      return make_error(ErrorCode::invalid_field, r.field("num_experts_per_tok"),
                        "num_experts_per_tok (" + std::to_string(a.experts_per_token) +
                            ") exceeds the number of experts (" + std::to_string(a.num_experts) + ")");
    a.moe_intermediate_size = r.integer("moe_intermediate_size", 0, 0, kMaxDim);
    if (a.moe_intermediate_size == 0) a.moe_intermediate_size = a.intermediate_size;
    a.num_shared_experts = r.integer("n_shared_experts", 0, 0, kMaxExperts);
    if (a.num_shared_experts > 0) {
      a.shared_expert_intermediate_size = a.num_shared_experts * a.moe_intermediate_size;
    } else if (r.has("shared_expert_intermediate_size")) {
      a.shared_expert_intermediate_size = r.integer("shared_expert_intermediate_size", 0, 0, kMaxDim);
      a.num_shared_experts = a.shared_expert_intermediate_size > 0 ? 1 : 0;
      a.shared_expert_gate = a.num_shared_experts > 0 && fam.has(import::kSharedExpertGate);
    }
    if (fam.has(import::kSharedExpertIsDense)) {
      a.num_shared_experts = 1;
      a.shared_expert_intermediate_size = a.intermediate_size;
      a.intermediate_size = r.integer("intermediate_size_mlp", a.intermediate_size, 0, kMaxDim);
    }
    a.router_score_correction_bias =
        fam.router_correction == import::RouterCorrection::always ||
        (fam.router_correction == import::RouterCorrection::noaux_tc && r.string("topk_method", "") == "noaux_tc");
  }
  if (a.intermediate_size == 0 && a.num_experts == 0)
    return make_error(ErrorCode::invalid_field, r.field("intermediate_size"),
                      "intermediate_size is required for a dense model");
  return std::nullopt;
}

// Multi-head latent attention and multi-token-prediction modules.
Status read_latent_attention(JsonReader& r, Architecture& a) {
  a.kv_lora_rank = r.integer("kv_lora_rank", 0, 0, kMaxDim);
  if (a.kv_lora_rank > 0) {
    a.q_lora_rank = r.integer("q_lora_rank", 0, 0, kMaxDim);
    a.qk_nope_head_dim = r.integer("qk_nope_head_dim", 0, 1, 65536, true);
    a.qk_rope_head_dim = r.integer("qk_rope_head_dim", 0, 1, 65536, true);
    a.v_head_dim = r.integer("v_head_dim", a.qk_nope_head_dim, 1, 65536);
    a.head_dim = a.qk_nope_head_dim + a.qk_rope_head_dim;
  }
  a.num_mtp_layers = r.integer("num_nextn_predict_layers", 0, 0, 64);
  if (a.num_mtp_layers == 0) a.num_mtp_layers = r.integer("mtp_num_hidden_layers", 0, 0, 64);
  if (!r.ok()) return r.error();
  return std::nullopt;
}

// Which layers have a mixture of experts.
Status read_moe_layers(JsonReader& r, Architecture& a) {
  if (a.num_experts == 0) return std::nullopt;
  const I first_dense = r.integer("first_k_dense_replace", 0, 0, kMaxLayers);
  const I freq = r.integer("moe_layer_freq", 1, 1, kMaxLayers);
  const I sparse_step = r.integer("decoder_sparse_step", 1, 1, kMaxLayers);
  const I interleave = r.integer("interleave_moe_layer_step", 1, 1, kMaxLayers);
  auto mlp_only = r.integer_list("mlp_only_layers", 0, kMaxLayers);
  auto moe_layers = r.integer_list("moe_layers", 0, kMaxLayers);
  const std::set<I> dense_set(mlp_only.begin(), mlp_only.end());
  for (I i = 0; i < a.num_layers; ++i) {
    bool moe = i >= first_dense && (i % freq == 0 || freq == 1) && ((i + 1) % sparse_step == 0) &&
               ((i + 1) % interleave == 0) && !dense_set.count(i);
    if (!moe_layers.empty()) moe = std::find(moe_layers.begin(), moe_layers.end(), i) != moe_layers.end();
    a.layers[static_cast<std::size_t>(i)].moe = moe;
  }
  const bool any_dense = std::any_of(a.layers.begin(), a.layers.end(), [](const LayerSpec& l) { return !l.moe; });
  if (any_dense && a.intermediate_size == 0)
    return make_error(ErrorCode::invalid_field, r.field("intermediate_size"),
                      "intermediate_size is required: some layers use a dense MLP");
  return std::nullopt;
}

// An explicit per-layer list: layer_types.
Status read_layer_types(JsonReader& r, Architecture& a, const std::vector<std::string>& layer_types, I window) {
  if (static_cast<I>(layer_types.size()) != a.num_layers)
    return make_error(ErrorCode::invalid_field, r.field("layer_types"),
                      "layer_types has " + std::to_string(layer_types.size()) + " entries for " +
                          std::to_string(a.num_layers) + " layers");
  for (std::size_t i = 0; i < layer_types.size(); ++i) {
    const std::string& kind = layer_types[i];
    auto& spec = a.layers[i];
    if (kind == "sliding_attention" || kind == "local_attention") {
      if (window <= 0)
        return make_error(ErrorCode::invalid_field, r.field("sliding_window"),
                          "layer_types lists sliding layers but sliding_window is not a positive integer");
      spec.attention = AttentionKind::sliding;
      spec.window = window;
    } else if (kind == "linear_attention" || kind == "mamba") {
      spec.attention = AttentionKind::linear;
    } else if (kind == "chunked_attention") {
      spec.attention = AttentionKind::chunked;
      spec.window = r.integer("attention_chunk_size", 8192, 1, kMaxContext);
    } else if (kind == "full_attention" || kind == "attention" || kind == "global_attention") {
      spec.attention = AttentionKind::full;
    } else {
      return make_error(ErrorCode::invalid_field, r.field("layer_types"),
                        "layer_types[" + std::to_string(i) + "] is '" + kind.substr(0, 40) +
                            "'; expected full_attention, sliding_attention, chunked_attention or linear_attention");
    }
  }
  return std::nullopt;
}

// The family's own layout of sliding or chunked layers, when the config has no layer_types list.
void apply_family_layout(JsonReader& r, const Family& fam, Architecture& a, I window) {
  const I L = a.num_layers;
  auto slide = [&](I i) {
    a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::sliding;
    a.layers[static_cast<std::size_t>(i)].window = window;
  };
  switch (fam.sliding) {
    case import::SlidingLayout::even_layers:
      for (I i = 0; i < L && window > 0; i += 2) slide(i);
      break;
    case import::SlidingLayout::pattern: {
      const I pattern = r.integer("sliding_window_pattern", 6, 1, kMaxLayers);
      for (I i = 0; i < L && window > 0; ++i)
        if ((i + 1) % pattern != 0) slide(i);
      break;
    }
    case import::SlidingLayout::rope_chunks: {
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
    case import::SlidingLayout::every_layer:
    case import::SlidingLayout::opt_in: {
      const bool opt_in = fam.sliding == import::SlidingLayout::opt_in;
      if (window <= 0 || !r.boolean("use_sliding_window", !opt_in)) break;
      // Qwen: layers below max_window_layers keep full attention.
      const I full_below = opt_in ? r.integer("max_window_layers", 0, 0, kMaxLayers) : 0;
      for (I i = full_below; i < L; ++i) slide(i);
      break;
    }
  }
}

// Which attention each layer uses.
Status read_attention_layout(JsonReader& r, const Family& fam, Architecture& a) {
  if (a.is_mla()) {
    for (auto& l : a.layers) l.attention = AttentionKind::mla;
    return std::nullopt;
  }
  const I window = r.integer("sliding_window", 0, 0, kMaxContext);
  const auto layer_types = r.string_list("layer_types");
  if (!r.ok()) return r.error();
  if (!layer_types.empty()) return read_layer_types(r, a, layer_types, window);
  if (r.has("full_attention_interval")) {
    // Qwen3-Next: every n-th layer is full attention, the rest gated-delta-net linear attention.
    const I interval = r.integer("full_attention_interval", 4, 1, kMaxLayers);
    for (I i = 0; i < a.num_layers; ++i)
      a.layers[static_cast<std::size_t>(i)].attention =
          ((i + 1) % interval == 0) ? AttentionKind::full : AttentionKind::linear;
    return std::nullopt;
  }
  apply_family_layout(r, fam, a, window);
  return std::nullopt;
}

// The constant-size state of linear-attention (gated delta net) layers.
void read_linear_attention(JsonReader& r, Architecture& a) {
  const bool any_linear = std::any_of(a.layers.begin(), a.layers.end(),
                                      [](const LayerSpec& l) { return l.attention == AttentionKind::linear; });
  if (!any_linear) return;
  a.linear.num_key_heads = r.integer("linear_num_key_heads", 0, 1, kMaxHeads, true);
  a.linear.num_value_heads = r.integer("linear_num_value_heads", 0, 1, kMaxHeads, true);
  a.linear.key_head_dim = r.integer("linear_key_head_dim", 0, 1, 65536, true);
  a.linear.value_head_dim = r.integer("linear_value_head_dim", 0, 1, 65536, true);
  a.linear.conv_kernel = r.integer("linear_conv_kernel_dim", 4, 1, 1024);
}

Status read_quantization(const json& merged, const JsonReader& r, Architecture& a) {
  if (!merged.contains("quantization_config") || !merged["quantization_config"].is_object()) return std::nullopt;
  JsonReader q(merged["quantization_config"], r.field("quantization_config"));
  a.quant.method = q.string("quant_method", "");
  a.quant.bits = static_cast<int>(q.integer("bits", 0, 0, 64));
  a.quant.group_size = static_cast<int>(q.integer("group_size", 0, -1, 1 << 20));
  a.quant.desc_act = q.boolean("desc_act", false);
  auto block = q.integer_list("weight_block_size", 1, 1 << 20);
  if (block.size() == 2) {
    a.quant.block_rows = static_cast<int>(block[0]);
    a.quant.block_cols = static_cast<int>(block[1]);
  }
  a.quant.modules_not_converted = q.string_list("modules_to_not_convert");
  if (q.has("load_in_4bit") && q.boolean("load_in_4bit", false)) {
    a.quant.method = "bitsandbytes";
    a.quant.bits = 4;
  }
  if (!q.ok()) return q.error();
  return std::nullopt;
}

// The vision tower of a multimodal checkpoint (counted for the checkpoint total).
Status read_vision_tower(const json& config, const std::string& field, JsonReader& r, Architecture& a) {
  if (!config.contains("vision_config") || !config["vision_config"].is_object()) return std::nullopt;
  JsonReader v(config["vision_config"], field + ".vision_config");
  const std::string vtype = v.string("model_type", "");
  auto& vs = a.vision;
  if (vtype == "siglip_vision_model")
    vs.kind = "siglip";
  else if (vtype == "pixtral")
    vs.kind = "pixtral";
  else if (vtype == "llama4_vision_model")
    vs.kind = "llama4";
  if (vs.kind.empty()) {
    if (!vtype.empty())
      a.warnings.push_back(Text(Msg::import_vision_not_counted).str("vision_type", vtype.substr(0, 40)));
    return std::nullopt;
  }
  vs.hidden_size = v.integer("hidden_size", 0, 1, kMaxDim, true);
  vs.intermediate_size = v.integer("intermediate_size", 0, 1, kMaxDim, true);
  vs.num_layers = v.integer("num_hidden_layers", 0, 1, kMaxLayers, true);
  vs.num_heads = v.integer("num_attention_heads", 0, 1, kMaxHeads, true);
  vs.image_size = v.integer("image_size", 224, 1, 1 << 16);
  vs.patch_size = v.integer("patch_size", 16, 1, 1 << 12);
  vs.num_channels = v.integer("num_channels", 3, 1, 16);
  vs.projector_out = a.hidden_size;
  if (vs.kind == "pixtral") vs.spatial_merge = r.integer("spatial_merge_size", 2, 1, 64);
  if (vs.kind == "llama4") {
    vs.projector_inner = v.integer("projector_input_dim", 4096, 1, kMaxDim);
    const double ratio = v.number("pixel_shuffle_ratio", 0.5, 0.01, 1.0);
    vs.pixel_shuffle_dim = static_cast<I>(std::llround(static_cast<double>(vs.hidden_size) / (ratio * ratio)));
  }
  if (!v.ok()) return v.error();
  return std::nullopt;
}

// Refuses absurd configs before any product can overflow 64 bits.
Status check_plausible(const Architecture& a, const std::string& field) {
  const double rough = static_cast<double>(a.num_layers) *
                           (4.0 * a.hidden_size * a.num_heads * a.head_dim +
                            3.0 * a.hidden_size * std::max(a.intermediate_size, a.moe_intermediate_size) *
                                static_cast<double>(std::max<I>(1, a.num_experts + a.num_shared_experts))) +
                       2.0 * a.vocab_size * a.hidden_size;
  if (!(rough < 1e15))
    return make_error(ErrorCode::invalid_field, field,
                      "the config describes an implausible model (over 10^15 parameters); check hidden_size, "
                      "intermediate_size, num_hidden_layers and the expert counts");
  return std::nullopt;
}

}  // namespace

Expected<Architecture> parse_hf_config(const json& config, const std::string& field) {
  if (!config.is_object())
    return make_error(ErrorCode::invalid_field, field,
                      "config must be a JSON object (a config.json), got " + describe_json_value(config));
  const json& text = text_part(config);
  const bool nested = &text != &config;
  const json merged = merged_config(config, text);
  JsonReader r(merged, nested ? field + ".text_config" : field);
  Architecture a;

  a.model_type = r.string("model_type", "");
  if (auto archs = r.string_list("architectures"); !archs.empty()) a.architecture = archs.front();
  std::string dtype = r.string("torch_dtype", "");
  if (dtype.empty()) dtype = r.string("dtype", "");
  if (dtype.empty() && config.contains("torch_dtype") && config["torch_dtype"].is_string())
    dtype = config["torch_dtype"].get<std::string>();
  a.dtype = dtype.empty() ? "bfloat16" : dtype;
  bool known = false;
  const Family& fam = import::find_family(a.model_type, &known);
  if (!known) a.warnings.push_back(Text(Msg::import_unknown_model_type).str("model_type", a.model_type.substr(0, 40)));

  if (auto e = read_dimensions(r, a)) return *e;
  read_block_tensors(r, fam, a);
  if (auto e = read_experts(r, fam, a)) return *e;
  if (auto e = read_latent_attention(r, a)) return *e;
  a.layers.assign(static_cast<std::size_t>(a.num_layers), LayerSpec{});
  if (auto e = read_moe_layers(r, a)) return *e;
  if (auto e = read_attention_layout(r, fam, a)) return *e;
  read_linear_attention(r, a);
  if (auto e = read_quantization(merged, r, a)) return *e;
  if (nested)
    if (auto e = read_vision_tower(config, field, r, a)) return *e;
  if (!r.ok()) return r.error();
  if (auto e = check_plausible(a, field)) return *e;
  return a;
}

}  // namespace vramplan
