// Inverse questions by search over the estimator. Every memory figure is monotone in context and in
// concurrency (tests/test_estimate.cpp checks it across the catalog), so bisection is exact.
#include "vramplan/serving/fit.hpp"

#include <algorithm>
#include <memory>

namespace vramplan {
namespace {

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

// Whole bits per value of a KV dtype (q8_0's 34 B per 32 values is 8).
int kv_bits(const KvDtype& d) { return d.block_bytes * 8 / d.block_elems; }

// The input with one thing changed.
EstimateInput with_weights(const EstimateInput& in, const WeightFormat& f) {
  EstimateInput e = in;
  const WeightFormat native = native_weight_format(in.arch);
  e.weights = f.id == native.id ? native : f;  // a checkpoint in this format keeps its own exemptions
  return e;
}
EstimateInput with_kv(const EstimateInput& in, const KvDtype& k) {
  EstimateInput e = in;
  e.kv = k;
  return e;
}

// The engine's formats best first, none above the checkpoint's own precision and none the GPU cannot run.
std::vector<WeightFormat> format_ladder(const EstimateInput& in) {
  const int native_bits = native_weight_format(in.arch).data_bits;
  std::vector<WeightFormat> out;
  for (const auto& id : in.engine->format_list()) {
    auto f = find_weight_format(id, "weights");
    if (f && f->data_bits <= native_bits && format_support(f.value(), in.gpu) != FormatSupport::unsupported)
      out.push_back(f.value());
  }
  return out;
}

// The engine's KV dtypes best first: its own default, then its first 8-bit and its first 4-bit type.
std::vector<std::pair<std::string, KvDtype>> kv_ladder(const EstimateInput& in) {
  std::vector<std::pair<std::string, KvDtype>> out;
  for (int bits : {16, 8, 4})
    for (const auto& id : in.engine->kv_dtype_list()) {
      auto k = find_kv_dtype(id, in.arch, "kv_cache_dtype");
      if (!k) continue;
      if (bits == 16 ? id == "auto" : kv_bits(k.value()) == bits) {
        out.emplace_back(id, k.value());
        break;
      }
    }
  return out;
}

void limits(const EstimateInput& in, FitResult& out) {
  const I model_max = in.arch.max_position_embeddings > 0 ? in.arch.max_position_embeddings : (I{1} << 24);
  out.max_context_limit = std::min<I>(model_max, I{1} << 24);
  out.max_context_tokens = largest_fitting(out.max_context_limit, [&](I v) {
    EstimateInput e = in;
    e.context_tokens = v;
    return probe(e).fits;
  });
  out.max_concurrency = max_concurrency(in);
  for (const auto& f : format_ladder(in))
    if (probe(with_weights(in, f)).fits) {
      out.best_weights = f.id;
      break;
    }
  for (const auto& [id, k] : kv_ladder(in))
    if (probe(with_kv(in, k)).fits) {
      out.best_kv_cache_dtype = id;
      break;
    }
}

// Fewest GPUs of each catalog type (a power of two, TP across them inside a node, PP beyond; layer-splitting
// engines use one stage per GPU).
void min_gpus(const EstimateInput& in, const Catalog& catalog, FitResult& out) {
  // A lower bound of the weight bytes the engine keeps on the GPUs: what it leaves in system RAM
  // (KTransformers' routed experts, llama.cpp's host layers) does not count against the cards.
  I weight_bytes = 0;
  {
    EstimateInput e = in;
    e.explain = false;
    e.gpu = GpuEntry{};
    e.count = e.tp = e.pp = e.ep = 1;
    if (auto r = estimate(e)) weight_bytes = std::max<I>(0, r->weight_bytes - r->host_bytes);
  }
  for (const auto& g : catalog.gpus) {
    if (format_support(in.weights, g) == FormatSupport::unsupported) continue;  // e.g. FP8 on Ascend 910B
    for (I count : {1, 2, 4, 8, 16, 32, 64}) {
      if (weight_bytes / count > g.capacity_bytes()) continue;  // the weights alone do not fit
      EstimateInput e = in;
      e.gpu = g;
      e.count = count;
      e.tp = in.engine->splits_heads ? largest_valid_tp(in.arch, std::max(1, g.gpus_per_node), count) : 1;
      e.pp = count / e.tp;
      e.ep = 1;  // the TP layout of each card count (expert parallelism is the request's own choice)
      const Probe p = probe(e);
      if (p.ok && p.fits) {
        out.min_gpus.push_back({&g, count, e.tp, e.pp, p.per_gpu, p.capacity});
        break;
      }
    }
  }
  std::stable_sort(out.min_gpus.begin(), out.min_gpus.end(),
                   [](const GpuFit& a, const GpuFit& b) { return a.count * a.capacity < b.count * b.capacity; });
}

// What to change to fit: each change alone, with the figure it gives; only settings the engine takes.
void suggestions(const EstimateInput& in, FitResult& out) {
  auto add = [&](const std::string& field, const std::string& value, const EstimateInput& changed, Text change) {
    const Probe p = probe(changed);
    if (!p.ok) return;
    out.suggestions.push_back(
        {field, value, p.fits, p.per_gpu, p.capacity,
         Text(Msg::fit_suggestion).text("change", std::move(change)).integer("per_gpu", p.per_gpu)});
  };
  bool eight = false, four = false;
  for (const auto& f : format_ladder(in)) {
    if (f.data_bits >= in.weights.data_bits) continue;
    if ((f.data_bits == 8 && !eight) || (f.data_bits == 4 && !four)) {
      (f.data_bits == 8 ? eight : four) = true;
      // Say so where the GPU's entry states that FP8 runs weight-only (A100: vLLM's FP8 Marlin kernel).
      const bool weight_only = f.compute_path == ComputePath::fp8 && in.gpu.fp8_path == Fp8Path::weight_only;
      add("weights", f.id, with_weights(in, f),
          Text(weight_only ? Msg::fit_change_weights_weight_only : Msg::fit_change_weights).str("format", f.id));
    }
  }
  if (kv_bits(in.kv) > 8)
    for (const auto& [id, k] : kv_ladder(in))
      if (kv_bits(k) == 8) add("kv_cache_dtype", id, with_kv(in, k), Text(Msg::fit_change_kv_8bit).str("dtype", id));
  const I context = in.context_tokens, concurrency = in.concurrency;
  if (context > 1024) {
    EstimateInput e = in;
    e.context_tokens = context / 2;
    add("context_tokens", std::to_string(context / 2), e,
        Text(Msg::fit_change_half_context).integer("tokens", context / 2));
  }
  if (concurrency > 1) {
    EstimateInput e = in;
    e.concurrency = concurrency / 2;
    add("concurrency", std::to_string(concurrency / 2), e,
        Text(Msg::fit_change_half_concurrency).integer("sequences", concurrency / 2));
  }
  EstimateInput e = in;
  e.count = in.count * 2;
  e.tp = in.engine->splits_heads ? largest_valid_tp(in.arch, in.tp * 2, e.count) : 1;
  e.pp = e.count / e.tp;
  if (in.ep > 1) e.ep = e.count / e.pp;  // experts stay spread over every GPU of a stage
  add("count", std::to_string(e.count), e,
      Text(Msg::fit_change_double_gpus).integer("count", e.count).integer("tp", e.tp));
}

}  // namespace

I max_concurrency(const EstimateInput& in, I limit) {
  return largest_fitting(limit, [&](I v) {
    EstimateInput e = in;
    e.concurrency = v;
    return probe(e).fits;
  });
}

FitResult fit(const EstimateInput& input, const Catalog& catalog) {
  EstimateInput in = input;
  if (!in.tensors) in.tensors = std::make_shared<const std::vector<TensorGroup>>(enumerate_tensors(in.arch));
  FitResult out;
  out.has_gpu = in.gpu.memory_bytes > 0;
  if (out.has_gpu) limits(in, out);
  min_gpus(in, catalog, out);
  if (out.has_gpu) suggestions(in, out);
  return out;
}

}  // namespace vramplan
