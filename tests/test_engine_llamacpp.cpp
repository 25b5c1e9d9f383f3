// The llama.cpp / Ollama profile against llama.cpp's own logs. Every expected number below is copied from
// a real log (the row names it) or from ggml's block sizes; none comes from this program's output.
#include <cstdio>
#include <string>

#include "catch.hpp"
#include "support.hpp"

using vt::i64;
using vt::json;

namespace {

// A byte count as llama.cpp prints it: MiB with two decimals.
std::string mib(std::int64_t bytes) {
  char b[64];
  std::snprintf(b, sizeof b, "%.2f", static_cast<double>(bytes) / 1048576.0);
  return b;
}

json llama_request(const std::string& model, const std::string& weights, const json& options,
                   std::int64_t context = 4096, std::int64_t concurrency = 1, const json& gpu = "nvidia-rtx-4090",
                   std::int64_t count = 1) {
  json r = vt::request(model, context, concurrency, weights);
  r["engine"] = "llama.cpp";
  r["engine_options"] = options;
  r["hardware"] = {{"gpu", gpu}, {"count", count}};
  return r;
}

const json& cache(const json& r, const std::string& name) {
  for (const auto& c : r["engine_report"]["kv_caches"])
    if (c["name"] == name) return c;
  FAIL("no KV cache named " << name);
  return r;
}

const json& device(const json& r, const std::string& name) {
  for (const auto& d : r["engine_report"]["devices"])
    if (d["name"] == name) return d;
  FAIL("no device named " << name);
  return r;
}

// The warning with this code, or null.
json warning(const json& r, const std::string& code) {
  for (const auto& w : r["warnings"])
    if (w["code"] == code) return w;
  return nullptr;
}

// Every text in `j` (objects with a "code") is coded: no English passes through Msg::raw, no placeholder is
// left without its value.
void check_coded(const json& j, const std::string& where) {
  if (j.is_object()) {
    if (j.contains("code") && j["code"].is_string()) {
      CAPTURE(where);
      CHECK(j["code"] != "raw");
      if (j.contains("message")) CHECK(j["message"].get<std::string>().find('{') == std::string::npos);
    }
    for (const auto& [k, v] : j.items()) check_coded(v, where + "." + k);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_coded(j[i], where + "[" + std::to_string(i) + "]");
  }
}

bool has_line(const json& r, const std::string& text) {
  for (const auto& l : r["engine_report"]["log_lines"])
    if (l.get<std::string>() == text) return true;
  return false;
}

}  // namespace

// engine_cases.json llamacpp-01: llama-3-Korean-Bllossom-8B-Q4_K_M (Llama-3-8B architecture) via
// llama-cpp-python, RTX 3070, n_ctx 512, n_ubatch 512, fa off, 33/33 layers offloaded; source
// github.com/developer0hye/llama-3-korean-bllossom-8b-q4-docker @1159e0ab README.md.
TEST_CASE("llama.cpp: llamacpp-01 Llama-3-8B Q4_K_M buffers match the log", "[llamacpp]") {
  json r = vt::estimate(
      llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 512}, {"flash_attn", false}}, 512, 1,
                    {{"name", "NVIDIA RTX 3070"}, {"memory_bytes", 8589934592LL}, {"vendor", "nvidia"}}));
  REQUIRE_FALSE(r.contains("error"));
  const json& er = r["engine_report"];
  // "KV self size = 64.00 MiB, K (f16): 32.00 MiB, V (f16): 32.00 MiB"
  CHECK(mib(i64(er["kv_cache_bytes"])) == "64.00");
  CHECK(mib(i64(cache(r, "kv")["k_bytes"])) == "32.00");
  CHECK(mib(i64(cache(r, "kv")["v_bytes"])) == "32.00");
  CHECK(i64(cache(r, "kv")["cells"]) == 512);
  CHECK(i64(cache(r, "kv")["layers"]) == 32);
  // "CUDA0 buffer size = 4403.49 MiB", "CPU buffer size = 281.81 MiB"
  CHECK(mib(i64(er["model_buffer_bytes"])) == "4403.49");
  CHECK(mib(i64(er["cpu_mapped_model_buffer_bytes"])) == "281.81");
  // "CUDA_Host output buffer size = 0.49 MiB", "CUDA_Host compute buffer size = 9.01 MiB"
  CHECK(mib(i64(er["output_buffer_bytes"])) == "0.49");
  CHECK(mib(i64(er["host_compute_buffer_bytes"])) == "9.01");
  // "CUDA0 compute buffer size = 258.50 MiB": the stated bound for the logits-bound case is 1 %.
  const double compute_mib = static_cast<double>(i64(er["compute_buffer_bytes"])) / 1048576.0;
  CHECK(compute_mib == Approx(258.50).epsilon(0.01));
  // The whole model is on the GPU or the host, the GPU side as the per-GPU weights.
  CHECK(i64(er["model_buffer_bytes"]) + i64(er["cpu_mapped_model_buffer_bytes"]) == i64(er["model_bytes"]));
  CHECK(i64(r["per_gpu"][0]["weights"]) == i64(er["model_buffer_bytes"]));
  CHECK(i64(r["per_gpu"][0]["kv_cache"]) == i64(er["kv_cache_bytes"]));
  CHECK(i64(r["host"]["bytes"]) == i64(er["host_bytes"]));
  CHECK(er["offloaded_layers"] == "33/33");
  CHECK(has_line(r,
                 "llama_kv_cache: size =   64.00 MiB (   512 cells,  32 layers,  1/1 seqs), K (f16):   32.00 MiB, V "
                 "(f16):   32.00 MiB"));
  CHECK(has_line(r, "load_tensors:        CUDA0 model buffer size =  4403.49 MiB"));
  CHECK(r["fits"].get<bool>());
}

// engine_cases.json llamacpp-04: gpt-oss-20b-mxfp4.gguf on llama-server (Aug 2025), n_ctx 131072, n_seq 1,
// n_ubatch 512, fa on, f16 cache. The per-device lines come from the same log (8 Ascend 910B4).
TEST_CASE("llama.cpp: llamacpp-04 gpt-oss-20b SWA and non-SWA caches match the log", "[llamacpp][swa]") {
  REQUIRE(vt::estimate(json{{"model", "openai/gpt-oss-20b"}, {"weights", "gguf-MXFP4_MOE"}}).contains("weights"));
  const json options = {{"n_ctx", 131072},    {"n_parallel", 1},       {"n_ubatch", 512},
                        {"flash_attn", true}, {"cache_type_k", "f16"}, {"cache_type_v", "f16"}};
  json r =
      vt::estimate(llama_request("openai/gpt-oss-20b", "gguf-MXFP4_MOE", options, 131072, 1, "nvidia-h100-sxm-80gb"));
  REQUIRE_FALSE(r.contains("error"));
  // "size = 3072.00 MiB (131072 cells, 12 layers, 1/1 seqs), K (f16): 1536.00 MiB, V (f16): 1536.00 MiB"
  const json& base = cache(r, "non-SWA");
  CHECK(i64(base["cells"]) == 131072);
  CHECK(i64(base["layers"]) == 12);
  CHECK(mib(i64(base["k_bytes"]) + i64(base["v_bytes"])) == "3072.00");
  CHECK(mib(i64(base["k_bytes"])) == "1536.00");
  // "size = 18.00 MiB (768 cells, 12 layers, 1/1 seqs), K (f16): 9.00 MiB, V (f16): 9.00 MiB"
  const json& swa = cache(r, "SWA");
  CHECK(i64(swa["cells"]) == 768);
  CHECK(i64(swa["layers"]) == 12);
  CHECK(mib(i64(swa["k_bytes"]) + i64(swa["v_bytes"])) == "18.00");
  CHECK(mib(i64(r["engine_report"]["kv_cache_bytes"])) == "3090.00");
  CHECK(has_line(r, "llama_kv_cache_iswa: creating     SWA KV cache, size = 768 cells"));
  // "CANN_Host output buffer size = 0.77 MiB" (201,088 logits x 4 B)
  CHECK(mib(i64(r["engine_report"]["output_buffer_bytes"])) == "0.77");

  // --swa-full gives the SWA layers the whole context.
  json full = options;
  full["swa_full"] = true;
  json rf =
      vt::estimate(llama_request("openai/gpt-oss-20b", "gguf-MXFP4_MOE", full, 131072, 1, "nvidia-h100-sxm-80gb"));
  CHECK(i64(cache(rf, "SWA")["cells"]) == 131072);
}

TEST_CASE("llama.cpp: llamacpp-04 layer split over 8 devices matches the per-device KV lines", "[llamacpp][multi]") {
  json req =
      llama_request("openai/gpt-oss-20b", "gguf-MXFP4_MOE",
                    {{"n_ctx", 131072}, {"n_parallel", 1}, {"flash_attn", true}}, 131072, 1, "huawei-ascend-910b", 8);
  req["hardware"]["pipeline_parallel"] = 8;
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  // Log: non-SWA "CANN0 KV buffer size = 512.00 MiB", CANN1 256.00, CANN2 512.00, ... CANN7 256.00;
  // SWA CANN0 3.00, CANN1 3.00, CANN2 1.50, CANN3 3.00, CANN4 1.50, CANN5 3.00, CANN6 1.50, CANN7 1.50.
  const char* kv[] = {"515.00", "259.00", "513.50", "259.00", "513.50", "259.00", "513.50", "257.50"};
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(mib(i64(device(r, "CANN" + std::to_string(i))["kv_buffer_bytes"])) == kv[i]);
  }
  CHECK(has_line(r, "llama_kv_cache:      CANN0 KV buffer size =   512.00 MiB"));
  CHECK(has_line(r, "llama_kv_cache:      CANN2 KV buffer size =     1.50 MiB"));
  CHECK(device(r, "CANN7")["output_layer"].get<bool>());
  CHECK(device(r, "CANN0")["layers"] == "layers 0-3");
  // "CANN7 compute buffer size = 398.38 MiB": the device with the output layer, logits-bound.
  json one = req;
  one["engine_options"]["pipeline_copies"] = 1;  // that backend ran without pipeline copies
  json r1 = vt::estimate(one);
  CHECK(static_cast<double>(i64(device(r1, "CANN7")["compute_buffer_bytes"])) / 1048576.0 ==
        Approx(398.38).epsilon(0.01));
  REQUIRE(r["per_gpu"].size() == 8);
  CHECK(i64(r["per_gpu"][0]["kv_cache"]) == i64(device(r, "CANN0")["kv_buffer_bytes"]));
}

// fedora-copr/logdetective PR #106 (Jan 2025): Mistral-7B-Instruct-v0.2 (same shapes as Mistral-7B-v0.1:
// 32 layers, 8 KV heads, vocab 32000), n_batch = n_ubatch = 512, fa off:
//   n_ctx 2048:  KV 256.00 MiB, CUDA0 compute 164.00 MiB, CUDA_Host compute 12.01 MiB, output 0.12 MiB;
//   n_ctx 32768: KV 4096.00 MiB, CUDA0 compute 2144.00 MiB, CUDA_Host compute 72.01 MiB.
TEST_CASE("llama.cpp: compute buffers without flash attention match a Mistral-7B log", "[llamacpp][compute]") {
  struct Row {
    std::int64_t n_ctx;
    const char *kv, *compute, *host;
  } rows[] = {{2048, "256.00", "164.00", "12.01"}, {32768, "4096.00", "2144.00", "72.01"}};
  for (const auto& row : rows) {
    CAPTURE(row.n_ctx);
    json r = vt::estimate(llama_request("mistralai/Mistral-7B-v0.1", "gguf-Q4_K_M",
                                        {{"n_ctx", row.n_ctx}, {"flash_attn", false}, {"n_batch", 512}}));
    REQUIRE_FALSE(r.contains("error"));
    const json& er = r["engine_report"];
    CHECK(mib(i64(er["kv_cache_bytes"])) == row.kv);
    CHECK(mib(i64(er["compute_buffer_bytes"])) == row.compute);
    CHECK(mib(i64(er["host_compute_buffer_bytes"])) == row.host);
    CHECK(mib(i64(er["output_buffer_bytes"])) == "0.12");
  }
}

// An Ollama server log (llama runner, Llama-3.1-8B Q4_K_M, 4 parallel x num_ctx 2048, fa off), quoted in
// public GitHub files: "n_seq_max = 4, n_ctx = 8192, n_ctx_per_seq = 2048", "CPU_Mapped 281.81 MiB",
// "CUDA0 model buffer size = 4403.49 MiB", "KV self size = 1024.00 MiB", "CUDA_Host output buffer size =
// 2.02 MiB", "CUDA0 compute buffer size = 560.00 MiB", "CUDA_Host compute buffer size = 24.01 MiB".
TEST_CASE("llama.cpp: the Ollama variant reproduces an Ollama log", "[llamacpp][ollama]") {
  json r = vt::estimate(llama_request("meta-llama/Llama-3.1-8B-Instruct", "gguf-Q4_K_M",
                                      {{"variant", "ollama"}, {"num_ctx", 2048}, {"num_parallel", 4}}, 2048, 4));
  REQUIRE_FALSE(r.contains("error"));
  const json& er = r["engine_report"];
  CHECK(i64(er["n_ctx"]) == 8192);
  CHECK(mib(i64(er["cpu_mapped_model_buffer_bytes"])) == "281.81");
  CHECK(mib(i64(er["model_buffer_bytes"])) == "4403.49");
  CHECK(mib(i64(er["kv_cache_bytes"])) == "1024.00");
  CHECK(mib(i64(er["output_buffer_bytes"])) == "2.02");
  CHECK(mib(i64(er["compute_buffer_bytes"])) == "560.00");
  CHECK(mib(i64(er["host_compute_buffer_bytes"])) == "24.01");
  CHECK_FALSE(er["flash_attn"].get<bool>());

  // Ollama's defaults: num_ctx 4096 and one request at a time, whatever the workload asks.
  json d =
      vt::estimate(llama_request("meta-llama/Llama-3.1-8B-Instruct", "gguf-Q4_K_M", {{"variant", "ollama"}}, 32768, 8));
  REQUIRE_FALSE(d.contains("error"));
  CHECK(i64(d["engine_report"]["n_ctx"]) == 4096);
  CHECK(i64(d["engine_report"]["n_seq_max"]) == 1);
  const json truncates = warning(d, "llamacpp.warn.ollama_truncates");
  REQUIRE(truncates.is_object());
  CHECK(truncates["num_ctx"] == 4096);
  CHECK(truncates["context"] == 32768);
  const json queue = warning(d, "llamacpp.warn.ollama_queue");
  REQUIRE(queue.is_object());
  CHECK(queue["requests"] == 8);
  CHECK(queue["parallel"] == 1);
  // A quantised cache without flash attention: Ollama falls back to f16 and says so.
  json q = vt::estimate(llama_request("meta-llama/Llama-3.1-8B-Instruct", "gguf-Q4_K_M",
                                      {{"variant", "ollama"}, {"kv_cache_type", "q8_0"}}));
  REQUIRE_FALSE(q.contains("error"));
  CHECK(q["engine_report"]["cache_type_v"] == "f16");
  const json ignored = warning(q, "llamacpp.warn.ollama_kv_type_ignored");
  REQUIRE(ignored.is_object());
  CHECK(ignored["type"] == "q8_0");
  // "engine": "ollama" picks the variant.
  json e = llama_request("meta-llama/Llama-3.1-8B-Instruct", "gguf-Q4_K_M", json::object(), 32768, 8);
  e["engine"] = "ollama";
  json re = vt::estimate(e);
  REQUIRE_FALSE(re.contains("error"));
  CHECK(re["engine_report"]["variant"] == "ollama");
  CHECK(i64(re["engine_report"]["n_ctx"]) == 4096);
}

// ggml-common.h: q8_0 blocks hold 32 values in 34 B, q4_0 32 values in 18 B (ENGINES.md §A4 table).
// Llama-3-8B: 32 layers, K and V rows of 8 x 128 = 1024 values; f16 at n_ctx 4096 = 2 x 32 x 1024 x 2 x 4096.
TEST_CASE("llama.cpp: quantised cache types use ggml block sizes", "[llamacpp][kv]") {
  struct Row {
    const char* type;
    std::int64_t row_bytes;
  } rows[] = {
      {"f16", 2048}, {"q8_0", 1024 / 32 * 34}, {"q4_0", 1024 / 32 * 18}, {"q5_1", 1024 / 32 * 24}, {"f32", 4096}};
  for (const auto& row : rows) {
    CAPTURE(row.type);
    json r = vt::estimate(
        llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M",
                      {{"n_ctx", 4096}, {"cache_type_k", row.type}, {"cache_type_v", row.type}, {"flash_attn", true}}));
    REQUIRE_FALSE(r.contains("error"));
    CHECK(i64(r["engine_report"]["kv_cache_bytes"]) == 2 * 32 * row.row_bytes * 4096);
    CHECK(r["engine_report"]["cache_type_k"] == row.type);
  }
  // The request's top-level kv_cache_dtype sets both when the options do not.
  json req = llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}});
  req["kv_cache_dtype"] = "q8_0";
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["engine_report"]["kv_cache_bytes"]) == 2 * 32 * 1088 * 4096);
  CHECK(r["engine_report"]["cache_type_v"] == "q8_0");
  // Default: llama.cpp's f16, even though "auto" resolves to the checkpoint's bf16 (same size).
  json def = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}}));
  CHECK(def["engine_report"]["cache_type_k"] == "f16");
}

// n_ctx padding (llama-context.cpp, PR #17046): GGML_PAD(n_ctx, 256); split across n_parallel streams,
// each GGML_PAD(n_ctx / n_seq, 256). Examples from a public llama-server probe table: "-c 4096 -np 10"
// gives 512 cells x 10 streams and "-c 5120 -np 10 --kv-unified" 5120 cells, the same 1360.00 MiB.
TEST_CASE("llama.cpp: n_ctx padding and streams", "[llamacpp][ctx]") {
  json a =
      vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}, {"n_parallel", 10}}));
  json b = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M",
                                      {{"n_ctx", 5120}, {"n_parallel", 10}, {"kv_unified", true}}));
  REQUIRE_FALSE(a.contains("error"));
  REQUIRE_FALSE(b.contains("error"));
  CHECK(i64(a["engine_report"]["cells_per_stream"]) == 512);
  CHECK(i64(a["engine_report"]["n_stream"]) == 10);
  CHECK(i64(b["engine_report"]["cells_per_stream"]) == 5120);
  CHECK(i64(b["engine_report"]["n_stream"]) == 1);
  CHECK(i64(a["engine_report"]["kv_cache_bytes"]) == i64(b["engine_report"]["kv_cache_bytes"]));
  // 1000 tokens pad to 1024.
  json c = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 1000}}));
  CHECK(i64(c["engine_report"]["n_ctx"]) == 1024);
  // Default: every sequence of the workload gets its context.
  json w = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", json::object(), 8192, 4));
  CHECK(i64(w["engine_report"]["n_ctx"]) == 32768);
  CHECK(i64(w["engine_report"]["n_ctx_seq"]) == 8192);
}

TEST_CASE("llama.cpp: partial offload moves weights and KV to the host, and nothing is lost", "[llamacpp][offload]") {
  json all = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}}));
  REQUIRE_FALSE(all.contains("error"));
  const std::int64_t model = i64(all["engine_report"]["model_bytes"]);
  CHECK(model == i64(all["weights"]["bytes"]));  // the same GGUF tensors the weights line counts
  std::int64_t previous_gpu = -1;
  for (std::int64_t ngl : {0, 1, 8, 20, 32, 33}) {
    CAPTURE(ngl);
    json r = vt::estimate(
        llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}, {"n_gpu_layers", ngl}}));
    REQUIRE_FALSE(r.contains("error"));
    const json& er = r["engine_report"];
    CHECK(i64(er["model_buffer_bytes"]) + i64(er["cpu_mapped_model_buffer_bytes"]) == model);
    CHECK(i64(er["kv_cache_bytes"]) == 512LL << 20);  // on the GPU or the host, all of it
    CHECK(i64(r["per_gpu"][0]["kv_cache"]) + i64(er["host_kv_buffer_bytes"]) == 512LL << 20);
    CHECK(i64(er["model_buffer_bytes"]) > previous_gpu);
    previous_gpu = i64(er["model_buffer_bytes"]);
    CHECK(i64(r["host"]["bytes"]) >= i64(er["cpu_mapped_model_buffer_bytes"]));
    CHECK(er["offloaded_layers"] == std::to_string(ngl) + "/33");
  }
  // 32 of 33: every repeating layer on the GPU, the output layer on the CPU.
  json r32 =
      vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 4096}, {"n_gpu_layers", 32}}));
  CHECK_FALSE(device(r32, "CUDA0")["output_layer"].get<bool>());
  // "auto" picks the most layers that fit: a 70B Q4_K_M does not fit a 24 GB card whole.
  json a = vt::estimate(
      llama_request("meta-llama/Meta-Llama-3-70B", "gguf-Q4_K_M", {{"n_ctx", 4096}, {"n_gpu_layers", "auto"}}));
  REQUIRE_FALSE(a.contains("error"));
  CHECK(i64(a["engine_report"]["n_gpu_layers"]) > 0);
  CHECK(i64(a["engine_report"]["n_gpu_layers"]) < 81);
  CHECK(a["fits"].get<bool>());
}

TEST_CASE("llama.cpp: more context never needs less memory", "[llamacpp][monotone]") {
  const char* models[] = {"meta-llama/Meta-Llama-3-8B", "openai/gpt-oss-20b", "Qwen/Qwen2.5-7B-Instruct"};
  for (const char* m : models)
    for (bool fa : {false, true}) {
      std::int64_t prev_gpu = 0, prev_host = 0, prev_kv = 0;
      for (std::int64_t ctx : {1, 100, 512, 2048, 8192, 32768, 131072}) {
        CAPTURE(m, fa, ctx);
        json r = vt::estimate(llama_request(m, "gguf-Q4_K_M", {{"flash_attn", fa}}, ctx, 2));
        REQUIRE_FALSE(r.contains("error"));
        const auto& g = r["per_gpu"][0];
        CHECK(i64(g["total"]) == i64(g["weights"]) + i64(g["kv_cache"]) + i64(g["activations"]) + i64(g["overhead"]));
        CHECK(i64(g["total"]) >= prev_gpu);
        CHECK(i64(r["host"]["bytes"]) >= prev_host);
        CHECK(i64(r["engine_report"]["kv_cache_bytes"]) >= prev_kv);
        prev_gpu = i64(g["total"]);
        prev_host = i64(r["host"]["bytes"]);
        prev_kv = i64(r["engine_report"]["kv_cache_bytes"]);
      }
    }
}

TEST_CASE("llama.cpp: MLA caches one latent in K and no V", "[llamacpp][mla]") {
  // llama-kv-cache.cpp: has_v = !is_mla; K rows of kv_lora_rank + qk_rope_head_dim = 512 + 64 for DeepSeek-V3.
  json r =
      vt::estimate(llama_request("deepseek-ai/DeepSeek-V3", "gguf-Q4_K_M", {{"n_ctx", 4096}, {"n_gpu_layers", 0}}));
  if (r.contains("error") && r["error"]["code"] == "unknown_model") return;  // not in this catalog
  REQUIRE_FALSE(r.contains("error"));
  const json& c = cache(r, "kv");
  CHECK(i64(c["v_bytes"]) == 0);
  CHECK(i64(c["k_bytes"]) == i64(c["layers"]) * 576 * 2 * 4096);
}

TEST_CASE("llama.cpp: bad options give the error object naming the field", "[llamacpp][errors]") {
  struct Row {
    json options;
    const char* field;
  } rows[] = {
      {{{"n_ctx", -5}}, "engine_options.n_ctx"},
      {{{"n_ctx", "big"}}, "engine_options.n_ctx"},
      {{{"cache_type_k", "q3_k"}}, "engine_options.cache_type_k"},
      {{{"cache_type_v", "fp8"}}, "engine_options.cache_type_v"},
      {{{"n_gpu_layers", 40}}, "engine_options.n_gpu_layers"},
      {{{"n_gpu_layers", -3}}, "engine_options.n_gpu_layers"},
      {{{"n_parallel", 0}}, "engine_options.n_parallel"},
      {{{"n_parallel", 1000}}, "engine_options.n_parallel"},
      {{{"n_ubatch", 0}}, "engine_options.n_ubatch"},
      {{{"flash_attn", "maybe"}}, "engine_options.flash_attn"},
      {{{"variant", "vllm"}}, "engine_options.variant"},
      {{{"tensor_split", {1, -1}}}, "engine_options.tensor_split"},
      {{{"cache_type_v", "q4_0"}, {"flash_attn", false}}, "engine_options.cache_type_v"},  // needs flash attention
  };
  for (const auto& row : rows) {
    CAPTURE(row.options.dump());
    json r = vt::estimate(llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", row.options));
    REQUIRE(r.contains("error"));
    CHECK(r["error"]["code"] == "invalid_field");
    CHECK(r["error"]["field"] == row.field);
    CHECK_FALSE(r["error"]["message"].get<std::string>().empty());
  }
  // llama.cpp has no fp8 cache.
  json req = llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", json::object());
  req["kv_cache_dtype"] = "fp8";
  json r = vt::estimate(req);
  REQUIRE(r.contains("error"));
  CHECK(r["error"]["field"] == "kv_cache_dtype");
}

TEST_CASE("llama.cpp: tied embeddings get a GPU copy of the output — Apple GPUs work", "[llamacpp]") {
  json r = vt::estimate(
      llama_request("meta-llama/Llama-3.2-1B", "gguf-Q8_0", {{"n_ctx", 4096}}, 4096, 1, "apple-m4-max-128gb"));
  REQUIRE_FALSE(r.contains("error"));
  const json& er = r["engine_report"];
  // token_embd stays on the host and a copy of it is the GPU's output: the GPU holds as much as the whole file.
  CHECK(i64(er["model_buffer_bytes"]) == i64(er["model_bytes"]));
  CHECK(i64(er["cpu_mapped_model_buffer_bytes"]) > 0);
  CHECK(i64(r["per_gpu"][0]["capacity"]) > 0);
  CHECK(er["devices"][0]["name"] == "Metal");
}

TEST_CASE("llama.cpp: explanations, labels, warnings and reasons are coded texts", "[llamacpp][text]") {
  // Two GPUs of a layer split, 12 of gemma-2-9b's 42 layers and the output layer on the CPU, SWA and non-SWA
  // caches: most of the optional pieces.
  json req = llama_request("google/gemma-2-9b", "gguf-Q4_K_M", {{"n_gpu_layers", 30}, {"flash_attn", false}}, 8192, 2,
                           "nvidia-rtx-4090", 2);
  req["hardware"]["tensor_parallel"] = 2;
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  for (const char* part : {"breakdown", "host", "warnings", "assumptions"}) check_coded(r[part], part);
  CHECK(warning(r, "llamacpp.warn.no_tensor_parallel")["gpus"] == 2);
  const json& b = r["breakdown"];
  REQUIRE(b.size() >= 4);
  CHECK(b[0]["label"]["code"] == "llamacpp.item.model_buffer");
  CHECK(b[0]["explain"]["code"] == "llamacpp.explain.model");
  CHECK(b[1]["explain"]["code"] == "llamacpp.explain.kv_sum");
  CHECK(b[1]["explain"]["parts"][1]["kind"]["code"] == "llamacpp.kv.kind.swa");
  CHECK(b[2]["explain"]["code"] == "llamacpp.explain.compute");
  CHECK(b[3]["label"]["code"] == "llamacpp.item.gpu_context");
  // The model buffer's pieces add up to its bytes.
  std::int64_t sum = 0;
  for (const auto& part : b[0]["explain"]["parts"]) sum += i64(part["bytes"]);
  CHECK(sum == i64(b[0]["explain"]["bytes"]));
  CHECK(i64(b[0]["explain"]["bytes"]) == i64(b[0]["bytes"]));
  // The host: model, KV (layers kept on the CPU), compute and output buffers, adding up to the host bytes.
  const json& host = r["host"]["explain"];
  CHECK(host["code"] == "llamacpp.explain.host");
  sum = 0;
  for (const auto& part : host["parts"]) sum += i64(part["bytes"]);
  CHECK(sum == i64(host["bytes"]));
  CHECK(i64(host["bytes"]) == i64(r["host"]["bytes"]));
  CHECK(host["parts"][0]["code"] == "llamacpp.explain.host_model");
  for (const auto& a : r["assumptions"]) CHECK(a["why"]["code"] != "raw");
}

TEST_CASE("llama.cpp: the compute buffer explains its stages", "[llamacpp][text]") {
  json r = vt::estimate(
      llama_request("meta-llama/Meta-Llama-3-8B", "gguf-Q4_K_M", {{"n_ctx", 8192}, {"flash_attn", false}}, 8192));
  REQUIRE_FALSE(r.contains("error"));
  const json* compute = nullptr;
  for (const auto& item : r["breakdown"])
    if (item["id"] == "activations") compute = &item["explain"];
  REQUIRE(compute != nullptr);
  CHECK((*compute)["device"] == "CUDA0");
  const json& stages = (*compute)["stages"];
  REQUIRE(stages.size() == 3);
  // "KQ n_head 32 x n_kv 8192 x n_ubatch 512 x 4 B" = 512 MiB of the logged 560.00 MiB.
  CHECK(stages[0]["code"] == "llamacpp.attention.no_flash");
  CHECK(stages[0]["heads"] == 32);
  CHECK(stages[0]["n_kv"] == 8192);
  CHECK(i64(stages[0]["kq"]) == 512LL << 20);
  CHECK(stages[1]["code"] == "llamacpp.compute.ffn");
  CHECK(stages[2]["code"] == "llamacpp.compute.output");
  CHECK(mib(i64((*compute)["bytes"])) == "560.00");
  CHECK(r["engine_report"]["compute_buffer_note"]["code"] == "llamacpp.note.compute_buffer");
  CHECK_FALSE(r["engine_report"]["compute_buffer_note"]["message"].get<std::string>().empty());
}
