// The planner: the seeds' planning example and deployment claims, constraints, monotonicity, determinism.
#include <cmath>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/catalog/catalog.hpp"
#include "vramplan/serving/fit.hpp"
#include "vramplan/serving/planner.hpp"

using vt::i64;
using vt::json;

namespace {
json seed_plan_request() {
  // Seed 001 §7.1: Llama-3-70B, 50 requests/s, 1000-token prompts, 500-token outputs, P99 TTFT < 2 s, TPOT < 100 ms.
  return {{"model", "meta-llama/Meta-Llama-3-70B"},
          {"workload", {{"qps", 50}, {"prompt_tokens", 1000}, {"output_tokens", 500}}},
          {"slo", {{"ttft_ms", 2000}, {"tpot_ms", 100}}},
          {"candidates", {{"gpus", {"nvidia-h100-sxm-80gb", "nvidia-a100-sxm-80gb"}}, {"max_gpus", 64}}},
          {"weights", {"bf16", "fp8"}},
          {"engine", "vllm"}};
}
}  // namespace

TEST_CASE("planner: the seed's memory arithmetic for Llama-3-70B at 150 concurrent requests", "[planner][seeds]") {
  // Seed 001 §7.1: 327 KB/token x 1500 tokens = 490 MB per request; x 150 = 73.5 GB; + 140 GB + 5 GB = ~220 GB.
  json one = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 1500, 1));
  CHECK(i64(one["kv_cache"]["bytes_per_sequence"]) == 327680LL * 1500);  // 491.5 MB
  json many = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 1500, 150, "bf16", "nvidia-h100-sxm-80gb", 4));
  CHECK(std::abs(i64(many["kv_cache"]["bytes"]) / 1e9 - 73.7) < 0.1);
  std::int64_t total = 0;
  for (const auto& g : many["per_gpu"]) total += i64(g["total"]);
  CHECK(total / 1e9 > 215);
  CHECK(total / 1e9 < 240);
  // 4 x 80 GB at TP 4 holds it; 2 x 80 GB at TP 2 does not (BF16); FP8 on 2 x H100 does (~150 GB).
  CHECK(many["fits"].get<bool>());
  CHECK(vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 1500, 150, "bf16", "nvidia-a100-sxm-80gb", 4))["fits"]
            .get<bool>());
  CHECK_FALSE(
      vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 1500, 150, "bf16", "nvidia-h100-sxm-80gb", 2))["fits"]
          .get<bool>());
  json fp8 = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 1500, 150, "fp8", "nvidia-h100-sxm-80gb", 2));
  CHECK(fp8["fits"].get<bool>());
}

TEST_CASE("planner: 50 req/s needs more than one 4-GPU replica — Little's law sets the concurrency",
          "[planner][seeds]") {
  json p = vramplan::plan_json(seed_plan_request());
  REQUIRE_FALSE(p.contains("error"));
  REQUIRE_FALSE(p["plans"].empty());
  const auto& best = p["plans"][0];
  CHECK(best["meets_slo"].get<bool>());
  CHECK(best["ttft_ms"].get<double>() <= 2000);
  CHECK(best["tpot_ms"].get<double>() <= 100);
  // Little's law: in flight = rate x (TTFT + output x TPOT). The seed's "3 s per request -> 150" implies a
  // 5 ms TPOT; at the TPOT the plan achieves, 50 req/s keeps far more requests in flight.
  const double latency_s = (best["ttft_ms"].get<double>() + 500 * best["tpot_ms"].get<double>()) / 1000.0;
  CHECK(std::abs(p["concurrency"].get<double>() - 50 * latency_s) / (50 * latency_s) < 0.05);
  CHECK(p["concurrency"].get<double>() > 150);
  // One TP-4 replica of H100s is not enough compute for 50 x 1,500 tokens/s of a 70B model.
  CHECK(i64(best["total_gpus"]) > 4);
  // The FP8 2 x H100 candidate: it fits and meets the latency targets per replica, but needs several replicas.
  bool found = false;
  for (const auto& plan : p["plans"])
    if (plan["weights"] == "fp8" && i64(plan["gpus_per_replica"]) == 2 && plan["gpu"] == "nvidia-h100-sxm-80gb") {
      found = true;
      CHECK(plan["meets_slo"].get<bool>());
      CHECK(i64(plan["replicas"]) > 1);
    }
  CHECK(found);
  // 2 x 80 GB in BF16 is rejected for memory.
  bool rejected_bf16_tp2 = false;
  for (const auto& r : p["rejected"])
    if (r["weights"] == "bf16" && i64(r["gpus_per_replica"]) == 2 && r["gpu"] == "nvidia-h100-sxm-80gb") {
      rejected_bf16_tp2 = true;
      CAPTURE(r.dump());
      CHECK(r["reason"] == r["reason_text"]["message"]);  // the text and its coded form say the same
    }
  CHECK(rejected_bf16_tp2);
}

TEST_CASE("planner: reasons are coded texts with their values", "[planner][text]") {
  json p = vramplan::plan_json(seed_plan_request());
  REQUIRE_FALSE(p["plans"].empty());
  // The best plan meets the targets: TTFT and TPOT as durations in ms, and the replica count.
  const json& best = p["plans"][0];
  const json& why = best["why"];
  CHECK(why["code"] == "plan.meets");
  CHECK(why["replicas"] == best["replicas"]);
  for (const char* k : {"ttft", "tpot"}) {
    CAPTURE(k);
    const std::string code = why[k]["code"];
    CHECK((code == "plan.duration" || code == "plan.duration.fine"));
    CHECK(why[k]["ms"].get<double>() == Approx(best[std::string(k) + "_ms"].get<double>()));
  }
  // Every reason and assumption carries a code from the planner's messages.
  for (const auto& r : p["rejected"]) CHECK(r["reason_text"]["code"].get<std::string>().rfind("plan.", 0) == 0);
  for (const auto& plan : p["plans"]) {
    CAPTURE(plan["why"].dump());
    CHECK(plan["why"]["code"].get<std::string>().rfind("plan.", 0) == 0);
  }
  REQUIRE(p["assumptions"].size() == 6);
  for (const auto& a : p["assumptions"]) CHECK(a["why"]["code"] == "plan.assume." + a["name"].get<std::string>());

  // A GPU too small for the weights: the figures are bytes.
  json small = seed_plan_request();
  small["candidates"] = json::parse(R"({"gpus": ["nvidia-rtx-4090"], "max_gpus": 2})");
  small["weights"] = {"bf16"};
  json s = vramplan::plan_json(small);
  REQUIRE_FALSE(s["rejected"].empty());
  const json& weights_alone = s["rejected"][0]["reason_text"];
  CHECK(weights_alone["code"] == "plan.reject.weights_alone");
  CHECK(i64(weights_alone["need"]) > i64(weights_alone["capacity"]));
  CHECK(i64(weights_alone["capacity"]) == vramplan::builtin_catalog().find_gpu("nvidia-rtx-4090")->capacity_bytes());

  // Owned GPUs and a budget: the counts and the cost are values.
  json owned = seed_plan_request();
  owned["candidates"] = json::parse(R"({"gpus": ["nvidia-h100-sxm-80gb"], "owned": {"nvidia-h100-sxm-80gb": 1}})");
  bool owned_seen = false;
  const json owned_plan = vramplan::plan_json(owned);
  for (const auto& r : owned_plan["rejected"])
    if (r["reason_text"]["code"] == "plan.reject.owned") {
      owned_seen = true;
      CHECK(i64(r["reason_text"]["owned"]) == 1);
      CHECK(i64(r["reason_text"]["needed"]) > 1);
    }
  CHECK(owned_seen);
  json budget = seed_plan_request();
  budget["candidates"] = json::parse(R"({"gpus": ["nvidia-h100-sxm-80gb"], "max_cost_per_hour": 0.01})");
  bool budget_seen = false;
  const json budget_plan = vramplan::plan_json(budget);
  for (const auto& r : budget_plan["rejected"])
    if (r["reason_text"]["code"] == "plan.reject.budget") {
      budget_seen = true;
      CHECK(r["reason_text"]["cost"].get<double>() > 0.01);
    }
  CHECK(budget_seen);

  // Targets no replica count meets: the plans say TTFT and TPOT against the targets.
  json strict = seed_plan_request();
  strict["candidates"] = json::parse(R"({"gpus": ["nvidia-h100-sxm-80gb"], "max_gpus": 8})");
  strict["workload"]["qps"] = 2;
  strict["slo"] = json::parse(R"({"ttft_ms": 2000, "tpot_ms": 1})");
  json t = vramplan::plan_json(strict);
  bool missed = false;
  for (const auto& plan : t["plans"]) {
    CHECK_FALSE(plan["meets_slo"].get<bool>());
    const json& w = plan["why"];
    if (w["code"] != "plan.slo_missed") continue;
    missed = true;
    CHECK(w["tpot_target"]["code"] == "plan.target");
    CHECK(w["tpot_target"]["target"]["ms"].get<double>() == Approx(1.0));
    CHECK(w["ttft_target"]["target"]["ms"].get<double>() == Approx(2000.0));
  }
  CHECK(missed);
  // At 50 requests/s on at most 8 GPUs, prefills saturate the replicas: the reason names the replica count.
  strict["workload"]["qps"] = 50;
  bool saturated = false;
  const json saturated_plan = vramplan::plan_json(strict);
  for (const auto& r : saturated_plan["rejected"]) {
    const json& why = r["reason_text"];
    if (why["code"] != "plan.with_replicas" || why["reason"]["code"] != "plan.unstable.prefill_saturates") continue;
    saturated = true;
    CHECK(why["reason"]["rate"].get<double>() * i64(why["replicas"]) == Approx(50.0));
    CHECK(why["reason"]["prefill_ms"].get<double>() > 0);
  }
  CHECK(saturated);
}

TEST_CASE("planner: the seeds' deployment claims", "[planner][seeds]") {
  struct Row {
    const char* model;
    const char* weights;
    const char* gpu;
    std::int64_t count;
    const char* source;
  };
  const Row rows[] = {
      {"Qwen/Qwen3-235B-A22B", "bf16", "nvidia-rtx-pro-6000-blackwell", 8, "seed 002: Qwen3-235B-A22B -> 8 x 96 GB"},
      {"Qwen/Qwen3-235B-A22B-FP8", "", "nvidia-rtx-pro-6000-blackwell", 4,
       "seed 002: Qwen3-235B-A22B-FP8 -> 4 x 96 GB"},
      {"deepseek-ai/DeepSeek-R1", "bf16", "huawei-ascend-910b", 32,
       "seed 002: BF16 needs >= 4 Atlas 800I A2 (8 x 64 GB)"},
      {"deepseek-ai/DeepSeek-R1", "int8", "huawei-ascend-910b", 16, "seed 002: W8A8 needs >= 2 Atlas 800I A2"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.model, row.source);
    json req = vt::request(row.model, 4096, 1, row.weights);
    json f = vramplan::fit_json(req);
    REQUIRE_FALSE(f.contains("error"));
    std::int64_t count = -1;
    for (const auto& g : f["min_gpus"])
      if (g["gpu"] == row.gpu) count = i64(g["count"]);
    CHECK(count == row.count);
  }
}

TEST_CASE("planner: the first seed's 70B table", "[planner][seeds]") {
  // Seed 000's closing table: each row's hardware at 4k context, one user (the table's "+ dynamic" KV).
  struct Row {
    const char* weights;
    const char* gpu;
    int count;
    bool fits;
    const char* note;
  };
  const Row rows[] = {
      {"awq-int4", "nvidia-rtx-4090", 2, true, "INT4 on 2 x RTX 4090 (24 GB): ~40 GB with 16-bit embeddings"},
      {"awq-int4", "nvidia-rtx-3090", 2, true, "INT4 on 2 x RTX 3090"},
      {"int8", "nvidia-a100-sxm-40gb", 2, true, "INT8 on 2 x A100 40GB"},
      {"int8", "nvidia-rtx-a6000", 2, true, "INT8 on 2 x A6000 48GB"},
      {"fp8", "nvidia-h100-sxm-80gb", 1, true, "FP8 on 1 x H100: tight (embeddings/lm_head stay 16-bit)"},
      {"bf16", "nvidia-a100-sxm-80gb", 2, true, "FP16 on 2 x A100 80GB"},
      {"bf16", "nvidia-a100-sxm-40gb", 4, true, "FP16 on 4 x A100 40GB"},
      {"bf16", "nvidia-a100-sxm-80gb", 1, false, "a single A100 80GB cannot hold FP16 70B (seed: 140 GB > 80 GB)"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.note);
    json r = vt::estimate(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 1, row.weights, row.gpu, row.count));
    REQUIRE_FALSE(r.contains("error"));
    CHECK(r["fits"].get<bool>() == row.fits);
  }
  // "Long text (32k/128k) on 4 x A100 80GB": 32k fits with room for several users.
  CHECK(vt::estimate(
            vt::request("meta-llama/Llama-3.1-70B-Instruct", 32768, 4, "bf16", "nvidia-a100-sxm-80gb", 4))["fits"]
            .get<bool>());
}

TEST_CASE("planner: only valid TP is proposed, within a node", "[planner][constraints]") {
  json req = {{"model", "Qwen/QwQ-32B"},  // 40 heads, 8 KV heads: TP 1, 2, 4, 8 only
              {"workload", {{"qps", 5}, {"prompt_tokens", 2000}, {"output_tokens", 300}}},
              {"slo", {{"ttft_ms", 3000}, {"tpot_ms", 80}}},
              {"candidates", {{"max_gpus", 16}}}};
  json p = vramplan::plan_json(req);
  REQUIRE_FALSE(p.contains("error"));
  REQUIRE_FALSE(p["plans"].empty());
  const auto& catalog = vramplan::builtin_catalog();
  for (const auto& plan : p["plans"]) {
    const std::int64_t tp = i64(plan["tensor_parallel"]);
    CAPTURE(plan.dump());
    CHECK(40 % tp == 0);
    CHECK((8 % tp == 0 || tp % 8 == 0));
    CHECK(tp * i64(plan["pipeline_parallel"]) == i64(plan["gpus_per_replica"]));
    CHECK(i64(plan["total_gpus"]) <= 16);
    CHECK(tp <= catalog.find_gpu(plan["gpu"].get<std::string>())->gpus_per_node);
    CHECK(i64(plan["per_gpu_total"]) <= i64(plan["capacity"]));
  }
}

TEST_CASE("planner: more load never needs fewer GPUs — the same request gives the same ranking", "[planner]") {
  std::int64_t previous = 0;
  for (double qps : {2.0, 5.0, 10.0, 20.0, 40.0}) {
    json req = seed_plan_request();
    req["workload"]["qps"] = qps;
    req["candidates"]["gpus"] = {"nvidia-h100-sxm-80gb"};
    json p = vramplan::plan_json(req);
    REQUIRE_FALSE(p["plans"].empty());
    std::int64_t fewest = 1 << 30;
    for (const auto& plan : p["plans"])
      if (plan["meets_slo"].get<bool>()) fewest = std::min<std::int64_t>(fewest, i64(plan["total_gpus"]));
    CAPTURE(qps);
    CHECK(fewest >= previous);
    previous = fewest;
  }
  CHECK(vramplan::plan_json(seed_plan_request()).dump() == vramplan::plan_json(seed_plan_request()).dump());
}

TEST_CASE("planner: bad requests give the error object", "[planner][errors]") {
  struct Row {
    const char* text;
    const char* code;
    const char* field;
  };
  const Row rows[] = {
      {"{", "invalid_json", ""},
      {R"({"model": "meta-llama/Meta-Llama-3-70B"})", "invalid_field", "workload"},
      {R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"qps": -1}})", "invalid_field", "workload.qps"},
      {R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"prompt_tokens": 100}})", "invalid_field",
       "workload.qps"},
      {R"({"model": "x/y", "workload": {"qps": 1}})", "unknown_model", "model"},
      {R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"qps": 1}, "candidates": {"gpus": ["h1000"]}})",
       "unknown_gpu", "candidates.gpus[0]"},
      {R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"qps": 1}, "weights": ["int3"]})", "unknown_format",
       "weights[0]"},
      {R"({"model": "meta-llama/Meta-Llama-3-70B", "workload": {"qps": 1}, "slo": {"ttft_ms": "fast"}})",
       "invalid_field", "slo.ttft_ms"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    json p = json::parse(vramplan::plan_text(row.text));
    REQUIRE(p.contains("error"));
    CHECK(p["error"]["code"] == row.code);
    CHECK(p["error"]["field"] == row.field);
  }
}

TEST_CASE("planner: prices given in the request replace the catalog's", "[planner]") {
  json req = seed_plan_request();
  req["candidates"]["gpus"] = {"nvidia-h100-sxm-80gb"};
  req["candidates"]["prices"] = {{"nvidia-h100-sxm-80gb", 1.5}};
  json p = vramplan::plan_json(req);
  REQUIRE_FALSE(p.contains("error"));
  REQUIRE_FALSE(p["plans"].empty());
  for (const auto& plan : p["plans"])
    CHECK(std::abs(plan["cost_per_hour"].get<double>() - 1.5 * i64(plan["total_gpus"])) < 1e-9);
  req["candidates"]["prices"] = {{"nvidia-h100-sxm-80gb", -2}};
  CHECK(vramplan::plan_json(req)["error"]["field"] == "candidates.prices.nvidia-h100-sxm-80gb");
  req["candidates"]["prices"] = {{"h1000", 2}};
  CHECK(vramplan::plan_json(req)["error"]["code"] == "unknown_gpu");
}

TEST_CASE("planner: each engine's plans carry its own launch command, or say there is none", "[planner][launch][bug]") {
  // Regression: a plan with engine lmdeploy printed `vllm serve`. Flags from each engine's CLI
  // (docs/engines-launch.md): LMDeploy --tp/--session-len, TGI --num-shard/--max-total-tokens, trtllm-serve
  // --tp_size/--max_seq_len, SGLang --tp-size/--context-length, Ollama's environment variables.
  struct Row {
    const char* engine;
    const char* starts;
    const char* contains;
  };
  const Row rows[] = {
      {"lmdeploy", "lmdeploy serve api_server ", "--session-len 1500"},
      {"tgi", "text-generation-launcher --model-id ", "--max-total-tokens 1500"},
      {"tensorrt-llm", "trtllm-serve ", "--max_seq_len 1500"},
      {"sglang", "python -m sglang.launch_server --model-path ", "--context-length 1500"},
      {"vllm", "vllm serve ", "--max-model-len 1500"},
      {"ollama", "OLLAMA_CONTEXT_LENGTH=1500 ", "ollama serve"},
      {"llama.cpp", "llama-server -m ", " -np "},
  };
  for (const auto& row : rows) {
    CAPTURE(row.engine);
    json req = {{"model", "Qwen/Qwen3-8B"},
                {"engine", row.engine},
                {"workload", {{"concurrency", 8}, {"prompt_tokens", 1000}, {"output_tokens", 500}}},
                {"candidates", {{"gpus", {"nvidia-h100-sxm-80gb"}}, {"max_gpus", 8}}}};
    if (std::string(row.engine) == "llama.cpp" || std::string(row.engine) == "ollama") req["weights"] = "gguf-Q4_K_M";
    json r = vramplan::plan_json(req);
    REQUIRE_FALSE(r.contains("error"));
    REQUIRE_FALSE(r["plans"].empty());
    const std::string cmd = r["plans"][0]["launch_command"];
    CHECK(cmd.rfind(row.starts, 0) == 0);
    CHECK(cmd.find(row.contains) != std::string::npos);
  }
  // transformers' generate() has no launcher: the plan says so instead of printing another engine's command.
  json req = {{"model", "Qwen/Qwen3-8B"},
              {"engine", "transformers"},
              {"workload", {{"concurrency", 4}, {"prompt_tokens", 1000}, {"output_tokens", 500}}},
              {"candidates", {{"gpus", {"nvidia-h100-sxm-80gb"}}, {"max_gpus", 4}}}};
  json r = vramplan::plan_json(req);
  REQUIRE_FALSE(r["plans"].empty());
  CHECK(r["plans"][0]["launch_command"] == "");
  CHECK(r["plans"][0]["launch_note"]["code"] == "plan.launch.none");
  CHECK(r["plans"][0]["launch_note"]["engine"] == "transformers");
}
