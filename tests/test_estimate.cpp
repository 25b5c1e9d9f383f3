// Round trips over the whole catalog: finite, positive and monotone results; the per-GPU accounting adds up.
#include <cmath>
#include <functional>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/catalog/catalog.hpp"

using vt::i64;
using vt::json;

namespace {

// Every number anywhere in the result is finite (no NaN/inf slipped into the JSON).
bool all_finite(const json& j) {
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const auto& v : j)
      if (!all_finite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("estimate: every catalog model x formats x contexts is finite, positive and monotone", "[estimate]") {
  const auto& catalog = vramplan::builtin_catalog();
  REQUIRE(catalog.models.size() >= 40);
  const char* formats[] = {"", "bf16", "fp8", "gptq-int4", "nf4", "gguf-Q4_K_M", "gguf-Q8_0"};
  const std::int64_t contexts[] = {1, 1024, 8192, 32768};
  for (const auto& m : catalog.models) {
    for (const char* f : formats) {
      std::int64_t previous_total = 0, previous_kv = -1;
      for (std::int64_t ctx : contexts) {
        CAPTURE(m.id, f, ctx);
        json r = vt::estimate(vt::request(m.id, ctx, 4, f, "nvidia-h100-sxm-80gb", 1));
        REQUIRE_FALSE(r.contains("error"));
        REQUIRE(all_finite(r));
        CHECK(i64(r["params"]["total"]) > 0);
        CHECK(i64(r["params"]["active"]) > 0);
        CHECK(i64(r["params"]["active"]) <= i64(r["params"]["total"]));
        CHECK(i64(r["weights"]["bytes"]) > 0);
        CHECK(i64(r["kv_cache"]["bytes"]) > 0);
        const auto& g = r["per_gpu"][0];
        CHECK(i64(g["total"]) == i64(g["weights"]) + i64(g["kv_cache"]) + i64(g["activations"]) + i64(g["overhead"]));
        CHECK(i64(g["total"]) >= previous_total);  // more context never needs less memory
        CHECK(i64(r["kv_cache"]["bytes"]) >= previous_kv);
        CHECK(r["fits"].get<bool>() == (i64(g["total"]) <= i64(g["capacity"])));
        previous_total = i64(g["total"]);
        previous_kv = i64(r["kv_cache"]["bytes"]);
      }
    }
  }
}

TEST_CASE("estimate: more sequences never need less memory", "[estimate]") {
  std::int64_t previous = 0;
  for (std::int64_t n : {1, 2, 8, 32, 128}) {
    CAPTURE(n);
    json r = vt::estimate(vt::request("Qwen/Qwen3-32B", 8192, n, "", "nvidia-h100-sxm-80gb", 2));
    REQUIRE_FALSE(r.contains("error"));
    CHECK(i64(r["per_gpu"][0]["total"]) >= previous);
    previous = i64(r["per_gpu"][0]["total"]);
  }
}

TEST_CASE("estimate: per-GPU shares add up under TP, PP and DP", "[estimate][parallel]") {
  json req = vt::request("meta-llama/Meta-Llama-3-70B", 4096, 16, "bf16", "nvidia-h100-sxm-80gb", 8);
  req["hardware"]["tensor_parallel"] = 2;
  req["hardware"]["pipeline_parallel"] = 2;  // 2 replicas of TP2 x PP2
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  REQUIRE(r["per_gpu"].size() == 8);
  CHECK(i64(r["request"]["data_parallel"]) == 2);
  // One replica (4 GPUs) holds the whole model once, plus replicated norms: between 1x and 1.001x.
  std::int64_t replica_weights = 0, kv_all = 0;
  for (const auto& g : r["per_gpu"]) {
    if (i64(g["replica"]) == 0) replica_weights += i64(g["weights"]);
    kv_all += i64(g["kv_cache"]);
  }
  CHECK(replica_weights >= i64(r["weights"]["bytes"]));
  CHECK(replica_weights < i64(r["weights"]["bytes"]) * 1001 / 1000);
  // 16 sequences split over 2 replicas; within a replica heads split by TP: the KV of all GPUs equals
  // the logical KV of 16 sequences (8 KV heads >= TP 2, so nothing is replicated).
  CHECK(kv_all == 16 * i64(r["kv_cache"]["bytes_per_sequence"]));
  CHECK(kv_all == i64(r["kv_cache"]["bytes"]));
}

TEST_CASE("estimate: expert parallelism puts whole experts on each GPU, the rest replicated per attention rank",
          "[estimate][parallel]") {
  // Qwen3-30B-A3B (config.json): 48 layers, hidden 2048, moe_intermediate_size 768, 128 experts, bf16. One expert
  // is gate + up + down = 3 x 2048 x 768 parameters = 9,437,184 B; EP 8 over 8 data-parallel attention ranks (TP 1)
  // leaves 128 / 8 = 16 experts per layer on each GPU and every other tensor whole.
  const std::int64_t expert_bytes = 3LL * 2048 * 768 * 2, all_experts = 48LL * 128 * expert_bytes;
  json req = vt::request("Qwen/Qwen3-30B-A3B", 4096, 8, "bf16", "nvidia-h100-sxm-80gb", 8);
  req["hardware"]["tensor_parallel"] = 1;
  req["hardware"]["expert_parallel"] = 8;
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["request"]["expert_parallel"]) == 8);
  CHECK(i64(r["per_gpu"][0]["weights"]) == i64(r["weights"]["bytes"]) - all_experts + 48LL * 16 * expert_bytes);
  CHECK(r["weights"]["explain"]["ep"]["per_gpu"] == 16);
  // 6 GPUs: 128 experts do not split evenly, the busiest rank holds ceil(128 / 6) = 22 (determine_expert_map).
  req["hardware"]["count"] = 6;
  req["hardware"]["expert_parallel"] = 6;
  r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["per_gpu"][0]["weights"]) == i64(r["weights"]["bytes"]) - all_experts + 48LL * 22 * expert_bytes);
  // Refusals name the field: a dense model, EP not a multiple of TP, an engine without EP.
  const json dense = vt::estimate([] {
    json q = vt::request("meta-llama/Llama-3.1-8B-Instruct", 4096, 1, "bf16", "nvidia-h100-sxm-80gb", 2);
    q["hardware"]["tensor_parallel"] = 1;
    q["hardware"]["expert_parallel"] = 2;
    return q;
  }());
  CHECK(dense["error"]["field"] == "hardware.expert_parallel");
  req["hardware"]["count"] = 8;
  req["hardware"]["tensor_parallel"] = 4;
  req["hardware"]["expert_parallel"] = 2;
  CHECK(vt::estimate(req)["error"]["field"] == "hardware.expert_parallel");
  req["hardware"]["expert_parallel"] = 8;
  req["engine"] = "llama.cpp";
  CHECK(vt::estimate(req)["error"]["field"] == "hardware.expert_parallel");
}

TEST_CASE("estimate: every line item explains itself with its numbers", "[estimate][explain]") {
  json r = vt::estimate(vt::request("Qwen/QwQ-32B", 16000, 1, "", "nvidia-h100-sxm-80gb", 1));
  REQUIRE_FALSE(r.contains("error"));
  for (const auto& item : r["breakdown"]) {
    CAPTURE(item["id"].get<std::string>());
    const std::string text = item["explain"]["message"];
    CHECK_FALSE(text.empty());
    CHECK(text.find_first_of("0123456789") != std::string::npos);
    CHECK(text.find('{') == std::string::npos);  // every placeholder has its value
  }
  // QwQ-32B caches 8 KV heads of 128 (config.json) in each of its 64 layers.
  const json& kv = r["kv_cache"]["explain"]["layers"]["groups"][0];
  CHECK(kv["layers"] == 64);
  CHECK(kv["shape"]["code"] == "kv.shape.kv");
  CHECK(kv["shape"]["heads"] == 8);
  CHECK(r["weights"]["explain"]["classes"][0]["storage"] == "bf16");
  CHECK(r["verdict"]["code"] == "verdict.fits");
  CHECK(r["verdict"]["count"] == 1);
  for (const auto& a : r["assumptions"]) CHECK_FALSE(a["value"].get<std::string>().empty());
}

TEST_CASE("estimate: engine options change the named assumptions", "[estimate]") {
  json base = vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, "", "nvidia-rtx-4090", 1);
  json changed = base;
  changed["engine_options"] = {{"cuda_context_bytes", 0}, {"allocator_reserve_fraction", 0.0}, {"activation_bytes", 0}};
  json a = vt::estimate(base), b = vt::estimate(changed);
  REQUIRE_FALSE(b.contains("error"));
  const auto& g = b["per_gpu"][0];
  CHECK(i64(g["overhead"]) == 0);
  CHECK(i64(g["activations"]) == 0);
  CHECK(i64(g["total"]) == i64(g["weights"]) + i64(g["kv_cache"]));
  CHECK(i64(a["per_gpu"][0]["total"]) > i64(g["total"]));
}

TEST_CASE("estimate: an inline GPU and a pasted config work without the catalog", "[estimate]") {
  json req = {{"model",
               {{"config",
                 {{"model_type", "llama"},
                  {"hidden_size", 4096},
                  {"intermediate_size", 14336},
                  {"num_hidden_layers", 32},
                  {"num_attention_heads", 32},
                  {"num_key_value_heads", 8},
                  {"vocab_size", 128256}}}}},
              {"workload", {{"context_tokens", 8192}, {"concurrency", 1}}},
              {"hardware", {{"gpu", {{"name", "my card"}, {"memory_bytes", 85020000000LL}}}}}};
  json r = vt::estimate(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["params"]["total"]) == 8030261248);  // the Llama-3-8B shapes: kvfit official total
  CHECK(i64(r["per_gpu"][0]["capacity"]) == 85020000000LL);
  CHECK(r["fits"].get<bool>());
}

TEST_CASE("estimate: a sweep gives the same figures as single estimates, in one call", "[estimate][sweep]") {
  json req = vt::request("meta-llama/Meta-Llama-3-8B", 4096, 4, "", "nvidia-rtx-4090", 1);
  const std::vector<std::int64_t> contexts = {512, 4096, 32768};
  json s = vramplan::sweep_json(req, "context_tokens", contexts);
  REQUIRE_FALSE(s.contains("error"));
  REQUIRE(s["points"].size() == contexts.size());
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    json one = req;
    one["workload"]["context_tokens"] = contexts[i];
    json r = vt::estimate(one);
    CHECK(i64(s["points"][i]["per_gpu_total"]) == i64(r["per_gpu"][0]["total"]));
    CHECK(s["points"][i]["fits"] == r["fits"]);
  }
  json bad = json::parse(
      vramplan::sweep_text(R"({"request": {"model": "Qwen/QwQ-32B"}, "axis": "context_tokens", "values": [0]})"));
  CHECK(bad["error"]["field"] == "values[0]");
  json axis = vramplan::sweep_json(req, "layers", {1});
  CHECK(axis["error"]["field"] == "axis");
}

TEST_CASE("estimate: every catalog model under every engine profile answers without NaN", "[estimate][engines]") {
  const auto& catalog = vramplan::builtin_catalog();
  for (const auto& m : catalog.models) {
    for (const char* engine : {"vllm", "sglang", "llama.cpp", "ollama", "transformers", "tensorrt-llm", "tgi",
                               "lmdeploy", "ktransformers"}) {
      CAPTURE(m.id, engine);
      json req = vt::request(m.id, 8192, 2, "", "nvidia-h200-sxm-141gb", 8);
      req["engine"] = engine;
      if (std::string(engine) == "llama.cpp" || std::string(engine) == "ollama" ||
          std::string(engine) == "ktransformers")
        req["weights"] = "gguf-Q4_K_M";
      json r = vt::estimate(req);
      if (r.contains("error")) {
        // Only a configuration the engine cannot run may be refused, and it must say so plainly.
        CHECK((r["error"]["code"] == "unsupported" || r["error"]["code"] == "invalid_field"));
        CHECK_FALSE(r["error"]["message"].get<std::string>().empty());
        continue;
      }
      CHECK(all_finite(r));
      CHECK(r["engine_report"].is_object());
      for (const auto& g : r["per_gpu"]) CHECK(i64(g["total"]) >= 0);
    }
  }
}
