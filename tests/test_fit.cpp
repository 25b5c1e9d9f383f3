// Inverse questions: each answer is checked against the estimator itself at the boundary.
#include <algorithm>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/engines/engine.hpp"
#include "vramplan/serving/fit.hpp"

using vt::i64;
using vt::json;

TEST_CASE("fit: max context and max concurrency sit exactly on the boundary", "[fit]") {
  json req = vt::request("meta-llama/Meta-Llama-3-8B", 8192, 4, "bf16", "nvidia-rtx-4090", 1);
  json f = vramplan::fit_json(req);
  REQUIRE_FALSE(f.contains("error"));
  const std::int64_t ctx = i64(f["max_context_tokens"]);
  REQUIRE(ctx > 0);
  json at = req, above = req;
  at["workload"]["context_tokens"] = ctx;
  above["workload"]["context_tokens"] = ctx + 1;
  if (ctx < i64(f["max_context_limit"])) {
    CHECK(vt::estimate(at)["fits"].get<bool>());
    CHECK_FALSE(vt::estimate(above)["fits"].get<bool>());
  }
  const std::int64_t n = i64(f["max_concurrency"]);
  REQUIRE(n > 0);
  json n_ok = req, n_over = req;
  n_ok["workload"]["concurrency"] = n;
  n_over["workload"]["concurrency"] = n + 1;
  CHECK(vt::estimate(n_ok)["fits"].get<bool>());
  CHECK_FALSE(vt::estimate(n_over)["fits"].get<bool>());
}

TEST_CASE("fit: 70B in BF16 on 2 x 80 GB needs a smaller format — the suggestions say which", "[fit]") {
  // Seed 000's table: FP16 70B needs 2 x A100 80GB for the weights alone; 32 users x 4k add 43 GB of KV.
  json req = vt::request("meta-llama/Meta-Llama-3-70B", 4096, 32, "bf16", "nvidia-h100-sxm-80gb", 2);
  REQUIRE_FALSE(vt::estimate(req)["fits"].get<bool>());
  json f = vramplan::fit_json(req);
  CHECK(f["best_weights"] == "fp8");
  bool fp8_fits = false, more_gpus_fit = false;
  for (const auto& s : f["suggestions"]) {
    CAPTURE(s.dump());
    // Each suggestion's text is coded: the change it names and the per-GPU figure it gives, in bytes.
    CHECK(s["text"]["code"] == "fit.suggestion");
    CHECK(s["text"]["per_gpu"] == s["per_gpu_total"]);
    const json& change = s["text"]["change"];
    if (s["change"] == "weights=fp8") {
      fp8_fits = s["fits"].get<bool>();
      CHECK(change["code"] == "fit.change.weights");
      CHECK(change["format"] == "fp8");
    }
    if (s["change"] == "count=4") {
      more_gpus_fit = s["fits"].get<bool>();
      CHECK(change["code"] == "fit.change.double_gpus");
      CHECK(change["count"] == 4);
      CHECK(change["tp"] == 4);
    }
    if (s["field"] == "context_tokens") {
      CHECK(change["code"] == "fit.change.half_context");
      CHECK(change["tokens"] == 2048);
    }
    if (s["field"] == "concurrency") {
      CHECK(change["code"] == "fit.change.half_concurrency");
      CHECK(change["sequences"] == 16);
    }
    if (s["field"] == "kv_cache_dtype") CHECK(change["code"] == "fit.change.kv_8bit");
  }
  CHECK(fp8_fits);
  CHECK(more_gpus_fit);
}

TEST_CASE("fit: fewest GPUs per type really fit, and one fewer does not", "[fit]") {
  json req = vt::request("Qwen/Qwen2.5-72B-Instruct", 8192, 8, "bf16");
  json f = vramplan::fit_json(req);
  REQUIRE(f["min_gpus"].size() >= 10);
  for (const auto& g : f["min_gpus"]) {
    CAPTURE(g.dump());
    json r = req;
    r["hardware"] = {{"gpu", g["gpu"]},
                     {"count", g["count"]},
                     {"tensor_parallel", g["tensor_parallel"]},
                     {"pipeline_parallel", g["pipeline_parallel"]}};
    CHECK(vt::estimate(r)["fits"].get<bool>());
    CHECK(i64(g["per_gpu_total"]) <= i64(g["capacity"]));
  }
}

TEST_CASE("fit: bad input gives the error object", "[fit]") {
  json f = json::parse(vramplan::fit_text(R"({"model": "nope"})"));
  CHECK(f["error"]["code"] == "unknown_model");
  json g = json::parse(vramplan::fit_text("{"));
  CHECK(g["error"]["code"] == "invalid_json");
}

TEST_CASE("fit: a GGUF user is never offered a 'smaller' format that is larger than theirs", "[fit][bug]") {
  // Regression: GGUF formats kept 16 data bits, so a Q4_K_M request got "weights=fp8" and "weights=awq-int4"
  // as if they were smaller. Q4_K_M is about 4.8 bits per weight; FP8 (8) and AWQ INT4 (4 + scales) are not
  // smaller choices for it.
  json req = vt::request("meta-llama/Meta-Llama-3-70B", 8192, 1, "gguf-Q4_K_M", "nvidia-rtx-4090", 1);
  REQUIRE_FALSE(vt::estimate(req)["fits"].get<bool>());
  json f = vramplan::fit_json(req);
  REQUIRE_FALSE(f.contains("error"));
  for (const auto& s : f["suggestions"]) {
    CAPTURE(s.dump());
    CHECK(s["change"] != "weights=fp8");
    CHECK(s["change"] != "weights=awq-int4");
  }
}

TEST_CASE("fit: no answer proposes a weight format or KV dtype the engine does not take", "[fit][bug]") {
  // Regression: fit suggested kv_cache_dtype=fp8 (labelled so, computed as q8_0) and AWQ/FP8 weights to llama.cpp,
  // which takes neither. Each engine's row lists what it takes (EngineProfile::kv_dtypes, format_ladder).
  for (const vramplan::EngineProfile* e : vramplan::engines()) {
    CAPTURE(e->id);
    json req = vt::request("meta-llama/Meta-Llama-3-70B", 16384, 16, "", "nvidia-rtx-4090", 1);
    req["engine"] = e->id;
    if (!e->splits_heads) req["weights"] = "gguf-Q8_0";
    json f = vramplan::fit_json(req);
    REQUIRE_FALSE(f.contains("error"));
    const auto kvs = e->kv_dtype_list();
    const auto formats = e->format_list();
    auto listed = [](const std::vector<std::string>& list, const std::string& v) {
      return std::find(list.begin(), list.end(), v) != list.end();
    };
    for (const auto& s : f["suggestions"]) {
      CAPTURE(s.dump());
      if (s["field"] == "kv_cache_dtype") CHECK(listed(kvs, s["value"]));
      if (s["field"] == "weights") CHECK(listed(formats, s["value"]));
    }
    if (f["best_weights"].is_string()) CHECK(listed(formats, f["best_weights"]));
    if (f["best_kv_cache_dtype"].is_string()) CHECK(listed(kvs, f["best_kv_cache_dtype"]));
  }
  // llama.cpp's 8-bit cache is q8_0, and the suggestion says so.
  json req = vt::request("meta-llama/Meta-Llama-3-70B", 32768, 1, "gguf-Q4_K_M", "nvidia-rtx-4090", 2);
  req["engine"] = "llama.cpp";
  bool q8 = false;
  const json f = vramplan::fit_json(req);
  for (const auto& s : f["suggestions"]) q8 = q8 || s["change"] == "kv_cache_dtype=q8_0";
  CHECK(q8);
}

TEST_CASE("fit: for every engine the boundaries are where estimate flips, and a card that fits is listed",
          "[fit][engines]") {
  // Regression: under KTransformers estimate said DeepSeek-R1 Q4_K_M fits on one RTX 4090 (routed experts in RAM)
  // while fit's "fewest GPUs" asked for 16 of them, judging the cards by the whole model's weights.
  struct Case {
    const char* model;
    const char* weights;
    std::int64_t context, concurrency;
  };
  for (const vramplan::EngineProfile* e : vramplan::engines()) {
    const bool local = !e->splits_heads;
    const bool moe_offload = std::string(e->id) == "ktransformers";
    const Case cases[] = {
        {moe_offload ? "deepseek-ai/DeepSeek-R1" : "meta-llama/Llama-3.1-8B-Instruct", local ? "gguf-Q4_K_M" : "bf16",
         4096, 1},
        {moe_offload ? "deepseek-ai/DeepSeek-R1" : "Qwen/Qwen3-30B-A3B", local ? "gguf-Q4_K_M" : "fp8", 16384, 4},
    };
    for (const Case& c : cases) {
      CAPTURE(e->id, c.model, c.context, c.concurrency);
      json req = vt::request(c.model, c.context, c.concurrency, c.weights, "nvidia-rtx-4090", 1);
      req["engine"] = e->id;
      const json est = vt::estimate(req);
      REQUIRE_FALSE(est.contains("error"));
      const json f = vramplan::fit_json(req);
      REQUIRE_FALSE(f.contains("error"));
      auto fits_with = [&](const char* field, std::int64_t v) {
        json r = req;
        r["workload"][field] = v;
        return vt::estimate(r)["fits"].get<bool>();
      };
      const std::int64_t ctx = i64(f["max_context_tokens"]), n = i64(f["max_concurrency"]);
      if (ctx > 0) CHECK(fits_with("context_tokens", ctx));
      if (ctx < i64(f["max_context_limit"])) CHECK_FALSE(fits_with("context_tokens", ctx + 1));
      if (n > 0) CHECK(fits_with("concurrency", n));
      if (n < 1000000) CHECK_FALSE(fits_with("concurrency", n + 1));  // Ollama queues beyond its slots
      // The request's own card, where one of it fits, is among the fewest-GPU answers with count 1.
      bool listed_alone = false;
      for (const auto& g : f["min_gpus"])
        listed_alone = listed_alone || (g["gpu"] == "nvidia-rtx-4090" && g["count"] == 1);
      CHECK(listed_alone == est["fits"].get<bool>());
    }
  }
}
