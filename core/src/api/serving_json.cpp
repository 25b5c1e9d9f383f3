// fit and plan at the JSON edge: requests -> the serving layer's structs -> results.
#include <algorithm>

#include "vramplan/api/api.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/serving/fit.hpp"
#include "vramplan/serving/planner.hpp"

namespace vramplan {
namespace {

using nlohmann::json;
using I = std::int64_t;

json fit_result_json(const FitResult& f, const std::vector<Text>& warnings) {
  json out = json::object();
  if (f.has_gpu) {
    out["max_context_tokens"] = f.max_context_tokens;
    out["max_context_limit"] = f.max_context_limit;
    out["max_concurrency"] = f.max_concurrency;
    out["best_weights"] = f.best_weights.empty() ? json(nullptr) : json(f.best_weights);
    out["best_kv_cache_dtype"] = f.best_kv_cache_dtype.empty() ? json(nullptr) : json(f.best_kv_cache_dtype);
  }
  json min_gpus = json::array();
  for (const auto& g : f.min_gpus)
    min_gpus.push_back(
        {{"gpu", g.gpu->id},
         {"name", g.gpu->name},
         {"count", g.count},
         {"tensor_parallel", g.tp},
         {"pipeline_parallel", g.pp},
         {"per_gpu_total", g.per_gpu_total},
         {"capacity", g.capacity},
         {"price_usd_per_hour",
          g.gpu->price_per_hour > 0 ? json(g.gpu->price_per_hour * static_cast<double>(g.count)) : json(nullptr)}});
  out["min_gpus"] = min_gpus;
  json suggestions = json::array();
  for (const auto& s : f.suggestions)
    suggestions.push_back({{"change", s.field + "=" + s.value},
                           {"field", s.field},
                           {"value", s.value},
                           {"fits", s.fits},
                           {"per_gpu_total", s.per_gpu_total},
                           {"capacity", s.capacity},
                           {"text", s.text}});
  out["suggestions"] = suggestions;
  out["warnings"] = warnings;
  return out;
}

// The plan request's own parts: workload, targets, efficiencies.
Status read_workload(const json& req, PlanRequest& p) {
  if (!req.contains("workload") || !req["workload"].is_object())
    return make_error(ErrorCode::invalid_field, "workload",
                      "workload must be an object with qps or concurrency, prompt_tokens and output_tokens");
  JsonReader r(req["workload"], "workload");
  p.workload.qps = r.number("qps", 0, 0, 1e7);
  p.workload.concurrency = r.integer("concurrency", 0, 0, 1000000);
  p.workload.prompt = r.integer("prompt_tokens", 1000, 1, I{1} << 22);
  p.workload.output = r.integer("output_tokens", 500, 1, I{1} << 22);
  if (!r.ok()) return r.error();
  if (p.workload.qps <= 0 && p.workload.concurrency <= 0)
    return make_error(ErrorCode::invalid_field, "workload.qps",
                      "give workload.qps (requests/s) or workload.concurrency");
  if (req.contains("slo") && !req["slo"].is_null()) {
    if (!req["slo"].is_object()) return make_error(ErrorCode::invalid_field, "slo", "slo must be an object");
    JsonReader s(req["slo"], "slo");
    p.slo.ttft_s = s.number("ttft_ms", 0, 0, 1e9) / 1000.0;
    p.slo.tpot_s = s.number("tpot_ms", 0, 0, 1e9) / 1000.0;
    p.slo.min_output_tokens_per_s = s.number("min_output_tokens_per_s", 0, 0, 1e12);
    if (!s.ok()) return s.error();
  }
  if (req.contains("efficiency") && req["efficiency"].is_object()) {
    JsonReader e(req["efficiency"], "efficiency");
    PerfFactors& f = p.factors;
    f.prefill_mfu = e.number("prefill_mfu", f.prefill_mfu, 0.01, 1.0);
    f.decode_mfu = e.number("decode_mfu", f.decode_mfu, 0.01, 1.0);
    f.mbu = e.number("mbu", f.mbu, 0.01, 1.0);
    f.comm_efficiency = e.number("comm_efficiency", f.comm_efficiency, 0.01, 1.0);
    if (!e.ok()) return e.error();
  }
  return std::nullopt;
}

// The catalog's prices are indicative: {"prices": {"nvidia-h100-sxm-80gb": 2.2}} replaces them (USD per GPU-hour).
Status read_prices(const json& c, const Catalog& catalog, PlanRequest& p) {
  if (!c.contains("prices")) return std::nullopt;
  if (!c["prices"].is_object())
    return make_error(ErrorCode::invalid_field, "candidates.prices",
                      "prices must be an object of GPU id -> USD per GPU-hour");
  for (auto it = c["prices"].begin(); it != c["prices"].end(); ++it) {
    const std::string field = "candidates.prices." + it.key().substr(0, 60);
    const GpuEntry* g = catalog.find_gpu(it.key());
    if (!g) return make_error(ErrorCode::unknown_gpu, field, "unknown GPU '" + it.key().substr(0, 60) + "'");
    if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > 1e6)
      return make_error(
          ErrorCode::invalid_field, field,
          "a price must be a number of USD per GPU-hour between 0 and 1e6, got " + describe_json_value(it.value()));
    p.prices[g->id] = it.value().get<double>();
  }
  return std::nullopt;
}

Status read_candidates(const json& req, const Catalog& catalog, PlanRequest& p) {
  if (!req.contains("candidates") || !req["candidates"].is_object()) {
    for (const auto& g : catalog.gpus) p.gpus.push_back(&g);
    return std::nullopt;
  }
  const json& c = req["candidates"];
  JsonReader r(c, "candidates");
  p.max_gpus = r.integer("max_gpus", 64, 1, 4096);
  p.max_cost_per_hour = r.number("max_cost_per_hour", 0, 0, 1e9);
  const auto ids = r.string_list("gpus");
  const auto vendors = r.string_list("vendors");
  const double min_mem = r.number("min_memory_gb", 0, 0, 1e6);
  if (!r.ok()) return r.error();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const GpuEntry* g = catalog.find_gpu(ids[i]);
    if (!g)
      return make_error(ErrorCode::unknown_gpu, "candidates.gpus[" + std::to_string(i) + "]",
                        "unknown GPU '" + ids[i].substr(0, 60) + "'");
    p.gpus.push_back(g);
  }
  if (ids.empty())
    for (const auto& g : catalog.gpus) {
      if (!vendors.empty() && std::find(vendors.begin(), vendors.end(), g.vendor) == vendors.end()) continue;
      if (static_cast<double>(g.memory_bytes) < min_mem * 1e9) continue;
      p.gpus.push_back(&g);
    }
  if (c.contains("owned") && c["owned"].is_object())
    for (auto it = c["owned"].begin(); it != c["owned"].end(); ++it)
      if (it.value().is_number_integer()) {
        const GpuEntry* g = catalog.find_gpu(it.key());
        p.owned[g ? g->id : it.key()] = it.value().get<I>();
      }
  return read_prices(c, catalog, p);
}

Status read_choices(const json& req, PlanRequest& p) {
  const Architecture& arch = p.base.arch;
  std::vector<std::string> ids;
  if (req.contains("weights")) {
    if (req["weights"].is_string()) {
      ids.push_back(req["weights"].get<std::string>());
    } else if (req["weights"].is_array()) {
      for (const auto& f : req["weights"]) {
        if (!f.is_string())
          return make_error(ErrorCode::invalid_field, "weights", "weights must be a list of format ids");
        ids.push_back(f.get<std::string>());
      }
    } else {
      return make_error(ErrorCode::invalid_field, "weights", "weights must be a format id or a list of them");
    }
  }
  const WeightFormat native = native_weight_format(arch);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto f = find_weight_format(ids[i], "weights[" + std::to_string(i) + "]");
    if (!f) return f.error();
    p.formats.push_back(f->id == native.id ? native : f.value());
  }
  std::vector<std::string> kv_ids{"auto"};
  if (req.contains("kv_cache_dtypes") && req["kv_cache_dtypes"].is_array()) {
    kv_ids.clear();
    for (const auto& k : req["kv_cache_dtypes"])
      if (k.is_string()) kv_ids.push_back(k.get<std::string>());
  }
  for (std::size_t i = 0; i < kv_ids.size(); ++i) {
    auto k = find_kv_dtype(kv_ids[i], arch, "kv_cache_dtypes[" + std::to_string(i) + "]");
    if (!k) return k.error();
    p.kvs.push_back({k.value(), kv_ids[i] == "auto"});
  }
  return std::nullopt;
}

json plan_result_json(const PlanResult& r, const PlanRequest& req) {
  json plans = json::array();
  for (const auto& p : r.plans) {
    json j = {{"gpu", p.gpu->id},
              {"gpu_name", p.gpu->name},
              {"gpus_per_replica", p.gpus_per_replica},
              {"tensor_parallel", p.tp},
              {"pipeline_parallel", p.pp},
              {"expert_parallel", p.ep},
              {"replicas", p.replicas},
              {"total_gpus", p.total_gpus},
              {"weights", p.weights},
              {"kv_cache_dtype", p.kv_cache_dtype},
              {"per_gpu_total", p.per_gpu_total},
              {"capacity", p.capacity},
              {"fits", p.fits},
              {"ttft_ms", p.ttft_s * 1000.0},
              {"tpot_ms", p.tpot_s * 1000.0},
              {"concurrency_per_replica", p.concurrency_per_replica},
              {"output_tokens_per_s", p.output_tokens_per_s},
              {"meets_slo", p.meets_slo},
              {"cost_per_hour", p.cost_per_hour > 0 ? json(p.cost_per_hour) : json(nullptr)},
              {"cost_per_million_output_tokens",
               p.cost_per_million_output_tokens > 0 ? json(p.cost_per_million_output_tokens) : json(nullptr)},
              {"compute_path", to_string(p.compute_path)},
              {"weight_only", p.weight_only},
              {"why", p.why},
              {"launch_command", p.launch_command}};
    if (!p.launch_note.empty()) j["launch_note"] = p.launch_note;
    plans.push_back(std::move(j));
  }
  json rejected = json::array();
  for (const auto& x : r.rejected)
    rejected.push_back({{"gpu", x.gpu->id},
                        {"gpus_per_replica", x.gpus_per_replica},
                        {"weights", x.weights},
                        {"reason", render(x.reason)},  // API.md: the reason is text; reason_text is the same, coded
                        {"reason_text", x.reason}});
  json assumptions = json::array();
  for (const auto& a : r.assumptions)
    assumptions.push_back(
        {{"name", a.name}, {"value", a.text.empty() ? json(a.number) : json(a.text)}, {"why", a.why}});
  const PlanWorkload& w = req.workload;
  return json{
      {"concurrency", r.concurrency},
      {"workload",
       {{"qps", w.qps}, {"concurrency", w.concurrency}, {"prompt_tokens", w.prompt}, {"output_tokens", w.output}}},
      {"engine", req.base.engine->id},
      {"plans", plans},
      {"rejected", rejected},
      {"pareto", r.pareto},
      {"assumptions", assumptions},
      {"warnings", r.warnings}};
}

}  // namespace

json fit_json(const json& request, const Catalog& catalog) {
  std::vector<Text> warnings;
  auto parsed = parse_estimate_request(request, catalog, &warnings);
  if (!parsed) return error_json(parsed.error());
  return fit_result_json(fit(parsed.value(), catalog), warnings);
}

std::string fit_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return fit_json(r); });
}

json plan_json(const json& req, const Catalog& catalog) {
  if (!req.is_object())
    return error_json(make_error(ErrorCode::invalid_json, "", "the plan request must be a JSON object"));
  // The model, engine and options are read by the estimate request parser; workload and hardware are ours.
  json base = json::object();
  for (const char* k : {"model", "engine", "engine_options"})
    if (req.contains(k)) base[k] = req[k];
  if (!base.contains("engine")) base["engine"] = "vllm";
  std::vector<Text> warnings;
  auto parsed = parse_estimate_request(base, catalog, &warnings, /*hardware_given=*/false);
  if (!parsed) return error_json(parsed.error());
  PlanRequest p;
  p.base = std::move(parsed.value());
  if (auto err = read_workload(req, p)) return error_json(*err);
  if (auto err = read_candidates(req, catalog, p)) return error_json(*err);
  if (auto err = read_choices(req, p)) return error_json(*err);
  auto result = plan(p);
  if (!result) return error_json(result.error());
  result->warnings = warnings;
  return plan_result_json(result.value(), p);
}

std::string plan_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return plan_json(r); });
}

}  // namespace vramplan
