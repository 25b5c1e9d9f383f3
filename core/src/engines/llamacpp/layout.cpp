// llama_context's arithmetic (n_ctx, streams, cells), the model as llama.cpp lays it out (per-layer cache rows
// and weights) and the terms of the worst-case compute graph.
#include <algorithm>

#include "llamacpp.hpp"
#include "vramplan/common/units.hpp"

namespace vramplan::llamacpp {
namespace {

// The weight format llama.cpp would load: GGUF. 16/32-bit requests become the matching GGUF file type.
WeightFormat gguf_format(const WeightFormat& f, std::vector<Text>* warnings) {
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
  warnings->push_back(Text(Msg::llamacpp_warn_not_gguf).str("format", f.id));
  return f;
}

// From the cache descriptor (llama.cpp has no tensor parallelism: the whole model's widths). K rows hold the
// key, or MLA's latent + shared RoPE key (V is a view of K there: has_v = !is_mla); recurrent layers hold R
// (conv) and S (SSM) state rows.
LayerKv layer_rows(const LayerCache& cache) {
  LayerKv L;
  for (const auto& p : cache.parts) {
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
  return L;
}

Status layer_caches(const Deployment& d, const Options& o, Layout& l, EngineOutcome& out) {
  const I n_layer = d.arch->num_layers;
  l.kv.assign(static_cast<std::size_t>(n_layer), LayerKv{});
  const std::vector<LayerCache> layout = cache_layout(*d.arch, d.in->kv, 1);
  for (std::size_t il = 0; il < l.kv.size() && il < layout.size(); ++il) {
    LayerKv& L = l.kv[il] = layer_rows(layout[il]);
    if (L.recurrent) l.any_rec = true;
    if (!L.has_kv) continue;
    (L.swa ? l.any_swa : l.any_base) = true;
    if (!gguf::row_fits(*o.tk, L.k_row))
      return make_error(ErrorCode::invalid_field, "engine_options.cache_type_k",
                        "cache type " + o.type_k + " stores blocks of " + fmt_int(o.tk->block_elems) +
                            " values; this model's K rows hold " + fmt_int(L.k_row) + " values per layer");
    if (L.v_row > 0 && !gguf::row_fits(*o.tv, L.v_row))
      return make_error(ErrorCode::invalid_field, "engine_options.cache_type_v",
                        "cache type " + o.type_v + " stores blocks of " + fmt_int(o.tv->block_elems) +
                            " values; this model's V rows hold " + fmt_int(L.v_row) + " values per layer");
  }
  // llama.cpp gives a model a separate SWA cache only when it mixes sliding and full layers (gemma2/3,
  // cohere2, gpt-oss, llama4 ...); a config whose every layer slides (Mistral-7B-v0.1's sliding_window) is
  // loaded by the llama / qwen2 architectures without a window: every layer holds the full context.
  if (l.any_swa && !l.any_base) {
    for (auto& L : l.kv) L.swa = false;
    l.any_swa = false;
    l.any_base = true;
    out.warnings.push_back(Text(Msg::llamacpp_warn_all_sliding));
  }
  // Without flash attention V is stored transposed and padded to the widest layer (TAG_V_CACHE_VARIABLE).
  if (!o.flash_attn) {
    I vmax = 0;
    for (const auto& L : l.kv) vmax = std::max(vmax, L.v_row);
    for (auto& L : l.kv)
      if (L.has_kv && L.v_row > 0) L.v_row = vmax;
  }
  return std::nullopt;
}

void layer_weights(const Deployment& d, Layout& l, EngineOutcome& out) {
  const Architecture& a = *d.arch;
  const I n_layer = a.num_layers;
  l.format = gguf_format(d.in->weights, &out.warnings);
  const WeightFormat& fmt = l.format;
  l.layer_weights.assign(static_cast<std::size_t>(n_layer), 0);
  for (const auto& g : d.tensors) {
    if (g.mtp) {
      if (d.in->include_mtp_weights()) l.mtp += tensor_bytes(fmt, g, a).bytes;
      continue;
    }
    if (g.cls == TensorClass::vision) {
      // The mmproj file (llama-server --mmproj / -hf): usually F16, on the main GPU unless --no-mmproj-offload.
      if (d.in->include_vision_weights()) {
        static const WeightFormat f16 = *find_weight_format("gguf-F16", "weights");
        l.vision += tensor_bytes(f16, g, a).bytes;
      }
      continue;
    }
    if (g.layers.empty()) {
      const TensorBytes b = tensor_bytes(fmt, g, a);
      if (g.gguf_role == "token_embd") {
        l.input += b.bytes;
        if (a.tie_word_embeddings) l.tied_copy = b.bytes;
      } else if (g.pp_stage_hint == 0) {
        l.input += b.bytes;
      } else {
        l.output += b.bytes;
        if (g.gguf_role == "output") l.output_storage = b.storage;
      }
      continue;
    }
    for (int il : g.layers)
      if (il >= 0 && il < n_layer)
        l.layer_weights[static_cast<std::size_t>(il)] += tensor_bytes_in_layer(fmt, g, il, a);
  }
  l.total = l.input + l.output + l.mtp;
  for (I b : l.layer_weights) l.total += b;
}

}  // namespace

// llama_context ctor: padding, streams and the cells of each cache.
Expected<Context> make_context(const Deployment& d, Options& o, EngineOutcome& out) {
  Context c;
  c.n_seq = o.n_parallel;
  c.n_batch = std::min(o.n_ctx_req, o.n_batch);
  c.ubatch = std::min(c.n_batch, o.n_ubatch);
  c.n_ctx = gpad(o.n_ctx_req, o.n_ctx_pad);
  c.n_stream = o.kv_unified ? 1 : c.n_seq;
  c.n_ctx_seq = c.n_ctx;
  if (!o.kv_unified) {
    c.n_ctx_seq = gpad(c.n_ctx / c.n_seq, o.n_ctx_pad);
    c.n_ctx = c.n_ctx_seq * c.n_seq;
  }
  if (c.n_ctx_seq == 0)
    return make_error(ErrorCode::invalid_field, "engine_options.n_ctx", "n_ctx / n_parallel is 0 (n_ctx_seq == 0)");
  c.size_base = c.n_ctx_seq;
  c.rs_size = std::max<I>(1, c.n_seq);
  const I n_ctx_train = d.arch->max_position_embeddings;
  if (n_ctx_train > 0 && c.n_ctx_seq > n_ctx_train)
    out.warnings.push_back(
        Text(Msg::llamacpp_warn_ctx_overflow).integer("n_ctx_seq", c.n_ctx_seq).integer("n_ctx_train", n_ctx_train));
  return c;
}

Expected<Layout> make_layout(const Deployment& d, const Options& o, Context& c, EngineOutcome& out) {
  Layout l;
  if (auto err = layer_caches(d, o, l, out)) return *err;
  I swa_window = 0;
  for (const auto& L : l.kv)
    if (L.swa) swa_window = std::max(swa_window, L.window);
  if (l.any_swa)
    c.cells_swa = o.swa_full
                      ? c.size_base
                      : gpad(std::min(c.size_base, swa_window * (o.kv_unified ? c.n_seq : 1) + c.ubatch), o.swa_pad);
  layer_weights(d, l, out);
  return l;
}

ComputeTerms make_compute_terms(const Architecture& a, const Options& o, const Context& c, const Layout& l) {
  ComputeTerms t;
  t.arch = &a;
  t.o = &o;
  t.c = &c;
  const I T = c.ubatch;
  const I n_embd = a.hidden_size;
  t.width = std::max(n_embd, a.num_heads * a.q_head_dim());
  t.resid = o.residual_tensors * t.width * T * 4;
  t.mask_base = l.any_base ? c.size_base * T * 4 : 0;
  t.mask_swa = l.any_swa ? c.cells_swa * T * 4 : 0;
  t.logits = (a.vocab_size + n_embd) * T * 4;
  const I moe = (2 * a.experts_per_token * a.moe_intermediate_size + 2 * a.shared_expert_intermediate_size +
                 2 * a.num_experts + 2 * n_embd) *
                T * 4;
  I rec_width = 0;
  for (const auto& s : a.layers) {
    const I dense = (2 * a.mlp_width(s) + 2 * n_embd) * T * 4;
    t.ffn = std::max(t.ffn, s.moe() ? moe : (s.mlp == MlpKind::none ? 0 : dense));
    rec_width = std::max(rec_width, conv_channels(a, s.state));
  }
  if (a.layers.empty()) t.ffn = (2 * a.intermediate_size + 2 * n_embd) * T * 4;
  // The short convolution's input and output rows, and the residual stream.
  if (l.any_rec) t.rec = (2 * rec_width + 2 * n_embd) * T * 4;
  return t;
}

I ComputeTerms::attention(bool base, bool swa, bool first, Text* why) const {
  const I T = c->ubatch;
  const I masks = (base ? mask_base : 0) + (swa ? mask_swa : 0);
  const I n_kv = base ? c->size_base : c->cells_swa;
  if (!base && !swa) return 0;
  if (o->flash_attn) {
    const I m = first ? masks + masks / 2 : masks / 2;
    const I v = m + resid;
    if (why) {
      *why = first ? Text(Msg::llamacpp_attention_flash_first).integer("mask", masks)
                   : Text(Msg::llamacpp_attention_flash_copy);
      why->integer("cast", masks / 2)
          .integer("tensors", o->residual_tensors)
          .integer("width", width)
          .integer("tokens", T)
          .integer("bytes", v);
    }
    return v;
  }
  const I kq = arch->num_heads * n_kv * T * 4;
  const I v = kq + masks + resid;
  if (why)
    *why = Text(Msg::llamacpp_attention_no_flash)
               .integer("heads", arch->num_heads)
               .integer("n_kv", n_kv)
               .integer("tokens", T)
               .integer("kq", kq)
               .integer("mask", masks)
               .integer("tensors", o->residual_tensors)
               .integer("width", width)
               .integer("bytes", v);
  return v;
}

}  // namespace vramplan::llamacpp
