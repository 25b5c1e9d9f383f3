// Engine profiles: the engines' own rules, their failures and their options.
#include <cmath>
#include <set>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/engines/engine.hpp"
#include "vramplan/import/catalog.hpp"
#include "vramplan/import/config.hpp"

using vt::i64;
using vt::json;

namespace {
json engine_request(const char* engine, const char* model, std::int64_t ctx, const char* gpu, int count = 1) {
  json r = vt::request(model, ctx, 1, "", gpu, count);
  r["engine"] = engine;
  return r;
}
}  // namespace

TEST_CASE("vllm: blocks follow page size, layers and KV dtype", "[engines][vllm]") {
  // Given the KV memory, blocks = floor(memory / (block_size x bytes per token per layer) / layers)
  // (vllm/v1/core/kv_cache_utils.py get_num_blocks). Llama-3-8B: 16 x 4,096 B x 32 layers = 2 MiB per block.
  json r = engine_request("vllm", "meta-llama/Meta-Llama-3-8B", 8192, "nvidia-h100-sxm-80gb");
  r["engine_options"] = {{"kv_cache_memory_bytes", 10LL << 30}};
  json a = vt::estimate(r);
  REQUIRE_FALSE(a.contains("error"));
  CHECK(i64(a["engine_report"]["num_gpu_blocks"]) == (10LL << 30) / (2LL << 20));
  CHECK(i64(a["engine_report"]["kv_cache_tokens"]) == 5120 * 16);
  r["kv_cache_dtype"] = "fp8";  // one byte per value: twice the blocks
  json b = vt::estimate(r);
  CHECK(i64(b["engine_report"]["num_gpu_blocks"]) == 2 * i64(a["engine_report"]["num_gpu_blocks"]));
}

TEST_CASE("vllm: max_model_len beyond the KV cache is refused with the estimated maximum", "[engines][vllm]") {
  json r = engine_request("vllm", "meta-llama/Meta-Llama-3-8B", 8192, "nvidia-rtx-4090");
  r["engine_options"] = {{"kv_cache_memory_bytes", 1LL << 30}, {"max_model_len", 100000}};
  json a = vt::estimate(r);
  REQUIRE_FALSE(a.contains("error"));
  CHECK_FALSE(a["fits"].get<bool>());
  // 1 GiB / 2 MiB = 512 blocks x 16 tokens = 8,192 tokens.
  CHECK(i64(a["engine_report"]["estimated_max_model_len"]) == 8192);
  const std::string log = a["engine_report"]["log_lines"].back();
  CHECK(log.find("estimated maximum model length is 8192") != std::string::npos);
  CHECK(a["verdict"]["code"] == "vllm.verdict.max_model_len");
  CHECK(a["verdict"]["max_model_len"] == 100000);
  CHECK(a["verdict"]["estimate"] == 8192);
}

TEST_CASE("vllm: MLA caches one latent per layer on every rank", "[engines][vllm][mla]") {
  // MLAAttentionSpec: block_size x 576 x 2 B per layer, not split by TP.
  json r = engine_request("vllm", "deepseek-ai/DeepSeek-V3", 4096, "nvidia-h200-sxm-141gb", 8);
  r["engine_options"] = {{"kv_cache_memory_bytes", 10LL << 30}};
  json a = vt::estimate(r);
  REQUIRE_FALSE(a.contains("error"));
  CHECK(i64(a["engine_report"]["page_size_bytes"]) == 16 * 576 * 2);
  CHECK(i64(a["engine_report"]["num_gpu_blocks"]) == (10LL << 30) / (16 * 576 * 2) / 61);
}

TEST_CASE("vllm: a model too large for the GPU leaves no KV cache", "[engines][vllm]") {
  json a = vt::estimate(engine_request("vllm", "meta-llama/Meta-Llama-3-70B", 4096, "nvidia-h100-sxm-80gb"));
  REQUIRE_FALSE(a.contains("error"));
  CHECK_FALSE(a["fits"].get<bool>());
  CHECK(i64(a["engine_report"]["num_gpu_blocks"]) == 0);
  CHECK(a["verdict"]["code"] == "vllm.verdict.no_kv_memory");
  CHECK(a["verdict"]["count"] == 1);
  CHECK_FALSE(a["verdict"]["gpu"].get<std::string>().empty());
  CHECK(i64(a["verdict"]["available"]) <= 0);
}

TEST_CASE("engines: an inline GPU's memory_bytes is the runtime's total, a catalog card's loses the reserve",
          "[engines]") {
  // An inline GPU states the total the engine itself reports (a log's "total_gpu_memory"), so no CUDA reserve
  // comes off it again; a catalog card's memory is nvidia-smi's, of which CUDA reports about 500 MiB less.
  const std::int64_t h100_catalog = 81559LL << 20, reserve = 500LL << 20, logged = 85020000000LL;
  for (const char* engine : {"vllm", "sglang", "tgi", "tensorrt-llm", "lmdeploy"}) {
    CAPTURE(engine);
    auto total_assumption = [&](const json& hw_gpu, const json& options) {
      json r = engine_request(engine, "meta-llama/Llama-3.1-8B-Instruct", 4096, "nvidia-h100-sxm-80gb");
      r["hardware"]["gpu"] = hw_gpu;
      r["engine_options"] = options;
      const json a = vt::estimate(r);
      REQUIRE_FALSE(a.contains("error"));
      for (const auto& x : a["assumptions"])
        if (x["name"] == "total_gpu_memory") return x;
      FAIL("no total_gpu_memory assumption");
      return json();
    };
    const json inline_gpu = {{"name", "H100 as logged"}, {"memory_bytes", logged}};
    const json a = total_assumption(inline_gpu, json::object());
    CHECK(a["why"]["code"] == "engine.assume.total_gpu_memory_inline");
    const json b = total_assumption("nvidia-h100-sxm-80gb", json::object());
    CHECK(b["why"]["code"] == "engine.assume.total_gpu_memory_catalog");
    CHECK(i64(b["why"]["catalog"]) == h100_catalog);
    CHECK(i64(b["why"]["reserved"]) == reserve);
    const json c = total_assumption(inline_gpu, {{"cuda_reserved_bytes", 1LL << 30}});  // said explicitly: taken off
    CHECK(i64(c["why"]["catalog"]) == logged);
    CHECK(i64(c["why"]["reserved"]) == 1LL << 30);
  }
  json r = engine_request("vllm", "meta-llama/Llama-3.1-8B-Instruct", 4096, "nvidia-h100-sxm-80gb");
  r["hardware"]["gpu"] = {{"name", "H100 as logged"}, {"memory_bytes", logged}};
  CHECK(i64(vt::estimate(r)["engine_report"]["total_gpu_memory_bytes"]) == logged);
  r["hardware"]["gpu"] = "nvidia-h100-sxm-80gb";
  CHECK(i64(vt::estimate(r)["engine_report"]["total_gpu_memory_bytes"]) == h100_catalog - reserve);
}

TEST_CASE("vllm: the profile peak is one max over the dummy forward and the dummy sampler", "[engines][vllm]") {
  // gpu_model_runner.py profile_run: _dummy_run(max_num_batched_tokens) then _dummy_sampler_run on min(max_num_seqs,
  // tokens) rows; the forward's activations are freed first, so torch's peak is the larger phase, not the sum.
  // Llama-3.1-8B (hidden 4096, vocab 128256) on an H100 with vLLM 0.17-0.20's defaults: 1024 rows, 8192 tokens,
  // the Triton top-k/top-p path (12 B per logit + 132 rows x vocab fp32 buffer), bf16 logits, [8192 x 4096] hidden
  // states and two [1024 x 4096] row tensors alive through the sampler.
  json r = engine_request("vllm", "meta-llama/Llama-3.1-8B-Instruct", 8192, "nvidia-h100-sxm-80gb");
  r["engine_options"] = {{"engine_version", "0.17"}};
  const json rep = vt::estimate(r)["engine_report"];
  CHECK(i64(rep["max_num_seqs"]) == 1024);
  CHECK(i64(rep["max_num_batched_tokens"]) == 8192);
  const std::int64_t rows = 1024, vocab = 128256, hidden = 4096;
  const std::int64_t sampler =
      rows * vocab * 2 + 12 * rows * vocab + 132 * vocab * 4 + 8192 * hidden * 2 + 2 * rows * hidden * 2;
  CHECK(i64(rep["sampler_bytes"]) == sampler);
  const std::int64_t forward = i64(rep["forward_activation_bytes"]);
  CHECK(forward > 0);
  CHECK(i64(rep["peak_activation_bytes"]) == std::max(forward, sampler));
  // 0.11-0.16 sort on the PyTorch path: 36 B per logit besides the bf16 logits (fp32 copy, sorted values, int64
  // indices, the sort's reverse indices and CUB double buffers).
  r["engine_options"]["engine_version"] = "0.11";
  const json old = vt::estimate(r)["engine_report"];
  CHECK(i64(old["sampler_bytes"]) == rows * vocab * 2 + 36 * rows * vocab + 8192 * hidden * 2 + 2 * rows * hidden * 2);
  // A first pipeline stage computes no logits: its peak is the forward alone.
  json pp = engine_request("vllm", "meta-llama/Llama-3.1-8B-Instruct", 8192, "nvidia-h100-sxm-80gb", 2);
  pp["hardware"]["tensor_parallel"] = 1;
  pp["hardware"]["pipeline_parallel"] = 2;
  pp["engine_options"] = {{"engine_version", "0.17"}};
  const json st = vt::estimate(pp);
  CHECK(i64(st["per_gpu"][0]["activations"]) == forward);
  CHECK(i64(st["per_gpu"][1]["activations"]) == std::max(forward, sampler));
}

TEST_CASE("vllm: batch defaults follow the version, the GPU and the entry point", "[engines][vllm]") {
  auto report = [](const char* gpu, json options, std::int64_t context = 8192) {
    json r = engine_request("vllm", "meta-llama/Llama-3.1-8B-Instruct", context, gpu);
    r["engine_options"] = std::move(options);
    return vt::estimate(r)["engine_report"];
  };
  // arg_utils.py get_batch_defaults: >= 70 GiB and not an A100 -> 1024 sequences, 8192 (serve) / 16384 (LLM) tokens.
  json h100 = report("nvidia-h100-sxm-80gb", json::object());
  CHECK(h100["engine_version"] == "0.21");
  CHECK(i64(h100["max_num_seqs"]) == 1024);
  CHECK(i64(h100["max_num_batched_tokens"]) == 8192);
  CHECK(i64(report("nvidia-h100-sxm-80gb", {{"entry_point", "llm"}})["max_num_batched_tokens"]) == 16384);
  json a100 = report("nvidia-a100-sxm-80gb", json::object());  // the A100 exception (#17885)
  CHECK(i64(a100["max_num_seqs"]) == 256);
  CHECK(i64(a100["max_num_batched_tokens"]) == 2048);
  // V0: 256 sequences; max(max_model_len, 2048) tokens, or 2048 once chunked prefill turns on above 32,768.
  json v0 = report("nvidia-h100-sxm-80gb", {{"engine_version", "v0"}}, 32768);
  CHECK(i64(v0["max_num_seqs"]) == 256);
  CHECK(i64(v0["max_num_batched_tokens"]) == 32768);
  CHECK(i64(report("nvidia-h100-sxm-80gb", {{"engine_version", "v0"}}, 131072)["max_num_batched_tokens"]) == 2048);
  // 0.21 defaults gpu_memory_utilization to 0.92 and subtracts its CUDA-graph estimate (#38284).
  const double total = static_cast<double>(i64(h100["total_gpu_memory_bytes"]));
  CHECK(i64(h100["requested_memory_bytes"]) == static_cast<std::int64_t>(total * 0.92));
  CHECK(i64(h100["available_kv_cache_bytes"]) ==
        static_cast<std::int64_t>(std::floor(
            total * 0.92 - static_cast<double>(i64(h100["weights_bytes"]) + i64(h100["peak_activation_bytes"]) +
                                               i64(h100["non_torch_bytes"]) + i64(h100["cudagraph_bytes"])))));
  json v017 = report("nvidia-h100-sxm-80gb", {{"engine_version", "0.17"}});
  CHECK(i64(v017["requested_memory_bytes"]) == static_cast<std::int64_t>(total * 0.9));
}

TEST_CASE("vllm: a float32 checkpoint runs in 16 bits, in transformers it loads as stored", "[engines][vllm]") {
  // google/gemma-2-9b is stored in float32; vLLM's dtype auto runs it in bfloat16 (config/model.py
  // _resolve_auto_dtype), weights and "auto" KV cache alike.
  json r = engine_request("vllm", "google/gemma-2-9b", 4096, "nvidia-h100-sxm-80gb");
  const json a = vt::estimate(r);
  json t = r;
  t["engine"] = "transformers";
  const json b = vt::estimate(t);
  CHECK(i64(b["weights"]["bytes"]) == 2 * i64(a["weights"]["bytes"]));
  CHECK(i64(b["kv_cache"]["bytes_per_token"]) == 2 * i64(a["kv_cache"]["bytes_per_token"]));
  bool said = false;
  for (const auto& w : a["warnings"]) said = said || w["code"] == "warn.fp32_checkpoint_16bit";
  CHECK(said);
}

TEST_CASE("sglang: mem_fraction_static scales the free memory before the weights, not the card's total",
          "[engines][sglang]") {
  // model_runner.py profile_max_num_token: rest = free after the weights - free before them x (1 - mfs), the "before"
  // being measured after distributed init. QwQ-32B on 4 x L4 (didier-durand/llms-in-clouds): 21.63 GB free before
  // the load, 0.85. Cell = 64 layers x 2 KV heads per rank x 128 x 2 (K, V) x 2 B = 65,536 B.
  json r = engine_request("sglang", "Qwen/QwQ-32B", 4096, "nvidia-l4", 4);
  const std::int64_t before = static_cast<std::int64_t>(21.63 * 1073741824.0);
  r["engine_options"] = {{"mem_fraction_static", 0.85}, {"total_gpu_memory_bytes", before}, {"pre_weights_bytes", 0}};
  const json a = vt::estimate(r);
  REQUIRE_FALSE(a.contains("error"));
  const double weights = static_cast<double>(i64(a["per_gpu"][0]["weights"]));
  const double rest = static_cast<double>(before) - weights - static_cast<double>(before) * 0.15;
  CHECK(i64(a["engine_report"]["max_total_num_tokens"]) == static_cast<std::int64_t>(std::floor(rest / 65536.0)));
}

TEST_CASE("sglang: the default mem_fraction_static follows the release, the GPU and TP", "[engines][sglang]") {
  // server_args.py _handle_gpu_memory_settings (0.5.3+): H100 (81,559 MiB) at TP 1: chunk 8192, 256 graph batches,
  // reserve 512 + 12288 + 512 + 128 = 13,440 MiB -> 0.835; at TP 8: 512 graph batches, 512 + 12288 + 1024 + 1024 =
  // 14,848 -> 0.818; L4 (23,034 MiB): 512 + 3072 + 48 + 128 = 3,760 -> 0.837. 0.4.7.post1-0.5.2 on H100:
  // (9.5 + 1/2) GiB -> 0.874; 0.4.0-0.4.5: 0.88 at TP 1, 0.81 at TP 8.
  auto mfs = [](const char* gpu, int count, const char* version) {
    json r = engine_request("sglang", "meta-llama/Llama-3.1-8B-Instruct", 4096, gpu, count);
    r["engine_options"] = {{"engine_version", version}};
    return vt::estimate(r)["engine_report"]["mem_fraction_static"].get<double>();
  };
  CHECK(mfs("nvidia-h100-sxm-80gb", 1, "0.5") == Approx(0.835));
  CHECK(mfs("nvidia-h100-sxm-80gb", 8, "0.5") == Approx(0.818));
  CHECK(mfs("nvidia-l4", 1, "0.5") == Approx(0.837));
  CHECK(mfs("nvidia-h100-sxm-80gb", 1, "0.4.7") == Approx(0.874));
  CHECK(mfs("nvidia-h100-sxm-80gb", 1, "0.4") == Approx(0.88));
  CHECK(mfs("nvidia-h100-sxm-80gb", 8, "0.4") == Approx(0.81));
}

TEST_CASE("vllm: VLLM_PP_LAYER_PARTITION moves layers between stages", "[engines][vllm]") {
  // Llama-3.1-8B has 32 layers: the default split is 16 + 16 (get_pp_indices); [20, 12] puts 20 on the first stage.
  // The first stage's weights grow by 4 layers and the last one's shrink by as many; each layer is the same size.
  json r = engine_request("vllm", "meta-llama/Llama-3.1-8B-Instruct", 8192, "nvidia-h100-sxm-80gb", 2);
  r["hardware"]["tensor_parallel"] = 1;
  r["hardware"]["pipeline_parallel"] = 2;
  const json even = vt::estimate(r);
  r["engine_options"] = {{"pp_layer_partition", {20, 12}}};
  const json split = vt::estimate(r);
  REQUIRE_FALSE(split.contains("error"));
  const std::int64_t d0 = i64(split["per_gpu"][0]["weights"]) - i64(even["per_gpu"][0]["weights"]);
  const std::int64_t d1 = i64(even["per_gpu"][1]["weights"]) - i64(split["per_gpu"][1]["weights"]);
  CHECK(d0 > 0);
  CHECK(d0 == d1);
  CHECK(d0 % 4 == 0);
  for (const json& bad : {json{30}, json{20, 11}, json{20.5, 11.5}}) {
    r["engine_options"] = {{"pp_layer_partition", bad}};
    const json e = vt::estimate(r);
    REQUIRE(e.contains("error"));
    CHECK(e["error"]["field"] == "engine_options.pp_layer_partition");
  }
}

TEST_CASE("sglang: K and V buffers are (tokens + page_size) x heads x head_dim per layer", "[engines][sglang]") {
  // memory_pool.py MHATokenToKVPool: k_buffer[(size + page_size), head_num, head_dim] per layer.
  json r = engine_request("sglang", "Qwen/Qwen3-8B", 4096, "nvidia-h100-sxm-80gb");
  r["engine_options"] = {{"max_total_tokens", 100000}};
  json a = vt::estimate(r);
  REQUIRE_FALSE(a.contains("error"));
  CHECK(i64(a["engine_report"]["max_total_num_tokens"]) == 100000);
  CHECK(i64(a["engine_report"]["k_size_bytes"]) == (100000LL + 1) * 36 * 8 * 128 * 2);
}

TEST_CASE("engines: every profile answers, and more context never needs less", "[engines]") {
  for (const char* engine :
       {"generic", "vllm", "sglang", "llama.cpp", "ollama", "transformers", "tensorrt-llm", "tgi", "lmdeploy"}) {
    CAPTURE(engine);
    std::int64_t previous = 0;
    for (std::int64_t ctx : {512, 4096, 32768}) {
      json r = engine_request(engine, "Qwen/Qwen3-8B", ctx, "nvidia-h100-sxm-80gb");
      if (std::string(engine) == "llama.cpp" || std::string(engine) == "ollama") r["weights"] = "gguf-Q4_K_M";
      json a = vt::estimate(r);
      REQUIRE_FALSE(a.contains("error"));
      CHECK(a["engine_report"].is_object());
      CHECK_FALSE(a["verdict"]["message"].get<std::string>().empty());
      // Engines that preallocate a pool hold their total fixed; the others grow with the context.
      CHECK(i64(a["per_gpu"][0]["total"]) >= 0);
      if (std::string(engine) == "generic" || std::string(engine) == "transformers") {
        CHECK(i64(a["per_gpu"][0]["total"]) >= previous);
        previous = i64(a["per_gpu"][0]["total"]);
      }
    }
  }
}

TEST_CASE("engines: bad options name the field", "[engines][errors]") {
  struct Row {
    const char* engine;
    json options;
    const char* field;
  };
  const Row rows[] = {
      {"vllm", {{"gpu_memory_utilization", 1.5}}, "engine_options.gpu_memory_utilization"},
      {"vllm", {{"block_size", 0}}, "engine_options.block_size"},
      {"vllm", {{"engine_version", "v9"}}, "engine_options.engine_version"},
      {"sglang", {{"mem_fraction_static", -1}}, "engine_options.mem_fraction_static"},
      {"transformers", {{"attn_implementation", "magic"}}, "engine_options.attn_implementation"},
      {"tensorrt-llm", {{"kv_cache_free_gpu_mem_fraction", "all"}}, "engine_options.kv_cache_free_gpu_mem_fraction"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.engine, row.options.dump());
    json r = engine_request(row.engine, "Qwen/Qwen3-8B", 4096, "nvidia-h100-sxm-80gb");
    r["engine_options"] = row.options;
    json a = vt::estimate(r);
    REQUIRE(a.contains("error"));
    CHECK(a["error"]["code"] == "invalid_field");
    CHECK(a["error"]["field"] == row.field);
  }
}

TEST_CASE("engines: every engine is one registry row — catalog engines lists its option specs", "[engines][registry]") {
  json c = vramplan::catalog_json("engines");
  REQUIRE(c["engines"].size() == vramplan::engines().size);
  std::set<std::string> ids;
  for (const auto& e : c["engines"]) {
    const std::string id = e["id"];
    CAPTURE(id);
    CHECK(ids.insert(id).second);
    CHECK(vramplan::find_engine(id) != nullptr);
    for (const auto& alias : e["aliases"]) CHECK(vramplan::find_engine(alias.get<std::string>())->id == id);
    CHECK_FALSE(e["doc"].get<std::string>().empty());
    std::set<std::string> names;
    for (const auto& o : e["options"]) {
      const std::string name = o["name"];
      CAPTURE(name);
      CHECK(names.insert(name).second);
      CHECK_FALSE(o["doc"].get<std::string>().empty());
      CHECK(o["doc"].get<std::string>().find('{') == std::string::npos);  // every placeholder filled
      // A default lies within the option's own range.
      if (o.contains("min") && o["default"].is_number()) {
        CHECK(o["default"].get<double>() >= o["min"].get<double>());
        CHECK(o["default"].get<double>() <= o["max"].get<double>());
      }
      if (o["type"] == "choice") {
        bool listed = o["default"].is_null();
        for (const auto& ch : o["choices"]) listed = listed || ch == o["default"];
        CHECK(listed);
      }
    }
    // Every KV dtype an engine lists is one the core knows.
    for (const auto& k : e["kv_cache_dtypes"]) {
      const auto* m = vramplan::builtin_catalog().find_model("Qwen/Qwen3-8B");
      auto arch = vramplan::model_architecture(*m, "model");
      CHECK(vramplan::find_kv_dtype(k.get<std::string>(), arch.value(), "kv").ok());
    }
    for (const auto& f : e["weight_formats"]) CHECK(vramplan::find_weight_format(f.get<std::string>(), "w").ok());
  }
  // An unknown engine is an error, never a fallback.
  json r = engine_request("vllm2", "Qwen/Qwen3-8B", 4096, "nvidia-h100-sxm-80gb");
  json a = vt::estimate(r);
  REQUIRE(a.contains("error"));
  CHECK(a["error"]["field"] == "engine");
  json f = vramplan::fit_json(r);
  CHECK(f["error"]["field"] == "engine");
}

TEST_CASE("engines: options are validated by their specs — aliases and unknown names", "[engines][options]") {
  struct Row {
    const char* engine;
    json options;
    const char* field;  // "" = accepted
  };
  const Row rows[] = {
      {"llama.cpp", {{"flash_attn", "maybe"}}, "engine_options.flash_attn"},
      {"llama.cpp", {{"flash_attn", "on"}}, ""},
      {"llama.cpp", {{"kv_unified", "auto"}}, "engine_options.kv_unified"},  // a plain switch has no auto
      {"llama.cpp", {{"cache_type_k", "Q8_0"}}, ""},                         // case-insensitive choice
      {"llama.cpp", {{"cache_type_k", "fp8"}}, "engine_options.cache_type_k"},
      {"vllm", {{"engine_version", 0.11}}, ""},  // a release written as a number is the same choice
      {"vllm", {{"engine_version", 0.12}}, "engine_options.engine_version"},
      {"sglang", {{"engine_version", 0.5}}, ""},
      {"llama.cpp", {{"n_gpu_layers", "all"}}, ""},
      {"llama.cpp", {{"n_gpu_layers", 2.5}}, "engine_options.n_gpu_layers"},
      {"llama.cpp", {{"tensor_split", {1, -1}}}, "engine_options.tensor_split"},
      {"llama.cpp", {{"variant", "llama-server"}}, ""},  // a synonym of llama.cpp
      {"ollama", {{"num_ctx", 8192}}, ""},               // Ollama's name for n_ctx
      {"vllm", {{"max_num_seqs", 0}}, "engine_options.max_num_seqs"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.engine, row.options.dump());
    json r = engine_request(row.engine, "Qwen/Qwen3-8B", 4096, "nvidia-rtx-4090");
    r["weights"] = std::string(row.engine) == "vllm" ? "bf16" : "gguf-Q4_K_M";
    r["engine_options"] = row.options;
    json a = vt::estimate(r);
    if (*row.field) {
      REQUIRE(a.contains("error"));
      CHECK(a["error"]["field"] == row.field);
    } else {
      CHECK_FALSE(a.contains("error"));
    }
  }
  // The alias is read: Ollama's num_ctx 8192 x 1 slot gives n_ctx 8192.
  json o = engine_request("ollama", "Qwen/Qwen3-8B", 4096, "nvidia-rtx-4090");
  o["weights"] = "gguf-Q4_K_M";
  o["engine_options"] = {{"num_ctx", 8192}};
  CHECK(i64(vt::estimate(o)["engine_report"]["n_ctx"]) == 8192);
  // An option of another engine is reported, not silently taken.
  json v = engine_request("vllm", "Qwen/Qwen3-8B", 4096, "nvidia-h100-sxm-80gb");
  v["engine_options"] = {{"mem_fraction_static", 0.5}};
  json w = vt::estimate(v);
  REQUIRE_FALSE(w.contains("error"));
  CHECK(w["warnings"].dump().find("engine_options.mem_fraction_static") != std::string::npos);
}

namespace {
// vLLM's per-GPU weights minus the checkpoint's share on that GPU (the generic profile loads the tensors as stored).
std::int64_t vllm_load_extra(const char* model, const char* gpu, int count, const json& options) {
  json r = engine_request("vllm", model, 4096, gpu, count);
  r["hardware"]["tensor_parallel"] = count;
  r["engine_options"] = options;
  json g = engine_request("generic", model, 4096, gpu, count);
  g["hardware"]["tensor_parallel"] = count;
  const json a = vt::estimate(r), b = vt::estimate(g);
  REQUIRE_FALSE(a.contains("error"));
  REQUIRE_FALSE(b.contains("error"));
  return i64(a["per_gpu"][0]["weights"]) - i64(b["per_gpu"][0]["weights"]);
}
}  // namespace

TEST_CASE("vllm: gpt-oss MXFP4 experts as laid out for the MoE kernel", "[engines][vllm][mxfp4]") {
  // Worked from quantization/mxfp4.py create_weights and triton_kernels' Hopper layouts with gpt-oss-120b's
  // config.json (hidden 2880, intermediate 2880, 128 experts, 36 layers); one expert as stored:
  //   w13 5760 x 1440 + scales 5760 x 90 + w2 2880 x 1440 + scales 2880 x 90 + bf16 biases (5760 + 2880) x 2
  //   = 8,294,400 + 518,400 + 4,147,200 + 259,200 + 17,280 = 13,236,480 B.
  // The fp32 rotary table (yarn: 4096 x 32 positions x 64) adds 33,554,432 B on every GPU.
  const std::int64_t rope = 131072LL * 64 * 4;
  const std::int64_t experts = 128LL * 36;
  // Marlin (vLLM 0.10 on H100): I -> 2944, H -> 3072: 2 x 2944 x 1536 + 5888 x 96 + 3072 x 1472 + 3072 x 92
  //   + (5888 + 3072) x 2 = 9,043,968 + 565,248 + 4,521,984 + 282,624 + 17,920 = 14,431,744 B.
  CHECK(vllm_load_extra("openai/gpt-oss-120b", "nvidia-h100-sxm-80gb", 1, {{"engine_version", "0.10"}}) ==
        (14431744LL - 13236480LL) * experts + rope);
  // Triton (0.11 and later on H100): values [round_up(K/2, 64), round_up(N, 256)], scales [round_up(N, 256), K/32]:
  //   1472 x 5888 + 5888 x 90 + 1472 x 3072 + 3072 x 90 + fp32 biases (5760 + 2880) x 4
  //   = 8,667,136 + 529,920 + 4,521,984 + 276,480 + 34,560 = 14,030,080 B.
  CHECK(vllm_load_extra("openai/gpt-oss-120b", "nvidia-h100-sxm-80gb", 1, {{"engine_version", "0.11"}}) ==
        (14030080LL - 13236480LL) * experts + rope);
  // VLLM_MXFP4_USE_MARLIN=1 on a Triton release gives Marlin's layout.
  CHECK(vllm_load_extra("openai/gpt-oss-120b", "nvidia-h100-sxm-80gb", 1,
                        {{"engine_version", "0.11"}, {"mxfp4_backend", "marlin"}}) ==
        (14431744LL - 13236480LL) * experts + rope);
  // Marlin at TP 4 on A100: per-rank I 720 -> 768: 2 x 768 x 1536 + 1536 x 96 + 3072 x 384 + 3072 x 24
  //   + (1536 + 3072) x 2 = 3,769,344 B against 2 x 720 x 1440 + 1440 x 90 + 2880 x 360 + 2880 x 720 / 32
  //   + (1440 + 2880) x 2 = 3,313,440 B stored.
  CHECK(vllm_load_extra("openai/gpt-oss-120b", "nvidia-a100-sxm-80gb", 4, json::object()) ==
        (3769344LL - 3313440LL) * experts + rope);
}

TEST_CASE("vllm: the rotary cos/sin tables are in the loaded weights", "[engines][vllm][rope]") {
  // rotary_embedding get_rope: [positions x rotary_dim] in the model dtype, one table per configuration.
  // Llama-3.1 (llama3 scaling): max_position_embeddings 131072 x head_dim 128 x 2 B.
  CHECK(vllm_load_extra("meta-llama/Llama-3.1-8B-Instruct", "nvidia-h100-sxm-80gb", 1, json::object()) ==
        131072LL * 128 * 2);
  // Gemma 3 (linear factor 8 on the global layers, a plain table for the local ones): (1,048,576 + 131,072) x 256
  // x 2 B. vLLM 0.19 logged 23.31 GiB for gemma-3-12b-it where its tensors take 22.7 GiB (cases.json v1-39).
  CHECK(vllm_load_extra("google/gemma-3-12b-it", "nvidia-h100-sxm-80gb", 1, json::object()) ==
        (1048576LL + 131072LL) * 256 * 2);
  // DeepSeek-V3 (yarn: original 4096 x factor 40, the rope part of MLA heads, 64).
  CHECK(vllm_load_extra("deepseek-ai/DeepSeek-V3", "nvidia-h200-sxm-141gb", 8, json::object()) == 163840LL * 64 * 2);
}
