// Where llama.cpp puts each layer, cache and buffer for a given n_gpu_layers (llama-model.cpp load_tensors,
// llama_context ctor), device by device, with the host's share.
#include <algorithm>

#include "llamacpp.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan::llamacpp {
namespace {

// Cumulative, normalised tensor_split (default: equal, identical GPUs).
std::vector<float> split_points(const Options& o, I n_devices) {
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
  return splits;
}

// Layers, caches and the output layer onto the devices and the host.
void place_layers(const Setup& s, Plan& p) {
  const Options& o = *s.o;
  const Context& c = *s.c;
  const Layout& l = *s.l;
  const I n_layer = s.d->arch->num_layers;
  const std::vector<float> splits = split_points(o, s.n_devices);
  const I i_gpu_start = std::max<I>(n_layer - p.n_gpu_layers, 0);
  const I act = std::min<I>(p.n_gpu_layers, n_layer + 1);
  const auto dev_of = [&](I il) -> int {
    if (il < i_gpu_start || (il - i_gpu_start) >= act) return -1;
    const float f = static_cast<float>(il - i_gpu_start) / static_cast<float>(act);
    const auto it = std::upper_bound(splits.begin(), splits.end(), f);
    return static_cast<int>(std::min<std::ptrdiff_t>(it - splits.begin(), s.n_devices - 1));
  };
  KvCacheLine base_line{l.any_swa ? "non-SWA" : "", c.size_base, 0, 0, 0};
  KvCacheLine swa_line{"SWA", c.cells_swa, 0, 0, 0};
  for (I il = 0; il < n_layer; ++il) {
    const int dv = dev_of(il);
    const auto& L = l.kv[static_cast<std::size_t>(il)];
    const I w = l.layer_weights[static_cast<std::size_t>(il)];
    const I cells = L.swa ? c.cells_swa : c.size_base;
    const I kb = L.has_kv ? gguf::row_bytes(*o.tk, L.k_row) * cells * c.n_stream : 0;
    const I vb = L.has_kv && L.v_row > 0 ? gguf::row_bytes(*o.tv, L.v_row) * cells * c.n_stream : 0;
    const I rsb = L.recurrent ? (L.r_row + L.s_row) * 4 * c.rs_size : 0;
    if (L.has_kv) {
      auto& line = L.swa ? swa_line : base_line;
      line.layers += 1;
      line.k += kb;
      line.v += vb;
    }
    p.rs_total += rsb;
    if (dv < 0) {
      p.host_model += w;
      p.host_layers += 1;
      p.host_ffn = true;
    } else {
      auto& D = p.dev[static_cast<std::size_t>(dv)];
      D.model += w;
      D.layers += 1;
      if (D.first < 0) D.first = static_cast<int>(il);
      D.last = static_cast<int>(il);
      if (L.recurrent) D.recurrent = true;
    }
    if (dv < 0 || o.no_kv_offload) {
      p.host_kv += kb + vb;
      p.host_rs += rsb;
      if (L.has_kv) (L.swa ? p.host_swa : p.host_base) = true;
      if (L.recurrent) p.host_rec = true;
    } else {
      auto& D = p.dev[static_cast<std::size_t>(dv)];
      D.kv_k += kb;
      D.kv_v += vb;
      D.rs += rsb;
      if (L.has_kv) (L.swa ? D.has_swa : D.has_base) = true;
    }
  }
  if (base_line.layers > 0 || !l.any_swa) p.caches.push_back(base_line);
  if (l.any_swa) p.caches.push_back(swa_line);
  // Output layer (il = n_layer): output_norm + output (or a duplicate of token_embd when tied).
  const int out_dev = dev_of(n_layer);
  p.output_on_gpu = out_dev >= 0;
  if (out_dev >= 0) {
    auto& D = p.dev[static_cast<std::size_t>(out_dev)];
    D.model += l.output + l.tied_copy + l.mtp;
    D.output = true;
  } else {
    p.host_model += l.output + l.mtp;
  }
  p.host_model += l.input;
  if (l.vision > 0) p.dev[0].model += l.vision;
  // Pipeline parallelism: all layers offloaded to more than one device, KV offloaded (llama_context ctor).
  int used = 0;
  for (const auto& D : p.dev) used += D.layers > 0 ? 1 : 0;
  p.pipeline = used > 1 && p.n_gpu_layers >= n_layer + 1 && !o.no_kv_offload;
}

// Each device's compute buffer: the largest stage of the worst-case graph it runs.
void compute_buffers(const Setup& s, Plan& p) {
  const Options& o = *s.o;
  const ComputeTerms& t = *s.t;
  const Architecture& a = *s.d->arch;
  const I T = s.c->ubatch;
  const I copies = p.pipeline ? o.n_copies : 1;
  const bool explain = s.explain;
  for (std::size_t i = 0; i < p.dev.size(); ++i) {
    auto& D = p.dev[i];
    if (o.compute_override >= 0) {
      D.compute = o.compute_override;
      if (explain) D.compute_explain = Text(Msg::llamacpp_explain_compute_override).integer("bytes", D.compute);
      continue;
    }
    bool first_attn = true;
    for (std::size_t j = 0; j < i; ++j) first_attn = first_attn && !(p.dev[j].has_base || p.dev[j].has_swa);
    std::vector<Text> stages;  // the stages this device runs, each with its bytes
    Text attention;
    I best = t.attention(D.has_base, D.has_swa, first_attn, explain ? &attention : nullptr);
    if (!attention.empty()) stages.push_back(std::move(attention));
    const I f = D.layers > 0 ? t.ffn : 0;
    if (D.layers > 0 && explain) stages.push_back(Text(Msg::llamacpp_compute_ffn).integer("bytes", f));
    best = std::max(best, f);
    if (D.recurrent) {
      if (explain) stages.push_back(Text(Msg::llamacpp_compute_recurrent).integer("bytes", t.rec));
      best = std::max(best, t.rec);
    }
    if (D.output) {
      if (explain)
        stages.push_back(Text(Msg::llamacpp_compute_output)
                             .integer("tokens", T)
                             .integer("vocab", a.vocab_size)
                             .integer("embd", a.hidden_size)
                             .integer("bytes", t.logits));
      best = std::max(best, t.logits);
    }
    I extra = 0;
    if (p.pipeline && D.layers > 0) {
      const I m = (D.has_base ? t.mask_base : 0) + (D.has_swa ? t.mask_swa : 0);
      extra = (copies - 1) * (a.hidden_size * T * 4 + (o.flash_attn && !first_attn ? m / 2 : m));
      if (explain)
        stages.push_back(Text(Msg::llamacpp_compute_pipeline).integer("copies", copies).integer("bytes", extra));
    }
    D.compute = D.layers > 0 || D.output ? best + extra : 0;
    if (explain)
      D.compute_explain = Text(Msg::llamacpp_explain_compute)
                              .str("device", D.name)
                              .list("stages", std::move(stages))
                              .integer("bytes", D.compute);
  }
}

// Host: graph inputs (token embeddings from the CPU get_rows, the KQ masks in f32, small int inputs), plus the
// work of layers kept on the CPU, plus the output buffer.
void host_buffers(const Setup& s, Plan& p) {
  const Options& o = *s.o;
  const ComputeTerms& t = *s.t;
  const Layout& l = *s.l;
  const Architecture& a = *s.d->arch;
  const I T = s.c->ubatch;
  const I n_embd = a.hidden_size;
  const I copies = p.pipeline ? o.n_copies : 1;
  const I embd_in = n_embd * T * 4;
  const I masks = t.mask_base + t.mask_swa;
  const I small = kSmallInputsPerToken * T;
  const I inputs = (embd_in + masks + small) * copies;
  I cpu_work = 0;
  const bool cpu_layers = p.host_ffn || o.no_kv_offload;
  if (cpu_layers) {
    cpu_work =
        std::max(p.host_ffn ? t.ffn : 0, t.attention(p.host_base || (o.no_kv_offload && l.any_base),
                                                     p.host_swa || (o.no_kv_offload && l.any_swa), true, nullptr));
    if (p.host_rec) cpu_work = std::max(cpu_work, t.rec);
  }
  if (!p.output_on_gpu) cpu_work = std::max(cpu_work, t.logits);
  p.host_compute = inputs + cpu_work;
  p.output_buf = s.c->n_seq * (a.vocab_size + (o.output_has_embd ? n_embd : 0)) * 4;
  if (!s.explain) return;
  Text why(Msg::llamacpp_explain_host_compute);
  why.str("host", s.host_name)
      .integer("tokens", T)
      .integer("embd", n_embd)
      .integer("embd_bytes", embd_in)
      .integer("masks", l.any_swa ? 2 : 1)  // the non-SWA mask, and the SWA one when there are SWA layers
      .integer("mask_bytes", masks)
      .integer("small", small);
  if (copies > 1) why.text("pipeline", Text(Msg::llamacpp_host_pipeline).integer("copies", copies));
  why.integer("inputs", inputs);
  if (cpu_work > 0) {
    std::vector<Text> work;
    if (cpu_layers) work.push_back(Text(Msg::llamacpp_host_cpu_layers));
    if (!p.output_on_gpu) work.push_back(Text(Msg::llamacpp_host_cpu_logits).integer("bytes", t.logits));
    why.text("cpu", Text(Msg::llamacpp_host_cpu_work).list("work", std::move(work)).integer("bytes", cpu_work));
  }
  why.integer("bytes", p.host_compute);
  p.host_compute_explain = std::move(why);
}

void explain_model_buffers(const Setup& s, Plan& p) {
  const Layout& l = *s.l;
  const I n_layer = s.d->arch->num_layers;
  for (auto& D : p.dev) {
    I layer_sum = D.model;
    if (D.output) layer_sum -= l.output + l.tied_copy + l.mtp;
    if (&D == &p.dev[0] && l.vision > 0) layer_sum -= l.vision;
    std::vector<Text> parts;
    if (D.layers > 0)
      parts.push_back(Text(Msg::llamacpp_model_layers)
                          .text("range", layer_range_text(D.first, D.last))
                          .integer("layers", D.layers)
                          .integer("n_layer", n_layer)
                          .integer("bytes", layer_sum));
    else
      parts.push_back(Text(Msg::llamacpp_model_no_layers).integer("bytes", layer_sum));
    if (D.output) {
      if (l.output_storage.empty())
        parts.push_back(Text(Msg::llamacpp_model_output_plain).integer("bytes", l.output));
      else
        parts.push_back(Text(Msg::llamacpp_model_output).str("storage", l.output_storage).integer("bytes", l.output));
      if (l.tied_copy > 0) parts.push_back(Text(Msg::llamacpp_model_tied_copy).integer("bytes", l.tied_copy));
      if (l.mtp > 0) parts.push_back(Text(Msg::llamacpp_model_mtp).integer("bytes", l.mtp));
    }
    if (&D == &p.dev[0] && l.vision > 0) parts.push_back(Text(Msg::llamacpp_model_mmproj).integer("bytes", l.vision));
    D.model_explain = Text(Msg::llamacpp_explain_model)
                          .str("device", D.name)
                          .list("parts", std::move(parts))
                          .integer("bytes", D.model)
                          .integer("input", l.input);
  }
  std::vector<Text> parts{Text(Msg::llamacpp_host_model_input).integer("bytes", l.input)};
  if (p.host_layers > 0)
    parts.push_back(Text(Msg::llamacpp_host_model_layers)
                        .integer("layers", p.host_layers)
                        .integer("bytes", p.host_model - l.input - (p.output_on_gpu ? 0 : l.output + l.mtp)));
  if (!p.output_on_gpu) parts.push_back(Text(Msg::llamacpp_host_model_output).integer("bytes", l.output));
  p.host_model_explain =
      Text(Msg::llamacpp_explain_host_model).list("parts", std::move(parts)).integer("bytes", p.host_model);
}

// One cache's share of a device: "32 attention layers x (K 1024 values as f16 = 2,048 B + V ...) x cells";
// empty when the device holds none of its layers.
Text kv_part(const Setup& s, I layers, I cells, bool swa, Msg kind) {
  const Options& o = *s.o;
  const LayerKv* L0 = nullptr;
  for (const auto& L : s.l->kv)
    if (L.has_kv && L.swa == swa) {
      L0 = &L;
      break;
    }
  if (!L0 || layers == 0) return Text();
  const I n_stream = s.c->n_stream;
  const I kr = gguf::row_bytes(*o.tk, L0->k_row), vr = L0->v_row > 0 ? gguf::row_bytes(*o.tv, L0->v_row) : 0;
  Text k = Text(Msg::llamacpp_kv_k).integer("values", L0->k_row).str("type", lower(o.tk->name)).integer("bytes", kr);
  Text v =
      L0->v_row > 0
          ? Text(Msg::llamacpp_kv_v).integer("values", L0->v_row).str("type", lower(o.tv->name)).integer("bytes", vr)
          : Text(Msg::llamacpp_kv_no_v);
  return Text(Msg::llamacpp_kv_part)
      .integer("layers", layers)
      .text("kind", Text(kind))
      .text("k", std::move(k))
      .text("v", std::move(v))
      .integer("cells", cells)
      .integer("streams", n_stream)
      .integer("bytes", layers * (kr + vr) * cells * n_stream);
}

void explain_kv_buffers(const Setup& s, Plan& p) {
  for (auto& D : p.dev) {
    if (D.kv_k + D.kv_v + D.rs == 0) {
      D.kv_explain = s.o->no_kv_offload ? Text(Msg::llamacpp_explain_kv_host)
                                        : Text(Msg::llamacpp_explain_kv_none).str("device", D.name);
      continue;
    }
    I nb = 0, ns = 0, nr = 0;
    for (I il = D.first; il >= 0 && il <= D.last; ++il) {
      const auto& L = s.l->kv[static_cast<std::size_t>(il)];
      nb += L.has_kv && !L.swa;
      ns += L.swa;
      nr += L.recurrent;
    }
    Text pb = kv_part(s, nb, s.c->size_base, false,
                      s.l->any_swa ? Msg::llamacpp_kv_kind_non_swa : Msg::llamacpp_kv_kind_attention);
    Text ps = kv_part(s, ns, s.c->cells_swa, true, Msg::llamacpp_kv_kind_swa);
    const bool one_part = ps.empty() && nr == 0;
    std::vector<Text> parts;
    if (!pb.empty()) parts.push_back(std::move(pb));
    if (!ps.empty()) parts.push_back(std::move(ps));
    if (nr > 0)
      parts.push_back(Text(Msg::llamacpp_kv_recurrent)
                          .integer("layers", nr)
                          .integer("sequences", s.c->rs_size)
                          .integer("bytes", D.rs));
    D.kv_explain = Text(one_part ? Msg::llamacpp_explain_kv : Msg::llamacpp_explain_kv_sum)
                       .str("device", D.name)
                       .list("parts", std::move(parts))
                       .integer("bytes", D.kv_k + D.kv_v + D.rs);
  }
}

}  // namespace

std::string layer_range(int first, int last) {
  if (first < 0) return "no layers";
  return first == last ? "layer " + std::to_string(first)
                       : "layers " + std::to_string(first) + "-" + std::to_string(last);
}

Text layer_range_text(int first, int last) {
  if (first == last) return Text(Msg::llamacpp_layers_one).integer("first", first);
  return Text(Msg::llamacpp_layers_range).integer("first", first).integer("last", last);
}

bool Plan::fits_all(I capacity) const {
  for (const auto& d : dev)
    if (d.total() > capacity) return false;
  return true;
}

Plan build_plan(const Setup& s, I n_gpu_layers) {
  Plan p;
  p.n_gpu_layers = n_gpu_layers;
  p.dev.resize(static_cast<std::size_t>(s.n_devices));
  for (I i = 0; i < s.n_devices; ++i) {
    auto& dv = p.dev[static_cast<std::size_t>(i)];
    dv.name = s.prefix == "Metal" ? (s.n_devices > 1 ? "Metal" + std::to_string(i) : std::string("Metal"))
                                  : s.prefix + std::to_string(i);
    dv.overhead = s.o->context_bytes;
  }
  place_layers(s, p);
  compute_buffers(s, p);
  host_buffers(s, p);
  if (s.explain) {
    explain_model_buffers(s, p);
    explain_kv_buffers(s, p);
  }
  return p;
}

}  // namespace vramplan::llamacpp
