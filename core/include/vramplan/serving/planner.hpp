#pragma once
// Deployment planning: workload and latency targets -> ranked hardware plans.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/engines/estimate.hpp"
#include "vramplan/serving/perf.hpp"

namespace vramplan {

struct PlanWorkload {
  double qps = 0;                // requests/s; 0 when the concurrency is given instead
  std::int64_t concurrency = 0;  // requests in flight
  std::int64_t prompt = 1000, output = 500;
};

struct PlanSlo {
  double ttft_s = 0, tpot_s = 0;  // 0 = no target
  double min_output_tokens_per_s = 0;
};

struct KvChoice {
  KvDtype kv;
  bool is_auto = true;  // the model's own dtype: no KV flag in the launch command
};

struct PlanRequest {
  EstimateInput base;  // model, engine and its options (hardware and workload are the planner's)
  PlanWorkload workload;
  PlanSlo slo;
  PerfFactors factors;
  std::vector<const GpuEntry*> gpus;
  std::int64_t max_gpus = 64;
  double max_cost_per_hour = 0;               // 0 = no budget
  std::map<std::string, std::int64_t> owned;  // GPU id -> GPUs you have
  std::map<std::string, double> prices;       // GPU id -> USD per GPU-hour (replaces the catalog's)
  std::vector<WeightFormat> formats;
  std::vector<KvChoice> kvs;
};

struct DeploymentPlan {
  const GpuEntry* gpu = nullptr;
  std::int64_t gpus_per_replica = 1, tp = 1, pp = 1, ep = 1, replicas = 1, total_gpus = 1;
  std::string weights, kv_cache_dtype;
  std::int64_t per_gpu_total = 0, capacity = 0;
  bool fits = false, meets_slo = false;
  double ttft_s = 0, tpot_s = 0, concurrency_per_replica = 0, output_tokens_per_s = 0;
  double cost_per_hour = 0;                   // 0: unknown
  double cost_per_million_output_tokens = 0;  // 0: unknown
  ComputePath compute_path = ComputePath::bf16;
  bool weight_only = false;  // a low-precision format run dequantised to 16 bits (FP8 on A100, NVFP4 before Blackwell)
  Text why;
  std::string launch_command;  // "" when the engine has no launcher for this shape (launch_note says why)
  Text launch_note;
};

struct PlanRejection {
  const GpuEntry* gpu = nullptr;
  std::int64_t gpus_per_replica = 0;
  std::string weights;
  Text reason;
};

struct PlanAssumption {
  std::string name;
  double number = 0;
  std::string text;  // when not a number
  Text why;
};

struct PlanResult {
  double concurrency = 0;             // from Little's law when qps is given
  std::vector<DeploymentPlan> plans;  // best first
  std::vector<PlanRejection> rejected;
  std::vector<std::size_t> pareto;  // indices into plans
  std::vector<PlanAssumption> assumptions;
  std::vector<Text> warnings;
};

Expected<PlanResult> plan(const PlanRequest& request);

}  // namespace vramplan
