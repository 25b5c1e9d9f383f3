// config.json -> Architecture. Families differ only in which small tensors exist and in how layers are
// laid out; those differences are columns of the family table (families.cpp), and the readers below
// branch on the columns, never on model_type.
#include "vramplan/import/config.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "readers.hpp"
#include "vision.hpp"

namespace vramplan {
namespace {

using import::Family;
using import::kMaxContext;
using import::kMaxDim;
using import::kMaxExperts;
using import::kMaxHeads;
using import::kMaxLayers;
using import::kMaxVocab;
using nlohmann::json;
using I = std::int64_t;

// The text model's part of a config: multimodal checkpoints nest it.
const json& text_part(const json& config) {
  for (const char* key : {"text_config", "llm_config", "language_config"}) {
    auto it = config.find(key);
    if (it != config.end() && it->is_object() && !it->empty()) return *it;
  }
  return config;
}

// The config's model_type; without one, the family its `architectures` class names (old configs, hand-made ones).
std::string model_type_of(const json& merged, bool* inferred) {
  *inferred = false;
  auto it = merged.find("model_type");
  if (it != merged.end() && it->is_string() && !it->get<std::string>().empty()) return it->get<std::string>();
  auto archs = merged.find("architectures");
  if (archs == merged.end() || !archs->is_array() || archs->empty() || !archs->front().is_string()) return "";
  std::string type = import::model_type_of_class(archs->front().get<std::string>());
  *inferred = !type.empty();
  return type;
}

// Text-config keys win, top-level keys fill the gaps (dtype, tie_word_embeddings, quantization_config),
// and the family's defaults fill what neither says (HF saves only non-default keys in nested configs).
json merged_config(const json& config, const json& text) {
  json merged = config;
  if (&text != &config)
    for (auto it = text.begin(); it != text.end(); ++it) merged[it.key()] = it.value();
  bool inferred = false;
  const std::string type = model_type_of(merged, &inferred);
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
  else if (!r.has("num_hidden_layers") && !r.string_list("layers_block_type").empty())
    a.num_layers = std::min<I>(static_cast<I>(r.string_list("layers_block_type").size()),  // Nemotron-3-Ultra
                               kMaxLayers);
  else
    a.num_layers = r.integer("num_hidden_layers", 0, 1, kMaxLayers, true);
  a.num_heads = r.integer("num_attention_heads", 0, 1, kMaxHeads, true);
  a.num_kv_heads = r.integer("num_key_value_heads", a.num_heads, 1, kMaxHeads);
  if (r.has("multi_query") && r.boolean("multi_query", false)) a.num_kv_heads = 1;
  a.vocab_size = r.integer("vocab_size", 0, 1, kMaxVocab, true);
  a.max_position_embeddings = r.first_integer({"max_position_embeddings", "model_max_length"}, 0, 0, kMaxContext);
  if (!r.ok()) return r.error();

  if (a.num_heads % a.num_kv_heads != 0)
    return make_error(ErrorCode::invalid_field, r.field("num_key_value_heads"),
                      "num_key_value_heads (" + std::to_string(a.num_kv_heads) + ") must divide num_attention_heads (" +
                          std::to_string(a.num_heads) + ")");
  a.head_dim = r.first_integer({"head_dim", "attention_head_dim"}, 0, 1, 65536);
  if (a.head_dim == 0 && r.integer("kv_lora_rank", 0, 0, kMaxDim) > 0) a.head_dim = 1;  // MLA: set below
  if (a.head_dim == 0) {
    if (a.hidden_size % a.num_heads != 0)
      return make_error(ErrorCode::invalid_field, r.field("head_dim"),
                        "head_dim is absent and hidden_size (" + std::to_string(a.hidden_size) +
                            ") is not a multiple of num_attention_heads (" + std::to_string(a.num_heads) + ")");
    a.head_dim = a.hidden_size / a.num_heads;
  }
  a.v_head_dim = r.integer("v_head_dim", a.head_dim, 1, 65536);  // MiMo-V2: 192 for q/k, 128 for v
  a.intermediate_size = r.first_integer({"intermediate_size", "ffn_hidden_size", "block_ff_dim"}, 0, 0, kMaxDim);
  return std::nullopt;
}

// LFM2's Lfm2MLP: block_ff_dim scaled by 2/3 and block_ffn_dim_multiplier, rounded up to block_multiple_of.
void adjust_ffn_width(JsonReader& r, Architecture& a) {
  if (!r.boolean("block_auto_adjust_ff_dim", false)) return;
  I ff = a.intermediate_size * 2 / 3;
  if (r.has("block_ffn_dim_multiplier"))
    ff = static_cast<I>(r.number("block_ffn_dim_multiplier", 1, 0.01, 100) * static_cast<double>(ff));
  const I multiple = r.integer("block_multiple_of", 256, 1, kMaxDim);
  a.intermediate_size = ceil_div(ff, multiple) * multiple;
}

// Biases, norms and gates: which small tensors each block has.
void read_block_tensors(JsonReader& r, const Family& fam, Architecture& a) {
  a.tie_word_embeddings = r.boolean("tie_word_embeddings", fam.has(import::kTiedByDefault));
  // InternLM2's `bias` puts biases on wqkv and wo, as attention_bias does elsewhere.
  const bool internlm_bias = r.boolean("bias", false);
  const bool attention_bias = r.boolean("attention_bias", false) || internlm_bias;
  const bool qkv_only = r.boolean("qkv_bias", false);
  const bool qkv_bias = r.boolean("add_qkv_bias", false) || qkv_only;
  a.qkv_bias = fam.has(import::kQkvBias) || attention_bias || qkv_bias;
  a.o_bias = fam.has(import::kOAlwaysBiased) || (!fam.has(import::kONeverBiased) && attention_bias);
  if (r.has("attention_out_bias")) a.o_bias = r.boolean("attention_out_bias", false);  // Seed-OSS
  a.gated_mlp = !fam.has(import::kUngatedMlp);
  a.mlp_bias = r.boolean("mlp_bias", fam.has(import::kMlpBias));
  if (r.boolean("use_bias", false)) r.not_modelled("use_bias");  // Nemotron-H: biases on the Mamba projections
  // MiniMax-M2's qk_norm_type "per_layer": one norm over the whole q (k) projection, as kQkNormFull says.
  if (r.has("qk_norm_type") && !(fam.has(import::kQkNormFull) && r.string("qk_norm_type", "") == "per_layer"))
    r.not_modelled("qk_norm_type");
  const bool qk_layernorm = r.boolean("qk_layernorm", false);
  const bool qk_norm = r.boolean("use_qk_norm", false) || qk_layernorm;
  a.qk_norm = fam.has(import::kQkNorm) || qk_norm;
  a.qk_norm_full = fam.has(import::kQkNormFull);
  a.norms_per_layer = fam.norms_per_layer;
  a.norm_bias = fam.has(import::kLayerNormBias);
  a.router_bias = fam.has(import::kRouterBias);
  a.block_sparse_moe = fam.has(import::kBlockSparseMoe);
  a.expert_bias = fam.has(import::kExpertBias);
  a.attention_output_gate = r.boolean("attn_output_gate", fam.has(import::kOutputGate));
  // Qwen3.6's output_gate_type names the gate's activation ("swish"): the gate's tensor is the same.
  if (a.attention_output_gate && r.has("output_gate_type")) r.string("output_gate_type", "");
  // A bias on the output projection (Phi-4-mini writes false): vocab_size values the tool does not count.
  if (r.boolean("lm_head_bias", false)) r.not_modelled("lm_head_bias");
  a.mtp_own_embeddings = r.boolean("mtp_use_dedicated_embeddings", !fam.has(import::kMtpSharesEmbeddings));
  a.extra_embedding_rows = fam.has(import::kImageTokenRows) ? 8 : 0;
}

Status read_experts(JsonReader& r, const Family& fam, Architecture& a) {
  a.num_experts =
      r.first_integer({"n_routed_experts", "num_experts", "num_local_experts", "moe_num_experts"}, 0, 0, kMaxExperts);
  // Granite-4.0-H: every layer's MLP is shared_mlp (shared_intermediate_size), plus experts when it has them.
  const I shared_mlp = r.integer("shared_intermediate_size", 0, 0, kMaxDim);
  if (a.num_experts == 0) {
    if (shared_mlp > 0) a.intermediate_size = shared_mlp;
    return std::nullopt;
  }
  a.experts_per_token = r.first_integer(
      {"num_experts_per_tok", "experts_per_token", "num_experts_per_token", "top_k_experts", "moe_topk", "moe_k"}, 1, 1,
      kMaxExperts);
  if (a.experts_per_token > a.num_experts)
    return make_error(ErrorCode::invalid_field, r.field("num_experts_per_tok"),
                      "num_experts_per_tok (" + std::to_string(a.experts_per_token) +
                          ") exceeds the number of experts (" + std::to_string(a.num_experts) + ")");
  a.moe_intermediate_size = r.first_integer({"moe_intermediate_size", "expert_intermediate_size"}, 0, 0, kMaxDim);
  if (a.moe_intermediate_size == 0) a.moe_intermediate_size = a.intermediate_size;
  a.moe_latent_size = r.integer("moe_latent_size", 0, 0, kMaxDim);  // Nemotron-3 latent MoE
  a.num_shared_experts =
      r.first_integer({"n_shared_experts", "num_shared_experts", "moe_num_shared_experts"}, 0, 0, kMaxExperts);
  if (r.has("moe_shared_expert_intermediate_size")) {
    // Nemotron-H: the shared experts' width, per expert.
    a.shared_expert_intermediate_size =
        std::max<I>(1, a.num_shared_experts) * r.integer("moe_shared_expert_intermediate_size", 0, 0, kMaxDim);
    a.num_shared_experts = std::max<I>(1, a.num_shared_experts);
  } else if (shared_mlp > 0) {
    a.num_shared_experts = 1;
    a.shared_expert_intermediate_size = shared_mlp;
  } else if (a.num_shared_experts > 0) {
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
      (fam.router_correction == import::RouterCorrection::noaux_tc && r.string("topk_method", "") == "noaux_tc") ||
      r.boolean("use_routing_bias", false);
  return std::nullopt;
}

// Gemma 4 (modeling_gemma4.py): per-layer input embeddings (Gemma4TextModel: embed_tokens_per_layer,
// per_layer_model_projection, per_layer_projection_norm), the per-layer scalar buffer, and enable_moe_block
// (Gemma4TextDecoderLayer: router and experts beside the dense MLP, which is always on like a shared expert as
// wide as intermediate_size; post_feedforward_layernorm_1/_2 and pre_feedforward_layernorm_2 around them).
void read_layer_extras(JsonReader& r, const Family& fam, Architecture& a) {
  a.layer_scalar = fam.has(import::kLayerScalar);
  if (fam.has(import::kPerLayerInputs)) {
    a.per_layer_input_size = r.integer("hidden_size_per_layer_input", 0, 0, kMaxDim);
    const I ple_vocab = r.integer("vocab_size_per_layer_input", a.vocab_size, 0, kMaxVocab);
    a.per_layer_input_vocab = a.per_layer_input_size > 0 ? ple_vocab : 0;
  }
  if (!fam.has(import::kRouterScales)) return;
  if (!r.boolean("enable_moe_block", false)) {
    a.num_experts = a.experts_per_token = a.moe_intermediate_size = 0;  // the class builds no experts
    return;
  }
  if (a.num_experts == 0) return;
  a.router_scales = true;
  a.moe_norms = 3;
  a.num_shared_experts = 1;
  a.shared_expert_intermediate_size = a.intermediate_size;
}

// One rotary configuration (rope_scaling, or an entry of rope_parameters) as vLLM's get_rope sizes its cos/sin
// table (model_executor/layers/rotary_embedding): max_position rows for the default, llama3 and mrope kinds;
// max_position x factor for linear and dynamic; original_max_position_embeddings x factor for yarn and
// deepseek_yarn; original + max_position for longrope (a short and a long table).
Architecture::RopeCache rope_table(const json& scaling, const std::string& field, const Architecture& a, I dim,
                                   Status& status) {
  const I max_pos = a.max_position_embeddings > 0 ? a.max_position_embeddings : 8192;  // vLLM models' default
  Architecture::RopeCache c{max_pos, dim};
  if (!scaling.is_object()) return c;
  JsonReader s(scaling, field);
  std::string kind = s.string("rope_type", "");
  if (kind.empty()) kind = s.string("type", "default");
  const double factor = s.number("factor", 1, 1e-3, 1e4);
  const I original = s.integer("original_max_position_embeddings",
                               a.rope_original_max > 0 ? a.rope_original_max : max_pos, 1, kMaxContext);
  if (kind == "linear" || kind == "dynamic")
    c.positions = static_cast<I>(static_cast<double>(max_pos) * factor);
  else if (kind == "yarn" || kind == "deepseek_yarn")
    c.positions = static_cast<I>(static_cast<double>(original) * factor);
  else if (kind == "longrope")
    c.positions = original + max_pos;
  c.positions = std::clamp<I>(c.positions, 1, kMaxContext);
  if (!s.ok()) status = s.error();
  return c;
}

// The rotary tables: the rotated part of each head (partial_rotary_factor, rotary_dim; MLA's qk_rope_head_dim),
// one table per configuration; Gemma 3's sliding layers get a second one (rope_local_base_freq).
Status read_rope(JsonReader& r, const json& merged, const Family& fam, Architecture& a) {
  a.rope_fp32 = fam.has(import::kRopeFp32);
  const std::string position = r.string("position_embedding_type", "rope");
  if (fam.has(import::kNoRope) || !r.boolean("use_rope", true) || (position != "rope" && position != "rotary"))
    return std::nullopt;
  double partial = r.number("partial_rotary_factor", 1, 0, 1);
  if (r.has("rotary_pct")) partial = r.number("rotary_pct", 1, 0, 1);
  I dim = a.is_mla() ? a.qk_rope_head_dim : static_cast<I>(static_cast<double>(a.head_dim) * partial);
  if (r.has("rotary_dim")) dim = r.integer("rotary_dim", dim, 1, 65536);
  if (dim <= 0) return std::nullopt;
  // Phi-3 keeps it beside rope_scaling; vLLM copies it in (config patch_rope_scaling).
  a.rope_original_max = r.integer("original_max_position_embeddings", 0, 0, kMaxContext);
  Status status;
  const json none;
  const json& params = merged.contains("rope_parameters") ? merged["rope_parameters"] : none;
  const bool per_kind = params.is_object() && !params.empty() &&
                        std::all_of(params.begin(), params.end(), [](const json& v) { return v.is_object(); });
  if (per_kind) {  // transformers v5: one entry per layer kind (Gemma)
    for (auto it = params.begin(); it != params.end(); ++it)
      a.rope_caches.push_back(rope_table(it.value(), r.field("rope_parameters") + "." + it.key(), a, dim, status));
    return status;
  }
  const bool scaled = merged.contains("rope_scaling") && merged["rope_scaling"].is_object();
  a.rope_caches.push_back(scaled ? rope_table(merged["rope_scaling"], r.field("rope_scaling"), a, dim, status)
                                 : rope_table(params, r.field("rope_parameters"), a, dim, status));
  if (r.has("rope_local_base_freq")) a.rope_caches.push_back(rope_table(none, "", a, dim, status));
  return status;
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

// DeepSeek-V4 (vLLM model_executor/models/deepseek_v4.py, DeepseekV4Attention and DeepseekV4MoE): every layer
// attends within sliding_window tokens; compress_ratios[i] (0: none, else one compressed row per that many tokens)
// adds a DeepseekCompressor, and ratio 4 also an indexer ("Only C4A uses sparse attention and hence has
// indexer"); layers below num_hash_layers route by a token-id table (tid2eid) instead of a scored router.
Status read_deepseek_v4(JsonReader& r, const Family& fam, Architecture& a) {
  if (!fam.has(import::kDeepseekV4)) return std::nullopt;
  a.q_lora_rank = r.integer("q_lora_rank", 0, 1, kMaxDim, true);
  a.qk_rope_head_dim = r.integer("qk_rope_head_dim", 0, 1, 65536, true);
  a.o_groups = r.integer("o_groups", 0, 1, kMaxHeads, true);
  a.o_lora_rank = r.integer("o_lora_rank", 0, 1, kMaxDim, true);
  a.hc_mult = r.integer("hc_mult", 0, 1, 64, true);
  const I hash_layers = r.integer("num_hash_layers", 0, 0, kMaxLayers);
  const auto ratios = r.integer_list("compress_ratios", 0, kMaxContext);
  if (!r.ok()) return r.error();
  if (a.num_heads % a.o_groups != 0)
    return make_error(ErrorCode::invalid_field, r.field("o_groups"), "o_groups must divide num_attention_heads");
  // The list may carry one more entry, for the MTP layer (vLLM: "MTP layer is not included").
  if (static_cast<I>(ratios.size()) < a.num_layers)
    return make_error(ErrorCode::invalid_field, r.field("compress_ratios"),
                      "compress_ratios has " + std::to_string(ratios.size()) + " entries for " +
                          std::to_string(a.num_layers) + " layers");
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    auto& l = a.layers[i];
    if (l.attends()) l.attention = AttentionKind::compressed;  // the window read from sliding_window stays
    l.compress_ratio = ratios[i];
    l.indexer = ratios[i] == 4 && a.indexer.head_dim > 0;
    l.hash_routed = static_cast<I>(i) < hash_layers && l.moe();
  }
  return std::nullopt;
}

// DeepSeek-V4's routed experts in MXFP4 beside FP8 linear layers (vLLM models/deepseek_v4.py DeepseekV4FP8Config:
// with expert_dtype "fp4", the default, FusedMoE layers get Mxfp4MoEMethod; "fp8" keeps them in the FP8 scheme).
void read_expert_dtype(JsonReader& r, const Family& fam, Architecture& a) {
  if (!fam.has(import::kDeepseekV4) || !r.has("expert_dtype")) return;
  const std::string dtype = r.string("expert_dtype", "fp4");
  auto& q = a.quant;
  const bool fp8 = q.method == "fp8" && q.schemes.size() == 1 && q.schemes[0].storage == QuantStorage::fp8;
  if (dtype == "fp8" && fp8) return;
  if (dtype != "fp4" || !fp8) {
    r.not_modelled("expert_dtype");
    return;
  }
  QuantScheme s;
  s.storage = QuantStorage::mxfp4;
  s.bits = 4;
  q.schemes.push_back(s);
  q.experts_scheme = static_cast<int>(q.schemes.size()) - 1;
}

// The vision tower of a multimodal checkpoint (counted for the checkpoint total).
Status read_vision_tower(const json& config, const std::string& field, JsonReader& r, Architecture& a) {
  // Qwen3.6 writes language_model_only false (the tower is part of the checkpoint, as counted); true would mean a
  // text-only load, which the tool does not model.
  if (r.boolean("language_model_only", false)) r.not_modelled("language_model_only");
  // Cross-attention layers cache the image's tokens, which only the tower's geometry gives (import/vision.cpp).
  const bool cross = std::any_of(a.layers.begin(), a.layers.end(),
                                 [](const LayerSpec& l) { return l.attention == AttentionKind::cross; });
  if (cross && !(config.contains("vision_config") && config["vision_config"].is_object()))
    r.not_modelled("cross_attention_layers");
  if (!config.contains("vision_config") || !config["vision_config"].is_object()) return std::nullopt;
  bool handled = false;
  if (auto e = import::read_vision_family(config, field, a, &handled)) return *e;
  if (handled) return std::nullopt;
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
    // Never silent: a vision_config without its own model_type (Kimi-K2.5) is named by the checkpoint's.
    const auto top = config.find("model_type");
    const std::string named = !vtype.empty()                            ? vtype
                              : top != config.end() && top->is_string() ? top->get<std::string>()
                                                                        : "";
    a.warnings.push_back(Text(Msg::import_vision_not_counted).str("vision_type", named.substr(0, 40)));
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

// A key name from the config, fit to quote in a warning: printable ASCII, at most 40 characters.
std::string quoted_key(const std::string& key) {
  std::string out;
  for (char c : key.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// At most `limit` names, then how many more.
std::string key_list(const std::vector<std::string>& keys, std::size_t limit) {
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < keys.size() && i < limit; ++i) shown.push_back(quoted_key(keys[i]));
  std::string out = join(shown);
  if (keys.size() > limit) out += ", +" + std::to_string(keys.size() - limit);
  return out;
}

// Never silent: an unknown model_type says which fields built the architecture, and every key neither read
// nor known to change nothing in memory is named.
void note_what_was_read(const json& merged, const JsonReader& r, bool known_family, Architecture& a) {
  if (!known_family) {
    std::vector<std::string> used;
    for (auto it = merged.begin(); it != merged.end(); ++it)
      if (r.keys_read().count(it.key()) && !it.value().is_null() && !it.value().is_object() &&
          it.key() != "model_type" && it.key() != "architectures" && it.key() != "torch_dtype" && it.key() != "dtype")
        used.push_back(it.key());
    a.warnings.push_back(Text(Msg::import_unknown_model_type)
                             .str("model_type", quoted_key(a.model_type))
                             .str("fields", key_list(used, 24)));
  }
  const auto unread = import::unread_keys(merged, r.keys_read());
  if (!unread.empty())
    a.warnings.push_back(Text(Msg::import_keys_not_read)
                             .integer("count", static_cast<I>(unread.size()))
                             .str("keys", key_list(unread, 12)));
}

}  // namespace

Expected<Architecture> parse_hf_config(const json& config, const std::string& field) {
  if (!config.is_object())
    return make_error(ErrorCode::invalid_field, field,
                      "config must be a JSON object (a config.json), got " + describe_json_value(config));
  // ModelOpt's hf_quant_config.json sits beside config.json and is easily pasted instead of it.
  if (config.contains("quantization") && config["quantization"].is_object() && !config.contains("hidden_size") &&
      config["quantization"].contains("quant_algo"))
    return make_error(ErrorCode::invalid_field, field,
                      "this is ModelOpt's hf_quant_config.json, not the model's config.json: paste config.json, and "
                      "give this file beside it as model.hf_quant_config when config.json has no quantization_config");
  const json& text = text_part(config);
  const bool nested = &text != &config;
  const json merged = merged_config(config, text);
  JsonReader r(merged, nested ? field + ".text_config" : field);
  Architecture a;

  r.string("model_type", "");  // checked for its type; model_type_of reads it
  if (auto archs = r.string_list("architectures"); !archs.empty()) a.architecture = archs.front();
  bool inferred = false;
  a.model_type = model_type_of(merged, &inferred);
  if (inferred)
    a.warnings.push_back(Text(Msg::import_model_type_inferred)
                             .str("model_type", a.model_type)
                             .str("architecture", quoted_key(a.architecture)));
  std::string dtype = r.string("torch_dtype", "");
  if (dtype.empty()) dtype = r.string("dtype", "");
  if (dtype.empty() && config.contains("torch_dtype") && config["torch_dtype"].is_string())
    dtype = config["torch_dtype"].get<std::string>();
  a.dtype = dtype.empty() ? "bfloat16" : dtype;
  bool known = false;
  const Family& fam = import::find_family(a.model_type, &known);

  if (auto e = read_dimensions(r, a)) return *e;
  adjust_ffn_width(r, a);
  read_block_tensors(r, fam, a);
  if (auto e = read_experts(r, fam, a)) return *e;
  read_layer_extras(r, fam, a);
  if (auto e = read_latent_attention(r, a)) return *e;
  if (auto e = read_rope(r, merged, fam, a)) return *e;
  if (auto e = import::read_layer_layout(r, merged, fam, a)) return *e;
  if (auto e = import::read_state_specs(r, merged, a)) return *e;
  if (auto e = read_deepseek_v4(r, fam, a)) return *e;
  if (auto e = import::read_quantization(merged, r, a)) return *e;
  read_expert_dtype(r, fam, a);
  r.has("quantization_config");  // read above, or named by its own warning
  for (const char* key : {"text_config", "llm_config", "language_config", "vision_config"}) r.has(key);
  if (auto e = read_vision_tower(config, field, r, a)) return *e;  // flat VL configs (Qwen2.5-VL) too
  if (!r.ok()) return r.error();
  if (auto e = check_plausible(a, field)) return *e;
  note_what_was_read(merged, r, known, a);
  return a;
}

Expected<Architecture> parse_hf_config(const json& config, const json& hf_quant_config, const std::string& field,
                                       const std::string& quant_field) {
  if (!hf_quant_config.is_object() || !hf_quant_config.contains("quantization") ||
      !hf_quant_config["quantization"].is_object())
    return make_error(ErrorCode::invalid_field, quant_field,
                      "hf_quant_config must be ModelOpt's hf_quant_config.json object, with a \"quantization\" object; "
                      "got " +
                          describe_json_value(hf_quant_config));
  if (!config.is_object() || config.contains("quantization_config")) return parse_hf_config(config, field);
  json merged = config;
  json q = hf_quant_config;
  q["quant_method"] = "modelopt";
  merged["quantization_config"] = std::move(q);
  return parse_hf_config(merged, field);
}

}  // namespace vramplan
