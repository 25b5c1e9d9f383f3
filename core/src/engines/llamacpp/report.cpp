// What llama.cpp prints at startup (its log lines, with its own formats) and the report's figures.
#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "llamacpp.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan::llamacpp {
namespace {

std::string printf_line(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_line(const char* format, ...) {
  char buf[320];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

double in_mib(I bytes) { return static_cast<double>(bytes) / static_cast<double>(kMiB); }

I row_bytes(const Options& o, const LayerKv& L) {
  return gguf::row_bytes(*o.tk, L.k_row) + (L.v_row > 0 ? gguf::row_bytes(*o.tv, L.v_row) : 0);
}

// One cache's lines: the SWA header, each device's share, the host's share, the summary.
void cache_lines(const Setup& s, const Plan& p, const KvCacheLine& c, std::vector<std::string>& log) {
  const Options& o = *s.o;
  const Layout& l = *s.l;
  const I n_layer = s.d->arch->num_layers;
  const I n_stream = s.c->n_stream;
  const bool swa = c.name == "SWA";
  if (l.any_swa)
    log.push_back(printf_line("llama_kv_cache_iswa: creating %7s KV cache, size = %lld cells", c.name.c_str(),
                              static_cast<long long>(c.cells)));
  for (const auto& D : p.dev) {
    I share = 0;
    for (I il = D.first; il >= 0 && il <= D.last; ++il) {
      const auto& L = l.kv[static_cast<std::size_t>(il)];
      if (!L.has_kv || L.swa != swa || o.no_kv_offload) continue;
      share += row_bytes(o, L) * c.cells * n_stream;
    }
    if (share > 0)
      log.push_back(printf_line("llama_kv_cache: %10s KV buffer size = %8.2f MiB", D.name.c_str(), in_mib(share)));
  }
  // The host's share: layers kept on the CPU, or every layer with no_kv_offload.
  I share = 0;
  for (I il = 0; il < n_layer; ++il) {
    const auto& L = l.kv[static_cast<std::size_t>(il)];
    bool on_host = o.no_kv_offload;
    if (!on_host) {
      on_host = true;
      for (const auto& D : p.dev)
        if (D.first >= 0 && il >= D.first && il <= D.last) on_host = false;
    }
    if (!on_host || !L.has_kv || L.swa != swa) continue;
    share += row_bytes(o, L) * c.cells * n_stream;
  }
  if (share > 0) log.push_back(printf_line("llama_kv_cache: %10s KV buffer size = %8.2f MiB", "CPU", in_mib(share)));
  log.push_back(printf_line(
      "llama_kv_cache: size = %7.2f MiB (%6lld cells, %3lld layers, %2lld/%lld seqs), K (%s): %7.2f MiB, V (%s): "
      "%7.2f MiB",
      in_mib(c.k + c.v), static_cast<long long>(c.cells), static_cast<long long>(c.layers),
      static_cast<long long>(s.c->n_seq), static_cast<long long>(n_stream), lower(o.tk->name).c_str(), in_mib(c.k),
      lower(o.tv->name).c_str(), in_mib(c.v)));
}

}  // namespace

std::vector<std::string> log_lines(const Setup& s, const Plan& p) {
  const Options& o = *s.o;
  const Context& c = *s.c;
  const I n_layer = s.d->arch->num_layers;
  std::vector<std::string> log;
  log.push_back(printf_line("load_tensors: offloaded %lld/%lld layers to GPU",
                            static_cast<long long>(std::min<I>(p.n_gpu_layers, n_layer + 1)),
                            static_cast<long long>(n_layer + 1)));
  log.push_back(printf_line("load_tensors: %12s model buffer size = %8.2f MiB", "CPU_Mapped", in_mib(p.host_model)));
  for (const auto& D : p.dev)
    if (D.model > 0)
      log.push_back(printf_line("load_tensors: %12s model buffer size = %8.2f MiB", D.name.c_str(), in_mib(D.model)));
  log.push_back(printf_line(
      "llama_context: n_ctx = %lld, n_ctx_seq = %lld, n_seq_max = %lld, n_batch = %lld, n_ubatch = %lld, flash_attn = "
      "%s",
      static_cast<long long>(c.n_ctx), static_cast<long long>(c.n_ctx_seq), static_cast<long long>(c.n_seq),
      static_cast<long long>(c.n_batch), static_cast<long long>(c.ubatch), o.flash_attn ? "enabled" : "disabled"));
  log.push_back(
      printf_line("llama_context: %10s  output buffer size = %8.2f MiB", s.host_name.c_str(), in_mib(p.output_buf)));
  for (const auto& cache : p.caches) cache_lines(s, p, cache, log);
  if (p.rs_total > 0) {
    const auto rec_layers = std::count_if(s.l->kv.begin(), s.l->kv.end(), [](const LayerKv& L) { return L.recurrent; });
    log.push_back(
        printf_line("llama_memory_recurrent: size = %7.2f MiB (%6lld cells, %3lld layers, %2lld seqs) (approximate)",
                    in_mib(p.rs_total), static_cast<long long>(c.rs_size), static_cast<long long>(rec_layers),
                    static_cast<long long>(c.n_seq)));
  }
  for (const auto& D : p.dev)
    if (D.compute > 0)
      log.push_back(
          printf_line("llama_context: %10s compute buffer size = %8.2f MiB", D.name.c_str(), in_mib(D.compute)));
  log.push_back(
      printf_line("llama_context: %10s compute buffer size = %8.2f MiB", s.host_name.c_str(), in_mib(p.host_compute)));
  return log;
}

void fill_report(const Setup& s, const Plan& p, EngineOutcome& out) {
  const Options& o = *s.o;
  const Context& c = *s.c;
  const Layout& l = *s.l;
  const I n_layer = s.d->arch->num_layers;
  I kv_all = p.host_kv, model_gpu = 0, compute_gpu = 0;
  for (const auto& D : p.dev) {
    kv_all += D.kv_k + D.kv_v;
    model_gpu += D.model;
    compute_gpu += D.compute;
  }
  I layers_with_kv = 0;
  for (const auto& L : l.kv) layers_with_kv += L.has_kv;
  EngineReport& r = out.report;
  r.engine = "llama.cpp";
  r.str("variant", o.ollama ? "ollama" : "llama.cpp")
      .integer("kv_cache_bytes", kv_all)
      .integer("model_buffer_bytes", model_gpu)
      .integer("compute_buffer_bytes", compute_gpu)
      .integer("host_bytes", out.host_bytes)
      .integer("cpu_mapped_model_buffer_bytes", p.host_model)
      .integer("host_kv_buffer_bytes", p.host_kv + p.host_rs)
      .integer("host_compute_buffer_bytes", p.host_compute)
      .integer("output_buffer_bytes", p.output_buf)
      .integer("recurrent_state_bytes", p.rs_total)
      .integer("model_bytes", l.total)
      .integer("n_ctx", c.n_ctx)
      .integer("n_ctx_seq", c.n_ctx_seq)
      .integer("cells_per_stream", c.size_base)
      .integer("swa_cells_per_stream", c.cells_swa)
      .integer("n_seq_max", c.n_seq)
      .integer("n_stream", c.n_stream)
      .boolean("kv_unified", o.kv_unified)
      .integer("layers_with_kv", layers_with_kv)
      .integer("n_batch", c.n_batch)
      .integer("n_ubatch", c.ubatch)
      .integer("n_gpu_layers", p.n_gpu_layers)
      .str("offloaded_layers",
           std::to_string(std::min<I>(p.n_gpu_layers, n_layer + 1)) + "/" + std::to_string(n_layer + 1))
      .boolean("flash_attn", o.flash_attn)
      .str("cache_type_k", lower(o.tk->name))
      .str("cache_type_v", lower(o.tv->name))
      .boolean("pipeline_parallel", p.pipeline)
      .note("compute_buffer_note", Text(Msg::llamacpp_note_compute_buffer));
  for (const auto& cache : p.caches)
    r.kv_caches.push_back(
        {cache.name.empty() ? "kv" : cache.name, cache.cells, c.n_stream, cache.layers, cache.k, cache.v});
  for (const auto& D : p.dev)
    r.devices.push_back({D.name, D.layers > 0 ? layer_range(D.first, D.last) : std::string("none"), D.output, D.model,
                         D.kv_k + D.kv_v, D.rs, D.compute, D.overhead, D.total()});
}

}  // namespace vramplan::llamacpp
