// DeepSeek-V4 (model_type deepseek_v4): tensors from vLLM's models/deepseek_v4.py and layers/deepseek_compressor.py.
// Fixtures and the official totals: tests/fixtures/deepseek_v4/SOURCES.md. Expected values come from the model
// card, never from the program.
#include <fstream>
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/import/config.hpp"
#include "vramplan/model/cache.hpp"
#include "vramplan/model/params.hpp"

using vt::json;
using I = std::int64_t;

namespace {

json fixture(const std::string& name) { return vt::source_json("tests/fixtures/deepseek_v4/" + name); }

vramplan::Architecture parsed(const json& config) {
  return vt::parsed(config, {vramplan::Msg::import_unknown_model_type});
}

I main_total(const vramplan::Architecture& a) {
  const auto c = vramplan::count_params(vramplan::enumerate_tensors(a));
  return c.total - c.per_class[static_cast<int>(vramplan::TensorClass::mtp)];
}

}  // namespace

TEST_CASE("deepseek_v4: layout from compress_ratios", "[params][deepseek_v4]") {
  const auto a = parsed(fixture("deepseek-v4-flash.json"));
  REQUIRE(a.layers.size() == 43);
  // compress_ratios: 0, 0, then 4 / 128 alternating to layer 42; ratio-4 layers carry the indexer.
  CHECK(a.layers[0].compress_ratio == 0);
  CHECK(a.layers[2].compress_ratio == 4);
  CHECK(a.layers[2].indexer);
  CHECK(a.layers[3].compress_ratio == 128);
  CHECK_FALSE(a.layers[3].indexer);
  CHECK(a.layers[42].compress_ratio == 4);  // the 44th entry (0) is the MTP layer's
  CHECK(a.layers[0].attention == vramplan::AttentionKind::compressed);
  CHECK(a.layers[0].window == 128);
  // num_hash_layers 3: the first three layers route by token id.
  CHECK(a.layers[2].hash_routed);
  CHECK_FALSE(a.layers[3].hash_routed);
}

TEST_CASE("deepseek_v4: totals match the model card", "[params][deepseek_v4]") {
  // Model card: DeepSeek-V4-Flash 284B total, DeepSeek-V4-Pro 1.6T total (rounded, main model without MTP).
  const I flash = main_total(parsed(fixture("deepseek-v4-flash.json")));
  CHECK(std::llround(flash / 1e9) == 284);
  const I pro = main_total(parsed(fixture("deepseek-v4-pro.json")));
  CHECK(std::llround(pro / 1e11) == 16);
}

TEST_CASE("deepseek_v4: KV cache of one sequence by vLLM's rule", "[kv][deepseek_v4]") {
  // vLLM layers/deepseek_v4_attention.py DeepseekV4MultiHeadLatentAttentionWrapper: head_bytes = 448 fp8 NoPE +
  // 64 x 2 B RoPE + 448 / 64 scale bytes + 1 pad = 584 B per row, whatever the KV dtype asked. Each layer keeps
  // the last sliding_window 128 tokens (DeepseekV4SWACache); ratio r layers add one row per r tokens; ratio-4
  // layers add the indexer's compressed keys (128 fp8 + a 4 B fp32 scale = 132 B per row, one per 4 tokens).
  // layers/deepseek_compressor.py CompressorStateCache: fp32 rows of 2 x coff x head_dim over coff x r tokens,
  // coff 2 at r 4: 8 x 8192 B (r 4), 128 x 4096 B (r 128), and the indexer's compressor 8 x 2 x 2 x 128 x 4 B.
  const auto a = parsed(fixture("deepseek-v4-flash.json"));
  const auto bf16 = vramplan::find_kv_dtype("bf16", a, "kv");
  REQUIRE(bf16.ok());
  const auto layers = vramplan::cache_layout(a, bf16.value(), 1);
  // Flash: layers 0 and 1 ratio 0, 21 ratio-4 layers (2, 4 ... 42), 20 ratio-128 layers (3, 5 ... 41).
  const I n4 = 21, n128 = 20, row = 584;
  const I state = n4 * 8 * 8192 + n128 * 128 * 4096 + n4 * 8 * 2048;
  for (I context : {I{4096}, I{131072}}) {
    CAPTURE(context);
    const I expected = 43 * 128 * row + n4 * (context / 4) * (row + 132) + n128 * (context / 128) * row + state;
    CHECK(vramplan::kv_bytes_per_sequence(layers, context, 0, layers.size()) == expected);
  }
}

TEST_CASE("deepseek_v4: experts in MXFP4, the rest FP8 — keys left unmodelled are named", "[quant][deepseek_v4]") {
  // vLLM DeepseekV4FP8Config.get_quant_method: expert_dtype "fp4" gives FusedMoE layers Mxfp4MoEMethod.
  const auto a = parsed(fixture("deepseek-v4-flash.json"));
  REQUIRE(a.quant.schemes.size() == 2);
  CHECK(a.quant.schemes[0].storage == vramplan::QuantStorage::fp8);
  CHECK(a.quant.schemes[1].storage == vramplan::QuantStorage::mxfp4);
  CHECK(a.quant.experts_scheme == 1);
  // Every key of the published config is read or known to change nothing in memory (hc_sinkhorn_iters is a loop
  // count, compress_rope_theta a rotary base); a key the importer does not know is named.
  for (const auto& w : a.warnings) CHECK(w.id != vramplan::Msg::import_keys_not_read);
  json config = fixture("deepseek-v4-flash.json");
  config["compress_future_rows"] = 4;
  bool named = false;
  for (const auto& w : parsed(config).warnings)
    if (w.id == vramplan::Msg::import_keys_not_read &&
        vramplan::render(w).find("compress_future_rows") != std::string::npos)
      named = true;
  CHECK(named);
}

TEST_CASE("deepseek_v4: SGLang's deepseek_ref copy reads as DeepSeek-V4", "[params][deepseek_v4]") {
  // Same tensors as DeepSeek-V4-Flash: the model card's 284B; no expert_dtype, so one FP8 scheme for all.
  const auto a = parsed(fixture("sgl-project-deepseek-v4-flash-fp8.json"));
  CHECK(std::llround(main_total(a) / 1e9) == 284);
  CHECK(a.quant.schemes.size() == 1);
  CHECK(a.quant.experts_scheme == -1);
}
