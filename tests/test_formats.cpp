// Weight formats: real storage per tensor (scales, zero points, indices) and what stays 16-bit.
#include <cmath>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/formats/formats.hpp"

using vt::i64;
using vt::json;

TEST_CASE("formats: bits per weight of one 4096 x 4096 matrix", "[formats]") {
  // Expected values are the storage layouts written out:
  //   GPTQ g128: 4 bits + fp16 scale/128 + 4-bit zero/128 + int32 g_idx per input column (AutoGPTQ layout)
  //   AWQ g128: the same without g_idx; bitsandbytes: 64-value blocks, fp32 absmax (double quant: uint8 absmax
  //   + fp32 per 256 blocks); MXFP4 (OCP MX spec): 32-value blocks, one E8M0 byte; NVFP4: 16-value blocks,
  //   one E4M3 byte + fp32 tensor scales; FP8 per tensor: 1 byte + one fp32; W8A8: 1 byte + fp32 per row.
  const std::int64_t n = 4096;
  struct Row {
    const char* format;
    double bytes;
  };
  const double e = static_cast<double>(n) * n;
  const Row rows[] = {
      {"bf16", 2 * e},
      {"fp32", 4 * e},
      {"fp8", e + 4},
      {"fp8-block", e + 32.0 * 32 * 4},
      {"int8", e + 4.0 * n},
      {"gptq-int4", e / 2 + (n / 128.0) * n * 2 + (n / 128.0) * n / 2 + 4.0 * n},
      {"awq-int4", e / 2 + (n / 128.0) * n * 2 + (n / 128.0) * n / 2},
      {"gptq-int8", e + (n / 128.0) * n * 2 + (n / 128.0) * n + 4.0 * n},
      {"nf4", e / 2 + e / 64 * 4 + 64},
      {"nf4-dq", e / 2 + e / 64 + std::ceil(e / 64 / 256) * 4 + 1024 + 4 + 64},
      {"mxfp4", e / 2 + e / 32},
      {"nvfp4", e / 2 + e / 16 + 8},
  };
  vramplan::Architecture arch;
  arch.dtype = "bfloat16";
  vramplan::TensorGroup g;
  g.name = "layers.*.mlp.up_proj.weight";
  g.gguf_role = "ffn_up";
  g.cls = vramplan::TensorClass::mlp;
  g.rows = n;
  g.cols = n;
  for (const auto& row : rows) {
    CAPTURE(row.format);
    auto fmt = vramplan::find_weight_format(row.format, "weights");
    REQUIRE(fmt.ok());
    CHECK(vramplan::tensor_bytes(fmt.value(), g, arch).bytes == static_cast<std::int64_t>(row.bytes));
  }
  // PRODUCT.md: "g128 -> ~4.16 bpw".
  auto gptq = vramplan::find_weight_format("gptq-int4", "weights");
  const double bpw = 8.0 * vramplan::tensor_bytes(gptq.value(), g, arch).bytes / e;
  CHECK(std::abs(bpw - 4.16) < 0.01);
}

TEST_CASE("formats: quantised formats keep embeddings, lm_head and norms in 16 bits", "[formats]") {
  for (const char* f : {"gptq-int4", "awq-int4", "fp8", "int8", "nf4", "mxfp4"}) {
    CAPTURE(f);
    json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, f));
    REQUIRE_FALSE(r.contains("error"));
    for (const auto& c : r["weights"]["by_class"]) {
      const std::string cls = c["class"];
      if (cls == "embedding" || cls == "lm_head" || cls == "norm") {
        CAPTURE(cls);
        CHECK(i64(c["bytes"]) == 2 * i64(c["params"]));
      }
    }
  }
}

TEST_CASE("formats: a checkpoint's own quantisation is its default format", "[formats]") {
  struct Row {
    const char* model;
    const char* format;
  };
  // config.json quantization_config of each repo.
  const Row rows[] = {{"deepseek-ai/DeepSeek-V3", "fp8-block"},
                      {"openai/gpt-oss-120b", "mxfp4"},
                      {"Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4", "gptq-int4"},
                      {"Qwen/Qwen2.5-72B-Instruct-AWQ", "awq-int4"},
                      {"Qwen/Qwen3-235B-A22B-FP8", "fp8-block"},
                      {"meta-llama/Meta-Llama-3-8B", "bf16"},
                      {"meta-llama/Llama-2-7b-hf", "fp16"}};
  for (const auto& row : rows) {
    CAPTURE(row.model);
    json r = vt::estimate(vt::request(row.model));
    CHECK(r["weights"]["format"] == row.format);
  }
}

TEST_CASE("formats: gpt-oss keeps attention and router in BF16 (modules_to_not_convert)", "[formats]") {
  json r = vt::estimate(vt::request("openai/gpt-oss-20b"));
  for (const auto& c : r["weights"]["by_class"]) {
    const std::string cls = c["class"];
    CAPTURE(cls);
    if (cls == "attention" || cls == "router") CHECK(i64(c["bytes"]) == 2 * i64(c["params"]));
    if (cls == "experts") CHECK(std::abs(8.0 * i64(c["bytes"]) / i64(c["params"]) - 4.25) < 0.01);
  }
}

TEST_CASE("formats: GGUF Q4_K_M of Llama-3-8B through the whole pipeline", "[formats][gguf]") {
  // engine_cases.json llamacpp-01 (llama.cpp load log): "model size = 4.58 GiB (4.89 BPW)";
  // "CPU buffer size = 281.81 MiB" is token_embd in Q4_K.
  json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, "gguf-Q4_K_M"));
  REQUIRE_FALSE(r.contains("error"));
  const double gib = i64(r["weights"]["bytes"]) / 1073741824.0;
  CHECK(std::abs(gib - 4.58) < 0.005);
  CHECK(std::abs(r["weights"]["bits_per_param"].get<double>() - 4.89) < 0.005);
  for (const auto& c : r["weights"]["by_class"])
    if (c["class"] == "embedding") CHECK(std::abs(i64(c["bytes"]) / 1048576.0 - 281.81) < 0.005);
}

TEST_CASE("formats: unknown ids are refused with the list of known ones", "[formats]") {
  auto f = vramplan::find_weight_format("int3", "weights");
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().code == vramplan::ErrorCode::unknown_format);
  CHECK(f.error().field == "weights");
  CHECK(f.error().message.find("gptq-int4") != std::string::npos);
  for (const char* alias : {"BF16", "bfloat16", "float16", "Q4_K_M", "gguf-q8_0", "GGUF-Q6_K", "w8a8"}) {
    CAPTURE(alias);
    CHECK(vramplan::find_weight_format(alias, "weights").ok());
  }
}

TEST_CASE("formats: GGUF formats carry the bits of the type most of their tensors get", "[formats][gguf]") {
  // ggml-common.h block sizes: Q4_K 144 B per 256 values (4.5 bits), Q8_0 34 B per 32 (8.5), Q6_K 210 B
  // per 256 (6.5625), IQ2_S 82 B per 256 (2.5625; IQ2_M files default to IQ2_S), F16 2 B (16).
  struct Row {
    const char* id;
    int data_bits;
    double bits_per_weight;
  };
  for (const Row& row : {Row{"gguf-Q4_K_M", 4, 4.5}, Row{"gguf-Q8_0", 8, 8.5}, Row{"gguf-Q6_K", 6, 6.5625},
                         Row{"gguf-IQ2_M", 2, 2.5625}, Row{"gguf-F16", 16, 16.0}, Row{"q4_k_m", 4, 4.5}}) {
    CAPTURE(row.id);
    auto f = vramplan::find_weight_format(row.id, "weights");
    REQUIRE(f.ok());
    CHECK(f->data_bits == row.data_bits);
    CHECK(f->bits_per_weight == row.bits_per_weight);
    CHECK(f->compute_path == vramplan::ComputePath::bf16);  // llama.cpp dequantises to 16-bit
  }
  // The formats that run on low-precision tensor cores say so.
  CHECK(vramplan::find_weight_format("fp8", "w")->compute_path == vramplan::ComputePath::fp8);
  CHECK(vramplan::find_weight_format("int8", "w")->compute_path == vramplan::ComputePath::int8);
  CHECK(vramplan::find_weight_format("nvfp4", "w")->compute_path == vramplan::ComputePath::fp4);
  CHECK(vramplan::find_weight_format("awq-int4", "w")->compute_path == vramplan::ComputePath::bf16);
}
