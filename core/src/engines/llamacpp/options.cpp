// llama.cpp's and Ollama's knobs: the option table, and how the request's workload and KV dtype become
// llama.cpp's n_ctx, slots and cache types.
#include <algorithm>

#include "llamacpp.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan::llamacpp {
namespace {

// The request's kv_cache_dtype as a llama.cpp cache type; "" if llama.cpp has none of that name.
std::string cache_type_of(const KvDtype& kv, const Architecture& a) {
  if (kv.id == "fp16") return "f16";
  if (kv.id == "bf16") return a.dtype == "bfloat16" ? "f16" : "bf16";  // "auto" on a bf16 model: f16
  if (kv.id == "fp32") return a.dtype == "float32" ? "f16" : "f32";
  for (const auto& t : {"q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"})
    if (kv.id == t) return kv.id;
  return std::string();
}

// Context: llama.cpp's n_ctx is the KV size over all sequences (unified or split into n_parallel streams).
Status read_context(const Deployment& d, Options& o, EngineOutcome& out) {
  const EngineOptions& e = d.options;
  const Architecture& a = *d.arch;
  const I context = d.in->context_tokens;
  const bool ctx_given = e.given("n_ctx");
  const I n_ctx_opt = e.integer("n_ctx", 0);
  if (o.ollama) {
    const I num_ctx = ctx_given ? (n_ctx_opt == 0 ? a.max_position_embeddings : n_ctx_opt) : 4096;
    o.n_ctx_req = num_ctx * o.n_parallel;
    o.n_ctx_why = ctx_given ? Text(Msg::llamacpp_n_ctx_ollama).str("option", e.given_as("n_ctx"))
                            : Text(Msg::llamacpp_n_ctx_ollama_default);
    o.n_ctx_why.integer("num_ctx", num_ctx).integer("parallel", o.n_parallel).integer("n_ctx", o.n_ctx_req);
    if (context > num_ctx)
      out.warnings.push_back(
          Text(Msg::llamacpp_warn_ollama_truncates).integer("num_ctx", num_ctx).integer("context", context));
    if (d.seqs > o.n_parallel)
      out.warnings.push_back(
          Text(Msg::llamacpp_warn_ollama_queue).integer("requests", d.seqs).integer("parallel", o.n_parallel));
  } else if (ctx_given) {
    o.n_ctx_req = n_ctx_opt == 0 ? a.max_position_embeddings : n_ctx_opt;
    o.n_ctx_why =
        Text(n_ctx_opt == 0 ? Msg::llamacpp_n_ctx_train : Msg::llamacpp_n_ctx_given).integer("n_ctx", o.n_ctx_req);
  } else {
    // The workload: n_parallel sequences of context_tokens each. llama.cpp divides n_ctx between the
    // streams (or shares it when unified), so each sequence gets its context only when n_ctx is the product.
    o.n_ctx_req = context * o.n_parallel;
    o.n_ctx_why = Text(Msg::llamacpp_n_ctx_workload)
                      .integer("context", context)
                      .integer("parallel", o.n_parallel)
                      .integer("n_ctx", o.n_ctx_req);
  }
  if (o.n_ctx_req > kMaxCtx)
    return make_error(ErrorCode::invalid_field, ctx_given ? e.field("n_ctx") : std::string("workload"),
                      "n_ctx would be " + fmt_int(o.n_ctx_req) +
                          " tokens; llama.cpp's n_ctx is a 32-bit count (at most " + fmt_int(kMaxCtx) + ")");
  if (o.n_ctx_req < 1)
    return make_error(ErrorCode::invalid_field, e.field("n_ctx"),
                      "n_ctx must be positive (the model's training context is unknown)");
  return std::nullopt;
}

// Cache types: engine options, else the request's kv_cache_dtype, else f16 (llama.cpp's default). A quantised V
// needs flash attention (llama_init_from_model: "V cache quantization requires flash_attn").
Status read_cache_types(const Deployment& d, Options& o, bool fa_explicit_off, EngineOutcome& out) {
  const EngineOptions& e = d.options;
  const std::string both = e.choice("kv_cache_type");  // OLLAMA_KV_CACHE_TYPE
  const std::string from_request = cache_type_of(d.in->kv, *d.arch);
  if (from_request.empty() && !e.given("cache_type_k") && !e.given("cache_type_v") && both.empty())
    return make_error(ErrorCode::unsupported, "kv_cache_dtype",
                      "llama.cpp has no '" + d.in->kv.id + "' KV cache; its cache types are " +
                          "f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1 (q8_0 stores 34 B per 32 values)");
  const std::string fallback = !both.empty() ? both : (from_request.empty() ? "f16" : from_request);
  o.type_k = e.choice("cache_type_k", fallback);
  o.type_v = e.choice("cache_type_v", fallback);
  o.tk = gguf::find_type(o.type_k);
  o.tv = gguf::find_type(o.type_v);
  if (o.tv->block_elems > 1 && !o.flash_attn) {
    if (o.ollama) {
      out.warnings.push_back(Text(Msg::llamacpp_warn_ollama_kv_type_ignored).str("type", o.type_v));
      o.type_k = o.type_v = "f16";
      o.tk = o.tv = gguf::find_type("f16");
    } else if (fa_explicit_off) {
      return make_error(ErrorCode::invalid_field, "engine_options.cache_type_v",
                        "a quantized V cache (" + o.type_v +
                            ") requires flash attention in llama.cpp (\"V cache quantization requires flash_attn\"); "
                            "set flash_attn on or cache_type_v f16");
    }
  }
  return std::nullopt;
}

// Layers on the GPU: all (n_layer + 1, the output layer counted as llama.cpp counts it) unless told.
Status read_gpu_layers(const Deployment& d, Options& o) {
  const EngineOptions& e = d.options;
  const I n_layer = d.arch->num_layers;
  o.n_gpu_layers = n_layer + 1;
  if (const OptionValue* v = e.find("n_gpu_layers")) {
    if (v->number == -2) {
      o.ngl_auto = true;
    } else if (v->number >= 0 && v->number > static_cast<double>(n_layer + 1)) {
      return make_error(ErrorCode::invalid_field, e.field("n_gpu_layers"),
                        v->given_as + " must be between 0 and " + fmt_int(n_layer + 1) + " (" + fmt_int(n_layer) +
                            " layers + the output layer), -1 or \"all\" for all of them, or \"auto\"; got " +
                            fmt_int(static_cast<I>(v->number)));
    } else if (v->number >= 0) {
      o.n_gpu_layers = static_cast<I>(v->number);
    }
  }
  const I n_devices = std::max<I>(1, d.tp * d.pp);
  o.tensor_split = e.list("tensor_split");
  if (e.given("tensor_split")) {
    double sum = 0;
    for (double x : o.tensor_split) sum += x;
    if (static_cast<I>(o.tensor_split.size()) > n_devices || !(sum > 0))
      return make_error(ErrorCode::invalid_field, "engine_options.tensor_split",
                        "tensor_split must be a list of at most " + fmt_int(n_devices) +
                            " non-negative numbers (one per GPU of a replica), not all zero; got " +
                            fmt_int(static_cast<I>(o.tensor_split.size())) + " values summing to " + fmt_num(sum, 2));
  }
  return std::nullopt;
}

}  // namespace

Expected<Options> read_options(const Deployment& d, bool ollama_engine, EngineOutcome& out) {
  const EngineOptions& e = d.options;
  Options o;
  // The engine "ollama" picks the Ollama variant unless the options say otherwise.
  o.ollama = e.choice("variant", ollama_engine ? "ollama" : "llama.cpp") == "ollama";
  o.parallel_given = e.given("n_parallel");
  o.n_parallel = e.integer("n_parallel", o.ollama ? 1 : std::min(d.seqs, kMaxSeq));
  if (!o.parallel_given && !o.ollama && d.seqs > kMaxSeq)
    out.warnings.push_back(Text(Msg::llamacpp_warn_max_seq).integer("max", kMaxSeq).integer("requests", d.seqs));
  // Ollama's llama runner keeps one cache shared by its parallel slots (its logs show one n_ctx-cell pool);
  // llama.cpp with an explicit -np N splits n_ctx into N streams unless -kvu is given.
  o.kv_unified = e.boolean("kv_unified", o.ollama);
  o.swa_full = e.boolean("swa_full");
  o.no_kv_offload = e.boolean("no_kv_offload");
  // llama.cpp: -fa auto (the default since 2025) turns flash attention on where the device supports it,
  // which CUDA, ROCm and Metal do; Ollama leaves it off unless OLLAMA_FLASH_ATTENTION=1.
  const double fa = e.number("flash_attn", o.ollama ? 0.0 : -1.0);
  o.fa_text = fa == 1 ? "on" : fa == 0 ? "off" : "auto";
  o.flash_attn = fa == 1 || (fa == -1 && !o.ollama);
  const bool fa_explicit_off = e.given("flash_attn") && fa == 0;

  o.n_ubatch = e.integer("n_ubatch");
  o.n_batch = e.integer("n_batch", o.ollama ? 512 : 2048);
  o.n_ctx_pad = e.integer("n_ctx_pad");
  o.swa_pad = e.integer("swa_pad");
  o.context_bytes = e.integer("cuda_context_bytes");
  o.residual_tensors = e.integer("compute_residual_tensors");
  o.n_copies = e.integer("pipeline_copies");
  o.compute_override = e.integer("compute_buffer_bytes", -1);
  o.output_has_embd = o.ollama;  // Ollama's runner keeps embeddings beside the logits (2.02 MiB at 4 seqs)

  if (auto err = read_context(d, o, out)) return *err;
  if (auto err = read_cache_types(d, o, fa_explicit_off, out)) return *err;
  if (auto err = read_gpu_layers(d, o)) return *err;
  return o;
}

}  // namespace vramplan::llamacpp
