// The llama.cpp / llama-server / Ollama profile: the buffers llama.cpp allocates, device by device,
// computed the way llama.cpp sizes them and printed the way its log prints them.
//
// Rules and where they were read (ggml-org/llama.cpp; see also docs/reference/ENGINES.md §A4):
//   * KV cache (src/llama-kv-cache.cpp, llama_kv_cache ctor): per layer that has KV,
//       k = ggml_new_tensor_3d(type_k, n_embd_k_gqa, kv_size, n_stream),
//       v = ggml_new_tensor_3d(type_v, n_embd_v_gqa, kv_size, n_stream), absent for MLA (`has_v = !is_mla`);
//     bytes = ggml_row_size(type, n_embd) x kv_size x n_stream; n_stream = kv_unified ? 1 : n_seq_max.
//     Log: "llama_kv_cache: size = %7.2f MiB (%6u cells, %3d layers, %2u/%u seqs), K (%s): %7.2f MiB, V (%s): %7.2f
//     MiB".
//   * n_ctx (src/llama-context.cpp, ref PR #17046): n_ctx = GGML_PAD(n_ctx, 256); kv_unified: n_ctx_seq = n_ctx;
//     otherwise n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256) and n_ctx = n_ctx_seq x n_seq_max. kv_size = n_ctx_seq.
//     Builds before PR #16812 (Oct 2025) padded to flash_attn ? 256 : 32 (engine_options.n_ctx_pad = 32).
//     n_batch = min(n_ctx, n_batch) for causal models, n_ubatch = min(n_batch, n_ubatch).
//   * SWA (src/llama-kv-cache-iswa.cpp): non-SWA cache = kv_size cells; SWA cache
//     GGML_PAD(min(kv_size, n_swa x (unified ? n_seq_max : 1) + n_ubatch), 256) cells, kv_size with --swa-full.
//   * Recurrent / linear-attention layers (src/llama-memory-recurrent.cpp): R and S state tensors in F32,
//     max(1, n_seq_max) cells; the per-layer widths are approximated from the config (said in the output).
//   * Placement (src/llama-model.cpp, load_tensors): the input layer (token_embd) always stays on the CPU;
//     i_gpu_start = max(n_layer - n_gpu_layers, 0), act_gpu_layers = min(n_gpu_layers, n_layer + 1);
//     layer il goes to device upper_bound(splits, (il - i_gpu_start) / act_gpu_layers), the output layer
//     counting as layer n_layer; splits are the cumulative tensor_split (default: each device's free memory,
//     equal for identical GPUs). A tied model's `output` is created as a TENSOR_DUPLICATED copy of token_embd.
//   * Compute buffers: llama.cpp reserves a worst-case graph of n_ubatch tokens with every token an output
//     (llama_context::graph_reserve); see compute_explain below for the terms and the logs they reproduce.
//   * Output buffer (llama_context::output_reserve): n_vocab x max(n_outputs, n_seq_max) x 4 B on the host.
//   * Server defaults (tools/server): without -np, llama-server uses 4 slots with a unified KV cache; with
//     -np N and no -kvu, N streams of n_ctx / N cells. This profile models `-np <concurrency>` by default.
//   * Ollama (envconfig: OLLAMA_CONTEXT_LENGTH default 4096 since v0.6.7, PR ollama/ollama#10452; v0.15.5
//     made the default depend on VRAM): the llama runner allocates num_ctx x OLLAMA_NUM_PARALLEL (default 1),
//     f16 KV unless OLLAMA_KV_CACHE_TYPE (honoured only with flash attention, else f16 with a warning).
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "deployment.hpp"
#include "vramplan/api/json_read.hpp"
#include "vramplan/common/strings.hpp"
#include "vramplan/common/units.hpp"
#include "vramplan/formats/gguf.hpp"

namespace vramplan {
namespace {

using I = std::int64_t;
using nlohmann::json;

// llama.cpp's LLAMA_MAX_SEQ (src/llama-cparams.h): the most sequences (slots) one context holds.
constexpr I kMaxSeq = 256;
// n_ctx is a uint32_t in llama_context_params.
constexpr I kMaxCtx = (I{1} << 32) - 1;
// GGML_SCHED_MAX_COPIES (ggml-backend.h): input copies kept when pipeline parallelism is on.
constexpr I kDefaultCopies = 4;
// Tensors of width max(n_embd, n_head x head_dim) live beside the attention scores in the worst-case graph
// (residual stream, q, attention output, norm). Fitted: Llama-3-8B n_ctx 8192 fa off logs 560.00 MiB of
// which 512 MiB are KQ and 16 MiB the mask; the same 4 reproduce 164.00 and 2144.00 MiB (Mistral-7B).
constexpr I kDefaultResidualTensors = 4;
// The CUDA (or other GPU) context a llama.cpp process holds on each device it initialises: an assumption
// (pytorch#107667 measures ~300 MB for a bare CUDA context with lazy module loading).
constexpr I kDefaultContextBytes = 300 * kMiB;
// Small int32 inputs of the graph (positions, output ids ...): the ".01 MiB" of the CUDA_Host compute
// buffers in the logs (9.01, 12.01, 24.01, 72.01 MiB at n_ubatch 512) = 5 x n_ubatch x 4 B.
constexpr I kSmallInputsPerToken = 5 * 4;

I gpad(I x, I n) { return n <= 1 ? x : (x + n - 1) / n * n; }  // GGML_PAD

std::string mib(I bytes) { return fmt_mib(bytes); }

// The KV cache types llama.cpp accepts for -ctk / -ctv (common/arg.cpp kv_cache_types).
const char* const kCacheTypes[] = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"};

bool is_cache_type(const std::string& s) {
  for (const char* t : kCacheTypes)
    if (s == t) return true;
  return false;
}

std::string cache_type_list() {
  std::string out;
  for (const char* t : kCacheTypes) out += (out.empty() ? "" : ", ") + std::string(t);
  return out;
}

struct Options {
  bool ollama = false;
  I n_parallel = 1;
  I n_ctx_req = 0;  // total n_ctx handed to llama.cpp, before padding
  std::string n_ctx_why;
  I n_ctx_pad = 256;
  I swa_pad = 256;
  I n_gpu_layers = 0;  // n_layer + 1 = all
  bool ngl_auto = false;
  std::string type_k = "f16", type_v = "f16";
  bool flash_attn = true;
  std::string fa_text = "auto";
  I n_ubatch = 512, n_batch = 2048;
  bool swa_full = false, kv_unified = false, no_kv_offload = false;
  std::vector<double> tensor_split;
  I context_bytes = kDefaultContextBytes;
  I residual_tensors = kDefaultResidualTensors;
  I n_copies = kDefaultCopies;
  I compute_override = -1;
  bool output_has_embd = false;
};

// One layer's cache on one device.
struct LayerKv {
  bool has_kv = false;
  bool swa = false;
  bool recurrent = false;
  I window = 0;
  I k_row = 0, v_row = 0;  // values per cell
  I r_row = 0, s_row = 0;  // recurrent state values per sequence (F32)
};

struct Device {
  std::string name;
  I model = 0, kv_k = 0, kv_v = 0, rs = 0, compute = 0, overhead = 0;
  int first = -1, last = -1, layers = 0;
  bool output = false;
  bool has_base = false, has_swa = false;
  std::string model_explain, kv_explain, compute_explain;
  I total() const { return model + kv_k + kv_v + rs + compute + overhead; }
};

struct KvCacheLine {
  std::string name;  // "" (one cache), "non-SWA", "SWA"
  I cells = 0, layers = 0, k = 0, v = 0;
};

struct Plan {
  I n_gpu_layers = 0;
  std::vector<Device> dev;
  I host_model = 0, host_kv = 0, host_rs = 0, host_compute = 0, output_buf = 0;
  int host_layers = 0;
  bool output_on_gpu = false;
  bool pipeline = false;
  std::string host_model_explain, host_compute_explain;
  std::vector<KvCacheLine> caches;
  I rs_total = 0;
  bool fits_all(I capacity) const {
    for (const auto& d : dev)
      if (d.total() > capacity) return false;
    return true;
  }
};

std::string layer_range(int first, int last) {
  if (first < 0) return "no layers";
  return first == last ? "layer " + std::to_string(first)
                       : "layers " + std::to_string(first) + "-" + std::to_string(last);
}

// llama.cpp names devices after its backend (CUDA0, ROCm0, Metal, CANN0, SYCL0); others are "GPU".
std::string backend_prefix(const GpuEntry& g) {
  switch (g.backend) {
    case Backend::cuda:
      return "CUDA";
    case Backend::rocm:
      return "ROCm";
    case Backend::metal:
      return "Metal";
    case Backend::cann:
      return "CANN";
    case Backend::sycl:
      return "SYCL";
    default:
      return "GPU";
  }
}

// Reads a switch given as true/false, 1/0 or "on"/"off"/"auto"/"enabled"/"disabled".
bool read_switch(const json& eo, const char* key, const std::string& field, bool fallback, std::string* text,
                 std::optional<Error>* err) {
  if (!eo.contains(key) || eo.at(key).is_null()) return fallback;
  const json& v = eo.at(key);
  if (v.is_boolean()) {
    if (text) *text = v.get<bool>() ? "on" : "off";
    return v.get<bool>();
  }
  if (v.is_number_integer() && (v.get<I>() == 0 || v.get<I>() == 1)) {
    if (text) *text = v.get<I>() ? "on" : "off";
    return v.get<I>() == 1;
  }
  if (v.is_string()) {
    const std::string s = lower(v.get<std::string>());
    if (s == "on" || s == "true" || s == "enabled" || s == "1") {
      if (text) *text = "on";
      return true;
    }
    if (s == "off" || s == "false" || s == "disabled" || s == "0") {
      if (text) *text = "off";
      return false;
    }
    if (s == "auto" && text) {
      *text = "auto";
      return fallback;
    }
  }
  if (!*err)
    *err = make_error(ErrorCode::invalid_field, field,
                      std::string(key) + " must be true or false" + (text ? " (or \"on\", \"off\", \"auto\")" : "") +
                          ", got " + describe_json_value(v));
  return fallback;
}

// The weight format llama.cpp would load: GGUF. 16/32-bit requests become the matching GGUF file type.
WeightFormat gguf_format(const WeightFormat& f, std::vector<std::string>* warnings) {
  if (f.kind == FormatKind::gguf) return f;
  std::string id;
  if (f.kind == FormatKind::plain)
    id = f.data_bits == 32 ? "gguf-F32" : (f.id == "fp16" ? "gguf-F16" : "gguf-BF16");
  else if (f.id == "mxfp4")
    id = "gguf-MXFP4_MOE";
  if (!id.empty()) {
    auto g = find_weight_format(id, "weights");
    if (g) return g.value();
  }
  warnings->push_back("llama.cpp loads GGUF files; '" + f.id +
                      "' has no GGUF counterpart, so the model buffers are computed with that format's bytes "
                      "(use weights gguf-<TYPE>, e.g. gguf-Q4_K_M)");
  return f;
}

I sum_bytes(const WeightFormat& fmt, const TensorGroup& g, const Architecture& a) {
  return tensor_bytes(fmt, g, a).bytes;
}

}  // namespace

Expected<EngineOutcome> run_llamacpp(const Deployment& d) {
  const EstimateInput& in = *d.in;
  const Architecture& a = *d.arch;
  const json& eo = in.engine_options;
  EngineOutcome out;
  const I n_layer = a.num_layers;
  const I n_devices = std::max<I>(1, d.tp * d.pp);

  // --- options ---------------------------------------------------------------------------------
  Options o;
  JsonReader r(eo, "engine_options");
  std::optional<Error> err;
  const auto has = [&](const char* k) { return eo.is_object() && eo.contains(k) && !eo.at(k).is_null(); };
  {
    // The request's engine "ollama" (api.cpp routes it here) picks the Ollama variant unless told otherwise.
    const std::string v = lower(r.string("variant", in.engine == "ollama" ? "ollama" : "llama.cpp"));
    if (v == "ollama")
      o.ollama = true;
    else if (v != "llama.cpp" && v != "llamacpp" && v != "llama-server" && r.ok())
      r.fail(ErrorCode::invalid_field, "engine_options.variant",
             "variant must be \"llama.cpp\" or \"ollama\", got " + describe_json_value(eo.at("variant")));
  }
  // Ollama's names are accepted as aliases of llama.cpp's.
  const char* k_parallel = has("n_parallel") || !has("num_parallel") ? "n_parallel" : "num_parallel";
  const char* k_ctx = has("n_ctx") || !has("num_ctx") ? "n_ctx" : "num_ctx";
  const char* k_ngl = has("n_gpu_layers") || !has("num_gpu") ? "n_gpu_layers" : "num_gpu";
  const char* k_fa = has("flash_attn") || !has("flash_attention") ? "flash_attn" : "flash_attention";

  const bool parallel_given = has(k_parallel);
  I default_parallel = o.ollama ? 1 : std::min(d.seqs, kMaxSeq);
  o.n_parallel = r.integer(k_parallel, default_parallel, 1, kMaxSeq);
  if (!parallel_given && !o.ollama && d.seqs > kMaxSeq)
    out.warnings.push_back("llama.cpp holds at most " + fmt_int(kMaxSeq) + " sequences per context (LLAMA_MAX_SEQ); " +
                           fmt_int(d.seqs) + " concurrent requests per replica: the rest wait in the queue");

  // Ollama's llama runner keeps one cache shared by its parallel slots (its logs show one n_ctx-cell pool);
  // llama.cpp with an explicit -np N splits n_ctx into N streams unless -kvu is given.
  o.kv_unified = read_switch(eo, "kv_unified", "engine_options.kv_unified", o.ollama, nullptr, &err);
  o.swa_full = read_switch(eo, "swa_full", "engine_options.swa_full", false, nullptr, &err);
  o.no_kv_offload = read_switch(eo, "no_kv_offload", "engine_options.no_kv_offload", false, nullptr, &err);
  // llama.cpp: -fa auto (the default since 2025) turns flash attention on where the device supports it,
  // which CUDA, ROCm and Metal do; Ollama leaves it off unless OLLAMA_FLASH_ATTENTION=1.
  o.fa_text = o.ollama ? "off" : "auto";
  o.flash_attn = read_switch(eo, k_fa, std::string("engine_options.") + k_fa, !o.ollama, &o.fa_text, &err);
  const bool fa_explicit_off = has(k_fa) && o.fa_text == "off";

  o.n_ubatch = r.integer("n_ubatch", 512, 1, 1 << 20);
  o.n_batch = r.integer("n_batch", o.ollama ? 512 : 2048, 1, 1 << 24);
  o.n_ctx_pad = r.integer("n_ctx_pad", 256, 1, 1 << 16);
  o.swa_pad = r.integer("swa_pad", 256, 1, 1 << 16);
  o.context_bytes = r.integer("cuda_context_bytes", kDefaultContextBytes, 0, I{1} << 40);
  o.residual_tensors = r.integer("compute_residual_tensors", kDefaultResidualTensors, 0, 64);
  o.n_copies = r.integer("pipeline_copies", kDefaultCopies, 1, 16);
  o.compute_override = r.integer("compute_buffer_bytes", -1, 0, I{1} << 50);
  o.output_has_embd = o.ollama;  // Ollama's runner keeps embeddings beside the logits (2.02 MiB at 4 seqs)

  // Context: llama.cpp's n_ctx is the KV size over all sequences (unified or split into n_parallel streams).
  const bool ctx_given = has(k_ctx);
  I n_ctx_opt = r.integer(k_ctx, 0, 0, kMaxCtx);
  if (o.ollama) {
    const I num_ctx = ctx_given ? (n_ctx_opt == 0 ? a.max_position_embeddings : n_ctx_opt) : 4096;
    o.n_ctx_req = num_ctx * o.n_parallel;
    o.n_ctx_why = std::string(ctx_given ? k_ctx : "num_ctx (Ollama's default 4096, v0.6.7-v0.15.4)") + " " +
                  fmt_int(num_ctx) + " x parallel " + fmt_int(o.n_parallel) +
                  " (Ollama multiplies) = " + fmt_int(o.n_ctx_req);
    if (in.context_tokens > num_ctx)
      out.warnings.push_back("Ollama truncates prompts beyond num_ctx " + fmt_int(num_ctx) +
                             " tokens; the workload asks for " + fmt_int(in.context_tokens) +
                             " (set engine_options.num_ctx)");
    if (d.seqs > o.n_parallel)
      out.warnings.push_back(fmt_int(d.seqs) + " concurrent requests per replica but Ollama serves " +
                             fmt_int(o.n_parallel) + " at a time (OLLAMA_NUM_PARALLEL); the rest queue");
  } else if (ctx_given) {
    o.n_ctx_req = n_ctx_opt == 0 ? a.max_position_embeddings : n_ctx_opt;
    o.n_ctx_why = n_ctx_opt == 0 ? "n_ctx 0 = the model's training context " + fmt_int(o.n_ctx_req)
                                 : "n_ctx " + fmt_int(o.n_ctx_req);
  } else {
    // The workload: n_parallel sequences of context_tokens each. llama.cpp divides n_ctx between the
    // streams (or shares it when unified), so each sequence gets its context only when n_ctx is the product.
    o.n_ctx_req = in.context_tokens * o.n_parallel;
    o.n_ctx_why = "context_tokens " + fmt_int(in.context_tokens) + " x n_parallel " + fmt_int(o.n_parallel) + " = " +
                  fmt_int(o.n_ctx_req) + " (llama.cpp's n_ctx covers all sequences)";
  }
  if (r.ok() && o.n_ctx_req > kMaxCtx)
    r.fail(ErrorCode::invalid_field, ctx_given ? std::string("engine_options.") + k_ctx : std::string("workload"),
           "n_ctx would be " + fmt_int(o.n_ctx_req) + " tokens; llama.cpp's n_ctx is a 32-bit count (at most " +
               fmt_int(kMaxCtx) + ")");
  if (r.ok() && o.n_ctx_req < 1)
    r.fail(ErrorCode::invalid_field, std::string("engine_options.") + k_ctx,
           "n_ctx must be positive (the model's training context is unknown)");

  // Cache types: engine options, else the request's kv_cache_dtype, else f16 (llama.cpp's default).
  {
    std::string both;
    if (has("kv_cache_type")) both = lower(r.string("kv_cache_type", ""));  // OLLAMA_KV_CACHE_TYPE
    std::string from_request;
    const std::string kid = in.kv.id;
    if (kid == "fp16")
      from_request = "f16";
    else if (kid == "bf16")
      from_request = a.dtype == "bfloat16" ? "f16" : "bf16";  // "auto" on a bf16 model: f16
    else if (kid == "fp32")
      from_request = a.dtype == "float32" ? "f16" : "f32";
    else if (is_cache_type(kid))
      from_request = kid;
    else if (r.ok() && !has("cache_type_k") && !has("cache_type_v") && both.empty())
      r.fail(ErrorCode::unsupported, "kv_cache_dtype",
             "llama.cpp has no '" + kid + "' KV cache; its cache types are " + cache_type_list() +
                 " (q8_0 stores 34 B per 32 values)");
    const std::string fallback = !both.empty() ? both : (from_request.empty() ? "f16" : from_request);
    o.type_k = lower(r.string("cache_type_k", fallback));
    o.type_v = lower(r.string("cache_type_v", fallback));
    if (!both.empty() && !is_cache_type(both) && r.ok())
      r.fail(ErrorCode::invalid_field, "engine_options.kv_cache_type",
             "unknown cache type " + describe_json_value(eo.at("kv_cache_type")) + "; use one of " + cache_type_list());
    if (!is_cache_type(o.type_k) && r.ok())
      r.fail(ErrorCode::invalid_field, "engine_options.cache_type_k",
             "unknown cache type " + describe_json_value(eo.at("cache_type_k")) + "; use one of " + cache_type_list());
    if (!is_cache_type(o.type_v) && r.ok())
      r.fail(ErrorCode::invalid_field, "engine_options.cache_type_v",
             "unknown cache type " + describe_json_value(eo.at("cache_type_v")) + "; use one of " + cache_type_list());
  }

  // Layers on the GPU: all (n_layer + 1, the output layer counted as llama.cpp counts it) unless told.
  {
    o.n_gpu_layers = n_layer + 1;
    if (has(k_ngl)) {
      const json& v = eo.at(k_ngl);
      const std::string field = std::string("engine_options.") + k_ngl;
      if (v.is_string() && (lower(v.get<std::string>()) == "all")) {
        o.n_gpu_layers = n_layer + 1;
      } else if (v.is_string() && lower(v.get<std::string>()) == "auto") {
        o.ngl_auto = true;
      } else if (v.is_number_integer() && v.get<I>() == -1) {
        o.n_gpu_layers = n_layer + 1;
      } else {
        const bool integral = v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                                        v.get<double>() == std::floor(v.get<double>()));
        const double x = v.is_number() ? v.get<double>() : -2.0;
        if (integral && x >= 0 && x <= static_cast<double>(n_layer + 1)) {
          o.n_gpu_layers = static_cast<I>(x);
        } else if (r.ok()) {
          r.fail(ErrorCode::invalid_field, field,
                 std::string(k_ngl) + " must be between 0 and " + fmt_int(n_layer + 1) + " (" + fmt_int(n_layer) +
                     " layers + the output layer), -1 or \"all\" for all of them, or \"auto\"; got " +
                     describe_json_value(v));
        }
      }
    }
  }
  if (has("tensor_split")) {
    const json& v = eo.at("tensor_split");
    bool ok = v.is_array() && !v.empty() && static_cast<I>(v.size()) <= n_devices;
    double sum = 0;
    if (ok)
      for (const auto& x : v) {
        ok = ok && x.is_number() && std::isfinite(x.get<double>()) && x.get<double>() >= 0;
        if (ok) {
          o.tensor_split.push_back(x.get<double>());
          sum += x.get<double>();
        }
      }
    if ((!ok || !(sum > 0)) && r.ok())
      r.fail(ErrorCode::invalid_field, "engine_options.tensor_split",
             "tensor_split must be a list of at most " + fmt_int(n_devices) +
                 " non-negative numbers (one per GPU of a replica), not all zero; got " + describe_json_value(v));
  }
  if (!r.ok()) return r.error();
  if (err) return *err;

  // Quantised V needs flash attention (llama_init_from_model: "V cache quantization requires flash_attn").
  const auto* tk = gguf::find_type(o.type_k);
  const auto* tv = gguf::find_type(o.type_v);
  const bool v_quant = tv->block_elems > 1;
  if (v_quant && !o.flash_attn) {
    if (o.ollama) {
      out.warnings.push_back("Ollama ignores OLLAMA_KV_CACHE_TYPE=" + o.type_v +
                             " without flash attention and uses f16 (set engine_options.flash_attn)");
      o.type_k = o.type_v = "f16";
      tk = tv = gguf::find_type("f16");
    } else if (fa_explicit_off) {
      return make_error(ErrorCode::invalid_field, "engine_options.cache_type_v",
                        "a quantized V cache (" + o.type_v +
                            ") requires flash attention in llama.cpp (\"V cache quantization requires flash_attn\"); "
                            "set flash_attn on or cache_type_v f16");
    }
  }
  const std::string tk_name = lower(tk->name), tv_name = lower(tv->name);

  // --- context arithmetic (llama_context ctor) ---------------------------------------------------------
  const I n_seq = o.n_parallel;
  const I n_batch = std::min(o.n_ctx_req, o.n_batch);
  const I T = std::min(n_batch, o.n_ubatch);  // n_ubatch
  I n_ctx = gpad(o.n_ctx_req, o.n_ctx_pad);
  const I n_stream = o.kv_unified ? 1 : n_seq;
  I n_ctx_seq = n_ctx;
  if (!o.kv_unified) {
    n_ctx_seq = gpad(n_ctx / n_seq, o.n_ctx_pad);
    n_ctx = n_ctx_seq * n_seq;
  }
  if (n_ctx_seq == 0)
    return make_error(ErrorCode::invalid_field, "engine_options.n_ctx", "n_ctx / n_parallel is 0 (n_ctx_seq == 0)");
  const I size_base = n_ctx_seq;
  const auto size_swa = [&](I window) {
    if (o.swa_full) return size_base;
    return gpad(std::min(size_base, window * (o.kv_unified ? n_seq : 1) + T), o.swa_pad);
  };
  if (a.max_position_embeddings > 0 && n_ctx_seq > a.max_position_embeddings)
    out.warnings.push_back("n_ctx_seq (" + fmt_int(n_ctx_seq) + ") > n_ctx_train (" +
                           fmt_int(a.max_position_embeddings) +
                           ") -- possible training context overflow (llama.cpp's own warning)");

  // --- per-layer KV --------------------------------------------------------------------------------
  // From the cache descriptor (llama.cpp has no tensor parallelism: the whole model's widths). K rows hold
  // the key, or MLA's latent + shared RoPE key (V is a view of K there: has_v = !is_mla); recurrent layers
  // hold R (conv) and S (SSM) state rows.
  std::vector<LayerKv> kv(static_cast<std::size_t>(n_layer));
  bool any_swa = false, any_base = false, any_rec = false;
  const std::vector<LayerCache> layout = cache_layout(a, in.kv, 1);
  for (I il = 0; il < n_layer && static_cast<std::size_t>(il) < layout.size(); ++il) {
    auto& L = kv[static_cast<std::size_t>(il)];
    for (const auto& p : layout[static_cast<std::size_t>(il)].parts) {
      switch (p.part) {
        case CachePart::value:
          L.v_row += p.values();
          break;
        case CachePart::conv_state:
          L.r_row += p.values();
          break;
        case CachePart::ssm_state:
          L.s_row += p.values();
          break;
        default:
          L.k_row += p.values();
      }
      if (p.holds == Holds::per_sequence) {
        L.recurrent = true;
      } else {
        L.has_kv = true;
        L.swa = p.holds == Holds::window || p.holds == Holds::chunk;
        L.window = p.span;
      }
    }
    if (L.recurrent) any_rec = true;
    if (L.has_kv) (L.swa ? any_swa : any_base) = true;
    if (L.has_kv) {
      if (!gguf::row_fits(*tk, L.k_row))
        return make_error(ErrorCode::invalid_field, "engine_options.cache_type_k",
                          "cache type " + o.type_k + " stores blocks of " + fmt_int(tk->block_elems) +
                              " values; this model's K rows hold " + fmt_int(L.k_row) + " values per layer");
      if (L.v_row > 0 && !gguf::row_fits(*tv, L.v_row))
        return make_error(ErrorCode::invalid_field, "engine_options.cache_type_v",
                          "cache type " + o.type_v + " stores blocks of " + fmt_int(tv->block_elems) +
                              " values; this model's V rows hold " + fmt_int(L.v_row) + " values per layer");
    }
  }
  // llama.cpp gives a model a separate SWA cache only when it mixes sliding and full layers (gemma2/3,
  // cohere2, gpt-oss, llama4 ...); a config whose every layer slides (Mistral-7B-v0.1's sliding_window) is
  // loaded by the llama / qwen2 architectures without a window: every layer holds the full context.
  if (any_swa && !any_base) {
    for (auto& L : kv)
      if (L.swa) L.swa = false;
    any_swa = false;
    any_base = true;
    out.warnings.push_back(
        "every layer of this config has a sliding window; llama.cpp's llama/qwen2 architectures ignore it, "
        "so each layer caches the whole context");
  }
  // Without flash attention V is stored transposed and padded to the widest layer (TAG_V_CACHE_VARIABLE).
  if (!o.flash_attn) {
    I vmax = 0;
    for (const auto& L : kv) vmax = std::max(vmax, L.v_row);
    for (auto& L : kv)
      if (L.has_kv && L.v_row > 0) L.v_row = vmax;
  }
  I swa_window = 0;
  for (const auto& L : kv)
    if (L.swa) swa_window = std::max(swa_window, L.window);
  const I cells_swa = any_swa ? size_swa(swa_window) : 0;
  const I rs_size = std::max<I>(1, n_seq);

  // --- weights, layer by layer --------------------------------------------------------------------
  const WeightFormat fmt = gguf_format(in.weights, &out.warnings);
  std::vector<I> layer_w(static_cast<std::size_t>(n_layer), 0);
  I input_w = 0, output_w = 0, tied_copy = 0, vision_w = 0, mtp_w = 0;
  std::string output_storage;
  for (const auto& g : d.tensors) {
    if (g.mtp) {
      if (in.options.include_mtp_weights) mtp_w += sum_bytes(fmt, g, a);
      continue;
    }
    if (g.cls == TensorClass::vision) {
      // The mmproj file (llama-server --mmproj / -hf): usually F16, on the main GPU unless --no-mmproj-offload.
      if (in.options.include_vision_weights) {
        static const WeightFormat f16 = *find_weight_format("gguf-F16", "weights");
        vision_w += sum_bytes(f16, g, a);
      }
      continue;
    }
    if (g.layers.empty()) {
      const I b = sum_bytes(fmt, g, a);
      if (g.gguf_role == "token_embd") {
        input_w += b;
        if (a.tie_word_embeddings) tied_copy = b;
      } else if (g.pp_stage_hint == 0) {
        input_w += b;
      } else {
        output_w += b;
        if (g.gguf_role == "output") output_storage = tensor_bytes(fmt, g, a).storage;
      }
      continue;
    }
    for (int l : g.layers) {
      if (l < 0 || l >= n_layer) continue;
      layer_w[static_cast<std::size_t>(l)] += tensor_bytes_in_layer(fmt, g, l, a);
    }
  }
  I model_total = input_w + output_w + mtp_w;
  for (I b : layer_w) model_total += b;

  // --- compute-buffer terms (worst-case graph of T = n_ubatch tokens, all outputs) --------------------
  const I n_embd = a.hidden_size;
  const I width = std::max(n_embd, a.num_heads * a.q_head_dim());
  const I resid = o.residual_tensors * width * T * 4;
  const I mask_base = any_base ? size_base * T * 4 : 0;
  const I mask_swa = any_swa ? cells_swa * T * 4 : 0;
  const I logits = (a.vocab_size + n_embd) * T * 4;
  I ffn = 0;
  {
    const I dense = (2 * a.intermediate_size + 2 * n_embd) * T * 4;
    const I moe = (2 * a.experts_per_token * a.moe_intermediate_size + 2 * a.shared_expert_intermediate_size +
                   2 * a.num_experts + 2 * n_embd) *
                  T * 4;
    for (const auto& s : a.layers) ffn = std::max(ffn, s.moe ? moe : dense);
    if (a.layers.empty()) ffn = dense;
  }
  const I rec_stage = any_rec ? (2 * (2 * a.linear.num_key_heads * a.linear.key_head_dim +
                                      a.linear.num_value_heads * a.linear.value_head_dim) +
                                 2 * n_embd) *
                                    T * 4
                              : 0;
  // `first`: the first device running attention. With flash attention the f32 mask is cast to f16 once, on
  // that device (it holds the f32 copy and the f16 cast); the other devices receive the f16 cast.
  const auto attn_stage = [&](bool base, bool swa, bool first, std::string* why) {
    const I masks = (base ? mask_base : 0) + (swa ? mask_swa : 0);
    const I n_kv = base ? size_base : cells_swa;
    if (!base && !swa) return I{0};
    if (o.flash_attn) {
      const I m = first ? masks + masks / 2 : masks / 2;
      const I v = m + resid;
      if (why)
        *why = "attention (flash): KQ mask " +
               (first ? fmt_int(masks) + " B (n_kv x n_ubatch x 4 B) + its f16 cast " + fmt_int(masks / 2) + " B"
                      : "f16 copy " + fmt_int(masks / 2) + " B (n_kv x n_ubatch x 2 B)") +
               " + " + fmt_int(o.residual_tensors) + " x " + fmt_int(width) + " x " + fmt_int(T) +
               " x 4 B = " + fmt_int(v) + " B";
      return v;
    }
    const I kq = a.num_heads * n_kv * T * 4;
    const I v = kq + masks + resid;
    if (why)
      *why = "attention (no flash): KQ n_head " + fmt_int(a.num_heads) + " x n_kv " + fmt_int(n_kv) + " x n_ubatch " +
             fmt_int(T) + " x 4 B = " + fmt_int(kq) + " B + KQ mask " + fmt_int(masks) + " B + " +
             fmt_int(o.residual_tensors) + " x " + fmt_int(width) + " x " + fmt_int(T) + " x 4 B = " + fmt_int(v) +
             " B";
    return v;
  };

  // --- placement and buffers for a given n_gpu_layers ----------------------------------------------
  const std::string prefix = backend_prefix(in.gpu);
  const std::string host_name = prefix == "Metal" ? "CPU" : prefix + "_Host";
  const auto build = [&](I ngl) {
    Plan p;
    p.n_gpu_layers = ngl;
    p.dev.resize(static_cast<std::size_t>(n_devices));
    for (I i = 0; i < n_devices; ++i) {
      auto& dv = p.dev[static_cast<std::size_t>(i)];
      dv.name = prefix == "Metal" ? (n_devices > 1 ? "Metal" + std::to_string(i) : std::string("Metal"))
                                  : prefix + std::to_string(i);
      dv.overhead = o.context_bytes;
    }
    // Split points: cumulative, normalised tensor_split (default: equal, identical GPUs).
    std::vector<float> splits(static_cast<std::size_t>(n_devices), 1.0f);
    for (std::size_t i = 0; i < splits.size(); ++i)
      splits[i] =
          i < o.tensor_split.size() ? static_cast<float>(o.tensor_split[i]) : (o.tensor_split.empty() ? 1.0f : 0.0f);
    float acc = 0;
    for (auto& s : splits) {
      acc += s;
      s = acc;
    }
    for (auto& s : splits) s /= acc;
    const I i_gpu_start = std::max<I>(n_layer - ngl, 0);
    const I act = std::min<I>(ngl, n_layer + 1);
    const auto dev_of = [&](I il) -> int {
      if (il < i_gpu_start || (il - i_gpu_start) >= act) return -1;
      const float f = static_cast<float>(il - i_gpu_start) / static_cast<float>(act);
      const auto it = std::upper_bound(splits.begin(), splits.end(), f);
      return static_cast<int>(std::min<std::ptrdiff_t>(it - splits.begin(), n_devices - 1));
    };
    std::vector<I> host_layers;
    std::vector<std::vector<I>> dev_layer_bytes(static_cast<std::size_t>(n_devices));
    bool host_base = false, host_swa = false, host_rec = false, host_ffn = false;
    std::vector<char> dev_rec(static_cast<std::size_t>(n_devices), 0);
    std::vector<std::array<I, 2>> dev_kv_cells(static_cast<std::size_t>(n_devices), {0, 0});
    KvCacheLine base_line{any_swa ? "non-SWA" : "", size_base, 0, 0, 0};
    KvCacheLine swa_line{"SWA", cells_swa, 0, 0, 0};
    for (I il = 0; il < n_layer; ++il) {
      const int dv = dev_of(il);
      const auto& L = kv[static_cast<std::size_t>(il)];
      const I w = layer_w[static_cast<std::size_t>(il)];
      const I cells = L.swa ? cells_swa : size_base;
      const I kb = L.has_kv ? gguf::row_bytes(*tk, L.k_row) * cells * n_stream : 0;
      const I vb = L.has_kv && L.v_row > 0 ? gguf::row_bytes(*tv, L.v_row) * cells * n_stream : 0;
      const I rsb = L.recurrent ? (L.r_row + L.s_row) * 4 * rs_size : 0;
      if (L.has_kv) {
        auto& line = L.swa ? swa_line : base_line;
        line.layers += 1;
        line.k += kb;
        line.v += vb;
      }
      p.rs_total += rsb;
      const bool kv_on_host = dv < 0 || o.no_kv_offload;
      if (dv < 0) {
        p.host_model += w;
        p.host_layers += 1;
        host_ffn = true;
      } else {
        auto& D = p.dev[static_cast<std::size_t>(dv)];
        D.model += w;
        D.layers += 1;
        if (D.first < 0) D.first = static_cast<int>(il);
        D.last = static_cast<int>(il);
        if (L.recurrent) dev_rec[static_cast<std::size_t>(dv)] = 1;
      }
      if (kv_on_host) {
        p.host_kv += kb + vb;
        p.host_rs += rsb;
        if (L.has_kv) (L.swa ? host_swa : host_base) = true;
        if (L.recurrent) host_rec = true;
      } else {
        auto& D = p.dev[static_cast<std::size_t>(dv)];
        D.kv_k += kb;
        D.kv_v += vb;
        D.rs += rsb;
        if (L.has_kv) (L.swa ? D.has_swa : D.has_base) = true;
      }
    }
    if (base_line.layers > 0 || !any_swa) p.caches.push_back(base_line);
    if (any_swa) p.caches.push_back(swa_line);
    // Output layer (il = n_layer): output_norm + output (or a duplicate of token_embd when tied).
    const int out_dev = dev_of(n_layer);
    p.output_on_gpu = out_dev >= 0;
    if (out_dev >= 0) {
      auto& D = p.dev[static_cast<std::size_t>(out_dev)];
      D.model += output_w + tied_copy + mtp_w;
      D.output = true;
    } else {
      p.host_model += output_w + mtp_w;
    }
    p.host_model += input_w;
    if (vision_w > 0) p.dev[0].model += vision_w;

    // Pipeline parallelism: all layers offloaded to more than one device, KV offloaded (llama_context ctor).
    int used = 0;
    for (const auto& D : p.dev) used += D.layers > 0 ? 1 : 0;
    p.pipeline = used > 1 && ngl >= n_layer + 1 && !o.no_kv_offload;
    const I copies = p.pipeline ? o.n_copies : 1;

    // Model buffer explanations.
    for (auto& D : p.dev) {
      std::string text = D.layers > 0
                             ? layer_range(D.first, D.last) + " (" + fmt_int(D.layers) + " of " + fmt_int(n_layer) + ")"
                             : "no layers";
      I layer_sum = D.model;
      if (D.output) layer_sum -= output_w + tied_copy + mtp_w;
      if (&D == &p.dev[0] && vision_w > 0) layer_sum -= vision_w;
      text += " = " + fmt_int(layer_sum) + " B";
      if (D.output) {
        text += " + output layer (output" + (output_storage.empty() ? std::string() : " " + output_storage) +
                " + output_norm) " + fmt_int(output_w) + " B";
        if (tied_copy > 0) text += " + a GPU copy of the tied token_embd used as output " + fmt_int(tied_copy) + " B";
        if (mtp_w > 0) text += " + MTP layers " + fmt_int(mtp_w) + " B";
      }
      if (&D == &p.dev[0] && vision_w > 0) text += " + mmproj (vision encoder, F16) " + fmt_int(vision_w) + " B";
      D.model_explain = D.name + " model buffer: " + text + " = " + fmt_int(D.model) + " B (" + mib(D.model) +
                        "); token_embd stays on the host (" + fmt_int(input_w) + " B)";
    }
    p.host_model_explain =
        "CPU_Mapped model buffer: token_embd and other input tensors " + fmt_int(input_w) + " B" +
        (p.host_layers > 0 ? " + " + fmt_int(p.host_layers) + " layers kept on the CPU " +
                                 fmt_int(p.host_model - input_w - (p.output_on_gpu ? 0 : output_w + mtp_w)) + " B"
                           : std::string()) +
        (!p.output_on_gpu ? " + output layer " + fmt_int(output_w) + " B" : std::string()) + " = " +
        fmt_int(p.host_model) + " B (" + mib(p.host_model) + ")";

    // KV explanations per device.
    for (auto& D : p.dev) {
      if (D.kv_k + D.kv_v + D.rs == 0) {
        D.kv_explain = o.no_kv_offload ? "no_kv_offload: the KV cache is kept in host memory"
                                       : "no KV-bearing layers on " + D.name;
        continue;
      }
      std::string t;
      I nb = 0, ns = 0, nr = 0;
      for (I il = D.first; il >= 0 && il <= D.last; ++il) {
        const auto& L = kv[static_cast<std::size_t>(il)];
        nb += L.has_kv && !L.swa;
        ns += L.swa;
        nr += L.recurrent;
      }
      const auto part = [&](I layers, I cells, const char* what) {
        const LayerKv* L0 = nullptr;
        for (const auto& L : kv)
          if (L.has_kv && (L.swa == (std::string(what) == "SWA"))) {
            L0 = &L;
            break;
          }
        if (!L0 || layers == 0) return std::string();
        const I kr = gguf::row_bytes(*tk, L0->k_row), vr = L0->v_row > 0 ? gguf::row_bytes(*tv, L0->v_row) : 0;
        std::string s = fmt_int(layers) + " " + what + " layers x (K " + fmt_int(L0->k_row) + " values as " + tk_name +
                        " = " + fmt_int(kr) + " B";
        s += L0->v_row > 0 ? " + V " + fmt_int(L0->v_row) + " values as " + tv_name + " = " + fmt_int(vr) + " B"
                           : std::string(" + no V: MLA reads V from the latent in K");
        s += ") x " + fmt_int(cells) + " cells x " + fmt_int(n_stream) + (n_stream == 1 ? " stream" : " streams") +
             " = " + fmt_int(layers * (kr + vr) * cells * n_stream) + " B";
        return s;
      };
      const std::string pb = part(nb, size_base, any_swa ? "non-SWA" : "attention");
      const std::string ps = part(ns, cells_swa, "SWA");
      t = pb;
      if (!ps.empty()) t += (t.empty() ? "" : "; ") + ps;
      if (nr > 0)
        t += (t.empty() ? "" : "; ") + fmt_int(nr) + " recurrent layers x F32 conv + SSM state x " + fmt_int(rs_size) +
             " sequences = " + fmt_int(D.rs) + " B (approximate: state widths from the config)";
      const bool one_part = ps.empty() && nr == 0;
      D.kv_explain = D.name + " KV buffer: " + t + (one_part ? "" : " = " + fmt_int(D.kv_k + D.kv_v + D.rs) + " B") +
                     " (" + mib(D.kv_k + D.kv_v + D.rs) + ")";
    }

    // Compute buffers.
    for (std::size_t i = 0; i < p.dev.size(); ++i) {
      auto& D = p.dev[i];
      if (o.compute_override >= 0) {
        D.compute = o.compute_override;
        D.compute_explain = "set by engine_options.compute_buffer_bytes = " + fmt_int(D.compute) + " B";
        continue;
      }
      std::string why_attn;
      bool first_attn = true;
      for (std::size_t j = 0; j < i; ++j) first_attn = first_attn && !(p.dev[j].has_base || p.dev[j].has_swa);
      const I at = attn_stage(D.has_base, D.has_swa, first_attn, &why_attn);
      I best = at;
      std::string why = why_attn.empty() ? "" : why_attn;
      const I f = D.layers > 0 ? ffn : 0;
      const std::string why_ffn = "FFN " + fmt_int(f) + " B";
      if (D.layers > 0) why += (why.empty() ? "" : "; ") + why_ffn;
      best = std::max(best, f);
      if (dev_rec[i]) {
        why += "; recurrent layer intermediates " + fmt_int(rec_stage) + " B";
        best = std::max(best, rec_stage);
      }
      if (D.output) {
        why += (why.empty() ? "" : "; ") + std::string("output: logits n_ubatch ") + fmt_int(T) + " x (n_vocab " +
               fmt_int(a.vocab_size) + " + n_embd " + fmt_int(n_embd) + ") x 4 B = " + fmt_int(logits) + " B";
        best = std::max(best, logits);
      }
      I extra = 0;
      if (p.pipeline && D.layers > 0) {
        const I m = (D.has_base ? mask_base : 0) + (D.has_swa ? mask_swa : 0);
        extra = (copies - 1) * (n_embd * T * 4 + (o.flash_attn && !first_attn ? m / 2 : m));
        why += "; pipeline parallelism keeps " + fmt_int(copies) + " copies of the inputs: + " + fmt_int(extra) + " B";
      }
      D.compute = D.layers > 0 || D.output ? best + extra : 0;
      D.compute_explain = D.name + " compute buffer = the largest stage of the worst-case graph: max(" + why +
                          ") = " + fmt_int(D.compute) + " B (" + mib(D.compute) + ")";
    }
    // Host: graph inputs (token embeddings from the CPU get_rows, the KQ masks in f32, small int inputs),
    // plus the work of layers kept on the CPU, plus the output buffer.
    {
      const I embd_in = n_embd * T * 4;
      const I masks = mask_base + mask_swa;
      const I small = kSmallInputsPerToken * T;
      I inputs = (embd_in + masks + small) * copies;
      I cpu_work = 0;
      std::string why = "inputs: token embeddings n_ubatch " + fmt_int(T) + " x n_embd " + fmt_int(n_embd) +
                        " x 4 B = " + fmt_int(embd_in) + " B + KQ mask" + (any_swa ? "s " : " ") + fmt_int(masks) +
                        " B (n_kv x n_ubatch x 4 B) + small inputs " + fmt_int(small) + " B" +
                        (copies > 1 ? ", x " + fmt_int(copies) + " pipeline copies" : std::string()) + " = " +
                        fmt_int(inputs) + " B";
      if (host_ffn || o.no_kv_offload) {
        cpu_work = std::max(host_ffn ? ffn : 0, attn_stage(host_base || (o.no_kv_offload && any_base),
                                                           host_swa || (o.no_kv_offload && any_swa), true, nullptr));
        if (host_rec) cpu_work = std::max(cpu_work, rec_stage);
      }
      if (!p.output_on_gpu) cpu_work = std::max(cpu_work, logits);
      if (cpu_work > 0)
        why += " + CPU compute buffer for the work run on the CPU: max(" +
               (host_ffn || o.no_kv_offload ? std::string("layers kept on the CPU") : std::string()) +
               (!p.output_on_gpu
                    ? std::string(host_ffn || o.no_kv_offload ? ", " : "") + "output logits " + fmt_int(logits) + " B"
                    : std::string()) +
               ") = " + fmt_int(cpu_work) + " B";
      p.host_compute = inputs + cpu_work;
      p.host_compute_explain =
          host_name + " compute buffer: " + why + " = " + fmt_int(p.host_compute) + " B (" + mib(p.host_compute) + ")";
      p.output_buf = n_seq * (a.vocab_size + (o.output_has_embd ? n_embd : 0)) * 4;
    }
    return p;
  };

  Plan plan = build(o.n_gpu_layers);
  const I capacity = in.gpu.capacity_bytes();
  if (o.ngl_auto) {
    // Like llama.cpp's --fit / Ollama's layer estimate: the most layers that fit on every GPU.
    for (I g = n_layer + 1; g >= 0; --g) {
      plan = build(g);
      if (capacity <= 0 || plan.fits_all(capacity)) break;
    }
    o.n_gpu_layers = plan.n_gpu_layers;
  }

  // --- stages: the busiest GPU of each group of tensor_parallel GPUs -----------------------------------
  I kv_all = 0, model_gpu = 0, compute_gpu = 0;
  for (const auto& D : plan.dev) {
    kv_all += D.kv_k + D.kv_v;
    model_gpu += D.model;
    compute_gpu += D.compute;
  }
  kv_all += plan.host_kv;
  for (I s = 0; s < d.pp; ++s) {
    std::size_t worst = static_cast<std::size_t>(s * d.tp);
    for (I t = 0; t < d.tp; ++t) {
      const std::size_t i = static_cast<std::size_t>(s * d.tp + t);
      if (plan.dev[i].total() > plan.dev[worst].total()) worst = i;
    }
    const Device& D = plan.dev[worst];
    StageOutcome st;
    st.usage.pp_stage = static_cast<int>(s);
    st.usage.weights = D.model;
    st.usage.kv_cache = D.kv_k + D.kv_v + D.rs;
    st.usage.activations = D.compute;
    st.usage.overhead = D.overhead;
    st.items.push_back({"weights", "Model buffer (" + D.name + ")", D.model, D.model_explain});
    st.items.push_back({"kv_cache", "KV cache (" + D.name + ")", st.usage.kv_cache, D.kv_explain});
    st.items.push_back({"activations", "Compute buffer (" + D.name + ")", D.compute, D.compute_explain});
    st.items.push_back(
        {"overhead.cuda_context", "GPU context", D.overhead,
         "cuda_context_bytes = " + fmt_int(D.overhead) + " B per GPU (assumption: driver context and kernels)"});
    out.stages.push_back(std::move(st));
  }
  if (d.tp > 1)
    out.warnings.push_back("llama.cpp has no tensor parallelism: its default --split-mode layer gives each of the " +
                           fmt_int(n_devices) +
                           " GPUs a share of the layers; per_gpu shows the busiest GPU of each group of " +
                           fmt_int(d.tp) + ", engine_report.devices lists every GPU");

  // --- host -----------------------------------------------------------------------------------------
  out.host_bytes = plan.host_model + plan.host_kv + plan.host_rs + plan.host_compute + plan.output_buf;
  if (d.explain)
    out.host_explain =
        plan.host_model_explain +
        (plan.host_kv + plan.host_rs > 0 ? " + CPU KV buffer " + fmt_int(plan.host_kv + plan.host_rs) + " B"
                                         : std::string()) +
        " + " + plan.host_compute_explain + " + " + host_name + " output buffer n_seq_max " + fmt_int(n_seq) +
        " x (n_vocab " + fmt_int(a.vocab_size) + (o.output_has_embd ? " + n_embd " + fmt_int(n_embd) : std::string()) +
        ") x 4 B = " + fmt_int(plan.output_buf) + " B; total " + fmt_int(out.host_bytes) + " B (" +
        mib(out.host_bytes) + ")";
  if (in.gpu.unified_memory || in.gpu.usable_fraction < 1.0)
    out.warnings.push_back("unified memory: the host buffers (" + mib(out.host_bytes) +
                           ") come out of the same memory as the GPU's share");

  // --- the log, as llama.cpp prints it ----------------------------------------------------------------
  std::vector<std::string> log;
  const I offloaded = std::min<I>(plan.n_gpu_layers, n_layer + 1);
  if (d.explain) {  // the planner's probes need the numbers, not the log
    char buf[256];
    std::snprintf(buf, sizeof buf, "load_tensors: offloaded %lld/%lld layers to GPU", static_cast<long long>(offloaded),
                  static_cast<long long>(n_layer + 1));
    log.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "load_tensors: %12s model buffer size = %8.2f MiB", "CPU_Mapped",
                  static_cast<double>(plan.host_model) / kMiB);
    log.emplace_back(buf);
    for (const auto& D : plan.dev)
      if (D.model > 0) {
        std::snprintf(buf, sizeof buf, "load_tensors: %12s model buffer size = %8.2f MiB", D.name.c_str(),
                      static_cast<double>(D.model) / kMiB);
        log.emplace_back(buf);
      }
    std::snprintf(buf, sizeof buf,
                  "llama_context: n_ctx = %lld, n_ctx_seq = %lld, n_seq_max = %lld, n_batch = %lld, n_ubatch = %lld, "
                  "flash_attn = %s",
                  static_cast<long long>(n_ctx), static_cast<long long>(n_ctx_seq), static_cast<long long>(n_seq),
                  static_cast<long long>(n_batch), static_cast<long long>(T), o.flash_attn ? "enabled" : "disabled");
    log.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "llama_context: %10s  output buffer size = %8.2f MiB", host_name.c_str(),
                  static_cast<double>(plan.output_buf) / kMiB);
    log.emplace_back(buf);
    for (const auto& c : plan.caches) {
      if (any_swa) {
        std::snprintf(buf, sizeof buf, "llama_kv_cache_iswa: creating %7s KV cache, size = %lld cells", c.name.c_str(),
                      static_cast<long long>(c.cells));
        log.emplace_back(buf);
      }
      for (const auto& D : plan.dev) {
        // Per-device share of this cache.
        I share = 0;
        for (I il = D.first; il >= 0 && il <= D.last; ++il) {
          const auto& L = kv[static_cast<std::size_t>(il)];
          if (!L.has_kv || (L.swa != (c.name == "SWA")) || o.no_kv_offload) continue;
          share +=
              (gguf::row_bytes(*tk, L.k_row) + (L.v_row > 0 ? gguf::row_bytes(*tv, L.v_row) : 0)) * c.cells * n_stream;
        }
        if (share > 0) {
          std::snprintf(buf, sizeof buf, "llama_kv_cache: %10s KV buffer size = %8.2f MiB", D.name.c_str(),
                        static_cast<double>(share) / kMiB);
          log.emplace_back(buf);
        }
      }
      {
        // The host's share: layers kept on the CPU, or every layer with no_kv_offload.
        I share = 0;
        for (I il = 0; il < n_layer; ++il) {
          const auto& L = kv[static_cast<std::size_t>(il)];
          bool on_host = o.no_kv_offload;
          if (!on_host) {
            on_host = true;
            for (const auto& D : plan.dev)
              if (D.first >= 0 && il >= D.first && il <= D.last) on_host = false;
          }
          if (!on_host || !L.has_kv || (L.swa != (c.name == "SWA"))) continue;
          share +=
              (gguf::row_bytes(*tk, L.k_row) + (L.v_row > 0 ? gguf::row_bytes(*tv, L.v_row) : 0)) * c.cells * n_stream;
        }
        if (share > 0) {
          std::snprintf(buf, sizeof buf, "llama_kv_cache: %10s KV buffer size = %8.2f MiB", "CPU",
                        static_cast<double>(share) / kMiB);
          log.emplace_back(buf);
        }
      }
      std::snprintf(buf, sizeof buf,
                    "llama_kv_cache: size = %7.2f MiB (%6lld cells, %3lld layers, %2lld/%lld seqs), K (%s): %7.2f MiB, "
                    "V (%s): %7.2f MiB",
                    static_cast<double>(c.k + c.v) / kMiB, static_cast<long long>(c.cells),
                    static_cast<long long>(c.layers), static_cast<long long>(n_seq), static_cast<long long>(n_stream),
                    tk_name.c_str(), static_cast<double>(c.k) / kMiB, tv_name.c_str(), static_cast<double>(c.v) / kMiB);
      log.emplace_back(buf);
    }
    if (plan.rs_total > 0) {
      std::snprintf(
          buf, sizeof buf,
          "llama_memory_recurrent: size = %7.2f MiB (%6lld cells, %3lld layers, %2lld seqs) (approximate)",
          static_cast<double>(plan.rs_total) / kMiB, static_cast<long long>(rs_size),
          static_cast<long long>(std::count_if(kv.begin(), kv.end(), [](const LayerKv& L) { return L.recurrent; })),
          static_cast<long long>(n_seq));
      log.emplace_back(buf);
    }
    for (const auto& D : plan.dev)
      if (D.compute > 0) {
        std::snprintf(buf, sizeof buf, "llama_context: %10s compute buffer size = %8.2f MiB", D.name.c_str(),
                      static_cast<double>(D.compute) / kMiB);
        log.emplace_back(buf);
      }
    std::snprintf(buf, sizeof buf, "llama_context: %10s compute buffer size = %8.2f MiB", host_name.c_str(),
                  static_cast<double>(plan.host_compute) / kMiB);
    log.emplace_back(buf);
  }

  // --- report -----------------------------------------------------------------------------------------
  json devices = json::array();
  for (const auto& D : plan.dev)
    devices.push_back({{"name", D.name},
                       {"layers", D.layers > 0 ? layer_range(D.first, D.last) : std::string("none")},
                       {"output_layer", D.output},
                       {"model_buffer_bytes", D.model},
                       {"kv_buffer_bytes", D.kv_k + D.kv_v},
                       {"recurrent_state_bytes", D.rs},
                       {"compute_buffer_bytes", D.compute},
                       {"context_bytes", D.overhead},
                       {"total_bytes", D.total()}});
  json caches = json::array();
  for (const auto& c : plan.caches)
    caches.push_back({{"name", c.name.empty() ? "kv" : c.name},
                      {"cells", c.cells},
                      {"streams", n_stream},
                      {"layers", c.layers},
                      {"k_bytes", c.k},
                      {"v_bytes", c.v},
                      {"k_mib", static_cast<double>(c.k) / kMiB},
                      {"v_mib", static_cast<double>(c.v) / kMiB}});
  I layers_with_kv = 0;
  for (const auto& L : kv) layers_with_kv += L.has_kv;
  out.report = {
      {"engine", "llama.cpp"},
      {"variant", o.ollama ? "ollama" : "llama.cpp"},
      {"kv_cache_bytes", kv_all},
      {"model_buffer_bytes", model_gpu},
      {"compute_buffer_bytes", compute_gpu},
      {"host_bytes", out.host_bytes},
      {"cpu_mapped_model_buffer_bytes", plan.host_model},
      {"host_kv_buffer_bytes", plan.host_kv + plan.host_rs},
      {"host_compute_buffer_bytes", plan.host_compute},
      {"output_buffer_bytes", plan.output_buf},
      {"recurrent_state_bytes", plan.rs_total},
      {"model_bytes", model_total},
      {"n_ctx", n_ctx},
      {"n_ctx_seq", n_ctx_seq},
      {"cells_per_stream", size_base},
      {"swa_cells_per_stream", cells_swa},
      {"n_seq_max", n_seq},
      {"n_stream", n_stream},
      {"kv_unified", o.kv_unified},
      {"layers_with_kv", layers_with_kv},
      {"n_batch", n_batch},
      {"n_ubatch", T},
      {"n_gpu_layers", plan.n_gpu_layers},
      {"offloaded_layers", std::to_string(offloaded) + "/" + std::to_string(n_layer + 1)},
      {"flash_attn", o.flash_attn},
      {"cache_type_k", tk_name},
      {"cache_type_v", tv_name},
      {"pipeline_parallel", plan.pipeline},
      {"kv_caches", caches},
      {"devices", devices},
      {"log_lines", log},
      {"compute_buffer_note",
       "output-stage term n_ubatch x (n_vocab + n_embd) x 4 B reproduces logged compute buffers exactly (258.50 MiB "
       "Llama-3-8B, 304.00 MiB Qwen2.5-7B, 398.38 MiB gpt-oss-20b); the no-flash attention term reproduces 560.00 MiB "
       "(Llama-3-8B, n_ctx 8192) and 164.00 / 2144.00 MiB (Mistral-7B, n_ctx 2048 / 32768) with its residual factor "
       "fitted "
       "to them; the flash-attention, MoE and recurrent terms are unchecked estimates (expect within +-30 %)"},
  };

  out.assumptions = {
      {"variant", o.ollama ? "ollama" : "llama.cpp",
       o.ollama ? "Ollama's llama runner: num_ctx x parallel cells, f16 KV, no flash attention unless enabled"
                : "llama-server / llama-cli with the options given"},
      {"n_ctx", fmt_int(n_ctx),
       o.n_ctx_why + "; padded with GGML_PAD(n_ctx, " + fmt_int(o.n_ctx_pad) + ") (llama-context.cpp, PR #17046)"},
      {"n_parallel", fmt_int(n_seq),
       parallel_given ? "engine_options"
                      : (o.ollama ? "OLLAMA_NUM_PARALLEL default 1" : "the workload's concurrency per replica (-np)")},
      {"kv_unified", o.kv_unified ? "true" : "false",
       o.ollama ? "Ollama's runner shares one cache between its parallel slots"
                : "false: -np N gives N streams of n_ctx/N cells; llama-server turns it on only when -np is left to "
                  "auto (4 slots)"},
      {"n_gpu_layers", fmt_int(plan.n_gpu_layers) + (o.ngl_auto ? " (auto)" : ""),
       "of " + fmt_int(n_layer + 1) + " (the output layer counts as one); token_embd always stays on the host"},
      {"cache_type_k / cache_type_v", tk_name + " / " + tv_name,
       "ggml row sizes (q8_0: 34 B per 32 values, q4_0: 18 B per 32)"},
      {"flash_attn", o.fa_text + (o.fa_text == "auto" ? (o.flash_attn ? " (on)" : " (off)") : ""),
       "llama.cpp's -fa auto enables it where the GPU supports it"},
      {"n_ubatch / n_batch", fmt_int(T) + " / " + fmt_int(n_batch), "the compute buffer scales with n_ubatch"},
      {"weights", fmt.id, "GGUF tensors, per-tensor types as llama-quantize chooses them"},
      {"cuda_context_bytes", fmt_int(o.context_bytes),
       "per GPU: driver context and kernels, outside llama.cpp's buffers"},
      {"compute_residual_tensors", fmt_int(o.residual_tensors),
       "residual-width tensors beside the attention scores (fitted to logs)"},
  };
  if (o.ollama)
    out.assumptions.push_back({"ollama_version", "v0.6.7 - v0.15.4",
                               "default num_ctx 4096 (v0.15.5+ picks 4096/32768/262144 by VRAM: set num_ctx)"});
  // Unknown option names.
  if (eo.is_object()) {
    static const char* const known[] = {"variant",
                                        "n_ctx",
                                        "num_ctx",
                                        "n_parallel",
                                        "num_parallel",
                                        "n_gpu_layers",
                                        "num_gpu",
                                        "cache_type_k",
                                        "cache_type_v",
                                        "kv_cache_type",
                                        "flash_attn",
                                        "flash_attention",
                                        "n_ubatch",
                                        "n_batch",
                                        "swa_full",
                                        "kv_unified",
                                        "no_kv_offload",
                                        "tensor_split",
                                        "n_ctx_pad",
                                        "swa_pad",
                                        "cuda_context_bytes",
                                        "compute_residual_tensors",
                                        "pipeline_copies",
                                        "compute_buffer_bytes",
                                        "include_mtp_weights",
                                        "include_vision_weights"};
    for (auto it = eo.begin(); it != eo.end(); ++it) {
      bool ok = false;
      for (const char* k : known) ok = ok || it.key() == k;
      if (!ok)
        out.warnings.push_back("unknown field 'engine_options." + it.key().substr(0, 40) +
                               "' was ignored by the llama.cpp profile");
    }
  }
  return out;
}

}  // namespace vramplan
