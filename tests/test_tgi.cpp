// TGI's warm-up rule (tgi.cpp; docs/engines-tgi.md): numbers worked by hand from the source's expressions and
// Llama-3.1-8B's config.json (32 layers, hidden 4096, 32 heads, 8 KV heads, head 128, intermediate 14336, vocab
// 128256, max_position_embeddings 131072, bf16).
#include "catch.hpp"
#include "support.hpp"

using vt::i64;
using vt::json;

namespace {
json tgi_request(const json& options, const json& gpu, std::int64_t count = 1) {
  json r = vt::request("meta-llama/Llama-3.1-8B-Instruct", 4096, 1, "", "", count);
  r["engine"] = "tgi";
  r["hardware"]["gpu"] = gpu;
  r["engine_options"] = options;
  return r;
}
}  // namespace

TEST_CASE("tgi: v2 blocks are 0.95 x the memory free after the warm-up prefill, plus the warm-up's own blocks",
          "[engines][tgi]") {
  // v1.4.1 - v2.2 (flash_causal_lm.py warmup): prefill = max_input_tokens (min(131072, 4096) - 1 = 4095) + 50 = 4145
  // tokens in two requests (4095 and 50), each holding ceil((max_total 4096 - 1) / 16) = 256 blocks; lm_head and
  // log_softmax over all 4145 tokens in bf16; blocks of 16 tokens x 32 layers x 8 heads x 128 x 2 x 2 B = 2 MiB.
  const std::int64_t total = 22LL << 30;
  const json gpu = {{"name", "A10G as logged"}, {"memory_bytes", total}};
  const json a = vt::estimate(tgi_request({{"engine_version", "2.0"}}, gpu));
  REQUIRE_FALSE(a.contains("error"));
  const auto& e = a["engine_report"];
  CHECK(e["block_size"] == 16);
  CHECK(e["max_batch_prefill_tokens"] == 4145);
  const std::int64_t per_token = 2 * 4096 + 3 * 14336;  // residual stream x 2 + gate, up and down widths
  const std::int64_t peak = 4145 * per_token * 2 + 2 * 4145 * 128256LL * 2;
  CHECK(i64(e["warmup_peak_bytes"]) == peak);
  const std::int64_t block_bytes = 2LL << 20, warm = 512, context = 512LL << 20;
  const double free_after =
      static_cast<double>(total - i64(a["per_gpu"][0]["weights"]) - context - peak - warm * block_bytes);
  const std::int64_t blocks = static_cast<std::int64_t>(0.95 * free_after / static_cast<double>(block_bytes)) + warm;
  CHECK(i64(e["max_batch_total_tokens"]) == blocks * 16);
  CHECK(e["log_lines"].back() == "Setting max batch total tokens to " + std::to_string(blocks * 16));

  // v3.3: the margin is 10 % of the total, the warm-up computes logits for its one request's last token only.
  const json b = vt::estimate(tgi_request({{"engine_version", "3.3"}, {"max_batch_prefill_tokens", 4096}}, gpu));
  REQUIRE_FALSE(b.contains("error"));
  const std::int64_t peak3 = 4096 * per_token * 2 + 2 * 128256LL * 2;
  CHECK(i64(b["engine_report"]["warmup_peak_bytes"]) == peak3);
  CHECK(b["engine_report"]["block_size"] == 1);  // flashinfer: head size 128
  const std::int64_t bb = 32 * 8 * 128 * 2 * 2;
  const double free3 = static_cast<double>(total - i64(b["per_gpu"][0]["weights"]) - context - peak3 - 4096 * bb);
  const std::int64_t blocks3 =
      static_cast<std::int64_t>((free3 - 0.10 * static_cast<double>(total)) / static_cast<double>(bb)) + 4096;
  CHECK(i64(b["engine_report"]["max_batch_total_tokens"]) == blocks3);
}

TEST_CASE("tgi: block size follows the attention backend, the prefill budget the card", "[engines][tgi]") {
  // v3 compute_optimal: 900e12 FLOPS (TGI's H100 figure) / the launcher's FLOPs per token of Llama-3.1-8B
  // (32 x (3 x 2 x 32 x 128 x 4096 + 2 x 2 x 8 x 128 x 4096 + 2 x 3 x 4096 x 14336)).
  const double flop = 32.0 * (3 * 2 * 32 * 128 * 4096.0 + 2 * 2 * 8 * 128 * 4096.0 + 2 * 3 * 4096 * 14336.0);
  json a = vt::estimate(tgi_request(json::object(), "nvidia-h100-sxm-80gb"));
  REQUIRE_FALSE(a.contains("error"));
  CHECK(i64(a["engine_report"]["max_batch_prefill_tokens"]) == static_cast<std::int64_t>(900e12 / flop));
  CHECK(a["engine_report"]["engine_version"] == "3.3");
  // No FLOPS figure for the RTX A6000 in TGI's table: the 4096 default.
  a = vt::estimate(tgi_request(json::object(), "nvidia-rtx-a6000"));
  CHECK(a["engine_report"]["max_batch_prefill_tokens"] == 4096);
  // ROCm images run paged attention (16); before v2.3 every CUDA GPU did too.
  CHECK(vt::estimate(tgi_request(json::object(), "amd-mi300x"))["engine_report"]["block_size"] == 16);
  CHECK(vt::estimate(tgi_request({{"engine_version", "2.0"}}, "nvidia-h100-sxm-80gb"))["engine_report"]["block_size"] ==
        16);
  // A release written as a number (the page's URL state, JSON 2.0 == 2) is the same rule.
  CHECK(vt::estimate(tgi_request({{"engine_version", 2.0}},
                                 "nvidia-h100-sxm-80gb"))["engine_report"]["engine_version"] == "2.0");
  // A head size flashinfer lacks falls back to flashdecoding (256) from compute capability 8.0, paged (16) below.
  json odd = tgi_request(json::object(), "nvidia-l4");
  odd["model"] = {{"config",
                   {{"model_type", "llama"},
                    {"hidden_size", 2560},
                    {"intermediate_size", 6912},
                    {"num_hidden_layers", 8},
                    {"num_attention_heads", 32},
                    {"num_key_value_heads", 8},
                    {"vocab_size", 32000},
                    {"max_position_embeddings", 4096}}}};  // head size 80
  CHECK(vt::estimate(odd)["engine_report"]["block_size"] == 256);
  odd["hardware"]["gpu"] = "nvidia-t4";
  CHECK(vt::estimate(odd)["engine_report"]["block_size"] == 16);
}
