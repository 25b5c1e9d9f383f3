// A replica under load. The engine loop of vLLM V1 / SGLang / TensorRT-LLM's in-flight batching: every step
// advances each running sequence by one token and spends what is left of the step's token budget
// (max_num_batched_tokens) on prompt chunks (vllm/v1/core/sched/scheduler.py schedule: decodes first, then
// prefills within token_budget). So in the steady state a step carries the decodes of the running batch plus,
// on average, rate x step x prompt prompt tokens, and decode slows down by the prompts mixed into it.
// Requests beyond the KV pool or max_num_seqs wait for a slot (the scheduler's waiting queue).
#include "vramplan/serving/load.hpp"

#include <algorithm>
#include <cmath>

namespace vramplan {

const char* to_string(LoadMode m) {
  switch (m) {
    case LoadMode::qps:
      return "qps";
    case LoadMode::static_batch:
      return "static_batch";
    case LoadMode::max_throughput:
      return "max_throughput";
    case LoadMode::concurrency:
      break;
  }
  return "concurrency";
}

const char* to_string(LoadBound b) {
  switch (b) {
    case LoadBound::compute:
      return "compute";
    case LoadBound::kv_capacity:
      return "kv_capacity";
    case LoadBound::max_seqs:
      return "max_seqs";
    case LoadBound::queue:
      return "queue";
    case LoadBound::bandwidth:
      break;
  }
  return "bandwidth";
}

StepTime step_time(const PerfModel& m, double decode, double prefill, double context, double prompt) {
  StepTime t;
  const double pp = static_cast<double>(m.pp), tp = static_cast<double>(m.tp);
  const double d = decode / pp, p = prefill / pp;  // one micro-batch
  const double bw = std::max(1.0, m.bandwidth * m.f.mbu);
  const double flops = std::max(1.0, m.flops) * tp;
  const double link = std::max(1.0, m.link * m.f.comm_efficiency);
  // Routed experts are read where some token of the micro-batch goes (uniform routing).
  const double weights =
      m.weight_bytes_dense_per_gpu + m.weight_bytes_experts_per_gpu * expert_share(m, std::max(1.0, d + p));
  const double kv = (d * context + p) * static_cast<double>(m.kv_bytes_per_token_per_gpu);
  const double kv_bw = m.f.kv_mbu > 0 ? std::max(1.0, m.bandwidth * m.f.kv_mbu) : bw;
  t.memory_s = weights / bw + kv / kv_bw;
  const double linear = m.flops_per_token_linear / pp, attention = m.attention_flops_per_token_ctx / pp;
  t.compute_s = d * (linear + attention * context) / (flops * m.f.decode_mfu) +
                p * (linear + attention * prompt / 2.0) / (flops * m.f.prefill_mfu);
  t.comm_s = allreduce_s(m, d + p, static_cast<double>(m.layers) / pp);
  const double hop = m.pp > 1 ? m.f.p2p_latency_s + (d + p) * static_cast<double>(m.hidden) * 2.0 / link : 0.0;
  t.s = pp * (std::max(t.memory_s, t.compute_s) + t.comm_s) + (pp - 1.0) * hop + m.f.step_overhead_s;
  return t;
}

namespace {

// The smallest k with P(Poisson(mean) <= k) >= q.
double poisson_quantile(double mean, double q) {
  if (mean <= 0) return 0;
  if (mean > 50) return std::ceil(mean + std::sqrt(mean) * (q >= 0.99 ? 2.326 : 0.0));
  double term = std::exp(-mean), cdf = term;
  double k = 0;
  while (cdf < q && k < 1000) {
    k += 1;
    term *= mean / k;
    cdf += term;
  }
  return k;
}

// The steady state of `running` sequences, requests entering at `rate` per second (< 0: as fast as they finish,
// the closed loop). A fixed point over the mean step.
struct Steady {
  double step = 0, decoding = 0, prefill_per_step = 0, rate = 0;
  double first_token = 0;  // admission to first token: the step boundary and the prompt's own steps
  double first_chunk_step = 0;
  double e2e = 0;
  StepTime mean_step;
};

// The steps one prompt takes once admitted, beside `decoding` sequences, with `others` prompt tokens per step
// from other requests: one step when the budget allows (or there is none), else chunks of what the budget leaves.
double prompt_steps(const PerfModel& m, const LoadInput& in, double decoding, double others, double context,
                    double& chunk_step) {
  const double room = in.token_budget > 0 ? std::max(1.0, in.token_budget - decoding) : in.prompt + others;
  const double chunks = std::ceil(in.prompt / room);
  chunk_step = step_time(m, decoding, std::min(room, in.prompt + others), context, in.prompt).s;
  return chunks * chunk_step;
}

Steady steady(const PerfModel& m, const LoadInput& in, double running, double rate) {
  Steady s;
  const double context = in.prompt + in.output / 2.0;
  s.step = step_time(m, running, 0, context, in.prompt).s;
  for (int it = 0; it < 80; ++it) {
    s.first_token = m.f.request_overhead_s + s.step / 2.0 +
                    prompt_steps(m, in, s.decoding, s.prefill_per_step, context, s.first_chunk_step);
    s.e2e = s.first_token + std::max(0.0, in.output - 1.0) * s.step;
    s.rate = rate >= 0 ? rate : running / s.e2e;
    s.decoding = running * std::max(0.0, in.output - 1.0) * s.step / s.e2e;
    s.prefill_per_step = s.rate * s.step * in.prompt;
    if (in.token_budget > 0)
      s.prefill_per_step = std::min(s.prefill_per_step, std::max(0.0, in.token_budget - s.decoding));
    s.mean_step = step_time(m, s.decoding, s.prefill_per_step, context, in.prompt);
    const double next = 0.5 * (s.step + s.mean_step.s);
    if (std::abs(next - s.step) <= 1e-9 * s.step) break;
    s.step = next;
  }
  return s;
}

// TTFT and TPOT around the steady state: the median at the mean, the 99th percentile when the prompts arriving
// while a request waits for its first token (or decodes) are at their Poisson 99th percentile.
void spreads(const PerfModel& m, const LoadInput& in, const Steady& s, double wait50, double wait99, LoadResult& out) {
  const double context = in.prompt + in.output / 2.0;
  out.ttft_s.mean = s.first_token + wait50;
  out.ttft_s.p50 = out.ttft_s.mean;
  const double collide = poisson_quantile(s.rate * s.step, 0.99);
  double chunk = 0;
  out.ttft_s.p99 =
      wait99 + m.f.request_overhead_s + s.step + prompt_steps(m, in, s.decoding, collide * in.prompt, context, chunk);
  out.tpot_s.mean = s.step;
  out.tpot_s.p50 = s.step;
  const double decode_steps = std::max(1.0, in.output - 1.0);
  const double arrivals99 = poisson_quantile(s.rate * s.step * decode_steps, 0.99);
  double p99 = step_time(m, s.decoding, arrivals99 * in.prompt / decode_steps, context, in.prompt).s;
  out.tpot_s.p99 = std::max(s.step, p99);
  out.e2e_s.mean = out.ttft_s.mean + decode_steps * out.tpot_s.mean;
  out.e2e_s.p50 = out.ttft_s.p50 + decode_steps * out.tpot_s.p50;
  out.e2e_s.p99 = out.ttft_s.p99 + decode_steps * out.tpot_s.p99;
}

double admission_cap(const LoadInput& in) {
  double cap = in.kv_capacity > 0 ? in.kv_capacity : 1e12;
  if (in.max_seqs > 0) cap = std::min(cap, in.max_seqs);
  return std::max(1.0, std::floor(cap));
}

void classify(const LoadInput& in, const StepTime& mean, double running, LoadResult& out) {
  out.bound = mean.compute_s > mean.memory_s ? LoadBound::compute : LoadBound::bandwidth;
  if (out.queued > 0.5 || running >= admission_cap(in) - 0.5)
    out.bound = in.max_seqs > 0 && in.max_seqs < in.kv_capacity ? LoadBound::max_seqs : LoadBound::kv_capacity;
  if (out.saturated) out.bound = LoadBound::queue;
}

void finish(const LoadInput& in, const Steady& s, double running, LoadResult& out) {
  const double replicas = static_cast<double>(in.replicas);
  out.running = running;
  out.step_s = s.step;
  out.prefill_tokens_per_step = s.prefill_per_step;
  out.requests_per_s = s.rate * replicas;
  out.output_tokens_per_s = s.rate * in.output * replicas;
  classify(in, s.mean_step, running, out);
}

// N users per replica, each sending again when answered; beyond the cap they wait for a slot (Little's law).
LoadResult closed_loop(const PerfModel& m, const LoadInput& in, double users) {
  LoadResult out;
  const double cap = admission_cap(in);
  const double running = std::min(users, cap);
  const Steady s = steady(m, in, running, -1.0);
  out.queued = users - running;
  const double wait = out.queued / s.rate;
  spreads(m, in, s, wait, wait, out);
  finish(in, s, running, out);
  return out;
}

// A run of `n` requests (per replica) arriving faster than the replica finishes them: it serves at its capacity
// and the queue grows; request k waits k (1/served - 1/offered).
LoadResult overloaded(const PerfModel& m, const LoadInput& in, double offered, double n) {
  LoadResult out;
  const double cap = admission_cap(in);
  const Steady s = steady(m, in, cap, -1.0);
  const double served = s.rate;
  const double lag = offered > 0 ? std::max(0.0, 1.0 / served - 1.0 / offered) : 1.0 / served;
  const double waiting = std::max(0.0, n - cap);
  out.saturated = offered > served;
  out.queued = waiting / 2.0;
  spreads(m, in, s, waiting / 2.0 * lag, 0.99 * waiting * lag, out);
  finish(in, s, cap, out);
  return out;
}

// Poisson arrivals: the running batch is rate x E2E (Little's law) when that fits under the cap.
LoadResult open_loop(const PerfModel& m, const LoadInput& in) {
  const double rate = in.qps / static_cast<double>(in.replicas);
  const double cap = admission_cap(in);
  double running = std::min(cap, std::max(1.0, rate * in.output * step_time(m, 1, 0, in.prompt, in.prompt).s));
  Steady s;
  bool stable = false;
  for (int it = 0; it < 200; ++it) {
    s = steady(m, in, running, rate);
    const double next = rate * s.e2e;
    if (next > cap) break;
    if (std::abs(next - running) <= 1e-6 * std::max(1.0, running)) {
      stable = true;
      running = next;
      break;
    }
    running = next;
  }
  // The decode steps must keep up: a replica at its cap finishes cap / E2E requests per second.
  const Steady full = steady(m, in, cap, -1.0);
  if (!stable || rate >= full.rate) {
    LoadResult out = overloaded(m, in, rate, in.requests / static_cast<double>(in.replicas));
    out.warnings.push_back(Text(Msg::perf_warn_saturated)
                               .number("offered", in.qps)
                               .number("served", full.rate * static_cast<double>(in.replicas))
                               .number("requests", in.requests));
    return out;
  }
  LoadResult out;
  // Waiting for admission is nil below the cap; the step boundary and colliding prompts are in the spreads.
  spreads(m, in, s, 0.0, 0.0, out);
  finish(in, s, running, out);
  return out;
}

// A batch prefilled together (in budget-sized steps) and then decoded together to the last token.
LoadResult static_batch(const PerfModel& m, const LoadInput& in, double batch) {
  LoadResult out;
  const double tokens = batch * in.prompt;
  const double per_step = in.token_budget > 0 ? std::min(in.token_budget, tokens) : tokens;
  const double steps = std::ceil(tokens / per_step);
  const double prefill = m.f.request_overhead_s + steps * step_time(m, 0, per_step, in.prompt, in.prompt).s;
  const StepTime decode = step_time(m, batch, 0, in.prompt + in.output / 2.0, in.prompt);
  const double decode_steps = std::max(0.0, in.output - 1.0);
  out.ttft_s = {prefill, prefill, prefill};
  out.tpot_s = {decode.s, decode.s, decode.s};
  const double e2e = prefill + decode_steps * decode.s;
  out.e2e_s = {e2e, e2e, e2e};
  out.running = batch;
  out.step_s = decode.s;
  const double replicas = static_cast<double>(in.replicas);
  out.requests_per_s = batch / e2e * replicas;
  out.output_tokens_per_s = batch * in.output / e2e * replicas;
  out.bound = decode.compute_s > decode.memory_s ? LoadBound::compute : LoadBound::bandwidth;
  if (batch > admission_cap(in))
    out.warnings.push_back(
        Text(Msg::perf_warn_batch_over_capacity).number("batch", batch).number("capacity", admission_cap(in)));
  return out;
}

}  // namespace

LoadResult serve_load(const PerfModel& m, const LoadInput& in) {
  const double replicas = static_cast<double>(std::max<std::int64_t>(1, in.replicas));
  switch (in.mode) {
    case LoadMode::qps:
      return open_loop(m, in);
    case LoadMode::static_batch:
      return static_batch(m, in, std::max(1.0, in.batch));
    case LoadMode::max_throughput: {
      const double n = std::max(1.0, in.requests / replicas);
      if (n <= admission_cap(in)) return static_batch(m, in, n);
      return overloaded(m, in, 0.0, n);
    }
    case LoadMode::concurrency:
      break;
  }
  return closed_loop(m, in, std::max(1.0, std::ceil(in.users / replicas)));
}

}  // namespace vramplan
