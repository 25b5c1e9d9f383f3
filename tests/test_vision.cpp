// Vision towers and projectors of multimodal checkpoints: each fixture is a config.json as its model
// repository publishes it (tests/fixtures/vision/SOURCES.md says where each was read), and the expected total
// is the official safetensors count, read from sources independent of this program.
#include <fstream>
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/import/config.hpp"
#include "vramplan/model/params.hpp"

using vt::json;

namespace {

json fixture(const std::string& name) { return vt::source_json("tests/fixtures/vision/" + name); }

vramplan::ParamCount count(const json& config) {
  return vramplan::count_params(
      vramplan::enumerate_tensors(vt::parsed(config, {vramplan::Msg::import_vision_not_counted})));
}

struct Row {
  const char* file;
  std::int64_t total;   // official checkpoint total (text + vision + MTP where the checkpoint has them)
  std::int64_t vision;  // tower + projector where a source publishes it separately, else 0
  const char* source;
};

const Row kRows[] = {
    {"qwen2.5-vl-7b-instruct.json", 8292166656, 676550144,
     "HF numParameters 8292166656 for Qwen/Qwen2.5-VL-7B-Instruct (HF collection page JSON, code-index id "
     "33908990598; also a model registry 'parameter_count': 8292166656, id 65807199369); a fine-tuning script's "
     "printout 'visual 676550144, text 7615616512' after freezing model.visual (id 49095663873)"},
    {"qwen3-vl-8b-instruct.json", 8767123696, 0,
     "HF API for Qwen/Qwen3-VL-8B-Instruct @0c351dd0: safetensors {BF16: 8767123696, total: 8767123696} (quoted "
     "in a public verification report, code-index id 62872967919); several scripts assert "
     "sum(p.numel()) == 8767123696 for the loaded model (e.g. id 71074644927)"},
    {"qwen3.5-27b.json", 27781427952, 0,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals): "
     "27781427952 for Qwen/Qwen3.8-27B, a qwen3_5 checkpoint whose listed text config equals this one (hidden "
     "5120, 64 layers 3:1 linear/full, 24/4 heads, head_dim 256, 16/48 linear heads, intermediate 17408, vocab "
     "248320); the HF page shows it rounded ('28B params'). Includes the tower and the MTP layer."},
    {"llama-3.2-11b-vision.json", 10642941475, 0,
     "llmfit data/hf_models.json (github.com/AlexsJones/llmfit @bab8c012, HF safetensors.total) "
     "meta-llama/Llama-3.2-11B-Vision: 10642941475 (the config's image_size 448 is the base model's; the Instruct "
     "model's 560 gives its 10670220835, the same source's -Instruct figure)"},
};

}  // namespace

TEST_CASE("vision: multimodal checkpoints match their official totals", "[params][vision]") {
  for (const auto& row : kRows) {
    CAPTURE(row.file, row.source);
    const auto c = count(fixture(row.file));
    CHECK(c.total == row.total);
    if (row.vision > 0) CHECK(c.per_class[static_cast<int>(vramplan::TensorClass::vision)] == row.vision);
  }
}

TEST_CASE("vision: the tower is not read when generating a token", "[params][vision]") {
  const auto c = count(fixture("qwen3-vl-8b-instruct.json"));
  const std::int64_t vision = c.per_class[static_cast<int>(vramplan::TensorClass::vision)];
  CHECK(vision > 0);
  CHECK(c.active == c.total - vision);
}

TEST_CASE("vision: Kimi-K2.5's MoonViT, from its vision_config keys", "[params][vision]") {
  // Closed form from the repository's modeling_kimi_k25.py (MoonViT3dPretrainedModel + patchmerger projector):
  // Conv2d patch embedding with bias, a 64 x 64 x d position table, 27 blocks (2 LayerNorms, wqkv and wo with
  // biases, fc0 / fc1 with biases), a final LayerNorm; projector LayerNorm(d), Linear(4d, 4d), Linear(4d, 7168).
  const std::int64_t d = 1152, f = 4304, L = 27, p = 14, text = 7168, m = 4 * d;
  const std::int64_t block = 4 * d + (3 * d * d + 3 * d) + (d * d + d) + (f * d + f) + (d * f + d);
  const std::int64_t tower = (3 * p * p * d + d) + 64 * 64 * d + L * block + 2 * d;
  const std::int64_t projector = 2 * d + (m * m + m) + (m * text + text);
  json text_config = {{"model_type", "kimi_k2"}, {"hidden_size", 64},        {"intermediate_size", 128},
                      {"num_hidden_layers", 1},  {"num_attention_heads", 4}, {"vocab_size", 100}};
  json vision = {{"patch_size", 14},          {"init_pos_emb_height", 64},
                 {"init_pos_emb_width", 64},  {"merge_kernel_size", {2, 2}},
                 {"vt_hidden_size", d},       {"vt_intermediate_size", f},
                 {"vt_num_hidden_layers", L}, {"vt_num_attention_heads", 16},
                 {"text_hidden_size", text}};
  json with = {{"model_type", "kimi_k25"}, {"text_config", text_config}, {"vision_config", vision}};
  json without = {{"model_type", "kimi_k25"}, {"text_config", text_config}};
  CHECK(count(with).total - count(without).total == tower + projector);
}

TEST_CASE("vision: a tower the tool does not model is named in a warning", "[params][vision]") {
  // Kimi-K2.5's vision_config has no model_type of its own: the warning names the checkpoint's.
  json text_config = {{"model_type", "llama"},  {"hidden_size", 64},        {"intermediate_size", 128},
                      {"num_hidden_layers", 1}, {"num_attention_heads", 4}, {"vocab_size", 100}};
  json config = {{"model_type", "some_vlm"}, {"text_config", text_config}, {"vision_config", {{"hidden_size", 32}}}};
  auto a = vramplan::parse_hf_config(config, "config");
  REQUIRE(a.ok());
  bool warned = false;
  for (const auto& w : a->warnings)
    if (w.id == vramplan::Msg::import_vision_not_counted) {
      warned = true;
      REQUIRE(w.find("vision_type") != nullptr);
      CHECK(w.find("vision_type")->s == "some_vlm");
    }
  CHECK(warned);
}

TEST_CASE("vision: Llama 3.2 Vision's cross-attention layers cache one image's tokens, whatever the context",
          "[kv][vision]") {
  // vLLM mllama.py: a cross-attention layer keeps K and V for num_tiles x ((image_size / patch_size)^2 + 1)
  // encoder tokens; MllamaTextCrossAttention has 8 KV heads of 128 here. 8 of the 40 layers cross-attend
  // (cross_attention_layers), the other 32 are self-attention over the context.
  json config = fixture("llama-3.2-11b-vision.json");
  for (std::int64_t context : {1000, 32000}) {
    json r = vt::estimate(
        {{"model", {{"config", config}}}, {"workload", {{"context_tokens", context}, {"concurrency", 1}}}});
    REQUIRE_FALSE(r.contains("error"));
    const std::int64_t image_tokens = 4 * ((448 / 14) * (448 / 14) + 1);  // 4,100
    const std::int64_t kv_row = 2 * 8 * 128 * 2;                          // K and V, 8 heads x 128, bf16
    CHECK(vt::i64(r["kv_cache"]["bytes"]) == 32 * kv_row * context + 8 * kv_row * image_tokens);
  }
  // Supported aspect ratios size the tile tables: one fewer ratio, one fewer row of max_tiles x 1025 x 1280 and
  // of the two max_tiles x 1280 tables.
  json fewer = config;
  fewer["vision_config"]["supported_aspect_ratios"].erase(0);
  const std::int64_t row = 4 * 1025 * 1280 + 2 * 4 * 1280;
  CHECK(count(config).total - count(fewer).total == row);
  // Without the vision_config the image's token count is unknown: the cross-attention layers are named, not
  // costed silently at zero.
  json text_only = config;
  text_only.erase("vision_config");
  json r = vt::estimate({{"model", {{"config", text_only}}}});
  REQUIRE_FALSE(r.contains("error"));
  bool named = false;
  for (const auto& w : r["warnings"])
    if (w["message"].get<std::string>().find("cross_attention_layers") != std::string::npos) named = true;
  CHECK(named);
}

TEST_CASE("vision: each tower reads its own keys only, never another family's", "[import][vision]") {
  // Regression: the InternVL branch ran for Gemma 4 and Llama 3.2 Vision too (an else before their own ifs),
  // leaving InternViT's pixel-shuffle width, layer scale, QK norm and mean pooling in the mllama tower.
  json config = fixture("llama-3.2-11b-vision.json");
  config["vision_config"]["layer_scale_init_value"] = 0.1;  // InternViT keys, meaningless for mllama
  config["vision_config"]["use_qk_norm"] = true;
  const vramplan::Architecture a = vt::parsed(config, {});
  CHECK(a.vision.kind == "mllama");
  CHECK(a.vision.pixel_shuffle_dim == 0);
  CHECK_FALSE(a.vision.layer_scale);
  CHECK_FALSE(a.vision.qk_norm);
  CHECK(a.vision.post_norm);  // the struct's default, not InternViT's "mean pooling: no final norm"
}
