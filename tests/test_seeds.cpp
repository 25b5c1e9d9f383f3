// The seed articles' worked examples (docs/README.md lists the four articles: seed 000-003). Where a seed's arithmetic
// is wrong, the row asserts the correct figure and says why.
#include <cmath>

#include "catch.hpp"
#include "support.hpp"

using vt::i64;
using vt::json;

TEST_CASE("seed: KV bytes per token in BF16", "[seeds][kv]") {
  struct Row {
    const char* model;
    std::int64_t bytes_per_token;
    const char* source;
  };
  // Seed 001 (38. 显存估算与模型部署规划) §3.2 table: 2 x layers x kv_heads x head_dim x 2 B.
  const Row rows[] = {
      {"meta-llama/Meta-Llama-3-8B", 131072, "seed 001 §3.2: 2x32x8x128x2"},
      {"meta-llama/Meta-Llama-3-70B", 327680, "seed 001 §3.2: 2x80x8x128x2"},
      {"Qwen/Qwen2.5-7B-Instruct", 57344, "seed 001 §3.2: 2x28x4x128x2"},
      {"meta-llama/Llama-2-7b-hf", 524288, "seed 001 §3.2: 2x32x32x128x2"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.model, row.source);
    json r = vt::estimate(vt::request(row.model));
    REQUIRE_FALSE(r.contains("error"));
    CHECK(i64(r["kv_cache"]["bytes_per_token"]) == row.bytes_per_token);
  }
}

TEST_CASE("seed: Llama-3-8B, 100 concurrent x 2048 tokens -> 26.8 GB of KV", "[seeds][kv]") {
  // Seed 001 §3.3: 131 KB x 100 x 2048 = 26.8 GB. Exact: 131,072 x 2048 x 100 = 26,843,545,600 B.
  json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 2048, 100));
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["kv_cache"]["bytes"]) == 26843545600);
  CHECK(std::abs(i64(r["kv_cache"]["bytes"]) / 1e9 - 26.8) < 0.05);
}

TEST_CASE("seed: Llama-3-70B at 4k context: 1.34 GB per sequence, 43 GB for 32", "[seeds][kv]") {
  // Seed 000 (第二层): "约 1.3 GB" per user and 1.3 x 32 = 41.6 GB. Exact: 327,680 x 4096 = 1,342,177,280 B;
  // x 32 = 42,949,672,960 B = 42.9 GB (the seed's 41.6 comes from rounding 1.34 down to 1.3 first).
  json one = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 1));
  json many = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 32));
  CHECK(i64(one["kv_cache"]["bytes_per_sequence"]) == 1342177280);
  CHECK(i64(many["kv_cache"]["bytes"]) == 42949672960);
  CHECK(std::abs(i64(many["kv_cache"]["bytes"]) / 1e9 - 43.0) < 0.1);
}

TEST_CASE("seed: 70B weights nominal FP16 140 GB, FP8/INT8 70 GB, INT4 35 GB", "[seeds][weights]") {
  // Seed 000 (第一层): 70e9 x bytes. Llama-3-70B really has 70,553,706,496 parameters, so the nominal
  // rule gives 141.1 / 70.6 / 35.3 GB: within 1 % of the seed's round figures.
  struct Row {
    const char* format;
    double seed_gb;
  };
  const Row rows[] = {{"fp16", 140}, {"bf16", 140}, {"fp8", 70}, {"int8", 70}, {"gptq-int4", 35}, {"awq-int4", 35}};
  for (const auto& row : rows) {
    CAPTURE(row.format);
    json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 1, row.format));
    REQUIRE_FALSE(r.contains("error"));
    const auto& rule = r["rules_of_thumb"][0];
    REQUIRE(rule["id"] == "weights_only");
    CHECK(std::abs(i64(rule["bytes"]) / 1e9 - row.seed_gb) / row.seed_gb < 0.01);
    // The formula is coded: parameters x bytes per parameter = the rule's bytes.
    const json& formula = rule["formula"];
    CHECK(formula["code"] == "rule.formula.weights_only");
    CHECK(formula["bytes"] == rule["bytes"]);
    CHECK(formula["weights"]["params"] == r["params"]["total"]);
    CHECK(formula["weights"]["bytes_per_param"].get<double>() * static_cast<double>(i64(r["params"]["total"])) ==
          Approx(static_cast<double>(i64(rule["bytes"]))));
    // The real bytes are never below the nominal figure: scales, zero points and 16-bit embeddings add to it.
    CHECK(i64(r["weights"]["bytes"]) >= i64(rule["bytes"]));
  }
}

TEST_CASE("seed: QwQ-32B at 16k context needs ~4.2 GB of KV, not the seed's 19.54 GB", "[seeds][kv]") {
  // Seed 002 computes 40 layers x 2 x 64 heads x 128 x 16,000 x 2 B = 20,971,520,000 B = 19.53 GiB ("19.54GB").
  // QwQ-32B has 64 layers and only 8 KV heads (GQA): 64 x 2 x 8 x 128 x 2 B x 16,000 = 4,194,304,000 B.
  // The naive (no-GQA) figure is 2 x 64 layers x 40 heads x 128 x 2 B x 16,000: the same 20,971,520,000 B.
  json r = vt::estimate(vt::request("Qwen/QwQ-32B", 16000, 1));
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["kv_cache"]["bytes"]) == 4194304000);
  CHECK(std::abs(i64(r["kv_cache"]["bytes"]) / 1e9 - 4.2) < 0.01);
  CHECK(i64(r["kv_cache"]["naive_no_gqa_bytes"]) == 20971520000);
  CHECK(std::abs(i64(r["kv_cache"]["naive_no_gqa_bytes"]) / 1073741824.0 - 19.54) < 0.02);
  // The explanation says why, in values the page can render in either language: 5.0x, because GQA caches 8 heads.
  const json& why = r["kv_cache"]["naive_explain"];
  CHECK(why["code"] == "kv.naive");
  CHECK(why["ratio"].get<double>() == Approx(5.0));
  CHECK(why["real"]["code"] == "kv.naive.gqa");
  CHECK(why["real"]["kv_heads"] == 8);
}

TEST_CASE("seed: 70B tensor parallel weights per GPU (35 / 70 / 17.5 GB)", "[seeds][tp]") {
  // Seed 001 §5.2: 140 GB / TP. With the real 141.1 GB the per-GPU shares are 35.3 / 70.6 / 17.6 GB;
  // norms are replicated, so each share is a hair above total / TP.
  struct Row {
    int tp;
    double seed_gb;
  };
  for (const auto& row : {Row{4, 35}, Row{2, 70}, Row{8, 17.5}}) {
    CAPTURE(row.tp);
    json req = vt::request("meta-llama/Meta-Llama-3-70B", 4096, 1, "bf16", "nvidia-a100-sxm-80gb", row.tp);
    json r = vt::estimate(req);
    REQUIRE_FALSE(r.contains("error"));
    REQUIRE(r["per_gpu"].size() == static_cast<std::size_t>(row.tp));
    const double per_gpu = i64(r["per_gpu"][0]["weights"]) / 1e9;
    CHECK(std::abs(per_gpu - row.seed_gb) / row.seed_gb < 0.01);
    CHECK(i64(r["per_gpu"][0]["weights"]) * row.tp >= i64(r["weights"]["bytes"]));
  }
}

TEST_CASE("seed: Qwen2.5-72B-Instruct GPTQ-Int4 weighs 40-44 GB, not the theoretical 36 GB", "[seeds][weights]") {
  // Seed 003: "72B x 0.5 B = 36 GB in theory; 40-44 GB in practice" (scales, zero points, 16-bit embeddings).
  json r = vt::estimate(vt::request("Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4"));
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["weights"]["format"] == "gptq-int4");
  const double gb = i64(r["weights"]["bytes"]) / 1e9;
  CHECK(gb >= 40.0);
  CHECK(gb <= 44.0);
  // Why: the embedding and lm_head stay 16-bit (2 x 152,064 x 8,192 params x (2 - 0.5) B = 3.74 GB more than
  // nominal), and GPTQ g128 stores an fp16 scale and a 4-bit zero per 128 weights plus g_idx (about 1.4 GB).
  const json& why = r["weights"]["explain"]["nominal"];
  CHECK(why["kept"].get<double>() > 3.70e9);
  CHECK(why["kept"].get<double>() < 3.80e9);
  CHECK(why["metadata"].get<double>() > 1.3e9);
  CHECK(why["metadata"].get<double>() < 1.5e9);
}

TEST_CASE("seed: DeepSeek-V3 INT4 weights ~336 GB nominal", "[seeds][weights]") {
  // Seed 001 §5.2: 671B x 0.5 B = 336 GB. The MTP module (13.5B) is not loaded for serving, so the nominal
  // rule counts the 671,026,419,200 main-model parameters: 335.5 GB.
  json r = vt::estimate(vt::request("deepseek-ai/DeepSeek-V3", 4096, 1, "gptq-int4"));
  REQUIRE_FALSE(r.contains("error"));
  CHECK(std::abs(i64(r["rules_of_thumb"][0]["bytes"]) / 1e9 - 336) < 1.0);
}
