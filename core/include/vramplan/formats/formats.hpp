#pragma once
// Weight formats and what they really store: data bits, scales, zero points, group sizes,
// and which tensor classes they leave in 16 bits.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vramplan/catalog/catalog.hpp"
#include "vramplan/common/error.hpp"
#include "vramplan/model/architecture.hpp"
#include "vramplan/model/params.hpp"

namespace vramplan {

enum class FormatKind {
  plain,        // every element the same size (fp32/fp16/bf16)
  fp8,          // 1 byte + fp32 scales per tensor or per block
  int8,         // W8A8: 1 byte + one fp32 scale per output channel
  grouped,      // GPTQ/AWQ: packed ints + fp16 scale and packed zero point per group (+ GPTQ g_idx)
  bnb,          // bitsandbytes NF4/FP4: 4 bit + absmax per 64 (double quant: 8-bit absmax + fp32 per 256 blocks)
  microscaled,  // MXFP4 (e8m0 scale per 32), NVFP4 (e4m3 scale per 16 + fp32 per tensor)
  gguf,         // a llama.cpp type or mix
};

// The tensor-core path a format's matmuls run on. Weight-only formats (GPTQ/AWQ, NF4, MXFP4 on most GPUs,
// GGUF) dequantise to 16 bits; FP8 and INT8 W8A8 use 8-bit tensor cores, NVFP4 W4A4 the FP4 ones, where
// the GPU has them (GpuEntry::has_fp8 ...).
enum class ComputePath { bf16, fp8, int8, fp4 };
const char* to_string(ComputePath path);

struct WeightFormat {
  std::string id;     // canonical id: "bf16", "gptq-int4", "gguf-Q4_K_M"
  std::string label;  // for display
  FormatKind kind = FormatKind::plain;
  int data_bits = 16;           // bits per quantised element (GGUF: the whole bits of the mix's main type)
  double bits_per_weight = 16;  // nominal bits per weight incl. in-block scales (GGUF Q4_K: 4.5), before
                                // the tensors a format leaves in 16 bits and separate scale tensors
  ComputePath compute_path = ComputePath::bf16;
  int group_size = 0;  // grouped / bnb / microscaled
  int block_rows = 0;  // fp8 block scales (0 = per tensor)
  int block_cols = 0;
  bool double_quant = false;     // bitsandbytes nested quantisation
  bool act_order_index = false;  // GPTQ stores g_idx (int32 per input feature)
  std::string gguf_ftype;        // for gguf: "Q4_K_M", "Q8_0" ...
  bool zero_points = true;       // grouped: packed zero points (false: symmetric)
  bool per_channel = false;      // fp8: one fp32 scale per output row
  int tensor_extra_bytes = 0;    // per stored tensor: compressed-tensors' weight_shape (2 x int64)
  // A checkpoint's own quantisation: which of `scheme_formats` stores each module, layer by layer
  // (formats/quantization.hpp). Without it the format applies to every attention/MLP/expert matrix.
  std::shared_ptr<const QuantizationConfig> checkpoint;
  std::vector<WeightFormat> scheme_formats;  // one per checkpoint->schemes
};

// How a format's matmuls run on one GPU: on the format's own tensor-core path, weight-only (dequantised to
// 16 bits in the matmul), or not at all (FP8 on a GPU whose entry says fp8_path "none", e.g. Ascend 910B).
enum class FormatSupport { native, weight_only, unsupported };
FormatSupport format_support(const WeightFormat& format, const GpuEntry& gpu);
// The storage a checkpoint scheme describes, as a format of its own.
WeightFormat scheme_format(const QuantScheme& scheme, const std::string& method);
// `chosen` applied where the checkpoint quantises and nowhere else: the checkpoint's exclusions are kept.
WeightFormat with_checkpoint_exclusions(const WeightFormat& chosen, const WeightFormat& native);

// Looks a format id up (case-insensitive; accepts aliases such as "float16", "int4", "q4_k_m").
Expected<WeightFormat> find_weight_format(const std::string& id, const std::string& field);

// The format a checkpoint ships in: its quantization_config, else its torch_dtype.
WeightFormat native_weight_format(const Architecture& arch);

// All weight format ids the tool knows (for `catalog formats` and error messages).
std::vector<std::string> weight_format_ids();

// Bytes of one tensor group, all instances, with a short description of the storage.
struct TensorBytes {
  std::int64_t bytes = 0;
  bool quantized = false;        // the format's low-bit storage applies (false: kept in 16 bits)
  std::string storage;           // "Q6_K", "int4 g128 + fp16 scales", "bf16" ...
  std::int64_t kept_bytes = 0;   // of `bytes`, those of copies left in 16 bits
  std::int64_t kept_params = 0;  // and their parameters
};
TensorBytes tensor_bytes(const WeightFormat& fmt, const TensorGroup& group, const Architecture& arch);

// Bytes of the group's tensors in one decoder layer `layer` (GGUF mixes differ from layer to layer).
std::int64_t tensor_bytes_in_layer(const WeightFormat& fmt, const TensorGroup& group, int layer,
                                   const Architecture& arch);

std::int64_t element_bytes_16bit(const Architecture& arch);  // 2, or 4 for an fp32 checkpoint

}  // namespace vramplan

namespace vramplan {
// Scale elements a checkpoint stores as separate tensors that HuggingFace's safetensors
// parameter total includes (FP8 block scales: DeepSeek-V3's weight_scale_inv). 0 for other formats.
std::int64_t checkpoint_scale_elements(const WeightFormat& fmt, const TensorGroup& group, const Architecture& arch);
}  // namespace vramplan
