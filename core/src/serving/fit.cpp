// Inverse questions by search over the estimator. Every memory figure is monotone in context and in
// concurrency (tests/test_estimate.cpp checks it across the catalog), so bisection is exact.
#include "vramplan/serving/fit.hpp"

#include <algorithm>

#include "vramplan/api/api.hpp"
#include "vramplan/common/units.hpp"
#include "vramplan/engines/engines.hpp"
#include "vramplan/engines/estimate.hpp"
#include "vramplan/model/params.hpp"

namespace vramplan {
namespace {

using nlohmann::json;
using I = std::int64_t;

struct Probe {
  bool ok = false;  // the request is valid
  bool fits = false;
  I per_gpu = 0;
  I capacity = 0;
};

Probe probe(EstimateInput in) {
  in.explain = false;
  auto r = estimate(in);
  Probe p;
  if (!r) return p;
  p.ok = true;
  p.fits = r->fits;
  for (const auto& g : r->per_gpu) {
    p.per_gpu = std::max(p.per_gpu, g.total);
    p.capacity = g.capacity;
  }
  return p;
}

// Largest value in [1, hi] for which `fits(value)` holds (monotone decreasing); 0 if none.
template <class F>
I largest_fitting(I hi, F fits) {
  if (!fits(1)) return 0;
  I lo = 1;
  while (lo < hi) {
    const I mid = lo + (hi - lo + 1) / 2;
    if (fits(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

}  // namespace

json fit_json(const json& request, const Catalog& catalog) {
  std::vector<std::string> warnings;
  auto parsed = parse_estimate_request(request, catalog, &warnings);
  if (!parsed) return error_json(parsed.error());
  EstimateInput in = parsed.value();
  in.tensors = std::make_shared<const std::vector<TensorGroup>>(enumerate_tensors(in.arch));
  json out = json::object();
  const bool has_gpu = in.gpu.memory_bytes > 0;
  const I context = in.context_tokens, concurrency = in.concurrency;

  auto with_context = [&](I v) {
    EstimateInput e = in;
    e.context_tokens = v;
    return e;
  };
  auto with_concurrency = [&](I v) {
    EstimateInput e = in;
    e.concurrency = v;
    return e;
  };
  auto with_weights = [&](const std::string& id) {
    EstimateInput e = in;
    auto f = find_weight_format(id, "weights");
    if (f) e.weights = f->id == native_weight_format(in.arch).id ? native_weight_format(in.arch) : f.value();
    return e;
  };
  auto with_kv = [&](const std::string& id) {
    EstimateInput e = in;
    auto k = find_kv_dtype(id, in.arch, "kv_cache_dtype");
    if (k) e.kv = k.value();
    return e;
  };

  if (has_gpu) {
    const I model_max = in.arch.max_position_embeddings > 0 ? in.arch.max_position_embeddings : (I{1} << 24);
    out["max_context_tokens"] =
        largest_fitting(std::min<I>(model_max, I{1} << 24), [&](I v) { return probe(with_context(v)).fits; });
    out["max_context_limit"] = std::min<I>(model_max, I{1} << 24);
    out["max_concurrency"] = largest_fitting(1000000, [&](I v) { return probe(with_concurrency(v)).fits; });

    // Highest-precision weight format that fits (none above the checkpoint's own precision).
    const int native_bits = native_weight_format(in.arch).data_bits;
    json best = nullptr;
    for (const char* f : {"bf16", "fp8", "int8", "gptq-int8", "awq-int4", "gptq-int4", "nf4", "gguf-Q4_K_M",
                          "gguf-Q3_K_M", "gguf-Q2_K"}) {
      auto fmt = find_weight_format(f, "weights");
      if (!fmt || fmt->data_bits > native_bits) continue;
      if (probe(with_weights(f)).fits) {
        best = f;
        break;
      }
    }
    out["best_weights"] = best;
    json best_kv = nullptr;
    const EngineTraits* engine = find_engine(in.engine);
    const bool gguf_engine = engine && engine->llama_cpp_cache_types;
    for (const char* k :
         gguf_engine ? std::vector<const char*>{"auto", "q8_0", "q4_0"} : std::vector<const char*>{"auto", "fp8"}) {
      if (probe(with_kv(k)).fits) {
        best_kv = k;
        break;
      }
    }
    out["best_kv_cache_dtype"] = best_kv;
  }

  // Fewest GPUs of each catalog type (a power of two, TP across them, PP when TP cannot divide the heads).
  json min_gpus = json::array();
  I weight_bytes = 0;
  {
    EstimateInput e = in;
    e.explain = false;
    e.gpu = GpuEntry{};
    e.count = e.tp = e.pp = 1;
    if (auto r = estimate(e)) weight_bytes = r->weight_bytes;
  }
  for (const auto& g : catalog.gpus) {
    for (I count : {1, 2, 4, 8, 16, 32, 64}) {
      if (weight_bytes / count > g.capacity_bytes()) continue;  // the weights alone do not fit
      EstimateInput e = in;
      e.gpu = g;
      e.count = count;
      // TP stays inside one node; more GPUs than a node holds become pipeline stages; layer-splitting
      // engines use one stage per GPU.
      const EngineTraits* engine = find_engine(in.engine);
      const I tp = engine && !engine->splits_heads ? 1 : largest_valid_tp(in.arch, std::max(1, g.gpus_per_node), count);
      e.tp = tp;
      e.pp = count / tp;
      Probe p = probe(e);
      if (p.ok && p.fits) {
        min_gpus.push_back(
            {{"gpu", g.id},
             {"name", g.name},
             {"count", count},
             {"tensor_parallel", tp},
             {"pipeline_parallel", count / tp},
             {"per_gpu_total", p.per_gpu},
             {"capacity", p.capacity},
             {"price_usd_per_hour", g.price_per_hour > 0 ? json(g.price_per_hour * count) : json(nullptr)}});
        break;
      }
    }
  }
  std::stable_sort(min_gpus.begin(), min_gpus.end(), [](const json& a, const json& b) {
    return a["count"].get<I>() * a["capacity"].get<I>() < b["count"].get<I>() * b["capacity"].get<I>();
  });
  out["min_gpus"] = min_gpus;

  // What to change to fit: each change alone, with the figure it gives.
  json suggestions = json::array();
  if (has_gpu) {
    auto add = [&](const std::string& change, const EstimateInput& r, const std::string& text) {
      Probe p = probe(r);
      if (!p.ok) return;
      suggestions.push_back({{"change", change},
                             {"fits", p.fits},
                             {"per_gpu_total", p.per_gpu},
                             {"capacity", p.capacity},
                             {"text", text + ": " + fmt_gb(p.per_gpu) + " per GPU"}});
    };
    for (const char* f : {"fp8", "awq-int4"}) {
      auto fmt = find_weight_format(f, "weights");
      if (fmt && fmt->data_bits < in.weights.data_bits && fmt->data_bits <= native_weight_format(in.arch).data_bits)
        add(std::string("weights=") + f, with_weights(f), std::string("weights in ") + f);
    }
    if (in.kv.block_bytes * 8 / in.kv.block_elems > 8)
      add("kv_cache_dtype=fp8", with_kv(find_engine(in.engine)->llama_cpp_cache_types ? "q8_0" : "fp8"),
          "8-bit KV cache");
    if (context > 1024)
      add("context_tokens=" + std::to_string(context / 2), with_context(context / 2),
          "half the context (" + fmt_int(context / 2) + " tokens)");
    if (concurrency > 1)
      add("concurrency=" + std::to_string(concurrency / 2), with_concurrency(concurrency / 2),
          "half the concurrent sequences (" + fmt_int(concurrency / 2) + ")");
    {
      EstimateInput r = in;
      const I count = in.count * 2;
      const I tp = find_engine(in.engine)->splits_heads ? largest_valid_tp(in.arch, in.tp * 2, count) : 1;
      r.count = count;
      r.tp = tp;
      r.pp = count / tp;
      add("count=" + std::to_string(count), r, "twice the GPUs (" + fmt_int(count) + ", TP " + fmt_int(tp) + ")");
    }
  }
  out["suggestions"] = suggestions;
  out["warnings"] = warnings;
  return out;
}

std::string fit_text(const std::string& text) {
  return call_with_text(text, [](const json& r) { return fit_json(r); });
}

}  // namespace vramplan
