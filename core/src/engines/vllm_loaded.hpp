#pragma once
// Private to the vLLM profile: what "Model loading took" holds beyond the checkpoint's tensors: the MXFP4 expert
// weights as vLLM lays them out for its MoE kernel (gpt-oss), and the rotary cos/sin tables.
#include <cstdint>
#include <string>

#include "deployment.hpp"

namespace vramplan {

// The kernel vLLM repacks MXFP4 experts for (quantization/mxfp4.py get_mxfp4_backend).
enum class Mxfp4Backend { none, marlin, triton_hopper, triton_strided, flashinfer };

struct Mxfp4Layout {
  Mxfp4Backend backend = Mxfp4Backend::none;
  Msg why = Msg::vllm_mxfp4_auto_marlin;          // how the backend was chosen
  I64 experts = 0;                                // experts on one GPU
  I64 moe_layers = 0;                             // MoE layers on one GPU of the stage
  I64 intermediate = 0, intermediate_padded = 0;  // per rank
  I64 hidden = 0, hidden_padded = 0;
  I64 checkpoint_bytes = 0, loaded_bytes = 0;  // one expert, as stored and as laid out
  I64 extra = 0;                               // (loaded - checkpoint) x experts x layers
};

// The layout on one GPU of PP stage `stage`; backend none when the experts are not MXFP4. `choice` is the option
// mxfp4_backend ("" = vLLM's own choice); `triton_on_hopper` says whether the release picks Triton on SM90.
Mxfp4Layout mxfp4_layout(const Deployment& d, I64 stage, const std::string& choice, bool triton_on_hopper);
Text mxfp4_explain(const Mxfp4Layout& l);
const char* to_string(Mxfp4Backend b);

// The rotary cos/sin tables on every GPU (RotaryEmbedding._compute_cos_sin_cache, registered as a buffer when the
// model is built): positions x rotary_dim per table, in the model dtype (fp32 where the model asks).
I64 rope_table_bytes(const Architecture& a);
Text rope_explain(const Architecture& a);

}  // namespace vramplan
