// Offload: the seed's KTransformers figures (routed experts in system RAM, the rest on the GPU).
#include <cmath>

#include "catch.hpp"
#include "support.hpp"

using vt::i64;
using vt::json;

TEST_CASE("ktransformers: the seed's VRAM + RAM figures", "[offload][seeds]") {
  struct Row {
    const char* model;
    double vram_gb;
    double ram_low_gb, ram_high_gb;
    const char* source;
  };
  // Seed 002, citing kvcache-ai/ktransformers docs: DeepSeek-V3/R1 Q4_K_M "14G VRAM + 382+GB RAM";
  // Qwen3-235B-A22B (4-bit) "13G VRAM + 160+GB RAM". Both with a 32K KV cache (cache_lens 32768).
  // RAM: "382+" and "160+" are machine recommendations, so the routed experts must fit under them.
  const Row rows[] = {
      {"deepseek-ai/DeepSeek-R1", 14.0, 382.0 * 0.95, 382.0 * 1.05, "ktransformers DeepseekR1_V3_tutorial.md"},
      {"Qwen/Qwen3-235B-A22B", 13.0, 160.0 * 0.8, 160.0, "ktransformers AMX.md"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.model, row.source);
    json req = vt::request(row.model, 32768, 1, "gguf-Q4_K_M", "nvidia-rtx-4090", 1);
    req["engine"] = "ktransformers";
    req["engine_options"] = {{"cache_lens", 32768}};
    json r = vt::estimate(req);
    REQUIRE_FALSE(r.contains("error"));
    const double vram = i64(r["per_gpu"][0]["total"]) / 1e9;
    const double ram = i64(r["host"]["bytes"]) / 1e9;
    CAPTURE(vram, ram);
    CHECK(std::abs(vram - row.vram_gb) / row.vram_gb < 0.15);
    CHECK(ram >= row.ram_low_gb);
    CHECK(ram <= row.ram_high_gb);
    CHECK(r["fits"].get<bool>());  // a 24 GB card is enough for the GPU part
  }
}
