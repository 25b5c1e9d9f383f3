// Engines that size their KV pool as a fraction of the memory left after the weights (TensorRT-LLM,
// TGI, LMDeploy), and HF transformers' generate(), which allocates as it goes.
#include <algorithm>
#include <cmath>

#include "deployment.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan {
namespace {

std::string gib(double b) { return fmt_gib(b); }

void warn_unknown(const nlohmann::json& j, std::initializer_list<const char*> known, const std::string& engine,
                  std::vector<std::string>& warnings) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = it.key() == "include_mtp_weights" || it.key() == "include_vision_weights";
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok)
      warnings.push_back("unknown " + engine + " option 'engine_options." + it.key().substr(0, 40) + "' was ignored");
  }
}

// One description of a "fraction of free memory" engine.
struct PoolRule {
  const char* engine;
  const char* fraction_name;  // the engine's option name
  double fraction_default;
  const char* block_name;  // tokens per block option
  I64 block_default;
  const char* report_key;  // what the engine prints
  const char* citation;
};

Expected<EngineOutcome> run_pool_engine(const Deployment& d, const PoolRule& rule) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const auto& j = in.engine_options;
  warn_unknown(j,
               {rule.fraction_name, rule.block_name, "max_num_tokens", "max_tokens", "cuda_reserved_bytes",
                "runtime_bytes", "total_gpu_memory_bytes"},
               rule.engine, out.warnings);
  JsonReader r(j, "engine_options");
  const double fraction = r.number(rule.fraction_name, rule.fraction_default, 0.01, 1.0);
  const I64 block = r.integer(rule.block_name, rule.block_default, 1, 1 << 16);
  const I64 max_num_tokens = r.integer("max_num_tokens", 8192, 1, I64{1} << 24);
  const I64 max_tokens = r.integer("max_tokens", -1, 1, I64{1} << 40);
  const I64 reserved = r.integer("cuda_reserved_bytes", 500LL << 20, 0, I64{1} << 40);
  const I64 total_given = r.integer("total_gpu_memory_bytes", -1, 1, I64{1} << 50);
  if (!r.ok()) return r.error();
  if (in.gpu.memory_bytes <= 0 && total_given < 0)
    return make_error(ErrorCode::invalid_field, "hardware.gpu",
                      std::string("the ") + rule.engine + " profile needs a GPU");
  const double total =
      total_given > 0 ? static_cast<double>(total_given) : static_cast<double>(in.gpu.capacity_bytes() - reserved);
  // Runtime buffers of one forward pass of max_num_tokens, plus the CUDA context.
  const I64 runtime =
      r.integer("runtime_bytes", max_num_tokens * activation_bytes_per_token(a, d.tp) + (512LL << 20), 0, I64{1} << 50);
  I64 min_tokens = -1;
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    const auto [first, last] = d.ranges[static_cast<std::size_t>(s)];
    I64 per_token = 0;
    for (I64 l = first; l < last; ++l) per_token += d.cache[static_cast<std::size_t>(l)].bytes_per_token();
    const I64 weights = d.stage_weights[static_cast<std::size_t>(s)];
    const double free_after = total - static_cast<double>(weights + runtime);
    const double pool = std::max(0.0, free_after * fraction);
    I64 tokens = per_token > 0 ? static_cast<I64>(pool / static_cast<double>(per_token * block)) * block : 0;
    if (max_tokens > 0) tokens = std::min(tokens, max_tokens / block * block);
    if (min_tokens < 0 || tokens < min_tokens) min_tokens = tokens;
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    u.weights = weights;
    u.kv_cache = tokens * per_token;
    u.activations = runtime - (512LL << 20);
    u.overhead = 512LL << 20;
    st.items.push_back({"weights", "Weights", weights, d.weights_explain});
    st.items.push_back({"kv_cache", "KV cache pool", u.kv_cache,
                        std::string(rule.fraction_name) + " " + fmt_num(fraction, 2) +
                            " x free after weights and runtime (" + gib(free_after) + ") = " + gib(pool) + "; / (" +
                            fmt_int(per_token) + " B per token x " + fmt_int(block) +
                            " tokens per block) = " + fmt_int(tokens) + " tokens"});
    st.items.push_back({"activations", "Runtime buffers", u.activations,
                        "max_num_tokens " + fmt_int(max_num_tokens) + " x " + activation_per_token_explain(a, d.tp)});
    st.items.push_back({"overhead.cuda_context", "CUDA context", u.overhead, "512 MiB (assumption)"});
    out.stages.push_back(std::move(st));
  }
  const I64 tokens = std::max<I64>(0, min_tokens);
  out.report = {{"engine", rule.engine},
                {rule.report_key, tokens},
                {"tokens_per_block", block},
                {"fraction", fraction},
                {"log_lines", {std::string(rule.report_key) + ": " + std::to_string(tokens)}}};
  out.has_fit = true;
  out.fits = tokens >= in.context_tokens * d.seqs;
  const std::string hw = fmt_int(in.count) + " x " + in.gpu.name;
  out.verdict =
      (out.fits ? "Fits on " + hw + " with " + rule.engine + ": " : std::string(rule.engine) + " on " + hw + ": ") +
      "the KV pool holds " + fmt_int(tokens) + " tokens per replica; the workload needs " +
      fmt_int(in.context_tokens * d.seqs) + ".";
  out.assumptions = {{"engine", rule.engine, rule.citation},
                     {rule.fraction_name, fmt_num(fraction, 2), "the engine's default unless set"},
                     {rule.block_name, fmt_int(block), "tokens per KV block"},
                     {"runtime_bytes", gib(static_cast<double>(runtime)),
                      "activation buffers for max_num_tokens + CUDA context (estimate)"}};
  out.warnings.push_back(
      std::string("the ") + rule.engine +
      " profile estimates the runtime buffers; no engine log has validated it yet (see ACCURACY.md)");
  return out;
}

}  // namespace

Expected<EngineOutcome> run_trtllm(const Deployment& d) {
  // TensorRT-LLM: "Allocated K GiB for max tokens in paged KV cache (N)", K = free_gpu_memory_fraction x free
  // after engine, context and runtime buffers (its own log lines; ENGINES.md A5).
  static const PoolRule rule{"tensorrt-llm",
                             "kv_cache_free_gpu_mem_fraction",
                             0.9,
                             "tokens_per_block",
                             64,
                             "max_tokens_in_paged_kv_cache",
                             "KvCacheConfig (free_gpu_memory_fraction, tokens_per_block)"};
  return run_pool_engine(d, rule);
}

Expected<EngineOutcome> run_tgi(const Deployment& d) {
  // TGI: after the warm-up prefill, the free memory (x cuda_memory_fraction) becomes KV blocks of 16 tokens and
  // sets max_batch_total_tokens.
  static const PoolRule rule{"tgi",
                             "cuda_memory_fraction",
                             1.0,
                             "block_size",
                             16,
                             "max_batch_total_tokens",
                             "text-generation-server warmup: free memory after the prefill warm-up"};
  return run_pool_engine(d, rule);
}

Expected<EngineOutcome> run_lmdeploy(const Deployment& d) {
  // LMDeploy TurboMind: cache_max_entry_count (0.8) of the free memory after the weights, blocks of 64 tokens.
  static const PoolRule rule{"lmdeploy",
                             "cache_max_entry_count",
                             0.8,
                             "cache_block_seq_len",
                             64,
                             "kv_cache_tokens",
                             "TurboMindEngineConfig.cache_max_entry_count"};
  return run_pool_engine(d, rule);
}

Expected<EngineOutcome> run_transformers(const Deployment& d) {
  // HF transformers generate(): weights + a cache that grows with the tokens (or is preallocated, static) +
  // the prefill's transient peak: eager attention materialises the scores, SDPA/flash do not.
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  EngineOutcome out;
  const auto& j = in.engine_options;
  warn_unknown(j, {"attn_implementation", "cache_implementation", "max_new_tokens", "full_prompt_logits"},
               "transformers", out.warnings);
  JsonReader r(j, "engine_options");
  const std::string attn = r.string("attn_implementation", "sdpa");
  const std::string cache = r.string("cache_implementation", "dynamic");
  const I64 new_tokens = r.integer("max_new_tokens", 0, 0, I64{1} << 24);
  // transformers >= 4.45 computes prefill logits for the last position only; older versions for every position.
  const bool full_logits = r.boolean("full_prompt_logits", false);
  if (!r.ok()) return r.error();
  if (attn != "sdpa" && attn != "eager" && attn != "flash_attention_2")
    return make_error(ErrorCode::invalid_field, "engine_options.attn_implementation",
                      "attn_implementation must be sdpa, eager or flash_attention_2, got '" + attn.substr(0, 30) + "'");
  if (cache != "dynamic" && cache != "static")
    return make_error(ErrorCode::invalid_field, "engine_options.cache_implementation",
                      "cache_implementation must be dynamic or static, got '" + cache.substr(0, 30) + "'");
  const I64 prompt = in.context_tokens;
  const I64 tokens = prompt + new_tokens;
  const I64 batch = d.seqs;
  const I64 act_b = element_bytes_16bit(a);
  // Eager attention: one layer's scores [batch, heads, prompt, prompt] in the model dtype, their fp32 softmax,
  // and the cast back.
  const I64 heads = a.num_heads / d.tp;
  const I64 scores = attn == "eager" ? batch * heads * prompt * prompt * (act_b + 4 + act_b) : 0;
  const I64 layer_act = batch * prompt * activation_bytes_per_token(a, d.tp);
  const I64 logits = batch * (full_logits ? prompt : 1) * a.vocab_size * (act_b + 4);
  for (I64 s = 0; s < d.pp; ++s) {
    StageOutcome st;
    auto& u = st.usage;
    u.pp_stage = static_cast<int>(s);
    u.weights = d.stage_weights[static_cast<std::size_t>(s)];
    I64 kv_seq = 0;
    const std::string kv_text = kv_stage_explain(d, static_cast<std::size_t>(s), tokens, &kv_seq);
    u.kv_cache = kv_seq * batch;
    const bool last = s == d.pp - 1;
    u.activations = std::max(scores, layer_act) + (last ? logits : 0);
    u.overhead = 512LL << 20;
    st.items.push_back({"weights", "Weights", u.weights, d.weights_explain});
    st.items.push_back({"kv_cache",
                        cache == "static" ? "Static cache (preallocated)" : "Dynamic cache at the last token",
                        u.kv_cache, kv_text + " x batch " + fmt_int(batch) + " = " + fmt_int(u.kv_cache) + " B"});
    st.items.push_back(
        {"activations", "Prefill peak", u.activations,
         (attn == "eager" ? "eager attention scores batch " + fmt_int(batch) + " x " + fmt_int(heads) + " heads x " +
                                fmt_int(prompt) + "^2 x (" + fmt_int(act_b) + " + 4 + " + fmt_int(act_b) +
                                ") B = " + fmt_int(scores) + " B vs "
                          : std::string(attn) + ": no score matrix; ") +
             "MLP/attention intermediates " + fmt_int(batch * prompt) + " tokens x " +
             activation_per_token_explain(a, d.tp) + " = " + fmt_int(layer_act) + " B" +
             (last ? "; logits " + fmt_int(batch * (full_logits ? prompt : 1)) + " positions x vocab " +
                         fmt_int(a.vocab_size) + " x (" + fmt_int(act_b) + " + 4) B = " + fmt_int(logits) + " B"
                   : "")});
    st.items.push_back(
        {"overhead.cuda_context", "CUDA context (outside max_memory_allocated)", u.overhead, "512 MiB (assumption)"});
    out.stages.push_back(std::move(st));
  }
  I64 allocated = 0;
  for (const auto& st : out.stages)
    allocated = std::max(allocated, st.usage.weights + st.usage.kv_cache + st.usage.activations);
  out.report = {{"engine", "transformers"},
                {"max_memory_allocated_bytes", allocated},
                {"attn_implementation", attn},
                {"cache_implementation", cache}};
  out.assumptions = {
      {"engine", "transformers", "generate() with the named attention and cache"},
      {"attn_implementation", attn, "sdpa is the default in transformers >= 4.36"},
      {"cache_implementation", cache, "dynamic grows with the tokens; static preallocates max length"},
      {"full_prompt_logits", full_logits ? "true" : "false", "transformers >= 4.45 keeps the last position only"}};
  return out;
}

}  // namespace vramplan
