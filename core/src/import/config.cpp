// config.json -> Architecture. Families differ only in which small tensors exist and in how
// layers are laid out; those differences live in the FamilyTraits table below, not in the formulas.
#include "vramplan/import/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "vramplan/api/json_read.hpp"

namespace vramplan {
namespace {

using nlohmann::json;

struct FamilyTraits {
  const char* model_type;
  bool qkv_bias;        // q/k/v projections carry a bias even without attention_bias
  bool o_bias_follows;  // o_proj bias follows attention_bias (Llama) rather than never (Qwen2, GLM)
  bool qk_norm;         // per-head q/k RMSNorm
  int norms_per_layer;
  bool tied_by_default;         // tie_word_embeddings default when the key is absent
  bool router_correction_bias;  // DeepSeek-V3-style e_score_correction_bias when topk_method is noaux_tc
};

// model_type -> traits. Defaults come from each transformers modeling file.
const FamilyTraits kFamilies[] = {
    {"llama", false, true, false, 2, false, false},      {"mistral", false, true, false, 2, false, false},
    {"mixtral", false, true, false, 2, false, false},    {"qwen2", true, false, false, 2, false, false},
    {"qwen2_moe", true, false, false, 2, false, false},  {"qwen3", false, true, true, 2, false, false},
    {"qwen3_moe", false, true, true, 2, false, false},   {"qwen3_next", false, true, true, 2, false, false},
    {"gemma", false, true, false, 2, true, false},       {"gemma2", false, true, false, 4, true, false},
    {"gemma3_text", false, true, true, 4, true, false},  {"gemma3", false, true, true, 4, true, false},
    {"phi3", false, true, false, 2, false, false},       {"phi", false, true, false, 2, false, false},
    {"glm", true, false, false, 2, false, false},        {"glm4", true, false, false, 4, false, false},
    {"glm4_moe", true, false, false, 2, false, true},    {"deepseek_v2", false, true, false, 2, false, true},
    {"deepseek_v3", false, true, false, 2, false, true}, {"kimi_k2", false, true, false, 2, false, true},
    {"gpt_oss", false, true, false, 2, false, false},    {"llama4_text", false, true, false, 2, false, false},
    {"llama4", false, true, false, 2, false, false},     {"olmo2", false, true, true, 2, false, false},
    {"internlm2", false, true, false, 2, false, false},  {"yi", false, true, false, 2, false, false},
    {"mistral3", false, true, false, 2, false, false},
};

const FamilyTraits* find_family(const std::string& model_type) {
  for (const auto& f : kFamilies)
    if (model_type == f.model_type) return &f;
  return nullptr;
}

// Defaults transformers fills in when a config omits a key (HF saves only non-default keys in
// nested text configs). Values from each model's configuration_*.py.
struct TypeDefaults {
  const char* model_type;
  const char* json;
};
const TypeDefaults kTypeDefaults[] = {
    {"gemma3_text",
     R"({"vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
         "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "max_position_embeddings": 131072,
         "sliding_window": 4096, "sliding_window_pattern": 6, "tie_word_embeddings": true})"},
};

// The text model's part of a config: multimodal checkpoints nest it.
const json& text_part(const json& config) {
  for (const char* key : {"text_config", "llm_config", "language_config"}) {
    auto it = config.find(key);
    if (it != config.end() && it->is_object() && !it->empty()) return *it;
  }
  return config;
}

constexpr std::int64_t kMaxDim = 1 << 20;  // hidden/intermediate sizes
constexpr std::int64_t kMaxLayers = 4096;
constexpr std::int64_t kMaxHeads = 4096;
constexpr std::int64_t kMaxVocab = 1 << 23;
constexpr std::int64_t kMaxExperts = 16384;
constexpr std::int64_t kMaxContext = std::int64_t{1} << 32;

}  // namespace

const char* to_string(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::full:
      return "full";
    case AttentionKind::sliding:
      return "sliding";
    case AttentionKind::chunked:
      return "chunked";
    case AttentionKind::mla:
      return "mla";
    case AttentionKind::linear:
      return "linear";
  }
  return "full";
}

Expected<Architecture> parse_hf_config(const json& config, const std::string& field) {
  if (!config.is_object())
    return make_error(ErrorCode::invalid_field, field,
                      "config must be a JSON object (a config.json), got " + describe_json_value(config));
  const json& text = text_part(config);
  const bool nested = &text != &config;
  // Merge: text-config keys win, top-level keys fill the gaps (dtype, tie_word_embeddings, quantization_config).
  json merged = config;
  if (nested) {
    for (auto it = text.begin(); it != text.end(); ++it) merged[it.key()] = it.value();
  }
  {
    const std::string type = merged.contains("model_type") && merged["model_type"].is_string()
                                 ? merged["model_type"].get<std::string>()
                                 : "";
    for (const auto& d : kTypeDefaults) {
      if (type != d.model_type) continue;
      const json defaults = json::parse(d.json, nullptr, false);
      for (auto it = defaults.begin(); it != defaults.end(); ++it)
        if (!merged.contains(it.key()) || merged[it.key()].is_null()) merged[it.key()] = it.value();
    }
  }
  JsonReader r(merged, nested ? field + ".text_config" : field);
  Architecture a;

  a.model_type = r.string("model_type", "");
  if (auto archs = r.string_list("architectures"); !archs.empty()) a.architecture = archs.front();
  {
    std::string dtype = r.string("torch_dtype", "");
    if (dtype.empty()) dtype = r.string("dtype", "");
    if (dtype.empty() && config.contains("torch_dtype") && config["torch_dtype"].is_string())
      dtype = config["torch_dtype"].get<std::string>();
    a.dtype = dtype.empty() ? "bfloat16" : dtype;
  }
  const FamilyTraits* fam = find_family(a.model_type);
  if (!fam) {
    a.warnings.push_back("model_type '" + a.model_type.substr(0, 40) +
                         "' is not one the tool knows; the architecture was read from the generic config fields "
                         "(hidden_size, num_hidden_layers, num_attention_heads, ...): check the parameter count");
  }
  static const FamilyTraits kGeneric{"", false, true, false, 2, false, false};
  const FamilyTraits& t = fam ? *fam : kGeneric;

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

  // Dense MLP width. Llama 4 calls the dense width intermediate_size_mlp and the expert width intermediate_size.
  a.intermediate_size = r.integer("intermediate_size", 0, 0, kMaxDim);
  if (r.has("ffn_hidden_size") && a.intermediate_size == 0)
    a.intermediate_size = r.integer("ffn_hidden_size", 0, 0, kMaxDim);

  a.tie_word_embeddings = r.boolean("tie_word_embeddings", t.tied_by_default);
  const bool attention_bias = r.boolean("attention_bias", false);
  a.qkv_bias = t.qkv_bias || attention_bias || r.boolean("qkv_bias", false) || r.boolean("add_qkv_bias", false);
  a.o_bias = t.o_bias_follows && attention_bias;
  a.mlp_bias = r.boolean("mlp_bias", false);
  a.qk_norm = t.qk_norm || r.boolean("use_qk_norm", false) || r.boolean("qk_layernorm", false);
  a.qk_norm_full = a.model_type == "olmo2";
  a.norms_per_layer = t.norms_per_layer;
  if (a.model_type == "phi") {
    a.norm_bias = true;
    a.norms_per_layer = 1;
    a.gated_mlp = false;
    a.mlp_bias = true;
    a.qkv_bias = true;
    a.o_bias = true;
  }
  if (a.model_type == "gpt_oss") {
    a.attention_sinks = a.num_heads;
    a.router_bias = true;
    a.expert_bias = true;
  }

  // Mixture of experts.
  a.num_experts = r.integer("n_routed_experts", 0, 0, kMaxExperts);
  if (a.num_experts == 0) a.num_experts = r.integer("num_experts", 0, 0, kMaxExperts);
  if (a.num_experts == 0) a.num_experts = r.integer("num_local_experts", 0, 0, kMaxExperts);
  if (a.num_experts == 1 && a.model_type == "llama4_text") a.num_experts = 1;
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
      a.shared_expert_gate = a.num_shared_experts > 0 && (a.model_type == "qwen2_moe" || a.model_type == "qwen3_next");
    }
    if (a.model_type == "llama4_text" || a.model_type == "llama4") {
      a.num_shared_experts = 1;
      a.shared_expert_intermediate_size = a.intermediate_size;
      a.intermediate_size = r.integer("intermediate_size_mlp", a.intermediate_size, 0, kMaxDim);
    }
    std::string topk_method = r.string("topk_method", "");
    a.router_score_correction_bias =
        t.router_correction_bias && (topk_method == "noaux_tc" || a.model_type == "glm4_moe");
  }
  if (a.intermediate_size == 0 && a.num_experts == 0)
    return make_error(ErrorCode::invalid_field, r.field("intermediate_size"),
                      "intermediate_size is required for a dense model");

  // Multi-head latent attention.
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

  // Layer layout: which layers are MoE, which attention each layer uses.
  const auto L = a.num_layers;
  a.layers.assign(static_cast<std::size_t>(L), LayerSpec{});
  if (a.num_experts > 0) {
    const std::int64_t first_dense = r.integer("first_k_dense_replace", 0, 0, kMaxLayers);
    const std::int64_t freq = r.integer("moe_layer_freq", 1, 1, kMaxLayers);
    const std::int64_t sparse_step = r.integer("decoder_sparse_step", 1, 1, kMaxLayers);
    const std::int64_t interleave = r.integer("interleave_moe_layer_step", 1, 1, kMaxLayers);
    auto mlp_only = r.integer_list("mlp_only_layers", 0, kMaxLayers);
    auto moe_layers = r.integer_list("moe_layers", 0, kMaxLayers);
    std::set<std::int64_t> dense_set(mlp_only.begin(), mlp_only.end());
    for (std::int64_t i = 0; i < L; ++i) {
      bool moe = i >= first_dense && (i % freq == 0 || freq == 1) && ((i + 1) % sparse_step == 0) &&
                 ((i + 1) % interleave == 0) && !dense_set.count(i);
      if (!moe_layers.empty()) moe = std::find(moe_layers.begin(), moe_layers.end(), i) != moe_layers.end();
      a.layers[static_cast<std::size_t>(i)].moe = moe;
    }
    bool any_dense = std::any_of(a.layers.begin(), a.layers.end(), [](const LayerSpec& l) { return !l.moe; });
    if (any_dense && a.intermediate_size == 0)
      return make_error(ErrorCode::invalid_field, r.field("intermediate_size"),
                        "intermediate_size is required: some layers use a dense MLP");
  }

  if (a.is_mla()) {
    for (auto& l : a.layers) l.attention = AttentionKind::mla;
  } else {
    const std::int64_t window = r.integer("sliding_window", 0, 0, kMaxContext);
    auto layer_types = r.string_list("layer_types");
    if (!r.ok()) return r.error();
    if (!layer_types.empty()) {
      if (static_cast<std::int64_t>(layer_types.size()) != L)
        return make_error(
            ErrorCode::invalid_field, r.field("layer_types"),
            "layer_types has " + std::to_string(layer_types.size()) + " entries for " + std::to_string(L) + " layers");
      for (std::int64_t i = 0; i < L; ++i) {
        const std::string& kind = layer_types[static_cast<std::size_t>(i)];
        auto& spec = a.layers[static_cast<std::size_t>(i)];
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
    } else if (r.has("full_attention_interval")) {
      // Qwen3-Next: every n-th layer is full attention, the rest gated-delta-net linear attention.
      const std::int64_t interval = r.integer("full_attention_interval", 4, 1, kMaxLayers);
      for (std::int64_t i = 0; i < L; ++i)
        a.layers[static_cast<std::size_t>(i)].attention =
            ((i + 1) % interval == 0) ? AttentionKind::full : AttentionKind::linear;
    } else if (a.model_type == "gemma2" && window > 0) {
      for (std::int64_t i = 0; i < L; ++i)
        if (i % 2 == 0)
          a.layers[static_cast<std::size_t>(i)] = {AttentionKind::sliding, window,
                                                   a.layers[static_cast<std::size_t>(i)].moe};
    } else if ((a.model_type == "gemma3_text" || a.model_type == "gemma3") && window > 0) {
      const std::int64_t pattern = r.integer("sliding_window_pattern", 6, 1, kMaxLayers);
      for (std::int64_t i = 0; i < L; ++i)
        if ((i + 1) % pattern != 0) {
          a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::sliding;
          a.layers[static_cast<std::size_t>(i)].window = window;
        }
    } else if (a.model_type == "llama4_text" || a.model_type == "llama4") {
      const std::int64_t chunk = r.integer("attention_chunk_size", 0, 0, kMaxContext);
      auto no_rope = r.integer_list("no_rope_layers", 0, 1);
      for (std::int64_t i = 0; i < L && chunk > 0; ++i) {
        // no_rope_layers[i] == 1 means the layer uses RoPE and chunked local attention; 0 = global NoPE layer.
        bool local = no_rope.size() == static_cast<std::size_t>(L) ? no_rope[static_cast<std::size_t>(i)] != 0
                                                                   : ((i + 1) % 4 != 0);
        if (local) {
          a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::chunked;
          a.layers[static_cast<std::size_t>(i)].window = chunk;
        }
      }
    } else if (window > 0) {
      // Mistral semantics: every layer slides, unless the family switches it off (Qwen2's use_sliding_window).
      bool use = r.boolean("use_sliding_window", !(a.model_type == "qwen2" || a.model_type == "qwen2_moe" ||
                                                   a.model_type == "qwen3" || a.model_type == "qwen3_moe"));
      if (use) {
        const std::int64_t max_window_layers = r.integer("max_window_layers", 0, 0, kMaxLayers);
        for (std::int64_t i = 0; i < L; ++i) {
          // Qwen2: layers below max_window_layers use full attention.
          if (a.model_type.rfind("qwen", 0) == 0 && i < max_window_layers) continue;
          a.layers[static_cast<std::size_t>(i)].attention = AttentionKind::sliding;
          a.layers[static_cast<std::size_t>(i)].window = window;
        }
      }
    }
    if (window > 0 && window >= a.max_position_embeddings && a.max_position_embeddings > 0) {
      for (auto& l : a.layers)
        if (l.attention == AttentionKind::sliding) l.window = window;  // keep: harmless, never binds
    }
  }
  const bool any_linear = std::any_of(a.layers.begin(), a.layers.end(),
                                      [](const LayerSpec& l) { return l.attention == AttentionKind::linear; });
  if (any_linear) {
    a.linear.num_key_heads = r.integer("linear_num_key_heads", 0, 1, kMaxHeads, true);
    a.linear.num_value_heads = r.integer("linear_num_value_heads", 0, 1, kMaxHeads, true);
    a.linear.key_head_dim = r.integer("linear_key_head_dim", 0, 1, 65536, true);
    a.linear.value_head_dim = r.integer("linear_value_head_dim", 0, 1, 65536, true);
    a.linear.conv_kernel = r.integer("linear_conv_kernel_dim", 4, 1, 1024);
  }
  // Qwen3-Next: gated attention output, and an MTP module that shares the embedding and head.
  if (a.model_type == "qwen3_next") {
    a.attention_output_gate = r.boolean("attn_output_gate", true);
    a.mtp_own_embeddings = false;
  }

  // Quantisation of the checkpoint.
  if (merged.contains("quantization_config") && merged["quantization_config"].is_object()) {
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
    if (q.has("load_in_4bit") && q.boolean("load_in_4bit", false)) a.quant.method = "bitsandbytes", a.quant.bits = 4;
    if (!q.ok()) return q.error();
  }

  // Vision tower (counted for the checkpoint total; engines load it for multimodal models).
  if (nested && config.contains("vision_config") && config["vision_config"].is_object()) {
    JsonReader v(config["vision_config"], field + ".vision_config");
    std::string vtype = v.string("model_type", "");
    auto& vs = a.vision;
    if (vtype == "siglip_vision_model")
      vs.kind = "siglip";
    else if (vtype == "pixtral")
      vs.kind = "pixtral";
    else if (vtype == "llama4_vision_model")
      vs.kind = "llama4";
    if (!vs.kind.empty()) {
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
        vs.pixel_shuffle_dim =
            static_cast<std::int64_t>(std::llround(static_cast<double>(vs.hidden_size) / (ratio * ratio)));
      }
      if (!v.ok()) return v.error();
    } else if (!vtype.empty()) {
      a.warnings.push_back("the vision tower (" + vtype.substr(0, 40) +
                           ") is not counted: parameters and weights cover the text model only");
    }
  }
  if (!r.ok()) return r.error();

  // Guard against absurd configs before any product can overflow 64 bits.
  double rough = static_cast<double>(a.num_layers) *
                     (4.0 * a.hidden_size * a.num_heads * a.head_dim +
                      3.0 * a.hidden_size * std::max(a.intermediate_size, a.moe_intermediate_size) *
                          static_cast<double>(std::max<std::int64_t>(1, a.num_experts + a.num_shared_experts))) +
                 2.0 * a.vocab_size * a.hidden_size;
  if (!(rough < 1e15))
    return make_error(ErrorCode::invalid_field, field,
                      "the config describes an implausible model (over 10^15 parameters); check hidden_size, "
                      "intermediate_size, num_hidden_layers and the expert counts");
  return a;
}

}  // namespace vramplan
