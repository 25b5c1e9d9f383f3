#include "vramplan/serving/perf.hpp"

#include <algorithm>
#include <cmath>

namespace vramplan {

PerfModel make_perf_model(const Architecture& a, const WeightFormat& w, const KvDtype& kv, const GpuEntry& gpu,
                          std::int64_t tp, std::int64_t pp, const std::vector<std::int64_t>& by_class,
                          std::int64_t active_params, std::int64_t embedding_params, const PerfFactors& factors) {
  PerfModel m;
  m.f = factors;
  m.tp = tp;
  m.pp = pp;
  m.hidden = a.hidden_size;
  m.layers = a.num_layers;
  m.num_experts = a.num_experts;
  m.experts_per_token = a.experts_per_token;
  const double gpus = static_cast<double>(tp * pp);
  double experts = 0, dense = 0;
  for (std::size_t c = 0; c < by_class.size(); ++c) {
    const auto cls = static_cast<TensorClass>(c);
    if (cls == TensorClass::mtp || cls == TensorClass::vision || cls == TensorClass::embedding) continue;
    (cls == TensorClass::experts ? experts : dense) += static_cast<double>(by_class[c]);
  }
  m.weight_bytes_dense_per_gpu = dense / gpus;
  m.weight_bytes_experts_per_gpu = experts / gpus;
  m.flops_per_token_linear = 2.0 * static_cast<double>(active_params - embedding_params);
  // Causal attention reads every cached position: 2 matmuls x 2 FLOPs x heads x head_dim per layer.
  double attn = 0;
  const auto layout = cache_layout(a, kv, tp);
  for (const auto& l : layout)
    if (l.attends_to_context()) attn += 4.0 * static_cast<double>(a.num_heads * a.q_head_dim());
  m.attention_flops_per_token_ctx = attn;
  for (const auto& l : layout) m.kv_bytes_per_token_per_gpu += l.bytes_per_token();
  m.kv_bytes_per_token_per_gpu /= pp;
  // The format's compute path: FP8 and INT8 checkpoints use the low-precision tensor cores when the GPU has
  // them; weight-only formats (GPTQ/AWQ/NF4/GGUF/MXFP4 on most GPUs) dequantise to 16-bit.
  m.flops = gpu.bf16_flops > 0 ? gpu.bf16_flops : gpu.fp16_flops;
  m.compute_path = ComputePath::bf16;
  const bool has_path = (w.compute_path == ComputePath::fp8 && gpu.has_fp8()) ||
                        (w.compute_path == ComputePath::int8 && gpu.has_int8()) ||
                        (w.compute_path == ComputePath::fp4 && gpu.has_fp4());
  if (has_path) {
    m.compute_path = w.compute_path;
    m.flops = w.compute_path == ComputePath::fp8    ? gpu.fp8_flops
              : w.compute_path == ComputePath::int8 ? gpu.int8_ops
                                                    : gpu.fp4_flops;
  }
  m.bandwidth = gpu.bandwidth_bytes_per_s;
  m.link = gpu.interconnect_bytes_per_s;
  m.nvlink_class = gpu.scale_up_link();
  return m;
}

PerfFigures perf_figures(const PerfModel& m, std::int64_t prompt, double batch, double context) {
  PerfFigures out;
  const double gpus_tp = static_cast<double>(m.tp);
  const double flops = std::max(1.0, m.flops);
  const double bw = std::max(1.0, m.bandwidth * m.f.mbu);
  const double link = std::max(1.0, m.link * m.f.comm_efficiency);
  auto allreduce = [&](double tokens) { return allreduce_s(m, tokens, static_cast<double>(m.layers)); };
  auto p2p = [&](double tokens) {
    if (m.pp <= 1) return 0.0;
    return static_cast<double>(m.pp - 1) * (m.f.p2p_latency_s + tokens * static_cast<double>(m.hidden) * 2.0 / link);
  };

  // Prefill: compute-bound; the stages run one after another for one prompt.
  const double p = static_cast<double>(prompt);
  const double prefill_flops = m.flops_per_token_linear * p + m.attention_flops_per_token_ctx * p * p / 2.0;
  out.prefill_compute_s = prefill_flops / (gpus_tp * flops * m.f.prefill_mfu);
  const double prefill_memory =
      (m.weight_bytes_dense_per_gpu + m.weight_bytes_experts_per_gpu) * static_cast<double>(m.pp) / bw;
  out.prefill_comm_s = allreduce(p) + p2p(p);
  out.prefill_s = std::max(out.prefill_compute_s, prefill_memory) + out.prefill_comm_s;

  // Decode step: every stage reads its weights (routed experts only where some token of the batch goes:
  // 1 - (1 - k/E)^batch of them, for uniform routing) and the batch's KV cache.
  const double weights = (m.weight_bytes_dense_per_gpu + m.weight_bytes_experts_per_gpu * expert_share(m, batch)) *
                         static_cast<double>(m.pp);
  const double kv = batch * context * static_cast<double>(m.kv_bytes_per_token_per_gpu) * static_cast<double>(m.pp);
  out.decode_memory_s = (weights + kv) / bw;
  out.decode_compute_s = batch * (m.flops_per_token_linear + m.attention_flops_per_token_ctx * context) /
                         (gpus_tp * flops * m.f.decode_mfu);
  out.decode_comm_s = allreduce(batch) + p2p(batch);
  out.decode_step_s = std::max(out.decode_memory_s, out.decode_compute_s) + out.decode_comm_s;
  return out;
}

double expert_share(const PerfModel& m, double tokens) {
  if (m.num_experts <= 0) return 1.0;
  return 1.0 - std::pow(1.0 - static_cast<double>(m.experts_per_token) / static_cast<double>(m.num_experts), tokens);
}

double allreduce_s(const PerfModel& m, double tokens, double layers) {
  if (m.tp <= 1) return 0.0;
  const double tp = static_cast<double>(m.tp);
  const double link = std::max(1.0, m.link * m.f.comm_efficiency);
  const double lat = m.f.allreduce_latency_s * (m.nvlink_class ? 1.0 : 3.0);
  const double bytes = tokens * static_cast<double>(m.hidden) * 2.0;
  return 2.0 * layers * (lat + 2.0 * (tp - 1.0) / tp * bytes / link);
}

double decode_step_s(const PerfModel& m, double batch, double context) {
  const double gpus_tp = static_cast<double>(m.tp);
  const double bw = std::max(1.0, m.bandwidth * m.f.mbu);
  const double link = std::max(1.0, m.link * m.f.comm_efficiency);
  const double pp = static_cast<double>(m.pp);
  const double memory = ((m.weight_bytes_dense_per_gpu + m.weight_bytes_experts_per_gpu * expert_share(m, batch)) * pp +
                         batch * context * static_cast<double>(m.kv_bytes_per_token_per_gpu) * pp) /
                        bw;
  const double compute = batch * (m.flops_per_token_linear + m.attention_flops_per_token_ctx * context) /
                         (gpus_tp * std::max(1.0, m.flops) * m.f.decode_mfu);
  double comm = allreduce_s(m, batch, static_cast<double>(m.layers));
  if (m.pp > 1) comm += (pp - 1.0) * (m.f.p2p_latency_s + batch * static_cast<double>(m.hidden) * 2.0 / link);
  return std::max(memory, compute) + comm;
}

}  // namespace vramplan
