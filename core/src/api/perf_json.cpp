// perf at the JSON edge: one given deployment under one given load (API.md "Perf request and result").
// The deployment is read as an estimate request; the engine's own profile sizes the KV pool that caps the
// running batch, and serving/load.cpp runs the load on the roofline of serving/perf.cpp.
#include <algorithm>
#include <cmath>

#include "vramplan/api/api.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/serving/fit.hpp"
#include "vramplan/serving/load.hpp"

namespace vramplan {
namespace {

using nlohmann::json;
using I = std::int64_t;

Status read_load(const json& req, LoadInput& l) {
  if (!req.contains("workload") || !req["workload"].is_object())
    return make_error(ErrorCode::invalid_field, "workload",
                      "workload must be an object with prompt_tokens, output_tokens and one of concurrency, qps, "
                      "static_batch or max_throughput");
  JsonReader r(req["workload"], "workload");
  l.prompt = static_cast<double>(r.integer("prompt_tokens", 1000, 1, I{1} << 22));
  l.output = static_cast<double>(r.integer("output_tokens", 500, 1, I{1} << 22));
  l.requests = static_cast<double>(r.integer("requests", 1000, 1, 10000000));
  int modes = 0;
  if (r.has("concurrency")) ++modes, l.mode = LoadMode::concurrency, l.users = r.number("concurrency", 1, 1, 1e7);
  if (r.has("qps")) ++modes, l.mode = LoadMode::qps, l.qps = r.number("qps", 1, 1e-6, 1e7);
  if (r.has("static_batch")) ++modes, l.mode = LoadMode::static_batch, l.batch = r.number("static_batch", 1, 1, 1e7);
  if (r.has("max_throughput") && r.boolean("max_throughput", false)) ++modes, l.mode = LoadMode::max_throughput;
  if (!r.ok()) return r.error();
  if (modes != 1)
    return make_error(ErrorCode::invalid_field, "workload",
                      "give exactly one of workload.concurrency, workload.qps, workload.static_batch or "
                      "workload.max_throughput: true");
  return std::nullopt;
}

// The request's `efficiency` object over the engine family's preset; the names it set.
Status read_efficiency(const json& req, PerfFactors& f, std::vector<std::string>& set) {
  if (!req.contains("efficiency") || req["efficiency"].is_null()) return std::nullopt;
  if (!req["efficiency"].is_object())
    return make_error(ErrorCode::invalid_field, "efficiency", "efficiency must be an object");
  JsonReader e(req["efficiency"], "efficiency");
  auto take = [&](const char* name, double& v, double lo, double hi, double scale) {
    if (!e.has(name)) return;
    v = e.number(name, v * scale, lo, hi) / scale;
    set.emplace_back(name);
  };
  take("prefill_mfu", f.prefill_mfu, 0.01, 1.0, 1.0);
  take("decode_mfu", f.decode_mfu, 0.01, 1.0, 1.0);
  take("mbu", f.mbu, 0.01, 1.0, 1.0);
  take("kv_mbu", f.kv_mbu, 0.01, 1.0, 1.0);
  take("request_overhead_ms", f.request_overhead_s, 0, 100000, 1000.0);
  take("comm_efficiency", f.comm_efficiency, 0.01, 1.0, 1.0);
  take("step_overhead_ms", f.step_overhead_s, 0, 1000, 1000.0);
  take("allreduce_latency_us", f.allreduce_latency_s, 0, 100000, 1e6);
  return e.ok() ? std::nullopt : Status(e.error());
}

I report_integer(const EngineReport& r, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (const ReportValue* v = r.get(k); v && v->kind == ReportValue::Kind::integer && v->i > 0) return v->i;
  return 0;
}

json spread_ms(const Spread& s) {
  return {{"mean", s.mean * 1000.0}, {"p50", s.p50 * 1000.0}, {"p99", s.p99 * 1000.0}};
}

json assumption(const char* name, json value, Text why) {
  return {{"name", name}, {"value", std::move(value)}, {"why", std::move(why)}};
}

json assumptions_json(const PerfModel& m, const LoadInput& l, const EfficiencyPreset& preset,
                      const std::vector<std::string>& set) {
  auto why = [&](const char* name, Msg preset_msg) {
    const bool given = std::find(set.begin(), set.end(), name) != set.end();
    return given ? Text(Msg::perf_assume_given) : Text(preset_msg).text("source", Text(preset.source));
  };
  const PerfFactors& f = m.f;
  return json::array(
      {assumption("engine_family", preset.family, Text(preset.source)),
       assumption("compute_path", to_string(m.compute_path), Text(Msg::perf_assume_compute_path)),
       assumption("prefill_mfu", f.prefill_mfu, why("prefill_mfu", Msg::perf_assume_prefill_mfu)),
       assumption("decode_mfu", f.decode_mfu, why("decode_mfu", Msg::perf_assume_decode_mfu)),
       assumption("mbu", f.mbu, why("mbu", Msg::perf_assume_mbu)),
       assumption("comm_efficiency", f.comm_efficiency, why("comm_efficiency", Msg::perf_assume_comm)),
       assumption("kv_mbu", f.kv_mbu, why("kv_mbu", Msg::perf_assume_kv_mbu)),
       assumption("step_overhead_ms", f.step_overhead_s * 1000.0, why("step_overhead_ms", Msg::perf_assume_step)),
       assumption("request_overhead_ms", f.request_overhead_s * 1000.0,
                  why("request_overhead_ms", Msg::perf_assume_request)),
       assumption("allreduce_latency_us", f.allreduce_latency_s * 1e6,
                  why("allreduce_latency_us", Msg::perf_assume_allreduce)),
       assumption("kv_capacity_sequences", l.kv_capacity, Text(Msg::perf_assume_kv_capacity)),
       assumption("max_seqs", l.max_seqs, Text(Msg::perf_assume_max_seqs)),
       assumption("token_budget", l.token_budget, Text(Msg::perf_assume_token_budget)),
       assumption("lengths", "fixed", Text(Msg::perf_assume_lengths)),
       assumption("routing", "uniform", Text(Msg::plan_assume_routing))});
}

json result_json(const EstimateInput& in, const LoadInput& l, const LoadResult& r, json assumptions,
                 std::vector<Text> warnings) {
  for (auto& w : r.warnings) warnings.push_back(w);
  return json{{"ttft_ms", spread_ms(r.ttft_s)},
              {"tpot_ms", spread_ms(r.tpot_s)},
              {"e2e_ms", spread_ms(r.e2e_s)},
              {"output_tokens_per_s", r.output_tokens_per_s},
              {"requests_per_s", r.requests_per_s},
              {"total_tokens_per_s", r.requests_per_s * (l.prompt + l.output)},
              {"running_sequences", r.running},
              {"queued_requests", r.queued},
              {"kv_capacity_sequences", l.kv_capacity},
              {"step_ms", r.step_s * 1000.0},
              {"prefill_tokens_per_step", r.prefill_tokens_per_step},
              {"bound", to_string(r.bound)},
              {"saturated", r.saturated},
              {"deployment",
               {{"gpu", in.gpu.id},
                {"count", in.count},
                {"tensor_parallel", in.tp},
                {"pipeline_parallel", in.pp},
                {"replicas", l.replicas},
                {"engine", in.engine->id},
                {"weights", in.weights.id}}},
              {"workload", {{"mode", to_string(l.mode)}, {"prompt_tokens", l.prompt}, {"output_tokens", l.output}}},
              {"assumptions", std::move(assumptions)},
              {"warnings", warnings}};
}

// The running-batch cap and the step's token budget as the engine's report states them (vLLM max_num_seqs and
// max_num_batched_tokens, TGI max_batch_prefill_tokens, ...), else from its options.
void engine_limits(const EstimateInput& in, const EngineReport& report, LoadInput& l) {
  l.max_seqs = static_cast<double>(report_integer(report, {"max_num_seqs", "max_running_requests", "max_batch_size"}));
  l.token_budget = static_cast<double>(
      report_integer(report, {"max_num_batched_tokens", "max_batch_prefill_tokens", "chunked_prefill_size"}));
  if (l.token_budget <= 0 && in.options.given("max_num_tokens"))
    l.token_budget = static_cast<double>(in.options.integer("max_num_tokens"));
}

}  // namespace

json perf_json(const json& req, const Catalog& catalog) {
  if (!req.is_object())
    return error_json(make_error(ErrorCode::invalid_json, "", "the perf request must be a JSON object"));
  LoadInput load;
  if (auto err = read_load(req, load)) return error_json(*err);
  json base = req;
  base.erase("efficiency");
  base["workload"] = {{"context_tokens", static_cast<I>(load.prompt + load.output)}, {"concurrency", 1}};
  std::vector<Text> warnings;
  auto parsed = parse_estimate_request(base, catalog, &warnings);
  if (!parsed) return error_json(parsed.error());
  EstimateInput in = std::move(parsed.value());
  if (!in.tensors) in.tensors = std::make_shared<const std::vector<TensorGroup>>(enumerate_tensors(in.arch));
  load.replicas = std::max<I>(1, in.count / (in.tp * in.pp));
  EstimateInput one = in;  // one replica
  one.count = in.tp * in.pp;
  one.explain = false;
  auto r = estimate(one);
  if (!r) return error_json(r.error());
  const I pool = r->engine_report.pool_sequences;
  load.kv_capacity = static_cast<double>(pool >= 0 ? pool : (r->fits ? max_concurrency(one, I{1} << 20) : 0));
  if (!r->fits || load.kv_capacity < 1)
    warnings.push_back(Text(Msg::perf_warn_does_not_fit).integer("tokens", one.context_tokens));
  engine_limits(in, r->engine_report, load);
  std::vector<I> by_class(10, 0);
  for (const auto& c : r->weights_by_class) by_class[static_cast<std::size_t>(c.cls)] = c.bytes;
  const EfficiencyPreset& preset = efficiency_preset(in.engine->id, in.gpu);
  PerfModel m = make_perf_model(in.arch, in.weights, in.kv, in.gpu, in.tp, in.pp, by_class, r->params.active,
                                r->params.embedding, preset.factors);
  m.f = efficiency_for(in.engine->id, in.gpu, m.compute_path);
  std::vector<std::string> set;
  if (auto err = read_efficiency(req, m.f, set)) return error_json(*err);
  if (m.bandwidth <= 0 || m.flops <= 0)
    return error_json(make_error(ErrorCode::invalid_field, "hardware.gpu",
                                 "perf needs the GPU's memory bandwidth and 16-bit FLOPS (bandwidth_bytes_per_s, "
                                 "bf16_flops for an inline GPU)"));
  const LoadResult lr = serve_load(m, load);
  return result_json(in, load, lr, assumptions_json(m, load, preset, set), std::move(warnings));
}

std::string perf_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return perf_json(r); });
}

}  // namespace vramplan
