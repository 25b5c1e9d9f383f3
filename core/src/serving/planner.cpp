// The planner: for every candidate GPU type, weight format, KV dtype and replica shape (TP inside a node,
// PP across), find the fewest replicas that serve the workload within the SLOs, using the roofline model
// for latency and the engine profile for memory. Concurrency comes from Little's law.
#include "vramplan/serving/planner.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

namespace vramplan {
namespace {

using I = std::int64_t;

struct Latency {
  bool stable = false;
  double batch = 0;   // sequences in flight per replica
  double ttft_s = 0;  // P99 under the prefill queue
  double tpot_s = 0;
  double output_tokens_per_s = 0;  // per replica
  Text why;                        // when not stable
};

// A duration in milliseconds: one decimal below 100 ms.
Text ms(double s) { return Text(s < 0.1 ? Msg::plan_duration_fine : Msg::plan_duration).number("ms", s * 1000.0); }

// Little's law with the roofline: batch = rate x (TTFT + output x TPOT(batch)), solved by bisection.
// Prefills queue as an M/M/1 system (P99 wait = ln(100 rho) / (mu - lambda)) and take their share of the GPU
// away from decode steps.
Latency solve_rate(const PerfModel& m, const PlanWorkload& w, I replicas) {
  Latency out;
  const double context = static_cast<double>(w.prompt) + static_cast<double>(w.output) / 2.0;
  const double prefill = perf_figures(m, w.prompt, 1, context).prefill_s;
  auto tpot_at = [&](double b) { return decode_step_s(m, std::max(1.0, b), context); };
  const double lambda = w.qps / static_cast<double>(replicas);
  const double rho = lambda * prefill;
  if (rho >= 0.95) {
    out.why = Text(Msg::plan_unstable_prefill_saturates).number("rate", lambda).number("prefill_ms", prefill * 1000.0);
    return out;
  }
  const double mu = 1.0 / prefill;
  const double wait99 = rho * 100.0 > 1.0 ? std::log(100.0 * rho) / (mu - lambda) : 0.0;
  out.ttft_s = prefill + wait99;
  // The smallest batch b with lambda x (TTFT + output x TPOT(b)) <= b: the stable fixed point.
  auto gap = [&](double b) {
    return lambda * (prefill + static_cast<double>(w.output) * tpot_at(b) / (1.0 - rho)) - b;
  };
  double hi = 1.0;
  while (gap(hi) > 0) {
    hi *= 2.0;
    if (hi > 4e6) {
      out.why = Text(Msg::plan_unstable_decode).number("rate", lambda);
      return out;
    }
  }
  double lo = hi == 1.0 ? 0.0 : hi / 2.0;
  for (int it = 0; it < 24; ++it) {  // 2^-24 of the bracket: far below a request
    const double mid = (lo + hi) / 2.0;
    (gap(mid) > 0 ? lo : hi) = mid;
  }
  out.stable = true;
  out.batch = hi;
  out.tpot_s = tpot_at(hi) / (1.0 - rho);
  out.output_tokens_per_s = lambda * static_cast<double>(w.output);
  return out;
}

// Fixed concurrency: every sequence stays in flight; prefills share the steps.
Latency solve_users(const PerfModel& m, const PlanWorkload& w, I replicas) {
  Latency out;
  const double context = static_cast<double>(w.prompt) + static_cast<double>(w.output) / 2.0;
  const double prefill = perf_figures(m, w.prompt, 1, context).prefill_s;
  const double b = std::ceil(static_cast<double>(w.concurrency) / static_cast<double>(replicas));
  const double step = decode_step_s(m, std::max(1.0, b), context);
  const double latency = prefill + static_cast<double>(w.output) * step;
  const double rho = b / latency * prefill;
  if (rho >= 0.95) {
    out.why = Text(Msg::plan_unstable_prefill_share).number("percent", rho * 100.0);
    return out;
  }
  out.stable = true;
  out.batch = b;
  out.ttft_s = prefill / (1.0 - rho);
  out.tpot_s = step / (1.0 - rho);
  out.output_tokens_per_s =
      b / (out.ttft_s + static_cast<double>(w.output) * out.tpot_s) * static_cast<double>(w.output);
  return out;
}

Latency solve(const PerfModel& m, const PlanWorkload& w, I replicas) {
  return w.qps > 0 ? solve_rate(m, w, replicas) : solve_users(m, w, replicas);
}

bool meets(const PlanSlo& slo, const Latency& l, I replicas) {
  return (slo.ttft_s <= 0 || l.ttft_s <= slo.ttft_s) && (slo.tpot_s <= 0 || l.tpot_s <= slo.tpot_s) &&
         (slo.min_output_tokens_per_s <= 0 ||
          l.output_tokens_per_s * static_cast<double>(replicas) >= slo.min_output_tokens_per_s);
}

// One replica count's outcome for a shape.
struct Eval {
  bool memory = false, slo = false, stable = false;
  Latency lat;
  I per_gpu = 0;
  Text why;
};

// The search over one (GPU, format, KV dtype) family's replica shapes.
class Search {
 public:
  Search(const PlanRequest& req, PlanResult& out) : req_(req), out_(out), params_(count_params(*req.base.tensors)) {}

  void reject(const GpuEntry& g, I gpr, const WeightFormat& f, Text reason) {
    if (!rejected_.insert(g.id + "|" + std::to_string(gpr) + "|" + f.id).second) return;
    out_.rejected.push_back({&g, gpr, f.id, std::move(reason)});
  }

  // Weight bytes by class for a format (independent of the GPU): one estimate each.
  Status weigh(const WeightFormat& f) {
    EstimateInput in = req_.base;
    in.weights = f;
    in.kv = req_.kvs.front().kv;
    in.gpu.memory_bytes = 0;
    in.engine = &generic_engine();
    in.options.specs = generic_engine().options;
    in.context_tokens = max_len();
    auto r = estimate(in);
    if (!r) return r.error();
    std::vector<I> bytes(10, 0);
    for (const auto& c : r->weights_by_class) bytes[static_cast<std::size_t>(c.cls)] = c.bytes;
    class_bytes_[f.id] = bytes;
    return std::nullopt;
  }

  void family(const GpuEntry& g, const WeightFormat& f, const KvChoice& kv) {
    I weight_total = 0;
    for (I b : class_bytes_[f.id]) weight_total += b;
    const I node = std::max(1, g.gpus_per_node);
    const Architecture& arch = req_.base.arch;
    const bool layer_split = !req_.base.engine->splits_heads;
    // Pipeline stages add hops and no speed in this model: shapes with PP are tried only when no TP-only shape
    // (within a node) has fitted in memory.
    tp_only_fitted_ = false;
    for (I gpr = 1; gpr <= req_.max_gpus; gpr *= 2) {
      // TP inside a node: the largest power of two that divides the heads; PP takes the rest. Engines that split
      // layers instead (llama.cpp, Ollama) use one stage per GPU.
      const I tp = layer_split ? 1 : largest_valid_tp(arch, node, gpr);
      const I pp = gpr / tp;
      if (pp > arch.num_layers) continue;
      if (pp > 1 && tp_only_fitted_ && !layer_split) continue;
      if (layer_split && gpr > node) continue;  // one server
      if (static_cast<double>(weight_total) / static_cast<double>(gpr) > static_cast<double>(g.capacity_bytes())) {
        reject(g, gpr, f,
               Text(Msg::plan_reject_weights_alone)
                   .integer("need", weight_total / gpr)
                   .integer("capacity", g.capacity_bytes()));
        continue;
      }
      shape(g, f, kv, gpr, tp, pp);
    }
  }

  I max_len() const { return req_.workload.prompt + req_.workload.output; }

 private:
  // How many sequences of max_len one replica's memory holds: the engine's preallocated pool where it has one
  // (vLLM blocks, SGLang tokens, the pool engines), else by bisection on the estimate.
  struct Memory {
    I max_batch = -1;
    I pool_total = -1;  // per-GPU total of engines that preallocate their pool (independent of the load)
    Text why;
  };

  I per_gpu_total(const EstimateResult& r) {
    I t = 0;
    for (const auto& u : r.per_gpu) t = std::max(t, u.total);
    return t;
  }

  I batch_limit(EstimateInput& in, const GpuEntry& g, Memory& mem) {
    if (mem.max_batch >= 0) return mem.max_batch;
    in.concurrency = 1;
    auto r1 = estimate(in);
    if (!r1 || !r1->fits) {
      mem.why = r1 ? r1->verdict
                   : Text(Msg::plan_estimate_error)
                         .str("error", to_string(r1.error().code))
                         .str("field", r1.error().field)
                         .str("detail", r1.error().message);
      return mem.max_batch = 0;
    }
    const I r1_total = per_gpu_total(r1.value());
    if (r1->engine_report.pool_sequences >= 0) {
      mem.pool_total = r1_total;
      return mem.max_batch = r1->engine_report.pool_sequences;
    }
    auto fits = [&](I b) {
      in.concurrency = b;
      auto r = estimate(in);
      return r && r->fits;
    };
    // Memory grows almost linearly with the sequences: guess from two points, confirm at the edge, and bisect
    // only when the guess is off.
    in.concurrency = 2;
    auto r2 = estimate(in);
    const I t2 = r2 ? per_gpu_total(r2.value()) : 0;
    if (r2 && r2->fits && t2 > r1_total) {
      const I guess = 1 + (g.capacity_bytes() - r1_total) / (t2 - r1_total);
      if (guess >= 2 && guess < (I{1} << 20) && fits(guess) && !fits(guess + 1)) return mem.max_batch = guess;
    }
    I lo = 1, hi = 2;
    while (hi < (I{1} << 20) && fits(hi)) {
      lo = hi;
      hi *= 2;
    }
    if (hi >= (I{1} << 20)) return mem.max_batch = hi;
    while (lo + 1 < hi) {
      const I mid = lo + (hi - lo) / 2;
      (fits(mid) ? lo : hi) = mid;
    }
    return mem.max_batch = lo;
  }

  Eval evaluate(const PerfModel& model, EstimateInput& in, const GpuEntry& g, Memory& mem, I replicas) {
    Eval e;
    e.lat = solve(model, req_.workload, replicas);
    e.stable = e.lat.stable;
    if (!e.stable) {
      e.why = Text(Msg::plan_with_replicas).integer("replicas", replicas).text("reason", e.lat.why);
      return e;
    }
    const I batch = std::max<I>(1, static_cast<I>(std::ceil(e.lat.batch)));
    const I limit = batch_limit(in, g, mem);
    e.memory = batch <= limit;
    if (!e.memory)
      e.why = limit == 0 ? mem.why
                         : Text(Msg::plan_memory_holds)
                               .integer("sequences", limit)
                               .integer("tokens", max_len())
                               .integer("replicas", replicas)
                               .integer("needed", batch);
    e.slo = e.memory && meets(req_.slo, e.lat, replicas);
    const PlanSlo& slo = req_.slo;
    if (e.memory && !e.slo) {
      e.why = Text(Msg::plan_slo_missed).text("ttft", ms(e.lat.ttft_s)).text("tpot", ms(e.lat.tpot_s));
      if (slo.ttft_s > 0) e.why.text("ttft_target", Text(Msg::plan_target).text("target", ms(slo.ttft_s)));
      if (slo.tpot_s > 0) e.why.text("tpot_target", Text(Msg::plan_target).text("target", ms(slo.tpot_s)));
    }
    return e;
  }

  // The fewest replicas of this shape that meet the SLOs and fit; latency alone first (cheap), then memory
  // (an estimate per probe), which also improves with more replicas. Both are monotone in the replica count.
  std::pair<I, Eval> fewest_replicas(const PerfModel& model, EstimateInput& in, const GpuEntry& g, Memory& mem, I gpr) {
    const I max_replicas = std::max<I>(1, req_.max_gpus / gpr);
    auto latency_ok = [&](I replicas) {
      const Latency l = solve(model, req_.workload, replicas);
      return l.stable && meets(req_.slo, l, replicas);
    };
    I lo = 1, hi = max_replicas;
    const bool slo_reachable = latency_ok(hi);
    if (slo_reachable) {
      while (lo < hi) {
        const I mid = lo + (hi - lo) / 2;
        if (latency_ok(mid))
          hi = mid;
        else
          lo = mid + 1;
      }
    } else {
      lo = max_replicas;
    }
    Eval best = evaluate(model, in, g, mem, lo);
    if (best.memory || !best.stable) return {lo, best};
    // More replicas mean fewer sequences per replica: find the fewest that fit.
    I mlo = lo + 1, mhi = max_replicas;
    const Eval top = mlo <= mhi ? evaluate(model, in, g, mem, mhi) : best;
    if (!top.memory) return {lo, best};
    best = top;
    while (mlo < mhi) {
      const I mid = mlo + (mhi - mlo) / 2;
      Eval e = evaluate(model, in, g, mem, mid);
      if (e.memory) {
        mhi = mid;
        best = e;
      } else {
        mlo = mid + 1;
      }
    }
    if (!best.slo && slo_reachable) best = evaluate(model, in, g, mem, mhi);
    return {mhi, best};
  }

  void shape(const GpuEntry& g, const WeightFormat& f, const KvChoice& kv, I gpr, I tp, I pp) {
    const Architecture& arch = req_.base.arch;
    const PerfModel model =
        make_perf_model(arch, f, kv.kv, g, tp, pp, class_bytes_[f.id], params_.active, params_.embedding, req_.factors);
    EstimateInput in = req_.base;
    in.weights = f;
    in.kv = kv.kv;
    in.gpu = g;
    in.count = gpr;
    in.tp = tp;
    in.pp = pp;
    in.context_tokens = max_len();
    in.explain = false;
    Memory mem;
    auto [replicas, best] = fewest_replicas(model, in, g, mem, gpr);
    if (!best.memory) {
      reject(g, gpr, f, best.why.empty() ? Text(Msg::plan_reject_no_memory) : best.why);
      return;
    }
    const I seqs = std::max<I>(1, static_cast<I>(std::ceil(best.lat.batch)));
    in.concurrency = seqs;
    if (mem.pool_total >= 0) {
      best.per_gpu = mem.pool_total;
    } else if (auto final_estimate = estimate(in)) {
      best.per_gpu = per_gpu_total(final_estimate.value());
    }
    if (pp == 1) tp_only_fitted_ = true;
    const I total_gpus = replicas * gpr;
    const auto owned = req_.owned.find(g.id);
    if (owned != req_.owned.end() && total_gpus > owned->second) {
      reject(g, gpr, f, Text(Msg::plan_reject_owned).integer("needed", total_gpus).integer("owned", owned->second));
      return;
    }
    const auto price_given = req_.prices.find(g.id);
    const double price = price_given != req_.prices.end() ? price_given->second : g.price_per_hour;
    const double cost = price > 0 ? price * static_cast<double>(total_gpus) : 0.0;
    if (req_.max_cost_per_hour > 0 && cost > req_.max_cost_per_hour) {
      reject(g, gpr, f, Text(Msg::plan_reject_budget).number("cost", cost));
      return;
    }
    DeploymentPlan p;
    p.gpu = &g;
    p.gpus_per_replica = gpr;
    p.tp = tp;
    p.pp = pp;
    p.ep = arch.is_moe() ? tp : 1;
    p.replicas = replicas;
    p.total_gpus = total_gpus;
    p.weights = f.id;
    p.kv_cache_dtype = kv.kv.id;
    p.per_gpu_total = best.per_gpu;
    p.capacity = g.capacity_bytes();
    p.fits = best.memory;
    p.meets_slo = best.slo;
    p.ttft_s = best.lat.ttft_s;
    p.tpot_s = best.lat.tpot_s;
    p.concurrency_per_replica = best.lat.batch;
    p.output_tokens_per_s = best.lat.output_tokens_per_s * static_cast<double>(replicas);
    const double tokens_per_hour = p.output_tokens_per_s * 3600.0;
    p.cost_per_hour = cost;
    p.cost_per_million_output_tokens = cost > 0 && tokens_per_hour > 0 ? cost / tokens_per_hour * 1e6 : 0.0;
    p.compute_path = model.compute_path;
    p.weight_only = f.compute_path != ComputePath::bf16 && format_support(f, g) == FormatSupport::weight_only;
    p.why = best.slo ? Text(Msg::plan_meets)
                           .text("ttft", ms(best.lat.ttft_s))
                           .text("tpot", ms(best.lat.tpot_s))
                           .integer("replicas", replicas)
                     : best.why;
    launch(p, f, kv, seqs);
    out_.plans.push_back(std::move(p));
  }

  // The engine's own command for one replica, or a note saying why there is none.
  void launch(DeploymentPlan& p, const WeightFormat& f, const KvChoice& kv, I seqs) {
    const EngineProfile& e = *req_.base.engine;
    LaunchRequest r;
    r.model = req_.base.model_id;
    r.format = f;
    r.native = native_weight_format(req_.base.arch);
    r.kv = kv.kv;
    r.kv_auto = kv.is_auto;
    r.tp = p.tp;
    r.pp = p.pp;
    r.replicas = p.replicas;
    r.max_len = max_len();
    r.prompt_tokens = req_.workload.prompt;
    r.sequences = seqs;
    r.moe = req_.base.arch.is_moe();
    p.launch_command = e.launch ? e.launch(r) : std::string();
    if (p.launch_command.empty())
      p.launch_note = e.launch ? Text(Msg::plan_launch_no_option).str("engine", e.name).integer("pp", p.pp)
                               : Text(Msg::plan_launch_none).str("engine", e.name);
  }

  const PlanRequest& req_;
  PlanResult& out_;
  std::set<std::string> rejected_;
  std::map<std::string, std::vector<I>> class_bytes_;
  const ParamCount params_;
  bool tp_only_fitted_ = false;
};

// Best first: meeting the SLOs, then cheaper (unknown prices last), fewer GPUs, lower TPOT; the Pareto front of
// cost per hour vs end-to-end latency among the priced plans that meet the SLOs.
void rank(PlanResult& out, I output_tokens) {
  std::stable_sort(out.plans.begin(), out.plans.end(), [](const DeploymentPlan& a, const DeploymentPlan& b) {
    if (a.meets_slo != b.meets_slo) return a.meets_slo;
    const bool ap = a.cost_per_hour > 0, bp = b.cost_per_hour > 0;
    if (ap != bp) return ap;
    if (ap && a.cost_per_hour != b.cost_per_hour) return a.cost_per_hour < b.cost_per_hour;
    if (a.total_gpus != b.total_gpus) return a.total_gpus < b.total_gpus;
    return a.tpot_s * 1000.0 < b.tpot_s * 1000.0;
  });
  const auto latency = [&](const DeploymentPlan& p) {
    return p.ttft_s * 1000.0 + p.tpot_s * 1000.0 * static_cast<double>(output_tokens);
  };
  const auto& plans = out.plans;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!plans[i].meets_slo || plans[i].cost_per_hour <= 0) continue;
    bool dominated = false;
    for (std::size_t k = 0; k < plans.size() && !dominated; ++k) {
      if (k == i || !plans[k].meets_slo || plans[k].cost_per_hour <= 0) continue;
      const double ck = plans[k].cost_per_hour, ci = plans[i].cost_per_hour;
      dominated =
          ck <= ci && latency(plans[k]) <= latency(plans[i]) && (ck < ci || latency(plans[k]) < latency(plans[i]));
    }
    if (!dominated) out.pareto.push_back(i);
  }
}

std::vector<PlanAssumption> assumptions(const PerfFactors& f) {
  return {{"prefill_mfu", f.prefill_mfu, "", Text(Msg::plan_assume_prefill_mfu)},
          {"decode_mfu", f.decode_mfu, "", Text(Msg::plan_assume_decode_mfu)},
          {"mbu", f.mbu, "", Text(Msg::plan_assume_mbu)},
          {"comm_efficiency", f.comm_efficiency, "", Text(Msg::plan_assume_comm_efficiency)},
          {"queueing", 0, "M/M/1 prefill queue, P99 wait = ln(100 rho)/(mu - lambda)", Text(Msg::plan_assume_queueing)},
          {"routing", 0, "uniform", Text(Msg::plan_assume_routing)}};
}

}  // namespace

Expected<PlanResult> plan(const PlanRequest& request) {
  PlanRequest req = request;
  if (!req.base.tensors)
    req.base.tensors = std::make_shared<const std::vector<TensorGroup>>(enumerate_tensors(req.base.arch));
  if (req.formats.empty()) req.formats.push_back(native_weight_format(req.base.arch));
  if (req.kvs.empty()) req.kvs.push_back({find_kv_dtype("auto", req.base.arch, "kv").value(), true});
  PlanResult out;
  Search search(req, out);
  for (const auto& f : req.formats)
    if (auto err = search.weigh(f)) return *err;
  for (const GpuEntry* gp : req.gpus) {
    const GpuEntry& g = *gp;
    const double half = g.bf16_flops > 0 ? g.bf16_flops : g.fp16_flops;
    if (g.bandwidth_bytes_per_s <= 0 || half <= 0) {
      for (const auto& f : req.formats) search.reject(g, 0, f, Text(Msg::plan_reject_no_perf_figures));
      continue;
    }
    for (const auto& f : req.formats) {
      if (format_support(f, g) == FormatSupport::unsupported) {
        search.reject(g, 0, f, Text(Msg::plan_reject_no_fp8).str("gpu", g.name));
        continue;
      }
      for (const auto& kv : req.kvs) search.family(g, f, kv);
    }
  }
  rank(out, req.workload.output);
  out.concurrency = static_cast<double>(req.workload.concurrency);
  if (req.workload.qps > 0 && !out.plans.empty())
    out.concurrency = out.plans[0].concurrency_per_replica * static_cast<double>(out.plans[0].replicas);
  out.assumptions = assumptions(req.factors);
  return out;
}

}  // namespace vramplan
