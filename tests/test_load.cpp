// The serving model under load (serving/load.cpp) and `perf` at the JSON edge. Each figure is worked by hand
// from the step formula or follows from a law the model must keep (Little's law, the offered rate, the cap).
#include <cmath>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/api/api.hpp"
#include "vramplan/serving/load.hpp"

using vt::json;

namespace {

// A plain memory-bound replica: 10 GB of weights, 100 kB of KV per token, 2 TB/s, 1 PFLOPS, no experts.
vramplan::PerfModel toy(std::int64_t pp = 1) {
  vramplan::PerfModel m;
  m.weight_bytes_dense_per_gpu = 10e9 / static_cast<double>(pp);
  m.kv_bytes_per_token_per_gpu = 100000 / pp;
  m.flops_per_token_linear = 2e10;
  m.attention_flops_per_token_ctx = 0;
  m.layers = 32;
  m.hidden = 0;
  m.tp = 1;
  m.pp = pp;
  m.flops = 1e15;
  m.bandwidth = 2e12;
  m.link = 1e11;
  m.f.mbu = 0.5;
  m.f.kv_mbu = 0.25;
  m.f.decode_mfu = 0.5;
  m.f.prefill_mfu = 0.5;
  m.f.step_overhead_s = 1e-3;
  m.f.p2p_latency_s = 20e-6;
  m.f.request_overhead_s = 0;
  return m;
}

vramplan::LoadInput load(vramplan::LoadMode mode) {
  vramplan::LoadInput in;
  in.mode = mode;
  in.prompt = 1000;
  in.output = 200;
  in.kv_capacity = 100;
  return in;
}

}  // namespace

TEST_CASE("load: one step is the roofline of its bytes and FLOPs plus the fixed step cost", "[load]") {
  // 4 sequences at context 1,000: weights 10e9 / (2e12 x 0.5) = 10 ms, KV 4 x 1000 x 1e5 / (2e12 x 0.25) = 0.8 ms;
  // compute 4 x 2e10 / (1e15 x 0.5) = 0.16 ms, so memory-bound: 10.8 ms + 1 ms.
  const auto t = vramplan::step_time(toy(), 4, 0, 1000, 1000);
  CHECK(t.memory_s == Approx(0.0108).epsilon(1e-9));
  CHECK(t.compute_s == Approx(0.00016).epsilon(1e-9));
  CHECK(t.s == Approx(0.0118).epsilon(1e-9));
  // PP 2: micro-batches of 2 pass each half in turn: 2 x (5 ms + 2 x 1000 x 5e4 / 5e11) + one 20 us hop + 1 ms.
  const auto p = vramplan::step_time(toy(2), 4, 0, 1000, 1000);
  CHECK(p.s == Approx(2 * (0.005 + 0.0002) + 20e-6 + 0.001).epsilon(1e-9));
  // 2,000 prompt tokens in the step: 2000 x 2e10 / 5e14 = 80 ms of compute, which then binds.
  const auto q = vramplan::step_time(toy(), 4, 2000, 1000, 1000);
  CHECK(q.compute_s == Approx(0.00016 + 0.08).epsilon(1e-9));
  CHECK(q.s == Approx(0.08016 + 0.001).epsilon(1e-9));
}

TEST_CASE("load: a closed loop under the cap keeps Little's law, above it the rest wait", "[load]") {
  auto in = load(vramplan::LoadMode::concurrency);
  in.users = 8;
  const auto r = vramplan::serve_load(toy(), in);
  CHECK(r.queued == 0);
  CHECK(r.running == 8);
  CHECK(r.requests_per_s * r.e2e_s.mean == Approx(8).epsilon(1e-6));
  CHECK(r.output_tokens_per_s == Approx(r.requests_per_s * 200).epsilon(1e-12));
  // 150 users over a cap of 100: 50 wait, each for 50 / rate (Little's law on the queue).
  in.users = 100;
  const auto full = vramplan::serve_load(toy(), in);
  in.users = 150;
  const auto over = vramplan::serve_load(toy(), in);
  CHECK(over.queued == 50);
  CHECK(over.output_tokens_per_s == Approx(full.output_tokens_per_s).epsilon(1e-12));
  CHECK(over.ttft_s.mean - full.ttft_s.mean == Approx(50 / full.requests_per_s).epsilon(1e-9));
  CHECK(std::string(vramplan::to_string(over.bound)) == "kv_capacity");
}

TEST_CASE("load: Poisson arrivals are served at their rate, or the run saturates", "[load]") {
  auto in = load(vramplan::LoadMode::qps);
  in.qps = 2;
  const auto r = vramplan::serve_load(toy(), in);
  CHECK_FALSE(r.saturated);
  CHECK(r.output_tokens_per_s == Approx(2 * 200).epsilon(1e-9));
  CHECK(r.running == Approx(2 * r.e2e_s.mean).epsilon(1e-4));  // Little's law
  CHECK(r.ttft_s.p99 >= r.ttft_s.p50);
  CHECK(r.tpot_s.p99 >= r.tpot_s.p50);
  // Far beyond what 100 running sequences finish: the replica serves its closed-loop rate at the cap.
  in.qps = 1000;
  const auto s = vramplan::serve_load(toy(), in);
  auto cap = load(vramplan::LoadMode::concurrency);
  cap.users = 100;
  const auto at_cap = vramplan::serve_load(toy(), cap);
  CHECK(s.saturated);
  CHECK(std::string(vramplan::to_string(s.bound)) == "queue");
  CHECK(s.output_tokens_per_s == Approx(at_cap.output_tokens_per_s).epsilon(1e-9));
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.ttft_s.mean > at_cap.ttft_s.mean);
}

TEST_CASE("load: a static batch is one prefill then the decode steps, and replicas add up", "[load]") {
  auto in = load(vramplan::LoadMode::static_batch);
  in.batch = 16;
  const auto r = vramplan::serve_load(toy(), in);
  // Prefill of 16,000 tokens: 16000 x 2e10 / 5e14 = 640 ms of compute (> 10 ms of weights) + 1 ms.
  CHECK(r.ttft_s.mean == Approx(0.641).epsilon(1e-6));
  CHECK(r.e2e_s.mean == Approx(r.ttft_s.mean + 199 * r.tpot_s.mean).epsilon(1e-12));
  CHECK(r.output_tokens_per_s == Approx(16 * 200 / r.e2e_s.mean).epsilon(1e-12));
  in.replicas = 3;
  CHECK(vramplan::serve_load(toy(), in).output_tokens_per_s == Approx(3 * r.output_tokens_per_s).epsilon(1e-12));
}

TEST_CASE("perf: the request names the field it cannot use", "[perf][api]") {
  json req = {{"model", "meta-llama/Llama-3.1-8B-Instruct"},
              {"engine", "vllm"},
              {"hardware", {{"gpu", "nvidia-h100-sxm-80gb"}, {"count", 1}}},
              {"workload", {{"prompt_tokens", 1000}, {"output_tokens", 200}, {"concurrency", 8}, {"qps", 2}}}};
  json e = vramplan::perf_json(req);
  REQUIRE(e.contains("error"));
  CHECK(e["error"]["field"] == "workload");
  req["workload"].erase("qps");
  req["efficiency"] = {{"mbu", 2}};
  e = vramplan::perf_json(req);
  REQUIRE(e.contains("error"));
  CHECK(e["error"]["field"] == "efficiency.mbu");
  req["efficiency"] = {{"mbu", 0.6}};
  const json r = vramplan::perf_json(req);
  REQUIRE_FALSE(r.contains("error"));
  CHECK(r["kv_capacity_sequences"].get<double>() > 8);
  CHECK(r["running_sequences"].get<double>() == 8);
  bool given = false;
  for (const auto& a : r["assumptions"])
    if (a["name"] == "mbu") given = a["value"].get<double>() == 0.6 && a["why"]["code"] == "perf.assume.given";
  CHECK(given);
  CHECK(r["requests_per_s"].get<double>() * r["e2e_ms"]["mean"].get<double>() / 1000.0 == Approx(8).epsilon(1e-6));
}
