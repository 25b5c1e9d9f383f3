// Compute paths as GPU fields: FP8 weights are never planned or suggested where the GPU's entry says they do
// not run (fp8_path "none": Ascend 910B has no FP8, which Huawei first brings with the Ascend 950 series), and
// where they run weight-only (A100: vLLM's Fp8LinearMethod uses the FP8 Marlin kernel on compute capability
// below 8.9, vllm/model_executor/layers/quantization/fp8.py) the result says so.
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/catalog/catalog.hpp"
#include "vramplan/formats/formats.hpp"
#include "vramplan/serving/fit.hpp"
#include "vramplan/serving/planner.hpp"

using vt::json;

namespace {

bool has_warning(const json& result, const std::string& code) {
  for (const auto& w : result["warnings"])
    if (w["code"] == code) return true;
  return false;
}

json plan_request(const std::string& gpu) {
  return {{"model", "meta-llama/Meta-Llama-3-8B"},
          {"workload", {{"concurrency", 8}, {"prompt_tokens", 1000}, {"output_tokens", 200}}},
          {"candidates", {{"gpus", {gpu}}, {"max_gpus", 8}}},
          {"weights", {"bf16", "fp8"}},
          {"engine", "vllm"}};
}

}  // namespace

TEST_CASE("compute paths: format_support follows the GPU's fields, not its name", "[compute_path]") {
  using vramplan::FormatSupport;
  const auto& c = vramplan::builtin_catalog();
  const auto fp8 = vramplan::find_weight_format("fp8", "w").value();
  const auto awq = vramplan::find_weight_format("awq-int4", "w").value();
  struct Row {
    const char* gpu;
    FormatSupport fp8;
    const char* why;
  };
  for (const Row& row : {Row{"910b", FormatSupport::unsupported, "no FP8 before the Ascend 950"},
                         Row{"910c", FormatSupport::unsupported, "two 910B-class dies"},
                         Row{"a100", FormatSupport::weight_only, "Ampere sm_80: vLLM FP8 Marlin"},
                         Row{"3090", FormatSupport::weight_only, "Ampere sm_86: vLLM FP8 Marlin"},
                         Row{"t4", FormatSupport::unsupported, "Turing sm_75: below Fp8Config's capability 80"},
                         Row{"mi250x", FormatSupport::unsupported, "CDNA 2: Marlin is off on ROCm"},
                         Row{"h100", FormatSupport::native, "Hopper FP8 tensor cores"},
                         Row{"4090", FormatSupport::native, "Ada FP8 tensor cores"},
                         Row{"mi300x", FormatSupport::native, "CDNA 3 FP8"}}) {
    CAPTURE(row.gpu, row.why);
    const vramplan::GpuEntry* g = c.find_gpu(row.gpu);
    REQUIRE(g != nullptr);
    CHECK(vramplan::format_support(fp8, *g) == row.fp8);
    CHECK(vramplan::format_support(awq, *g) != FormatSupport::unsupported);  // weight-only INT4 runs anywhere
  }
  // An inline GPU that states nothing about FP8 is not refused FP8 (unknown, not "none").
  vramplan::GpuEntry custom;
  custom.memory_bytes = 80LL << 30;
  CHECK(vramplan::format_support(fp8, custom) == FormatSupport::weight_only);
}

TEST_CASE("compute paths: estimate says FP8 does not run on Ascend 910B and runs weight-only on A100",
          "[compute_path]") {
  const json on_910b = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, "fp8", "huawei-ascend-910b"));
  CHECK(has_warning(on_910b, "warn.fp8_unsupported"));
  CHECK_FALSE(has_warning(on_910b, "warn.fp8_weight_only"));
  const json on_a100 = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, "fp8", "nvidia-a100-sxm-80gb"));
  CHECK(has_warning(on_a100, "warn.fp8_weight_only"));
  CHECK_FALSE(has_warning(on_a100, "warn.fp8_unsupported"));
  const json on_h100 = vt::estimate(vt::request("meta-llama/Meta-Llama-3-8B", 4096, 1, "fp8", "nvidia-h100-sxm-80gb"));
  CHECK_FALSE(has_warning(on_h100, "warn.fp8_weight_only"));
  CHECK_FALSE(has_warning(on_h100, "warn.fp8_unsupported"));
  // The memory is still FP8's: the same weight bytes on all three.
  CHECK(on_910b["weights"]["bytes"] == on_h100["weights"]["bytes"]);
  CHECK(on_a100["weights"]["bytes"] == on_h100["weights"]["bytes"]);
}

TEST_CASE("compute paths: fit never suggests FP8 on Ascend 910B and names weight-only FP8 on A100",
          "[compute_path][fit]") {
  // 70B in BF16 with 32 x 4k sequences does not fit two 64 GB cards: the 8-bit suggestion must be INT8.
  const json on_910b =
      vramplan::fit_json(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 32, "bf16", "huawei-ascend-910b", 2));
  REQUIRE_FALSE(on_910b.contains("error"));
  bool int8_offered = false;
  for (const auto& s : on_910b["suggestions"]) {
    CAPTURE(s.dump());
    CHECK(s["change"] != "weights=fp8");
    CHECK(s["change"] != "weights=fp8-block");
    if (s["change"] == "weights=int8") int8_offered = true;
  }
  CHECK(int8_offered);
  CHECK(on_910b["best_weights"] != "fp8");
  const json on_a100 =
      vramplan::fit_json(vt::request("meta-llama/Meta-Llama-3-70B", 4096, 32, "bf16", "nvidia-a100-sxm-80gb", 2));
  bool weight_only_named = false;
  for (const auto& s : on_a100["suggestions"])
    if (s["change"] == "weights=fp8")
      weight_only_named = s["text"]["change"]["code"] == "fit.change.weights_weight_only";
  CHECK(weight_only_named);
  // Fewest GPUs of each type for an FP8 checkpoint: no Ascend, no T4; H100 and A100 (weight-only) are there.
  const json fp8_model = vramplan::fit_json(vt::request("Qwen/Qwen3-235B-A22B-FP8", 4096, 1));
  REQUIRE_FALSE(fp8_model.contains("error"));
  bool h100 = false, a100 = false;
  for (const auto& g : fp8_model["min_gpus"]) {
    CAPTURE(g.dump());
    const std::string id = g["gpu"];
    CHECK(id.rfind("huawei-", 0) != 0);
    CHECK(id != "nvidia-t4");
    h100 = h100 || id == "nvidia-h100-sxm-80gb";
    a100 = a100 || id == "nvidia-a100-sxm-80gb";
  }
  CHECK(h100);
  CHECK(a100);
}

TEST_CASE("compute paths: the planner rejects FP8 on Ascend 910B and marks it weight-only on A100",
          "[compute_path][planner]") {
  const json on_910b = vramplan::plan_json(plan_request("huawei-ascend-910b"));
  REQUIRE_FALSE(on_910b.contains("error"));
  bool bf16_planned = false, fp8_rejected = false;
  for (const auto& p : on_910b["plans"]) {
    CHECK(p["weights"] != "fp8");
    bf16_planned = bf16_planned || p["weights"] == "bf16";
  }
  for (const auto& r : on_910b["rejected"])
    if (r["weights"] == "fp8") fp8_rejected = r["reason_text"]["code"] == "plan.reject.no_fp8";
  CHECK(bf16_planned);
  CHECK(fp8_rejected);

  const json on_a100 = vramplan::plan_json(plan_request("nvidia-a100-sxm-80gb"));
  bool a100_fp8 = false;
  for (const auto& p : on_a100["plans"])
    if (p["weights"] == "fp8") {
      a100_fp8 = true;
      CHECK(p["compute_path"] == "bf16");
      CHECK(p["weight_only"] == true);
    }
  CHECK(a100_fp8);
  const json on_h100 = vramplan::plan_json(plan_request("nvidia-h100-sxm-80gb"));
  bool h100_fp8 = false;
  for (const auto& p : on_h100["plans"])
    if (p["weights"] == "fp8") {
      h100_fp8 = true;
      CHECK(p["compute_path"] == "fp8");
      CHECK(p["weight_only"] == false);
    }
  CHECK(h100_fp8);
}
