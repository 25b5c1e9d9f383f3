#pragma once
// The model and accelerator catalogs as values (import/catalog.hpp reads data/models.json and data/gpus.json,
// embedded at build time, into them).
#include <cstdint>
#include <string>
#include <vector>

#include "vramplan/common/error.hpp"

namespace vramplan {

struct ModelEntry {
  std::string id;  // HuggingFace repo id
  std::string name;
  std::vector<std::string> aliases;
  std::string family;
  std::int64_t official_params = 0;  // 0 when unknown
  std::string official_params_source;
  std::string config;  // the config.json object, as JSON text (import/catalog.hpp reads it)
  // What the checkpoint holds beyond what config.json says (see data/models.schema.json):
  std::int64_t extra_mtp_layers = 0;  // MTP modules no config key describes (Qwen3-Next)
  bool stores_tied_lm_head = false;   // lm_head saved although tied (Qwen3-0.6B)
  // The repository's hf_quant_config.json (NVIDIA ModelOpt checkpoints whose config.json has no
  // quantization_config): read as vLLM reads it, as the modelopt method's config. Empty: none.
  std::string hf_quant_config;
  std::string source;
};

// How the GPUs of one node are linked (data/gpus.json "link").
enum class Link { nvlink, xgmi, hccs, metaxlink, mlulink, mtlink, ethernet, pcie, none };
// The software stack engines run on (data/gpus.json "backend").
enum class Backend { cuda, rocm, metal, cann, synapse, maca, sycl, bang, musa };
// How FP8 checkpoints run on a GPU (data/gpus.json "fp8_path"): on FP8 tensor cores, weight-only (the engine
// dequantises FP8 weights to 16-bit inside the matmul: vLLM's FP8 Marlin kernel on CUDA compute capability
// 8.0-8.8), not at all, or not established (inline GPUs that state no FP8 figure).
enum class Fp8Path { native, weight_only, none, unknown };
const char* to_string(Link link);
const char* to_string(Backend backend);
const char* to_string(Fp8Path path);
bool parse_link(const std::string& text, Link* out);
bool parse_backend(const std::string& text, Backend* out);
bool parse_fp8_path(const std::string& text, Fp8Path* out);

struct GpuEntry {
  std::string id;  // lower-case slug
  std::string name;
  std::vector<std::string> aliases;
  std::string vendor;
  std::int64_t memory_bytes = 0;  // what the runtime reports as total (nvidia-smi MiB x 2^20 where known)
  bool inline_entry = false;      // given in the request: memory_bytes is the total the engine reports
  double usable_fraction = 1.0;   // unified memory: the share the GPU may use by default
  double bandwidth_bytes_per_s = 0;
  double bf16_flops = 0;
  double fp16_flops = 0;
  double fp8_flops = 0;
  double int8_ops = 0;
  double fp4_flops = 0;
  double interconnect_bytes_per_s = 0;  // per GPU, per direction
  Link link = Link::pcie;
  Backend backend = Backend::cuda;
  Fp8Path fp8_path = Fp8Path::unknown;
  int compute_capability = 0;   // CUDA major x 10 + minor (86 for sm_86); 0: not an NVIDIA entry, or not given
  bool unified_memory = false;  // the GPU shares the host's memory (Apple silicon, GH200's Grace side aside)
  int gpus_per_node = 8;
  double price_per_hour = 0;  // indicative, USD; 0 = unknown
  std::string source;

  // A scale-up fabric (NVLink, Infinity Fabric, HCCS): all-reduces pay NVLink-class latency.
  bool scale_up_link() const { return link == Link::nvlink || link == Link::xgmi || link == Link::hccs; }
  // FP8 checkpoints load and run here (natively or weight-only); false only where the entry says they do not.
  bool runs_fp8_weights() const { return fp8_path != Fp8Path::none; }
  // Which tensor-core paths the GPU has: a published dense figure for that number format.
  bool has_fp8() const { return fp8_flops > 0; }
  bool has_int8() const { return int8_ops > 0; }
  bool has_fp4() const { return fp4_flops > 0; }

  std::int64_t capacity_bytes() const {
    return static_cast<std::int64_t>(static_cast<double>(memory_bytes) * usable_fraction);
  }
};

struct Catalog {
  std::vector<ModelEntry> models;
  std::vector<GpuEntry> gpus;

  const ModelEntry* find_model(const std::string& id_or_alias) const;  // case-insensitive
  const GpuEntry* find_gpu(const std::string& id_or_alias) const;
  std::vector<std::string> closest_models(const std::string& query, std::size_t n) const;
  std::vector<std::string> closest_gpus(const std::string& query, std::size_t n) const;
};

}  // namespace vramplan
