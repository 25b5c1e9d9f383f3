// gpt-oss's MXFP4 experts as vLLM holds them after loading, read from vllm-project/vllm:
//   model_executor/layers/quantization/mxfp4.py  get_mxfp4_backend: FlashInfer on the SM100 family, Triton from
//       SM90 up to SM110 when triton_kernels is installed (shipped from 0.11; 0.10.1 logs on H100 match Marlin),
//       Marlin otherwise (Ampere, Ada, SM110, SM120) or when VLLM_MXFP4_USE_MARLIN=1; Triton on ROCm.
//   Mxfp4MoEMethod.create_weights  the per-rank intermediate size and the hidden size are padded before the
//       tensors are made: Marlin I -> 128, H -> 256; FlashInfer (SM100 TRT-LLM/BF16) I, H -> 256; ROCm I, H ->
//       128 (get_padding_alignment); Triton I -> 64. w13 [E, 2I, H/2] + scale [E, 2I, H/32], w2 [E, H, I/2] +
//       scale [E, H, I/32], biases [E, 2I] and [E, H] in bf16.
//   process_weights_after_loading (Triton)  biases become fp32; _swizzle_mxfp4 (utils/mxfp4_utils.py) converts
//       values to triton_kernels' HopperMXValueLayout and scales to HopperMXScaleLayout(num_warps 8).
// triton-lang/triton python/triton_kernels/triton_kernels/tensor_details/layout_details:
//   hopper_value.py  _padded_shape: the packed [K/2, N] bytes with K the mx axis get M aligned to 64 and N to 256
//   hopper_scale.py  swizzle_data: [N, K/32] scales aligned to 2 x num_warps x 2 x 8 = 256 rows and 2 columns
// By hand (config.json: hidden 2880, intermediate 2880, 128 experts, 36 layers) this gives gpt-oss-120b +5.13 GiB
// with Marlin (vLLM 0.10.1 on one H100 logged 65.97 GiB) and +3.40 GiB with Triton (64.38 GiB from 0.11).
#include "vllm_loaded.hpp"

#include <algorithm>
#include <vector>

#include "vramplan/common/strings.hpp"
#include "vramplan/formats/formats.hpp"

namespace vramplan {
namespace {

I64 round_up(I64 x, I64 m) { return ceil_div(x, m) * m; }

bool mxfp4_format(const WeightFormat& f) {
  if (f.id == "mxfp4") return true;
  return std::any_of(f.scheme_formats.begin(), f.scheme_formats.end(),
                     [](const WeightFormat& s) { return s.id == "mxfp4"; });
}

// The backend vLLM picks: the option, else get_mxfp4_backend's order for this GPU and release.
Mxfp4Backend pick(const GpuEntry& g, const std::string& choice, bool triton_on_hopper, Msg& why) {
  const int cc = g.compute_capability;
  if (choice == "marlin") return why = Msg::vllm_mxfp4_chosen, Mxfp4Backend::marlin;
  if (choice == "flashinfer") return why = Msg::vllm_mxfp4_chosen, Mxfp4Backend::flashinfer;
  if (choice == "triton")
    return why = Msg::vllm_mxfp4_chosen,
           g.backend == Backend::rocm ? Mxfp4Backend::triton_strided : Mxfp4Backend::triton_hopper;
  if (g.backend == Backend::rocm) return why = Msg::vllm_mxfp4_auto_rocm, Mxfp4Backend::triton_strided;
  if (cc >= 100 && cc < 110) return why = Msg::vllm_mxfp4_auto_flashinfer, Mxfp4Backend::flashinfer;
  if (cc == 90 && triton_on_hopper) return why = Msg::vllm_mxfp4_auto_triton, Mxfp4Backend::triton_hopper;
  why = cc == 0 ? Msg::vllm_mxfp4_auto_unknown : Msg::vllm_mxfp4_auto_marlin;
  return Mxfp4Backend::marlin;
}

// One expert's bytes: w13 and w2 values and scales, and both biases.
struct ExpertBytes {
  I64 i = 0, h = 0, bytes = 0;
};

ExpertBytes plain(I64 i, I64 h, I64 bias_bytes) {
  return {i, h, 2 * i * h / 2 + 2 * i * h / 32 + h * i / 2 + h * i / 32 + (2 * i + h) * bias_bytes};
}

// HopperMXValueLayout stores w [K, N] (K the mx axis) as [round_up(K/2, 64), round_up(N, 256)] bytes;
// HopperMXScaleLayout stores [N, K/32] as [round_up(N, 256), round_up(K/32, 2)].
I64 hopper_tensor(I64 k, I64 n) {
  return round_up(k / 2, 64) * round_up(n, 256) + round_up(n, 256) * round_up(k / 32, 2);
}

ExpertBytes laid_out(Mxfp4Backend b, I64 i, I64 h) {
  switch (b) {
    case Mxfp4Backend::marlin:
      return plain(round_up(i, 128), round_up(h, 256), 2);
    case Mxfp4Backend::flashinfer:
      return plain(round_up(i, 256), round_up(h, 256), 2);
    case Mxfp4Backend::triton_strided:
      return plain(round_up(i, 128), round_up(h, 128), 4);
    case Mxfp4Backend::triton_hopper: {
      const I64 ip = round_up(i, 64);
      return {ip, h, hopper_tensor(h, 2 * ip) + hopper_tensor(ip, h) + (2 * ip + h) * 4};
    }
    case Mxfp4Backend::none:
      break;
  }
  return plain(i, h, 2);
}

// MoE layers of the stage whose routed experts are stored in MXFP4.
I64 mxfp4_moe_layers(const Deployment& d, I64 stage) {
  const Architecture& a = *d.arch;
  const I64 first = d.ranges[static_cast<std::size_t>(stage)].first,
            last = d.ranges[static_cast<std::size_t>(stage)].second;
  for (const TensorGroup& g : d.tensors) {
    if (g.cls != TensorClass::experts || !g.matrix || g.per_layer != a.num_experts) continue;
    if (!tensor_bytes(d.in->weights, g, a).quantized) continue;
    return std::count_if(g.layers.begin(), g.layers.end(), [&](int l) { return l >= first && l < last; });
  }
  return 0;
}

}  // namespace

const char* to_string(Mxfp4Backend b) {
  switch (b) {
    case Mxfp4Backend::marlin:
      return "marlin";
    case Mxfp4Backend::triton_hopper:
    case Mxfp4Backend::triton_strided:
      return "triton";
    case Mxfp4Backend::flashinfer:
      return "flashinfer";
    case Mxfp4Backend::none:
      break;
  }
  return "none";
}

Mxfp4Layout mxfp4_layout(const Deployment& d, I64 stage, const std::string& choice, bool triton_on_hopper) {
  Mxfp4Layout l;
  const Architecture& a = *d.arch;
  const EstimateInput& in = *d.in;
  if (!a.is_moe() || !mxfp4_format(in.weights)) return l;
  l.moe_layers = mxfp4_moe_layers(d, stage);
  if (l.moe_layers == 0) return l;
  l.backend = pick(in.gpu, choice, triton_on_hopper, l.why);
  // Expert parallelism gives each rank whole experts; otherwise every rank holds a TP slice of each.
  l.experts = in.ep > 1 ? ceil_div(a.num_experts, in.ep) : a.num_experts;
  l.intermediate = in.ep > 1 ? a.moe_intermediate_size : ceil_div(a.moe_intermediate_size, d.tp);
  l.hidden = a.hidden_size;
  const ExpertBytes stored = plain(l.intermediate, l.hidden, 2);
  const ExpertBytes loaded = laid_out(l.backend, l.intermediate, l.hidden);
  l.intermediate_padded = loaded.i;
  l.hidden_padded = loaded.h;
  l.checkpoint_bytes = stored.bytes;
  l.loaded_bytes = loaded.bytes;
  l.extra = (loaded.bytes - stored.bytes) * l.experts * l.moe_layers;
  return l;
}

I64 rope_table_bytes(const Architecture& a) {
  const I64 element = a.rope_fp32 ? 4 : element_bytes_16bit(a);
  I64 bytes = 0;
  for (const auto& c : a.rope_caches) bytes += c.positions * c.dim * element;
  return bytes;
}

Text rope_explain(const Architecture& a) {
  std::vector<Text> tables;
  for (const auto& c : a.rope_caches)
    tables.push_back(Text(Msg::vllm_explain_rope_table).integer("positions", c.positions).integer("dim", c.dim));
  return Text(Msg::vllm_explain_rope)
      .list("tables", std::move(tables))
      .integer("element", a.rope_fp32 ? 4 : element_bytes_16bit(a))
      .integer("bytes", rope_table_bytes(a));
}

Text mxfp4_explain(const Mxfp4Layout& l) {
  return Text(Msg::vllm_explain_mxfp4)
      .str("backend", to_string(l.backend))
      .text("why", Text(l.why))
      .integer("intermediate", l.intermediate)
      .integer("intermediate_padded", l.intermediate_padded)
      .integer("hidden", l.hidden)
      .integer("hidden_padded", l.hidden_padded)
      .integer("stored", l.checkpoint_bytes)
      .integer("loaded", l.loaded_bytes)
      .integer("experts", l.experts)
      .integer("layers", l.moe_layers)
      .integer("bytes", l.extra);
}

}  // namespace vramplan
