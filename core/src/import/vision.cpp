// vision_config -> VisionTowerSpec for the towers model/vision.cpp counts. Keys and defaults follow each
// family's configuration file (transformers configuration_*.py; Kimi-K2.5: the repository's own
// configuration_kimi_k25.py), since nested configs may omit keys equal to the defaults.
#include "vision.hpp"

#include <cmath>

#include "readers.hpp"

namespace vramplan::import {
namespace {

using nlohmann::json;
using I = std::int64_t;

// Which tower a checkpoint carries: from the top-level model_type, else from vision_config's own.
std::string tower_kind(const std::string& top, const std::string& vision) {
  for (const std::string& t : {top, vision}) {
    if (t == "qwen2_5_vl") return "qwen2_5_vl";
    if (t == "qwen3_vl" || t == "qwen3_vl_moe" || t == "qwen3_5" || t == "qwen3_5_moe") return "qwen3_vl";
    if (t == "glm4v" || t == "glm4v_moe") return "glm4v";
    if (t == "kimi_k25") return "moonvit";
    if (t == "internvl" || t == "internvl_vision") return "internvl";
    if (t == "gemma4" || t == "gemma4_vision") return "gemma4";
    if (t == "mllama" || t == "mllama_vision_model") return "mllama";
  }
  return "";
}

// image_size / patch_size are an integer or a [height, width] pair (InternVL); square towers only.
I side_value(JsonReader& v, const char* key, I fallback) {
  if (!v.has(key)) return fallback;
  if (v.is_number(key)) return v.integer(key, fallback, 1, 1 << 16);
  auto list = v.integer_list(key, 1, 1 << 16);
  return list.empty() ? fallback : list.front();
}

}  // namespace

Status read_vision_family(const json& config, const std::string& field, Architecture& a, bool* handled) {
  *handled = false;
  const json& vc = config["vision_config"];
  JsonReader top(config, field);
  JsonReader v(vc, field + ".vision_config");
  const std::string kind = tower_kind(top.string("model_type", ""), v.string("model_type", ""));
  if (kind.empty()) return std::nullopt;
  *handled = true;
  auto& s = a.vision;
  s.kind = kind;
  s.projector_out = a.hidden_size;
  s.num_channels = v.first_integer({"in_channels", "in_chans", "num_channels"}, 3, 1, 16);

  if (kind == "qwen2_5_vl" || kind == "qwen3_vl") {
    // configuration_qwen2_5_vl.py Qwen2_5_VLVisionConfig / configuration_qwen3_vl.py Qwen3VLVisionConfig.
    const bool q3 = kind == "qwen3_vl";
    s.num_layers = v.integer("depth", q3 ? 27 : 32, 1, kMaxLayers);
    s.hidden_size = v.integer("hidden_size", q3 ? 1152 : 3584, 1, kMaxDim);
    s.intermediate_size = v.integer("intermediate_size", q3 ? 4304 : 3420, 1, kMaxDim);
    s.num_heads = v.integer("num_heads", 16, 1, kMaxHeads);
    s.patch_size = v.integer("patch_size", q3 ? 16 : 14, 1, 1 << 12);
    s.temporal_patch = v.integer("temporal_patch_size", 2, 1, 64);
    s.spatial_merge = v.integer("spatial_merge_size", 2, 1, 64);
    s.projector_out = v.integer("out_hidden_size", a.hidden_size, 1, kMaxDim);
    if (q3) {
      s.positions = v.integer("num_position_embeddings", 2304, 1, 1 << 24);
      s.deepstack_mergers = v.has("deepstack_visual_indexes")
                                ? static_cast<I>(v.integer_list("deepstack_visual_indexes", 0, 4096).size())
                                : 3;
    }
  } else if (kind == "glm4v") {
    // configuration_glm4v.py Glm4vVisionConfig (GLM-4.5V: configuration_glm4v_moe.py, the same keys).
    s.num_layers = v.integer("depth", 24, 1, kMaxLayers);
    s.hidden_size = v.integer("hidden_size", 1536, 1, kMaxDim);
    s.projector_inner = v.integer("intermediate_size", 13696, 1, kMaxDim);
    s.num_heads = v.integer("num_heads", 12, 1, kMaxHeads);
    s.patch_size = v.integer("patch_size", 14, 1, 1 << 12);
    s.image_size = v.integer("image_size", 336, 1, 1 << 16);
    s.temporal_patch = v.integer("temporal_patch_size", 2, 1, 64);
    s.spatial_merge = v.integer("spatial_merge_size", 2, 1, 64);
    s.projector_out = v.integer("out_hidden_size", 4096, 1, kMaxDim);
    s.qkv_bias = v.boolean("attention_bias", false);
    const I side = s.image_size / s.patch_size;
    s.positions = side * side;
  } else if (kind == "moonvit") {
    // configuration_kimi_k25.py KimiK25VisionConfig: vt_* keys (plain names accepted too).
    s.num_layers = v.first_integer({"vt_num_hidden_layers", "num_hidden_layers"}, 27, 1, kMaxLayers);
    s.hidden_size = v.first_integer({"vt_hidden_size", "hidden_size"}, 1152, 1, kMaxDim);
    s.intermediate_size = v.first_integer({"vt_intermediate_size", "intermediate_size"}, 4304, 1, kMaxDim);
    s.num_heads = v.first_integer({"vt_num_attention_heads", "num_attention_heads"}, 16, 1, kMaxHeads);
    s.patch_size = v.integer("patch_size", 14, 1, 1 << 12);
    s.positions = v.integer("init_pos_emb_height", 64, 1, 1 << 12) * v.integer("init_pos_emb_width", 64, 1, 1 << 12);
    s.spatial_merge = side_value(v, "merge_kernel_size", 2);
    s.projector_out = v.integer("text_hidden_size", a.hidden_size, 1, kMaxDim);
  } else if (kind == "internvl") {
    // configuration_internvl.py InternVLVisionConfig; downsample_ratio at the top level (InternVLConfig).
    s.num_layers = v.integer("num_hidden_layers", 24, 1, kMaxLayers);
    s.hidden_size = v.integer("hidden_size", 1024, 1, kMaxDim);
    s.intermediate_size = v.integer("intermediate_size", 4096, 1, kMaxDim);
    s.num_heads = v.integer("num_attention_heads", 16, 1, kMaxHeads);
    s.image_size = side_value(v, "image_size", 448);
    s.patch_size = side_value(v, "patch_size", 14);
    s.qkv_bias = v.boolean("attention_bias", false);
    s.qk_norm = v.boolean("use_qk_norm", false);
    s.layer_scale = v.number("layer_scale_init_value", 0.1, -1e9, 1e9) > 0;
    s.post_norm = !v.boolean("use_mean_pooling", true);
    const double ratio = top.number("downsample_ratio", 0.5, 0.01, 1.0);
    const I factor = static_cast<I>(1.0 / ratio);  // InternVLMultiModalProjector: int(1 / downsample_ratio)^2
    s.pixel_shuffle_dim = s.hidden_size * factor * factor;
    if (v.string("norm_type", "layer_norm") != "layer_norm") {
      // RMSNorm towers (InternViT-6B) have other tensors: not modelled, say so.
      s = VisionTowerSpec{};
      *handled = false;
    }
  } else if (kind == "gemma4") {
    // configuration_gemma4.py Gemma4VisionConfig; the tower's tensors: modeling_gemma4.py Gemma4VisionModel.
    s.num_layers = v.integer("num_hidden_layers", 16, 1, kMaxLayers);
    s.hidden_size = v.integer("hidden_size", 768, 1, kMaxDim);
    s.intermediate_size = v.integer("intermediate_size", 3072, 1, kMaxDim);
    s.num_heads = v.integer("num_attention_heads", 12, 1, kMaxHeads);
    s.num_kv_heads = v.integer("num_key_value_heads", s.num_heads, 1, kMaxHeads);
    s.head_dim = v.integer("head_dim", s.hidden_size / s.num_heads, 1, 65536);
    v.has("global_head_dim");  // the tower has no global layers: every layer uses head_dim
    s.patch_size = v.integer("patch_size", 16, 1, 1 << 12);
    s.positions = 2 * v.integer("position_embedding_size", 10240, 1, kMaxContext);  // one table per axis
    s.standardize = v.boolean("standardize", false);
    s.clipped_linears = v.boolean("use_clipped_linears", false);
    s.qkv_bias = v.boolean("attention_bias", false);
    if (s.qkv_bias) v.not_modelled("attention_bias");
  } else if (kind == "mllama") {
    // configuration_mllama.py MllamaVisionConfig.
    s.num_layers = v.integer("num_hidden_layers", 32, 1, kMaxLayers);
    s.global_layers = v.integer("num_global_layers", 8, 0, kMaxLayers);
    s.hidden_size = v.integer("hidden_size", 1280, 1, kMaxDim);
    s.intermediate_size = v.integer("intermediate_size", 5120, 1, kMaxDim);
    s.num_heads = v.integer("attention_heads", 16, 1, kMaxHeads);
    s.image_size = v.integer("image_size", 448, 1, 1 << 16);
    s.patch_size = v.integer("patch_size", 14, 1, 1 << 12);
    s.max_tiles = v.integer("max_num_tiles", 4, 1, 64);
    s.projector_inner = v.integer("vision_output_dim", 7680, 1, kMaxDim);
    // max_aspect_ratio_id = len(supported_aspect_ratios); the tables have one more row (id 0: padding).
    s.aspect_ratio_ids = 9;
    if (v.has("supported_aspect_ratios")) {
      const json& ratios = vc["supported_aspect_ratios"];
      if (!ratios.is_array() || ratios.empty() || ratios.size() > 4096)
        return make_error(ErrorCode::invalid_field, v.field("supported_aspect_ratios"),
                          "supported_aspect_ratios must be a list of [height, width] tile counts");
      s.aspect_ratio_ids = static_cast<I>(ratios.size()) + 1;
    }
    v.has("intermediate_layers_indices");  // which local layers feed the projector: no tensors of their own
    // Llama 3.2 Vision's cross-attention layers cache K and V over one image's tokens: every tile's patches
    // plus its class token (vLLM mllama.py: num_tiles x ((image_size / patch_size)^2 + 1)).
    const I side = s.image_size / s.patch_size;
    a.cross_attention_tokens = s.max_tiles * (side * side + 1);
  }
  if (!v.ok()) return v.error();
  if (!top.ok()) return top.error();
  return std::nullopt;
}

}  // namespace vramplan::import
