// The planner: for every candidate GPU type, weight format, KV dtype and replica shape (TP inside a node,
// PP across), find the fewest replicas that serve the workload within the SLOs, using the roofline model
// for latency and the engine profile for memory. Concurrency comes from Little's law.
#include "vramplan/serving/planner.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "vramplan/api/api.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/units.hpp"
#include "vramplan/engines/engines.hpp"
#include "vramplan/engines/estimate.hpp"
#include "vramplan/model/params.hpp"
#include "vramplan/serving/perf.hpp"

namespace vramplan {
namespace {

using nlohmann::json;
using I = std::int64_t;

struct Workload {
  double qps = 0;  // 0 when the concurrency is given instead
  I concurrency = 0;
  I prompt = 1000;
  I output = 500;
};

struct Slo {
  double ttft_s = 0;  // 0 = no target
  double tpot_s = 0;
  double min_output_tokens_per_s = 0;
};

struct Latency {
  bool stable = false;
  double batch = 0;   // sequences in flight per replica
  double ttft_s = 0;  // P99 under the prefill queue
  double tpot_s = 0;
  double output_tokens_per_s = 0;  // per replica
  std::string why;                 // when not stable
};

// Little's law with the roofline: batch = rate x (TTFT + output x TPOT(batch)), solved by fixed-point iteration.
// Prefills queue as an M/M/1 system (P99 wait = ln(100 rho) / (mu - lambda)) and take their share of the GPU
// away from decode steps.
Latency solve(const PerfModel& m, const Workload& w, I replicas) {
  Latency out;
  const double context = static_cast<double>(w.prompt) + static_cast<double>(w.output) / 2.0;
  const double prefill = perf_figures(m, w.prompt, 1, context).prefill_s;
  auto tpot_at = [&](double b) { return decode_step_s(m, std::max(1.0, b), context); };
  if (w.qps > 0) {
    const double lambda = w.qps / static_cast<double>(replicas);
    const double rho = lambda * prefill;
    if (rho >= 0.95) {
      out.why = "prefills alone saturate one replica at " + fmt_num(lambda, 2) + " requests/s (" +
                fmt_num(prefill * 1000.0, 0) + " ms per prompt)";
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
        out.why = "decode cannot keep up with " + fmt_num(lambda, 2) +
                  " requests/s per replica: every larger batch makes each step slower than the tokens it adds";
        return out;
      }
    }
    double lo = hi / 2.0;
    if (hi == 1.0) lo = 0.0;
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
  const double b = std::ceil(static_cast<double>(w.concurrency) / static_cast<double>(replicas));
  const double step = tpot_at(b);
  const double latency = prefill + static_cast<double>(w.output) * step;
  const double lambda = b / latency;
  const double rho = lambda * prefill;
  if (rho >= 0.95) {
    out.why = "prefills take " + fmt_num(rho * 100.0, 0) + " % of the replica's time";
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

std::string launch_command(const std::string& engine, const std::string& model, const WeightFormat& fmt,
                           const WeightFormat& native, const KvDtype& kv, bool kv_auto, I tp, I pp, I replicas,
                           I max_len, I seqs, bool moe) {
  std::string q;
  std::string m = model;
  if (fmt.id != native.id) {
    if (fmt.kind == FormatKind::fp8)
      q = "fp8";
    else if (fmt.id.rfind("awq", 0) == 0)
      m = "<an AWQ checkpoint of " + model + ">";
    else if (fmt.id.rfind("gptq", 0) == 0)
      m = "<a GPTQ checkpoint of " + model + ">";
    else if (fmt.kind == FormatKind::bnb)
      q = "bitsandbytes";
  }
  if (engine == "sglang") {
    std::string c = "python -m sglang.launch_server --model-path " + m + " --tp " + std::to_string(tp);
    if (pp > 1) c += " --pp-size " + std::to_string(pp);
    if (replicas > 1) c += " --dp " + std::to_string(replicas);
    if (!q.empty()) c += " --quantization " + q;
    if (!kv_auto) c += " --kv-cache-dtype " + std::string(kv.id == "fp8" ? "fp8_e4m3" : kv.id);
    c += " --context-length " + std::to_string(max_len) + " --max-running-requests " + std::to_string(seqs);
    if (moe) c += " --enable-ep-moe";
    return c;
  }
  if (engine == "llama.cpp" || engine == "ollama") {
    // The GGUF closest to the format: its own type, BF16/F16 for 16-bit, Q8_0 for 8-bit, Q4_K_M for 4-bit.
    const std::string gguf = fmt.kind == FormatKind::gguf ? fmt.gguf_ftype
                             : fmt.data_bits >= 16        ? (fmt.id == "fp16" ? "F16" : "BF16")
                             : fmt.data_bits >= 8         ? "Q8_0"
                                                          : "Q4_K_M";
    std::string c = "llama-server -m " + model + "-" + gguf + ".gguf -ngl 999 -fa on -c " +
                    std::to_string(max_len * seqs) + " -np " + std::to_string(seqs);
    if (tp * pp > 1) c += " --split-mode layer";
    if (!kv_auto) c += " -ctk " + kv.id + " -ctv " + kv.id;
    if (replicas > 1) c += "   # x " + std::to_string(replicas) + " servers behind a load balancer";
    return c;
  }
  std::string c = "vllm serve " + m + " --tensor-parallel-size " + std::to_string(tp);
  if (pp > 1) c += " --pipeline-parallel-size " + std::to_string(pp);
  if (replicas > 1) c += " --data-parallel-size " + std::to_string(replicas);
  if (!q.empty()) c += " --quantization " + q;
  if (!kv_auto) c += " --kv-cache-dtype " + kv.id;
  if (moe && tp > 1) c += " --enable-expert-parallel";
  c += " --max-model-len " + std::to_string(max_len) + " --max-num-seqs " + std::to_string(seqs) +
       " --gpu-memory-utilization 0.9";
  return c;
}

std::string ms(double s) { return fmt_num(s * 1000.0, s < 0.1 ? 1 : 0) + " ms"; }

}  // namespace

json plan_json(const json& req, const Catalog& catalog) {
  if (!req.is_object())
    return error_json(make_error(ErrorCode::invalid_json, "", "the plan request must be a JSON object"));
  // The model, engine and options are read by the estimate request parser; workload and hardware are ours.
  json base = json::object();
  for (const char* k : {"model", "engine", "engine_options"})
    if (req.contains(k)) base[k] = req[k];
  if (!base.contains("engine")) base["engine"] = "vllm";
  std::vector<std::string> warnings;
  auto parsed = parse_estimate_request(base, catalog, &warnings);
  if (!parsed) return error_json(parsed.error());
  // The plan request names no single GPU; the estimate parser's note about that does not apply.
  warnings.erase(std::remove_if(warnings.begin(), warnings.end(),
                                [](const std::string& w) { return w.rfind("no hardware.gpu given", 0) == 0; }),
                 warnings.end());
  EstimateInput proto = parsed.value();
  const EngineTraits* engine_traits = find_engine(proto.engine);  // resolved by the parser
  proto.tensors = std::make_shared<const std::vector<TensorGroup>>(enumerate_tensors(proto.arch));
  const Architecture& arch = proto.arch;

  Workload w;
  Slo slo;
  {
    if (!req.contains("workload") || !req["workload"].is_object())
      return error_json(
          make_error(ErrorCode::invalid_field, "workload",
                     "workload must be an object with qps or concurrency, prompt_tokens and output_tokens"));
    JsonReader r(req["workload"], "workload");
    w.qps = r.number("qps", 0, 0, 1e7);
    w.concurrency = r.integer("concurrency", 0, 0, 1000000);
    w.prompt = r.integer("prompt_tokens", 1000, 1, I{1} << 22);
    w.output = r.integer("output_tokens", 500, 1, I{1} << 22);
    if (!r.ok()) return error_json(r.error());
    if (w.qps <= 0 && w.concurrency <= 0)
      return error_json(make_error(ErrorCode::invalid_field, "workload.qps",
                                   "give workload.qps (requests/s) or workload.concurrency"));
    if (req.contains("slo") && !req["slo"].is_null()) {
      if (!req["slo"].is_object())
        return error_json(make_error(ErrorCode::invalid_field, "slo", "slo must be an object"));
      JsonReader s(req["slo"], "slo");
      slo.ttft_s = s.number("ttft_ms", 0, 0, 1e9) / 1000.0;
      slo.tpot_s = s.number("tpot_ms", 0, 0, 1e9) / 1000.0;
      slo.min_output_tokens_per_s = s.number("min_output_tokens_per_s", 0, 0, 1e12);
      if (!s.ok()) return error_json(s.error());
    }
  }
  PerfFactors factors;
  if (req.contains("efficiency") && req["efficiency"].is_object()) {
    JsonReader e(req["efficiency"], "efficiency");
    factors.prefill_mfu = e.number("prefill_mfu", factors.prefill_mfu, 0.01, 1.0);
    factors.decode_mfu = e.number("decode_mfu", factors.decode_mfu, 0.01, 1.0);
    factors.mbu = e.number("mbu", factors.mbu, 0.01, 1.0);
    factors.comm_efficiency = e.number("comm_efficiency", factors.comm_efficiency, 0.01, 1.0);
    if (!e.ok()) return error_json(e.error());
  }

  // Candidates.
  std::vector<const GpuEntry*> gpus;
  I max_gpus = 64;
  double budget = 0;
  std::map<std::string, I> owned;
  std::map<std::string, double> prices;  // USD per GPU-hour given in the request
  if (req.contains("candidates") && req["candidates"].is_object()) {
    const json& c = req["candidates"];
    JsonReader r(c, "candidates");
    max_gpus = r.integer("max_gpus", 64, 1, 4096);
    budget = r.number("max_cost_per_hour", 0, 0, 1e9);
    auto ids = r.string_list("gpus");
    auto vendors = r.string_list("vendors");
    const double min_mem = r.number("min_memory_gb", 0, 0, 1e6);
    if (!r.ok()) return error_json(r.error());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const GpuEntry* g = catalog.find_gpu(ids[i]);
      if (!g)
        return error_json(make_error(ErrorCode::unknown_gpu, "candidates.gpus[" + std::to_string(i) + "]",
                                     "unknown GPU '" + ids[i].substr(0, 60) + "'"));
      gpus.push_back(g);
    }
    if (ids.empty())
      for (const auto& g : catalog.gpus) {
        if (!vendors.empty() && std::find(vendors.begin(), vendors.end(), g.vendor) == vendors.end()) continue;
        if (static_cast<double>(g.memory_bytes) < min_mem * 1e9) continue;
        gpus.push_back(&g);
      }
    if (c.contains("owned") && c["owned"].is_object())
      for (auto it = c["owned"].begin(); it != c["owned"].end(); ++it)
        if (it.value().is_number_integer()) owned[it.key()] = it.value().get<I>();
    // The catalog's prices are indicative: {"prices": {"nvidia-h100-sxm-80gb": 2.2}} replaces them (USD per GPU-hour).
    if (c.contains("prices")) {
      if (!c["prices"].is_object())
        return error_json(make_error(ErrorCode::invalid_field, "candidates.prices",
                                     "prices must be an object of GPU id -> USD per GPU-hour"));
      for (auto it = c["prices"].begin(); it != c["prices"].end(); ++it) {
        const std::string field = "candidates.prices." + it.key().substr(0, 60);
        const GpuEntry* g = catalog.find_gpu(it.key());
        if (!g)
          return error_json(make_error(ErrorCode::unknown_gpu, field, "unknown GPU '" + it.key().substr(0, 60) + "'"));
        if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > 1e6)
          return error_json(make_error(ErrorCode::invalid_field, field,
                                       "a price must be a number of USD per GPU-hour between 0 and 1e6, got " +
                                           describe_json_value(it.value())));
        prices[g->id] = it.value().get<double>();
      }
    }
  } else {
    for (const auto& g : catalog.gpus) gpus.push_back(&g);
  }
  std::vector<WeightFormat> formats;
  {
    std::vector<std::string> ids;
    if (req.contains("weights")) {
      if (req["weights"].is_string())
        ids.push_back(req["weights"].get<std::string>());
      else if (req["weights"].is_array()) {
        for (const auto& f : req["weights"])
          if (f.is_string())
            ids.push_back(f.get<std::string>());
          else
            return error_json(make_error(ErrorCode::invalid_field, "weights", "weights must be a list of format ids"));
      } else
        return error_json(
            make_error(ErrorCode::invalid_field, "weights", "weights must be a format id or a list of them"));
    }
    if (ids.empty()) formats.push_back(native_weight_format(arch));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto f = find_weight_format(ids[i], "weights[" + std::to_string(i) + "]");
      if (!f) return error_json(f.error());
      formats.push_back(f->id == native_weight_format(arch).id ? native_weight_format(arch) : f.value());
    }
  }
  std::vector<KvDtype> kvs;
  std::vector<bool> kv_auto;
  {
    std::vector<std::string> ids{"auto"};
    if (req.contains("kv_cache_dtypes") && req["kv_cache_dtypes"].is_array()) {
      ids.clear();
      for (const auto& k : req["kv_cache_dtypes"])
        if (k.is_string()) ids.push_back(k.get<std::string>());
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto k = find_kv_dtype(ids[i], arch, "kv_cache_dtypes[" + std::to_string(i) + "]");
      if (!k) return error_json(k.error());
      kvs.push_back(k.value());
      kv_auto.push_back(ids[i] == "auto");
    }
  }

  const I max_len = w.prompt + w.output;
  json plans = json::array(), rejected = json::array();
  std::map<std::string, bool> rejected_seen;
  auto reject = [&](const GpuEntry& g, I gpr, const WeightFormat& f, const std::string& reason) {
    const std::string key = g.id + "|" + std::to_string(gpr) + "|" + f.id;
    if (rejected_seen[key]) return;
    rejected_seen[key] = true;
    rejected.push_back({{"gpu", g.id}, {"gpus_per_replica", gpr}, {"weights", f.id}, {"reason", reason}});
  };

  // Weight bytes by class per format (independent of the GPU): one estimate each.
  std::map<std::string, std::vector<I>> class_bytes;
  for (const auto& f : formats) {
    EstimateInput in = proto;
    in.weights = f;
    in.kv = kvs.front();
    in.gpu.memory_bytes = 0;
    in.engine = "generic";
    in.context_tokens = max_len;
    auto r = estimate(in);
    if (!r) return error_json(r.error());
    std::vector<I> bytes(10, 0);
    for (const auto& c : r->weights_by_class) bytes[static_cast<std::size_t>(c.cls)] = c.bytes;
    class_bytes[f.id] = bytes;
  }

  const ParamCount params = count_params(*proto.tensors);
  for (const GpuEntry* gp : gpus) {
    const GpuEntry& g = *gp;
    const double half = g.bf16_flops > 0 ? g.bf16_flops : g.fp16_flops;
    if (g.bandwidth_bytes_per_s <= 0 || half <= 0) {
      for (const auto& f : formats)
        reject(g, 0, f,
               "the catalog has no bandwidth or 16-bit FLOPS figure for this GPU, so latency cannot be modelled");
      continue;
    }
    const I node = std::max(1, g.gpus_per_node);
    for (std::size_t fi = 0; fi < formats.size(); ++fi) {
      const WeightFormat& f = formats[fi];
      I weight_total = 0;
      for (I b : class_bytes[f.id]) weight_total += b;
      for (std::size_t ki = 0; ki < kvs.size(); ++ki) {
        // Pipeline stages add hops and no speed in this model: shapes with PP are tried only when no
        // TP-only shape (within a node) has fitted in memory.
        bool tp_only_fitted = false;
        for (I gpr = 1; gpr <= max_gpus; gpr *= 2) {
          // TP inside a node: the largest power of two that divides the heads; PP takes the rest. Engines
          // that split layers instead (llama.cpp, Ollama) use one stage per GPU.
          const bool layer_split = !engine_traits->splits_heads;
          const I tp = layer_split ? 1 : largest_valid_tp(arch, node, gpr);
          const I pp = gpr / tp;
          if (pp > arch.num_layers) continue;
          if (pp > 1 && tp_only_fitted && !layer_split) continue;
          if (layer_split && gpr > node) continue;  // one server
          if (static_cast<double>(weight_total) / static_cast<double>(gpr) > static_cast<double>(g.capacity_bytes())) {
            reject(g, gpr, f,
                   "the weights alone need " + fmt_gb(weight_total / gpr) + " per GPU; the GPU has " +
                       fmt_gb(g.capacity_bytes()));
            continue;
          }
          const PerfModel model =
              make_perf_model(arch, f, kvs[ki], g, tp, pp, class_bytes[f.id], params.active, params.embedding, factors);
          EstimateInput in = proto;
          in.weights = f;
          in.kv = kvs[ki];
          in.gpu = g;
          in.count = gpr;
          in.tp = tp;
          in.pp = pp;
          in.context_tokens = max_len;
          in.explain = false;
          // Memory and SLOs improve with more replicas: bisect for the fewest that meet both.
          struct Eval {
            bool memory = false, slo = false, stable = false;
            Latency lat;
            I per_gpu = 0;
            std::string why;
          };
          // How many sequences of max_len one replica's memory holds: read from the engine's own report where
          // it states it (vLLM blocks, SGLang tokens), else by bisection on the estimate.
          I max_batch = -1;
          I pool_total = -1;  // per-GPU total of engines that preallocate their pool (independent of the load)
          std::string memory_why;
          auto batch_limit = [&]() -> I {
            if (max_batch >= 0) return max_batch;
            in.concurrency = 1;
            auto r1 = estimate(in);
            if (!r1 || !r1->fits) {
              memory_why = r1 ? r1->verdict : r1.error().message;
              return max_batch = 0;
            }
            const auto& rep = r1->engine_report;
            I r1_total = 0;
            for (const auto& u : r1->per_gpu) r1_total = std::max(r1_total, u.total);
            if (rep.contains("num_gpu_blocks") && rep.contains("workload_blocks") &&
                rep["workload_blocks"].get<I>() > 0) {
              max_batch = rep["num_gpu_blocks"].get<I>() / rep["workload_blocks"].get<I>();
              pool_total = r1_total;
            } else if (rep.contains("max_total_num_tokens")) {
              max_batch = rep["max_total_num_tokens"].get<I>() / max_len;
              pool_total = r1_total;
            } else {
              auto fits = [&](I b) {
                in.concurrency = b;
                auto r = estimate(in);
                return r && r->fits;
              };
              // Memory grows almost linearly with the sequences: guess from two points, confirm at the edge,
              // and bisect only when the guess is off.
              in.concurrency = 2;
              auto r2 = estimate(in);
              I t2 = 0;
              if (r2)
                for (const auto& u : r2->per_gpu) t2 = std::max(t2, u.total);
              if (r2 && r2->fits && t2 > r1_total) {
                const I guess = 1 + (g.capacity_bytes() - r1_total) / (t2 - r1_total);
                if (guess >= 2 && guess < (I{1} << 20) && fits(guess) && !fits(guess + 1)) return max_batch = guess;
              }
              I lo = 1, hi = 2;
              while (hi < (I{1} << 20) && fits(hi)) {
                lo = hi;
                hi *= 2;
              }
              if (hi >= (I{1} << 20)) return max_batch = hi;
              while (lo + 1 < hi) {
                const I mid = lo + (hi - lo) / 2;
                (fits(mid) ? lo : hi) = mid;
              }
              max_batch = lo;
            }
            return max_batch;
          };
          auto evaluate = [&](I replicas) {
            Eval e;
            e.lat = solve(model, w, replicas);
            e.stable = e.lat.stable;
            if (!e.stable) {
              e.why = "with " + std::to_string(replicas) + " replica(s): " + e.lat.why;
              return e;
            }
            const I batch = std::max<I>(1, static_cast<I>(std::ceil(e.lat.batch)));
            const I limit = batch_limit();
            e.memory = batch <= limit;
            if (!e.memory)
              e.why = limit == 0 ? memory_why
                                 : "memory holds " + fmt_int(limit) + " sequences of " + fmt_int(max_len) +
                                       " tokens per replica; " + std::to_string(replicas) + " replica(s) need " +
                                       fmt_int(batch) + " each";
            e.slo = e.memory && (slo.ttft_s <= 0 || e.lat.ttft_s <= slo.ttft_s) &&
                    (slo.tpot_s <= 0 || e.lat.tpot_s <= slo.tpot_s) &&
                    (slo.min_output_tokens_per_s <= 0 ||
                     e.lat.output_tokens_per_s * static_cast<double>(replicas) >= slo.min_output_tokens_per_s);
            if (e.memory && !e.slo)
              e.why = "TTFT " + ms(e.lat.ttft_s) + (slo.ttft_s > 0 ? " (target " + ms(slo.ttft_s) + ")" : "") +
                      ", TPOT " + ms(e.lat.tpot_s) + (slo.tpot_s > 0 ? " (target " + ms(slo.tpot_s) + ")" : "");
            return e;
          };
          const I max_replicas = std::max<I>(1, max_gpus / gpr);
          // Latency alone first (cheap): the fewest replicas meeting the SLOs; then memory (an estimate per
          // probe), which also improves with more replicas. Both are monotone in the replica count.
          auto latency_ok = [&](I replicas) {
            const Latency l = solve(model, w, replicas);
            return l.stable && (slo.ttft_s <= 0 || l.ttft_s <= slo.ttft_s) &&
                   (slo.tpot_s <= 0 || l.tpot_s <= slo.tpot_s) &&
                   (slo.min_output_tokens_per_s <= 0 ||
                    l.output_tokens_per_s * static_cast<double>(replicas) >= slo.min_output_tokens_per_s);
          };
          I lo = 1, hi = max_replicas;
          bool slo_reachable = latency_ok(hi);
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
          Eval best = evaluate(lo);
          if (!best.memory && best.stable) {
            // More replicas mean fewer sequences per replica: find the fewest that fit.
            I mlo = lo + 1, mhi = max_replicas;
            Eval top = mlo <= mhi ? evaluate(mhi) : best;
            if (top.memory) {
              best = top;
              lo = mhi;
              while (mlo < mhi) {
                const I mid = mlo + (mhi - mlo) / 2;
                Eval e = evaluate(mid);
                if (e.memory) {
                  mhi = mid;
                  best = e;
                } else {
                  mlo = mid + 1;
                }
              }
              lo = mhi;
              if (best.slo == false && slo_reachable) best = evaluate(lo);
            }
          }
          if (!best.memory) {
            reject(g, gpr, f, best.why.empty() ? "does not fit in memory" : best.why);
            continue;
          }
          const I replicas = lo;
          in.concurrency = std::max<I>(1, static_cast<I>(std::ceil(best.lat.batch)));
          if (pool_total >= 0) {
            best.per_gpu = pool_total;
          } else if (auto final_estimate = estimate(in)) {
            for (const auto& u : final_estimate->per_gpu) best.per_gpu = std::max(best.per_gpu, u.total);
          }
          if (pp == 1) tp_only_fitted = true;
          const I total_gpus = replicas * gpr;
          if (owned.count(g.id) && total_gpus > owned[g.id]) {
            reject(g, gpr, f,
                   "needs " + std::to_string(total_gpus) + " GPUs, " + std::to_string(owned[g.id]) + " owned");
            continue;
          }
          const double price = prices.count(g.id) ? prices[g.id] : g.price_per_hour;
          const double cost = price > 0 ? price * static_cast<double>(total_gpus) : 0.0;
          if (budget > 0 && cost > budget) {
            reject(g, gpr, f, "costs " + fmt_num(cost, 2) + " USD/h, over the budget");
            continue;
          }
          const double tokens_per_hour = best.lat.output_tokens_per_s * static_cast<double>(replicas) * 3600.0;
          const bool moe = arch.is_moe();
          json plan = {
              {"gpu", g.id},
              {"gpu_name", g.name},
              {"gpus_per_replica", gpr},
              {"tensor_parallel", tp},
              {"pipeline_parallel", pp},
              {"expert_parallel", moe ? tp : 1},
              {"replicas", replicas},
              {"total_gpus", total_gpus},
              {"weights", f.id},
              {"kv_cache_dtype", kvs[ki].id},
              {"per_gpu_total", best.per_gpu},
              {"capacity", g.capacity_bytes()},
              {"fits", best.memory},
              {"ttft_ms", best.lat.ttft_s * 1000.0},
              {"tpot_ms", best.lat.tpot_s * 1000.0},
              {"concurrency_per_replica", best.lat.batch},
              {"output_tokens_per_s", best.lat.output_tokens_per_s * static_cast<double>(replicas)},
              {"meets_slo", best.slo},
              {"cost_per_hour", cost > 0 ? json(cost) : json(nullptr)},
              {"cost_per_million_output_tokens",
               cost > 0 && tokens_per_hour > 0 ? json(cost / tokens_per_hour * 1e6) : json(nullptr)},
              {"compute_path", to_string(model.compute_path)},
              {"why", best.slo ? "meets the targets: TTFT " + ms(best.lat.ttft_s) + ", TPOT " + ms(best.lat.tpot_s) +
                                     " with " + std::to_string(replicas) + " replica(s)"
                               : best.why},
              {"launch_command",
               launch_command(proto.engine, proto.model_id, f, native_weight_format(arch), kvs[ki], kv_auto[ki], tp, pp,
                              replicas, max_len, std::max<I>(1, static_cast<I>(std::ceil(best.lat.batch))), moe)}};
          plans.push_back(plan);
        }
      }
    }
  }
  // Best first: meeting the SLOs, then cheaper (unknown prices last), fewer GPUs, lower TPOT. Sorted on plain
  // numbers read once, not on JSON lookups.
  struct Key {
    bool slo;
    bool priced;
    double cost;
    I gpus;
    double tpot;
    double latency;
    std::size_t index;
  };
  std::vector<Key> keys;
  keys.reserve(plans.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& p = plans[i];
    const bool priced = p["cost_per_hour"].is_number();
    keys.push_back({p["meets_slo"].get<bool>(), priced, priced ? p["cost_per_hour"].get<double>() : 0.0,
                    p["total_gpus"].get<I>(), p["tpot_ms"].get<double>(),
                    p["ttft_ms"].get<double>() + p["tpot_ms"].get<double>() * static_cast<double>(w.output), i});
  }
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.slo != b.slo) return a.slo;
    if (a.priced != b.priced) return a.priced;
    if (a.priced && a.cost != b.cost) return a.cost < b.cost;
    if (a.gpus != b.gpus) return a.gpus < b.gpus;
    return a.tpot < b.tpot;
  });
  json sorted = json::array();
  for (const auto& k : keys) sorted.push_back(std::move(plans[k.index]));
  plans = std::move(sorted);
  // Pareto front of cost per hour vs end-to-end latency among the priced plans that meet the SLOs.
  json pareto = json::array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i].slo || !keys[i].priced) continue;
    bool dominated = false;
    for (std::size_t k = 0; k < keys.size() && !dominated; ++k) {
      if (k == i || !keys[k].slo || !keys[k].priced) continue;
      dominated = keys[k].cost <= keys[i].cost && keys[k].latency <= keys[i].latency &&
                  (keys[k].cost < keys[i].cost || keys[k].latency < keys[i].latency);
    }
    if (!dominated) pareto.push_back(i);
  }
  double concurrency = static_cast<double>(w.concurrency);
  if (w.qps > 0 && !plans.empty())
    concurrency = plans[0]["concurrency_per_replica"].get<double>() * plans[0]["replicas"].get<double>();
  json assumptions = json::array(
      {{{"name", "prefill_mfu"},
        {"value", factors.prefill_mfu},
        {"why",
         "achieved/peak tensor FLOPS in prefill (an assumption: it varies with prompt length and kernels; set "
         "efficiency.prefill_mfu)"}},
       {{"name", "decode_mfu"},
        {"value", factors.decode_mfu},
        {"why", "achieved/peak FLOPS once decode is compute-bound"}},
       {{"name", "mbu"},
        {"value", factors.mbu},
        {"why",
         "achieved/peak memory bandwidth in decode: 'real systems land around 60 to 85 percent' (open-source-ai.tech "
         "glossary, MBU); a vLLM A100 run measured 77 % (johnmusgrave.com vLLM sweep); tests/test_perf.cpp checks two "
         "published decode figures within 15 %"}},
       {{"name", "comm_efficiency"},
        {"value", factors.comm_efficiency},
        {"why", "achieved/peak link bandwidth in all-reduce"}},
       {{"name", "queueing"},
        {"value", "M/M/1 prefill queue, P99 wait = ln(100 rho)/(mu - lambda)"},
        {"why", "TTFT under load"}},
       {{"name", "routing"}, {"value", "uniform"}, {"why", "MoE decode reads 1-(1-k/E)^batch of the experts"}}});
  return json{
      {"concurrency", concurrency},
      {"workload",
       {{"qps", w.qps}, {"concurrency", w.concurrency}, {"prompt_tokens", w.prompt}, {"output_tokens", w.output}}},
      {"engine", proto.engine},
      {"plans", plans},
      {"rejected", rejected},
      {"pareto", pareto},
      {"assumptions", assumptions},
      {"warnings", warnings}};
}

std::string plan_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return plan_json(r); });
}

}  // namespace vramplan
