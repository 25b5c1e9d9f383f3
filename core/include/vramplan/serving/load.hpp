#pragma once
// A deployment under load: continuous batching with a per-step token budget (chunked prefill), steps that carry
// decode tokens and prompt chunks together, an admission queue beyond the KV pool or max_num_seqs, and the four
// ways benchmarks load an engine (closed loop of N users, Poisson arrivals, a static batch, everything at once).
// One replica is modelled; replicas share the load evenly.
#include <cstdint>
#include <vector>

#include "vramplan/common/text.hpp"
#include "vramplan/serving/perf.hpp"

namespace vramplan {

enum class LoadMode { concurrency, qps, static_batch, max_throughput };
const char* to_string(LoadMode m);

struct LoadInput {
  LoadMode mode = LoadMode::concurrency;
  double prompt = 1000, output = 500;  // tokens per request
  double users = 0;                    // concurrency: closed-loop users (whole deployment)
  double qps = 0;                      // qps: Poisson arrivals per second (whole deployment)
  double batch = 0;                    // static_batch: requests per replica, prefilled then decoded together
  double requests = 1000;              // max_throughput and overload: the run's requests (whole deployment)
  std::int64_t replicas = 1;
  double kv_capacity = 0;   // sequences of prompt + output tokens the KV pool holds, per replica
  double max_seqs = 0;      // the engine's running-batch cap (max_num_seqs); 0 = none
  double token_budget = 0;  // tokens one step may carry (max_num_batched_tokens); 0 = a whole prompt per step
};

// A figure's mean, median and 99th percentile.
struct Spread {
  double mean = 0, p50 = 0, p99 = 0;
};

enum class LoadBound { bandwidth, compute, kv_capacity, max_seqs, queue };
const char* to_string(LoadBound b);

struct LoadResult {
  Spread ttft_s, tpot_s, e2e_s;
  double output_tokens_per_s = 0;  // whole deployment
  double requests_per_s = 0;       // whole deployment
  double running = 0;              // mean sequences in the running batch, per replica
  double queued = 0;               // mean requests waiting for admission, per replica
  double step_s = 0;               // the mean engine step
  double prefill_tokens_per_step = 0;
  LoadBound bound = LoadBound::bandwidth;
  bool saturated = false;  // the offered load exceeds what the replica serves: the queue grows over the run
  std::vector<Text> warnings;
};

// One engine step on one replica: `decode` sequences each produce a token at mean context `context`, and
// `prefill` prompt tokens of prompts `prompt` long are computed. With PP, micro-batches of 1/pp of both pass
// the stages in turn, so a sequence advances once per pp stage-steps.
struct StepTime {
  double s = 0, memory_s = 0, compute_s = 0, comm_s = 0;
};
StepTime step_time(const PerfModel& m, double decode, double prefill, double context, double prompt);

LoadResult serve_load(const PerfModel& m, const LoadInput& in);

}  // namespace vramplan
