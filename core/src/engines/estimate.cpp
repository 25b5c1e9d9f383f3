// One deployment's memory. The model split over the GPUs (each GPU's TP shard of its PP stage's layers, its
// KV cache heads and layers, its replica's sequences), then the engine's own rule stage by stage, then the
// verdict. Every line carries its formula.
#include "vramplan/engines/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "deployment.hpp"
#include "vramplan/common/strings.hpp"
#include "vramplan/common/units.hpp"
#include "vramplan/engines/rules_of_thumb.hpp"

namespace vramplan {

CheckpointChoice checkpoint_for(const LaunchRequest& r, bool fp8_on_load, bool bnb_on_load) {
  CheckpointChoice c{r.model, ""};
  if (r.format.id == r.native.id) return c;
  if (r.format.kind == FormatKind::fp8 && fp8_on_load)
    c.quantize = "fp8";
  else if (r.format.kind == FormatKind::bnb && bnb_on_load)
    c.quantize = "bitsandbytes";
  else if (starts_with(r.format.id, "awq"))
    c.model = "<an AWQ checkpoint of " + r.model + ">";
  else if (starts_with(r.format.id, "gptq"))
    c.model = "<a GPTQ checkpoint of " + r.model + ">";
  else
    c.model = "<a " + r.format.id + " checkpoint of " + r.model + ">";
  return c;
}

namespace {

using I = std::int64_t;

// vLLM's get_pp_indices: even split, the remainder going to the stages before the last.
std::vector<std::pair<I, I>> pp_ranges(I layers, I pp) {
  std::vector<I> sizes(static_cast<std::size_t>(pp), layers / pp);
  I rem = layers % pp;
  for (I i = 2; i < rem + 2; ++i) sizes[static_cast<std::size_t>(pp - i)] += 1;
  std::vector<std::pair<I, I>> out;
  I start = 0;
  for (I s : sizes) {
    out.emplace_back(start, start + s);
    start += s;
  }
  return out;
}

// A layer split the request gives (vLLM's VLLM_PP_LAYER_PARTITION, "20,12"): one count per stage, summing to the
// layers (vllm/distributed/utils.py get_pp_indices); only engines that declare pp_layer_partition read it.
Status custom_pp_ranges(const EstimateInput& in, std::vector<std::pair<I, I>>& ranges) {
  const std::vector<double>& parts = in.options.list("pp_layer_partition");
  if (parts.empty()) return std::nullopt;
  I sum = 0;
  bool whole = static_cast<I>(parts.size()) == in.pp;
  for (double p : parts) {
    whole = whole && p >= 1 && p == std::floor(p) && p <= static_cast<double>(in.arch.num_layers);
    if (whole) sum += static_cast<I>(p);
  }
  if (!whole || sum != in.arch.num_layers)
    return make_error(ErrorCode::invalid_field, in.options.field("pp_layer_partition"),
                      "pp_layer_partition: one layer count per pipeline stage, summing to the model's " +
                          std::to_string(in.arch.num_layers));
  I start = 0;
  ranges.clear();
  for (double p : parts) {
    ranges.emplace_back(start, start + static_cast<I>(p));
    start += static_cast<I>(p);
  }
  return std::nullopt;
}

// Bytes one TP rank holds of a tensor group's total `bytes`.
I shard_bytes(I bytes, Shard shard, I tp, const Architecture& a) {
  if (tp <= 1) return bytes;
  switch (shard) {
    case Shard::replicated:
      return bytes;
    case Shard::column:
    case Shard::row:
      return ceil_div(bytes, tp);
    case Shard::kv_heads:
      return a.num_kv_heads >= tp ? ceil_div(bytes, tp) : ceil_div(bytes, a.num_kv_heads);
  }
  return bytes;
}

bool loaded(const TensorGroup& g, const EstimateInput& in) {
  if (g.mtp) return in.include_mtp_weights();
  if (g.cls == TensorClass::vision) return in.include_vision_weights();
  return true;
}

Status check_parallelism(const EstimateInput& in) {
  const Architecture& a = in.arch;
  const I tp = in.tp, pp = in.pp;
  if (in.count % (tp * pp) != 0)
    return make_error(ErrorCode::invalid_field, "hardware.count",
                      "count (" + fmt_int(in.count) + ") must be a multiple of tensor_parallel x pipeline_parallel (" +
                          fmt_int(tp) + " x " + fmt_int(pp) + ")");
  // Head-divisibility binds only engines that split heads across GPUs.
  if (in.engine->splits_heads && !tp_valid(a, tp)) {
    if (a.num_heads % tp != 0)
      return make_error(ErrorCode::invalid_field, "hardware.tensor_parallel",
                        "tensor_parallel (" + fmt_int(tp) + ") must divide the number of attention heads (" +
                            fmt_int(a.num_heads) + ")");
    return make_error(ErrorCode::invalid_field, "hardware.tensor_parallel",
                      "tensor_parallel (" + fmt_int(tp) + ") and the number of KV heads (" + fmt_int(a.num_kv_heads) +
                          ") must divide one another");
  }
  if (in.ep > 1) {
    const std::string ep = "expert_parallel (" + fmt_int(in.ep) + ")";
    if (!in.engine->expert_parallel)
      return make_error(ErrorCode::invalid_field, "hardware.expert_parallel",
                        ep + ": the " + std::string(in.engine->name) + " profile has no expert parallelism");
    if (a.num_experts <= 1)
      return make_error(ErrorCode::invalid_field, "hardware.expert_parallel", ep + " needs a mixture-of-experts model");
    if (in.ep % tp != 0 || (in.count / pp) % in.ep != 0)
      return make_error(ErrorCode::invalid_field, "hardware.expert_parallel",
                        ep + " must be a multiple of tensor_parallel (" + fmt_int(tp) +
                            ") and divide the GPUs of one pipeline stage (" + fmt_int(in.count / pp) + ")");
  }
  if (pp > a.num_layers)
    return make_error(
        ErrorCode::invalid_field, "hardware.pipeline_parallel",
        "pipeline_parallel (" + fmt_int(pp) + ") exceeds the number of layers (" + fmt_int(a.num_layers) + ")");
  return std::nullopt;
}

void count_parameters(const EstimateInput& in, const std::vector<TensorGroup>& tensors, EstimateResult& r) {
  const Architecture& a = in.arch;
  r.params = count_params(tensors);
  r.checkpoint_params = r.params.total;
  const WeightFormat native = native_weight_format(a);
  for (const auto& g : tensors) r.checkpoint_params += checkpoint_scale_elements(native, g, a);
  if (a.tie_word_embeddings && a.checkpoint_stores_tied_lm_head) r.checkpoint_params += a.vocab_size * a.hidden_size;
  r.weights_format = in.weights.id;
}

// Where the bytes go beyond the nominal "parameters x bits": 16-bit tensors and quantisation metadata.
struct Nominal {
  double nominal = 0, kept_16bit_extra = 0, metadata = 0;
  std::vector<TensorClass> kept;  // classes with tensors left in 16 bits (the explanation names these)
};

std::vector<Text> kept_labels(const Nominal& n) {
  std::vector<Text> out;
  for (TensorClass c : n.kept) out.push_back(Text(tensor_class_label(c)));
  return out;
}

Text weights_text(const EstimateInput& in, const EstimateResult& r, const Nominal& n) {
  std::vector<Text> classes;
  for (const auto& cb : r.weights_by_class)
    classes.push_back(Text(Msg::weights_class)
                          .text("class", Text(tensor_class_label(cb.cls)))
                          .integer("params", cb.params)
                          .str("storage", cb.storage)
                          .integer("bytes", cb.bytes));
  Text t(Msg::weights_total);
  t.list("classes", std::move(classes)).integer("bytes", r.weight_bytes);
  if (in.weights.kind != FormatKind::plain && in.weights.kind != FormatKind::gguf)
    t.text("nominal", Text(Msg::weights_nominal)
                          .integer("bits", in.weights.data_bits)
                          .integer("nominal", static_cast<I>(n.nominal))
                          .integer("kept", static_cast<I>(n.kept_16bit_extra))
                          .list("kept_classes", kept_labels(n))
                          .integer("metadata", static_cast<I>(n.metadata)));
  if (in.ep > 1)
    t.text("ep", Text(Msg::weights_expert_parallel)
                     .integer("ep", in.ep)
                     .integer("experts", in.arch.num_experts)
                     .integer("per_gpu", ceil_div(in.arch.num_experts, in.ep)));
  return t;
}

// The weights, class by class, and each PP stage's share on one of its GPUs.
std::vector<I> split_weights(const EstimateInput& in, const std::vector<TensorGroup>& tensors,
                             const std::vector<std::pair<I, I>>& ranges, EstimateResult& r) {
  const Architecture& a = in.arch;
  const I tp = in.tp, pp = in.pp;
  std::vector<I> stage_weights(static_cast<std::size_t>(pp), 0);
  std::map<int, ClassBytes> by_class;
  Nominal n;
  for (const auto& g : tensors) {
    if (!loaded(g, in)) continue;
    const TensorBytes whole = tensor_bytes(in.weights, g, a);
    const double nominal_part = static_cast<double>(g.total_params()) * in.weights.data_bits / 8.0;
    n.nominal += nominal_part;
    const TensorClass cls = g.mtp ? TensorClass::mtp : g.cls;
    // The part left in 16 bits (a whole group, or some layers of it) is "kept"; the rest beyond nominal is metadata.
    const double kept_nominal = static_cast<double>(whole.kept_params) * in.weights.data_bits / 8.0;
    n.kept_16bit_extra += static_cast<double>(whole.kept_bytes) - kept_nominal;
    n.metadata += static_cast<double>(whole.bytes - whole.kept_bytes) - (nominal_part - kept_nominal);
    if (static_cast<double>(whole.kept_bytes) > kept_nominal &&
        std::find(n.kept.begin(), n.kept.end(), cls) == n.kept.end())
      n.kept.push_back(cls);
    auto& cb = by_class[static_cast<int>(cls)];
    cb.cls = cls;
    cb.params += g.total_params();
    cb.bytes += whole.bytes;
    if (cb.storage.empty())
      cb.storage = whole.storage;
    else if (cb.storage.find(whole.storage) == std::string::npos && cb.storage.size() < 80)
      cb.storage += ", " + whole.storage;
    r.weight_bytes += whole.bytes;
    if (g.layers.empty()) {
      const std::size_t stage = g.pp_stage_hint == 0 ? 0 : static_cast<std::size_t>(pp - 1);
      stage_weights[stage] += shard_bytes(whole.bytes, g.shard, tp, a);
      continue;
    }
    // Expert parallelism: each GPU holds whole routed experts, the busiest ceil(experts / ep) of them (vLLM
    // determine_expert_map gives the first experts % ep ranks one more), instead of a TP slice of every expert.
    const bool by_expert = in.ep > 1 && g.cls == TensorClass::experts && g.per_layer == a.num_experts;
    for (std::size_t s = 0; s < ranges.size(); ++s) {
      TensorGroup part = g;
      part.layers.clear();
      for (int l : g.layers)
        if (l >= ranges[s].first && l < ranges[s].second) part.layers.push_back(l);
      if (part.layers.empty()) continue;
      if (by_expert) {
        part.per_layer = ceil_div(g.per_layer, in.ep);
        stage_weights[s] += tensor_bytes(in.weights, part, a).bytes;
        continue;
      }
      const I bytes = part.layers.size() == g.layers.size() ? whole.bytes : tensor_bytes(in.weights, part, a).bytes;
      stage_weights[s] += shard_bytes(bytes, g.shard, tp, a);
    }
  }
  for (auto& [k, cb] : by_class) {
    (void)k;
    r.weights_by_class.push_back(cb);
  }
  if (in.explain) r.weights_explain = weights_text(in, r, n);
  const I mtp_params = r.params.per_class[static_cast<int>(TensorClass::mtp)];
  if (!in.include_mtp_weights() && mtp_params > 0)
    r.warnings.push_back(
        Text(Msg::warn_mtp_not_loaded).integer("layers", a.num_mtp_layers).integer("params", mtp_params));
  return stage_weights;
}

// The formula that ignores GQA/MLA/windows: every attention head cached in every layer.
void naive_kv(const EstimateInput& in, const std::vector<LayerCache>& layout1, EstimateResult& r) {
  const Architecture& a = in.arch;
  const I naive_per_token = 2 * a.num_layers * a.num_heads * a.q_head_dim() * in.kv.block_bytes / in.kv.block_elems;
  r.kv_naive_bytes = naive_per_token * in.context_tokens * in.concurrency;
  if (!in.explain) return;
  const double ratio = r.kv_bytes_per_sequence > 0 ? static_cast<double>(r.kv_naive_bytes) /
                                                         static_cast<double>(r.kv_bytes_per_sequence * in.concurrency)
                                                   : 0.0;
  Text t(Msg::kv_naive);
  t.integer("layers", a.num_layers)
      .integer("heads", a.num_heads)
      .integer("head_dim", a.q_head_dim())
      .text("dtype", explain_dtype(in.kv))
      .integer("tokens", in.context_tokens)
      .integer("sequences", in.concurrency)
      .integer("bytes", r.kv_naive_bytes)
      .number("ratio", ratio);
  if (a.is_mla())
    t.text("real", Text(Msg::kv_naive_mla).integer("width", a.kv_lora_rank + a.qk_rope_head_dim));
  else if (a.num_kv_heads < a.num_heads)
    t.text("real", Text(Msg::kv_naive_gqa).integer("kv_heads", a.num_kv_heads));
  const bool windows_or_states = std::any_of(layout1.begin(), layout1.end(), [](const LayerCache& l) {
    return std::any_of(l.parts.begin(), l.parts.end(),
                       [](const CacheComponent& p) { return p.holds != Holds::every_token; });
  });
  if (windows_or_states) t.text("windows", Text(Msg::kv_naive_windows));
  r.kv_naive_explain = t;
}

void kv_figures(const EstimateInput& in, EstimateResult& r) {
  const auto layout1 = cache_layout(in.arch, in.kv, 1);
  for (const auto& l : layout1) r.kv_bytes_per_token += l.bytes_per_token();  // = kv_bytes_per_token()
  r.kv_bytes_per_sequence = kv_bytes_per_sequence(layout1, in.context_tokens, 0, layout1.size());
  if (in.explain)
    r.kv_explain = Text(Msg::kv_explain_total)
                       .text("layers", explain_cache(layout1, 0, layout1.size(), in.context_tokens, 1))
                       .integer("per_sequence", r.kv_bytes_per_sequence)
                       .integer("sequences", in.concurrency)
                       .integer("total", r.kv_bytes_per_sequence * in.concurrency);
  naive_kv(in, layout1, r);
}

// Every GPU of a replica (tp ranks per stage, identical by symmetry), the busiest stage's lines.
std::vector<GpuUsage> per_gpu(const EstimateInput& in, EngineOutcome& eo, EstimateResult& r, I dp) {
  std::vector<GpuUsage> stage_usage;
  for (auto& st : eo.stages) {
    st.usage.capacity = in.gpu.capacity_bytes();
    st.usage.total = st.usage.weights + st.usage.kv_cache + st.usage.activations + st.usage.overhead;
    stage_usage.push_back(st.usage);
  }
  for (I rep = 0; rep < dp; ++rep)
    for (I s = 0; s < in.pp; ++s)
      for (I t = 0; t < in.tp; ++t) {
        GpuUsage u = stage_usage[static_cast<std::size_t>(s)];
        u.index = static_cast<int>(r.per_gpu.size());
        u.tp_rank = static_cast<int>(t);
        u.replica = static_cast<int>(rep);
        r.per_gpu.push_back(u);
      }
  std::size_t worst = 0;
  for (std::size_t s = 1; s < stage_usage.size(); ++s)
    if (stage_usage[s].total > stage_usage[worst].total) worst = s;
  r.breakdown = std::move(eo.stages[worst].items);
  if (in.explain) {
    const I total = stage_usage[worst].total;
    r.breakdown.push_back(
        {"total", Text(Msg::item_total), total, Text(Msg::item_total_explain).integer("bytes", total)});
  }
  return stage_usage;
}

void verdict(const EstimateInput& in, const EngineOutcome& eo, const std::vector<GpuUsage>& stage_usage,
             EstimateResult& r) {
  const I capacity = in.gpu.capacity_bytes();
  const GpuUsage* worst = &stage_usage.front();
  for (const auto& u : stage_usage)
    if (u.total > worst->total) worst = &u;
  const bool memory_fits =
      std::all_of(stage_usage.begin(), stage_usage.end(), [](const GpuUsage& u) { return u.total <= u.capacity; });
  r.fits = capacity > 0 && memory_fits && (!eo.has_fit || eo.fits);
  if (!in.explain) return;
  if (capacity <= 0)
    r.verdict = Text(Msg::verdict_unknown_gpu).integer("total", worst->total);
  else if (!eo.verdict.empty())
    r.verdict = eo.verdict;
  else
    r.verdict = Text(r.fits ? Msg::verdict_fits : Msg::verdict_no_fit)
                    .integer("count", in.count)
                    .str("gpu", in.gpu.name)
                    .integer("total", worst->total)
                    .integer("capacity", capacity)
                    .integer("free", capacity - worst->total)
                    .integer("short", worst->total - capacity);
}

void rules_and_assumptions(const EstimateInput& in, EngineOutcome& eo, EstimateResult& r) {
  I detailed = 0;
  for (const auto& u : r.per_gpu) detailed += u.total;
  // The seeds multiply the parameters the engine loads (no MTP module unless asked for).
  I loaded_params = r.params.total;
  if (!in.include_mtp_weights()) loaded_params -= r.params.per_class[static_cast<int>(TensorClass::mtp)];
  if (!in.include_vision_weights()) loaded_params -= r.params.per_class[static_cast<int>(TensorClass::vision)];
  if (in.explain)
    r.rules_of_thumb = rules_of_thumb(loaded_params, in.weights, r.kv_bytes_per_sequence * in.concurrency, detailed);
  r.assumptions = {
      {"include_mtp_weights", in.include_mtp_weights() ? "true" : "false", Text(Msg::assume_include_mtp_weights)},
      {"include_vision_weights", in.include_vision_weights() ? "true" : "false",
       Text(Msg::assume_include_vision_weights)}};
  for (auto& a : eo.assumptions) r.assumptions.push_back(std::move(a));
  // FP8 weights on a GPU without FP8 tensor cores: weight-only where the GPU's entry says an engine has the
  // kernel, otherwise they do not run at all (data/gpus.json "fp8_path").
  if (in.gpu.memory_bytes > 0 && in.weights.compute_path == ComputePath::fp8) {
    if (in.gpu.fp8_path == Fp8Path::none)
      r.warnings.push_back(Text(Msg::warn_fp8_unsupported).str("gpu", in.gpu.name).str("format", in.weights.id));
    else if (in.gpu.fp8_path == Fp8Path::weight_only)
      r.warnings.push_back(Text(Msg::warn_fp8_weight_only).str("gpu", in.gpu.name).str("format", in.weights.id));
  }
  const I max_pos = in.arch.max_position_embeddings;
  if (in.context_tokens > max_pos && max_pos > 0)
    r.warnings.push_back(
        Text(Msg::warn_context_beyond_model).integer("context", in.context_tokens).integer("max", max_pos));
}

}  // namespace

Expected<RuntimeTotal> runtime_total(const Deployment& d, const char* engine_name) {
  const EngineOptions& e = d.options;
  const GpuEntry& g = d.in->gpu;
  const I64 given = e.integer("total_gpu_memory_bytes", -1);
  RuntimeTotal t;
  t.assumption.name = "total_gpu_memory";
  if (given > 0) {
    t.bytes = static_cast<double>(given);
    t.assumption.why = Text(Msg::engine_assume_total_gpu_memory_given);
  } else if (g.memory_bytes <= 0) {
    return make_error(
        ErrorCode::invalid_field, "hardware.gpu",
        std::string("the ") + engine_name + " profile needs a GPU (its rule starts from the GPU's total)");
  } else if (g.inline_entry && !e.given("cuda_reserved_bytes")) {
    t.bytes = static_cast<double>(g.capacity_bytes());
    t.assumption.why = Text(Msg::engine_assume_total_gpu_memory_inline);
  } else {
    const I64 reserved = e.integer("cuda_reserved_bytes", kDefaultCudaReservedBytes);
    t.bytes = static_cast<double>(g.capacity_bytes() - reserved);
    t.assumption.why = Text(Msg::engine_assume_total_gpu_memory_catalog)
                           .integer("catalog", g.capacity_bytes())
                           .integer("reserved", reserved);
  }
  if (t.bytes <= 0)
    return make_error(ErrorCode::invalid_field, "engine_options.cuda_reserved_bytes",
                      "cuda_reserved_bytes leaves no GPU memory");
  t.assumption.value = fmt_gib(t.bytes);
  return t;
}

Text kv_stage_explain(const Deployment& d, std::size_t stage, I64 context, I64* bytes_per_sequence) {
  const auto first = static_cast<std::size_t>(d.ranges[stage].first);
  const auto last = static_cast<std::size_t>(d.ranges[stage].second);
  const I64 seq = kv_bytes_per_sequence(d.cache, context, first, last);
  if (bytes_per_sequence) *bytes_per_sequence = seq;
  if (!d.explain) return Text();
  return Text(Msg::kv_explain_stage)
      .text("layers", explain_cache(d.cache, first, last, context, d.tp))
      .integer("per_sequence", seq);
}

namespace {
I64 widest_intermediate(const Architecture& a, I64 tp) {
  const I64 heads_rank = a.num_heads / tp;
  const I64 kvh_rank = a.is_mla() ? heads_rank : (a.num_kv_heads >= tp ? a.num_kv_heads / tp : 1);
  const I64 attn_width = a.is_mla() ? heads_rank * (a.q_head_dim() + a.qk_nope_head_dim + 2 * a.v_head_dim)
                                    : heads_rank * a.head_dim + 2 * kvh_rank * a.head_dim + heads_rank * a.v_head_dim;
  I64 mlp_width = 3 * ceil_div(a.intermediate_size, tp);
  if (a.is_moe()) {
    const I64 moe = a.experts_per_token * 3 * ceil_div(a.moe_intermediate_size, tp) +
                    3 * ceil_div(a.shared_expert_intermediate_size, tp) + 2 * a.num_experts;
    mlp_width = std::max(mlp_width, moe);
  }
  return std::max(attn_width, mlp_width);
}
}  // namespace

I64 activation_bytes_per_token(const Architecture& a, I64 tp) {
  return element_bytes_16bit(a) * (2 * a.hidden_size + widest_intermediate(a, tp));
}

Text activation_per_token_explain(const Architecture& a, I64 tp) {
  Text t(Msg::activation_per_token);
  t.integer("element", element_bytes_16bit(a))
      .integer("hidden", a.hidden_size)
      .integer("widest", widest_intermediate(a, tp))
      .integer("bytes", activation_bytes_per_token(a, tp));
  if (tp > 1) t.text("per_rank", Text(Msg::kv_per_rank));
  return t;
}

Expected<EstimateResult> estimate(const EstimateInput& in) {
  const Architecture& a = in.arch;
  if (auto err = check_parallelism(in)) return *err;
  EstimateResult r;
  r.warnings = a.warnings;
  const I dp = in.count / (in.tp * in.pp);
  r.data_parallel = dp;
  r.sequences_per_replica = ceil_div(in.concurrency, dp);

  std::vector<TensorGroup> enumerated;
  if (!in.tensors) enumerated = enumerate_tensors(a);
  const std::vector<TensorGroup>& tensors = in.tensors ? *in.tensors : enumerated;
  count_parameters(in, tensors, r);
  auto ranges = pp_ranges(a.num_layers, in.pp);
  if (auto err = custom_pp_ranges(in, ranges)) return *err;
  std::vector<I> stage_weights = split_weights(in, tensors, ranges, r);
  kv_figures(in, r);

  // The engine's own rule, stage by stage.
  Deployment d;
  d.in = &in;
  d.arch = &a;
  d.tensors.list = &tensors;
  d.tp = in.tp;
  d.pp = in.pp;
  d.dp = dp;
  d.seqs = r.sequences_per_replica;
  d.ranges = ranges;
  d.stage_weights = std::move(stage_weights);
  d.cache = cache_layout(a, in.kv, in.tp);
  d.weights_explain = r.weights_explain;
  d.explain = in.explain;
  d.options = in.options;
  d.options.specs = in.engine->options;
  Expected<EngineOutcome> ran = in.engine->run(d);
  if (!ran) return ran.error();
  EngineOutcome& eo = ran.value();

  const std::vector<GpuUsage> stage_usage = per_gpu(in, eo, r, dp);
  // The workload's KV on all GPUs (what the sequences need, whatever pool an engine preallocates).
  for (const auto& [first, last] : ranges)
    r.kv_bytes += kv_bytes_per_sequence(d.cache, in.context_tokens, static_cast<std::size_t>(first),
                                        static_cast<std::size_t>(last)) *
                  d.seqs * in.tp * dp;
  r.engine_report = std::move(eo.report);
  r.host_bytes = eo.host_bytes;
  r.host_explain = std::move(eo.host_explain);
  for (auto& w : eo.warnings) r.warnings.push_back(std::move(w));
  verdict(in, eo, stage_usage, r);
  rules_and_assumptions(in, eo, r);
  return r;
}

}  // namespace vramplan
