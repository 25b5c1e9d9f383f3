// Prints how long the core takes for the requests the page makes on every keystroke.
// Build: cmake --build --preset release --target vramplan_bench && build/release/bin/vramplan_bench
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "vramplan/api/api.hpp"

namespace {

template <class F>
double median_ms(F f, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main() {
  using nlohmann::json;
  const json estimate = {{"model", "meta-llama/Meta-Llama-3-70B"},
                         {"weights", "fp8"},
                         {"workload", {{"context_tokens", 4096}, {"concurrency", 32}}},
                         {"hardware", {{"gpu", "nvidia-h100-sxm-80gb"}, {"count", 2}}}};
  const json plan_all = {{"model", "meta-llama/Meta-Llama-3-70B"},
                         {"workload", {{"qps", 50}, {"prompt_tokens", 1000}, {"output_tokens", 500}}},
                         {"slo", {{"ttft_ms", 2000}, {"tpot_ms", 100}}},
                         {"weights", {"bf16", "fp8"}},
                         {"engine", "vllm"}};
  json plan_one = plan_all;
  plan_one["candidates"] = {{"gpus", {"nvidia-h100-sxm-80gb"}}};
  json sweep_values = json::array();
  for (int v = 512; v <= 131072; v *= 2) sweep_values.push_back(v);
  const std::string sweep = json{{"request", estimate}, {"axis", "context_tokens"}, {"values", sweep_values}}.dump();

  vramplan::builtin_catalog();  // parse the embedded catalog once, as the page does at load
  std::printf("estimate (Llama-3-70B FP8, 2 x H100, vLLM-free generic)   %8.3f ms\n",
              median_ms([&] { vramplan::estimate_json(estimate); }, 200));
  std::printf("sweep (9 context points in one call)                    %8.3f ms\n",
              median_ms([&] { vramplan::sweep_text(sweep); }, 50));
  std::printf("fit (max context/concurrency, fewest GPUs of 49 types)  %8.3f ms\n",
              median_ms([&] { vramplan::fit_json(estimate); }, 10));
  std::printf("plan (one GPU type, 2 formats)                          %8.3f ms\n",
              median_ms([&] { vramplan::plan_json(plan_one); }, 20));
  std::printf("plan (whole catalog: 49 GPU types x 2 formats)          %8.3f ms\n",
              median_ms([&] { vramplan::plan_json(plan_all); }, 10));
  return 0;
}
