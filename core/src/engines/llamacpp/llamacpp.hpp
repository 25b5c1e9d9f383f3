#pragma once
// Private to the llama.cpp / llama-server / Ollama profile: the buffers llama.cpp allocates, device by
// device, computed the way llama.cpp sizes them and printed the way its log prints them.
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
//     (llama_context::graph_reserve); ComputeTerms lists the terms and the logs they reproduce.
//   * Output buffer (llama_context::output_reserve): n_vocab x max(n_outputs, n_seq_max) x 4 B on the host.
//   * Server defaults (tools/server): without -np, llama-server uses 4 slots with a unified KV cache; with
//     -np N and no -kvu, N streams of n_ctx / N cells. This profile models `-np <concurrency>` by default.
//   * Ollama (envconfig: OLLAMA_CONTEXT_LENGTH default 4096 since v0.6.7, PR ollama/ollama#10452; v0.15.5
//     made the default depend on VRAM): the llama runner allocates num_ctx x OLLAMA_NUM_PARALLEL (default 1),
//     f16 KV unless OLLAMA_KV_CACHE_TYPE (honoured only with flash attention, else f16 with a warning).
#include <string>
#include <vector>

#include "../deployment.hpp"
#include "vramplan/formats/gguf.hpp"

namespace vramplan::llamacpp {

using I = std::int64_t;

// llama.cpp's LLAMA_MAX_SEQ (src/llama-cparams.h): the most sequences (slots) one context holds.
constexpr I kMaxSeq = 256;
// n_ctx is a uint32_t in llama_context_params.
constexpr I kMaxCtx = (I{1} << 32) - 1;
// Small int32 inputs of the graph (positions, output ids ...): the ".01 MiB" of the CUDA_Host compute
// buffers in the logs (9.01, 12.01, 24.01, 72.01 MiB at n_ubatch 512) = 5 x n_ubatch x 4 B.
constexpr I kSmallInputsPerToken = 5 * 4;

inline I gpad(I x, I n) { return n <= 1 ? x : (x + n - 1) / n * n; }  // GGML_PAD

struct Options {
  bool ollama = false;
  bool parallel_given = false;
  I n_parallel = 1;
  I n_ctx_req = 0;  // total n_ctx handed to llama.cpp, before padding
  Text n_ctx_why;   // how n_ctx came about
  I n_ctx_pad = 256, swa_pad = 256;
  I n_gpu_layers = 0;  // n_layer + 1 = all
  bool ngl_auto = false;
  std::string type_k = "f16", type_v = "f16";
  const gguf::TypeInfo* tk = nullptr;
  const gguf::TypeInfo* tv = nullptr;
  bool flash_attn = true;
  std::string fa_text = "auto";
  I n_ubatch = 512, n_batch = 2048;
  bool swa_full = false, kv_unified = false, no_kv_offload = false;
  std::vector<double> tensor_split;
  I context_bytes = 0, residual_tensors = 0, n_copies = 0;
  I compute_override = -1;
  bool output_has_embd = false;
};

// Reads and checks the options against the model; warnings go to `out`.
Expected<Options> read_options(const Deployment& d, bool ollama_engine, EngineOutcome& out);

// llama_context's arithmetic on the options.
struct Context {
  I n_seq = 1, n_batch = 0, ubatch = 0;  // ubatch: the compute graph's n_ubatch tokens
  I n_ctx = 0, n_ctx_seq = 0, n_stream = 1;
  I size_base = 0;  // cells of the (non-SWA) cache per stream
  I cells_swa = 0;  // cells of the SWA cache per stream (0: none)
  I rs_size = 1;    // recurrent state cells
};

// One layer's cache rows (values per cell; recurrent state values per sequence, F32).
struct LayerKv {
  bool has_kv = false, swa = false, recurrent = false;
  I window = 0;
  I k_row = 0, v_row = 0;
  I r_row = 0, s_row = 0;
};

// The model as llama.cpp lays it out: per-layer caches and weights.
struct Layout {
  std::vector<LayerKv> kv;
  bool any_swa = false, any_base = false, any_rec = false;
  std::vector<I> layer_weights;
  I input = 0, output = 0, tied_copy = 0, vision = 0, mtp = 0, total = 0;
  std::string output_storage;
  WeightFormat format;
};

Expected<Context> make_context(const Deployment& d, Options& o, EngineOutcome& out);
Expected<Layout> make_layout(const Deployment& d, const Options& o, Context& c, EngineOutcome& out);

// The worst-case compute graph's terms (T = n_ubatch tokens, every token an output). Output-stage term
// n_ubatch x (n_vocab + n_embd) x 4 B reproduces logged compute buffers exactly (258.50 MiB Llama-3-8B,
// 304.00 MiB Qwen2.5-7B, 398.38 MiB gpt-oss-20b); the no-flash attention term reproduces 560.00 MiB
// (Llama-3-8B, n_ctx 8192) and 164.00 / 2144.00 MiB (Mistral-7B, n_ctx 2048 / 32768) with its residual factor
// fitted to them; the flash-attention, MoE and recurrent terms are unchecked estimates.
struct ComputeTerms {
  I width = 0, resid = 0, mask_base = 0, mask_swa = 0, logits = 0, ffn = 0, rec = 0;
  // Attention's stage on a device holding base/SWA layers; `first`: the first device running attention (with
  // flash attention it holds the f32 mask and its f16 cast; the others receive the cast).
  I attention(bool base, bool swa, bool first, Text* why) const;
  const Architecture* arch = nullptr;
  const Options* o = nullptr;
  const Context* c = nullptr;
};
ComputeTerms make_compute_terms(const Architecture& a, const Options& o, const Context& c, const Layout& l);

struct Device {
  std::string name;
  I model = 0, kv_k = 0, kv_v = 0, rs = 0, compute = 0, overhead = 0;
  int first = -1, last = -1, layers = 0;
  bool output = false, has_base = false, has_swa = false, recurrent = false;
  Text model_explain, kv_explain, compute_explain;
  I total() const { return model + kv_k + kv_v + rs + compute + overhead; }
};

struct KvCacheLine {
  std::string name;  // "" (one cache), "non-SWA", "SWA"
  I cells = 0, layers = 0, k = 0, v = 0;
};

// Where everything goes for a given n_gpu_layers.
struct Plan {
  I n_gpu_layers = 0;
  std::vector<Device> dev;
  I host_model = 0, host_kv = 0, host_rs = 0, host_compute = 0, output_buf = 0;
  int host_layers = 0;
  bool output_on_gpu = false, pipeline = false;
  bool host_base = false, host_swa = false, host_rec = false, host_ffn = false;
  Text host_model_explain, host_compute_explain;
  std::vector<KvCacheLine> caches;
  I rs_total = 0;
  bool fits_all(I capacity) const;
};

// The shared inputs of placement and reporting.
struct Setup {
  const Deployment* d;
  const Options* o;
  const Context* c;
  const Layout* l;
  const ComputeTerms* t;
  std::string prefix;     // device name prefix: CUDA, ROCm, Metal ...
  std::string host_name;  // CUDA_Host, CPU ...
  I n_devices = 1;
  bool explain = true;  // build the explanation texts
};

Plan build_plan(const Setup& s, I n_gpu_layers);
std::vector<std::string> log_lines(const Setup& s, const Plan& p);
void fill_report(const Setup& s, const Plan& p, EngineOutcome& out);

std::string layer_range(int first, int last);  // "layers 0-3", for the report
Text layer_range_text(int first, int last);    // the same, coded, for explanations

}  // namespace vramplan::llamacpp
