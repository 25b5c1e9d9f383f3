// Parameter counts, tensor by tensor, against official totals (HF safetensors metadata, model cards).
// Each row's source is where the expected integer was read; the figure is never the program's output.
#include <cmath>
#include <string>

#include "catch.hpp"
#include "support.hpp"
#include "vramplan/import/config.hpp"
#include "vramplan/model/params.hpp"

using vt::i64;
using vt::json;

namespace {

struct OfficialCount {
  const char* model;
  std::int64_t params;
  const char* source;
};

// Exact where the config determines the count. The checkpoint total includes what HF's safetensors
// metadata counts: FP8 block scales (DeepSeek-V3), vision towers, MTP modules.
const OfficialCount kOfficial[] = {
    {"meta-llama/Llama-2-7b-hf", 6738415616,
     "docs/reference/catalog_facts.json (params.exact 6738415616, several independent public files). HF safetensors "
     "metadata total of the NousResearch/Llama-2-7b-hf mirror is 6738417664 (github.com/debaditc/kvfit @bd4ccabf) = "
     "6738415616 + 2048 rotary inv_freq buffer elements (32 layers x 64) that old checkpoints serialized."},
    {"meta-llama/Meta-Llama-3-8B", 8030261248,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Llama-3-8B "
     "entry, read from the Meta-Llama-3-8B-Instruct fixture; same tensor shapes as the base model); also "
     "docs/reference/catalog_facts.json"},
    {"meta-llama/Meta-Llama-3-70B", 70553706496,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Llama-3-70B; "
     "catalog_facts: read from NousResearch/Meta-Llama-3-70B fixture)"},
    {"meta-llama/Llama-3.1-8B-Instruct", 8030261248,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Llama-3.1-8B, "
     "repo meta-llama/Llama-3.1-8B-Instruct); also public GitHub file with a KNOWN_MODELS table 'HF model id -> "
     "(license, exact params)', annotated 'HF Hub API 2026-09-25: tags license:* and safetensors.total' (repository "
     "not named by the search index; find_string id 71142266638)"},
    {"meta-llama/Llama-3.1-70B-Instruct", 70553706496,
     "docs/reference/catalog_facts.json: meta-llama/Llama-3.1-70B checkpoint bytes 141107412992 = 2 x 70553706496 "
     "(bf16, same shapes as the Instruct model) and github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF "
     "safetensors metadata totals) Llama-3-70B count (same tensor shapes)"},
    {"meta-llama/Llama-3.1-405B", 405853388800,
     "docs/reference/catalog_facts.json (public GitHub file: 'meta-llama/Llama-3.1-405B': (405853388800, "
     "'b906e4dc...'))"},
    {"meta-llama/Llama-3.2-1B", 1235814400,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (repository not named by the search index; find_string id "
     "71142266638) (meta-llama/Llama-3.2-1B-Instruct: 1235814400; base has identical shapes); same constant "
     "LLAMA_3_2_1B_PARAMETER_COUNT = 1235814400 in a GPTQModel parameter-count test"},
    {"meta-llama/Llama-3.2-3B", 3212749824,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Llama-3.2-3B, "
     "repo Llama-3.2-3B-Instruct; same shapes); also docs/reference/catalog_facts.json"},
    {"meta-llama/Llama-3.3-70B-Instruct", 70553706496,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (repository not named by the search index; find_string id "
     "71142266638) (meta-llama/Llama-3.3-70B-Instruct: 70553706496); also github.com/debaditc/kvfit @bd4ccabf "
     "src/kvfit/data/models.json (HF safetensors metadata totals) (Llama-3.3-70B)"},
    {"meta-llama/Llama-4-Scout-17B-16E-Instruct", 108641793536,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (repository not named by the search index; find_string id "
     "71142266638) (108641793536); also github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors "
     "metadata totals) (Llama-4-Scout: 108641793536). Includes the vision encoder and projector."},
    {"meta-llama/Llama-4-Maverick-17B-128E-Instruct", 401583781376,
     "Fireworks AI docs example billing export row 'llama4-maverick-instruct-basic, Llama 4 Maverick Basic, "
     "401583781376' (several public GitHub copies of the Fireworks docs, e.g. find_string id 16519339830) and a public "
     "test asserting parameterCount(llama4-maverick IR) == 401583781376n; independently reproduced from this config "
     "(text 400711848960 + vision/projector 871932416)."},
    {"mistralai/Mistral-7B-v0.1", 7241732096,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals); also "
     "docs/reference/catalog_facts.json"},
    {"mistralai/Mistral-7B-Instruct-v0.3", 7248023552,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) "
     "(Mistral-7B-v0.3, repo mistralai/Mistral-7B-Instruct-v0.3); also public GitHub file with a KNOWN_MODELS table "
     "'HF model id -> (license, exact params)', annotated 'HF Hub API 2026-09-25: tags license:* and "
     "safetensors.total' (repository not named by the search index; find_string id 71142266638)"},
    {"mistralai/Mistral-Small-3.2-24B-Instruct-2506", 24011361280,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) "
     "(Mistral-Small-3.2-24B). This total includes the Pixtral vision tower + projector (438958080); the text decoder "
     "alone is 23572403200 (keras-hub presets for the same 24B text architecture; llama.cpp n-params of text GGUFs)."},
    {"mistralai/Mixtral-8x7B-v0.1", 46702792704,
     "github.com/keras-team/keras-hub mixtral presets (mixtral_8_7b_en, the Mixtral-8x7B-v0.1 base: params "
     "46702792704); same total returned by the HF API mock safetensors.total for Mixtral-8x7B-Instruct-v0.1 in a "
     "public test; reproduced exactly from this config"},
    {"mistralai/Mixtral-8x22B-v0.1", 140620634112,
     "public GitHub file listing mistral-community/Mixtral-8x22B-v0.1 (community mirror of the official base) "
     "total_params 140620634112 (find_string id 69468411049); reproduced exactly from this config"},
    {"google/gemma-2-9b", 9241705984,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Gemma-2-9B, "
     "read for google/gemma-2-9b-it; base has identical tensor shapes); reproduced exactly from this config"},
    {"google/gemma-2-27b", 27227128320,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Gemma-2-27B, "
     "read for google/gemma-2-27b-it; base has identical tensor shapes); reproduced exactly from this config"},
    {"google/gemma-3-1b-it", 999885952,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (repository not named by the search index; find_string id "
     "71142266638) (google/gemma-3-1b-it: 999885952); same value in github.com/keras-team/keras-hub "
     "keras_hub/src/models/gemma3/gemma3_presets.py (gemma3_instruct_1b); reproduced exactly from this config"},
    {"Qwen/Qwen3-1.7B", 2031739904,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638) (Qwen/Qwen3-1.7B: 2031739904); "
     "the checkpoint stores the tied lm_head (151,936 x 2,048 more than the tied count), as Qwen3-0.6B's does"},
    {"Qwen/Qwen3-4B", 4022468096,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638) (Qwen/Qwen3-4B: 4022468096)"},
    {"google/gemma-3-4b-it", 4300079472,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Gemma-3-4B: "
     "4300079472); also public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', "
     "annotated 'HF Hub API 2026-09-25: tags license:* and safetensors.total' (repository not named by the search "
     "index; find_string id 71142266638); text-only 3880099328 in keras-hub gemma3 presets (= text decoder with a "
     "262144-row embedding). Reproduced exactly from this config + defaults incl. SigLIP tower and projector."},
    {"google/gemma-3-12b-it", 12187325040,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Gemma-3-12B: "
     "12187325040); text-only 11765788416 in keras-hub gemma3 presets. Reproduced exactly from this config + defaults "
     "incl. SigLIP tower and projector."},
    {"google/gemma-3-27b-it", 27432406640,
     "docs/reference/catalog_facts.json (github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF "
     "safetensors metadata totals); github.com/ai-bot-pro/achatbot PR #150 '27432.40664 M parameters', includes vision "
     "tower). Reproduced exactly from this config + defaults."},
    {"microsoft/Phi-3-mini-4k-instruct", 3821079552,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Phi-3-mini: "
     "3821079552); also public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', "
     "annotated 'HF Hub API 2026-09-25: tags license:* and safetensors.total' (repository not named by the search "
     "index; find_string id 71142266638); reproduced exactly from this config"},
    {"microsoft/Phi-3-medium-4k-instruct", 13960238080,
     "public GitHub benchmark file recording model_size 13960238080 for unsloth/Phi-3-medium-4k-instruct (a re-upload "
     "of the same weights; find_string id 14269230532); reproduced exactly from this config"},
    {"microsoft/phi-4", 14659507200,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Phi-4: "
     "14659507200); also public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', "
     "annotated 'HF Hub API 2026-09-25: tags license:* and safetensors.total' (repository not named by the search "
     "index; find_string id 71142266638); reproduced exactly from this config"},
    {"deepseek-ai/DeepSeek-V3", 684531386000,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (HF safetensors "
     "total; per docs/reference/catalog_facts.json). NOTE: the HF total counts the FP8 checkpoint's float32 "
     "weight_scale_inv tensors and the MTP module (README: 685B on HF = 671B main + 14B MTP)."},
    {"moonshotai/Kimi-K2-Instruct", 1026408235864,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (Kimi-K2: "
     "1026408235864) and public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', "
     "annotated 'HF Hub API 2026-09-25: tags license:* and safetensors.total' (repository not named by the search "
     "index; find_string id 71142266638) (same). HF total counts the FP8 checkpoint's float32 weight_scale_inv "
     "tensors. Label from github.com/MoonshotAI/Kimi-K2 README (Model Summary)."},
    {"THUDM/glm-4-9b-chat-hf", 9399951360,
     "THUDM GLM-4 demo output 'You are served by GLM-4, with 9399951360 (9.4B) parameters.' (several public GitHub "
     "copies, find_string id 42305816254) and a load log 'glm-4-9b-chat ... 9399951360 trainable' (find_string id "
     "29151670186); reproduced exactly from this config"},
    {"zai-org/GLM-4.5", 358337791296,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (GLM-4.5: "
     "358337791296; includes the MTP layer). Label: github.com/zai-org/GLM-4.5 README (355B total, 32B active). "
     "Reproduced exactly from this config when the MTP layer's own embedding and head copies are counted."},
    {"zai-org/GLM-4.5-Air", 110468824832,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (HF safetensors metadata totals) (GLM-4.5-Air: "
     "110468824832; includes the MTP layer). Label: github.com/zai-org/GLM-4.5 README (106B total, 12B active). "
     "Reproduced exactly from this config when the MTP layer's own embedding and head copies are counted."},
    {"Qwen/Qwen2.5-1.5B-Instruct", 1543714304,
     "HF API safetensors.total for Qwen/Qwen2.5-1.5B-Instruct @989aa798 "
     "(github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen2-5-1-5b-instruct/sources/huggingface/model.json); same total in a model_inspector report "
     "(code-index id 62511519683)"},
    {"Qwen/Qwen2.5-3B-Instruct", 3085938688,
     "HF API safetensors.total for Qwen/Qwen2.5-3B-Instruct @aa8e7253 "
     "(github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen2-5-3b-instruct/sources/huggingface/model.json); same total in model_inspector report "
     "(code-index id 62693603738)"},
    {"Qwen/Qwen2.5-7B-Instruct", 7615616512,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata); same "
     "value in HF API safetensors.total @a09a3545 (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen2-5-7b-instruct/sources/huggingface/model.json)"},
    {"Qwen/Qwen2.5-72B-Instruct", 72706203648,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata); same "
     "total (sum of 963 tensors in 37 safetensors files) in public GitHub file: model_inspector.py report "
     "\"模型信息报告\" for /nfs/ofs-llm-ssd/models/opensource/Qwen2.5-72B-Instruct (prints the raw config.json and "
     "sums every tensor in the safetensors files: \"参数总量 72,706,203,648\"; code-index id 62544871882)"},
    {"Qwen/QwQ-32B", 32763876352,
     "sum of 771 tensors in 14 safetensors files: public GitHub file: model_inspector.py report \"模型信息报告\" for "
     "/nfs/ofs-llm-ssd/models/opensource/QwQ-32B (prints the raw config.json and sums every tensor in the safetensors "
     "files: \"参数总量 32,763,876,352\"; code-index id 63012281180)"},
    {"Qwen/Qwen3-0.6B", 751632384,
     "HF API safetensors.total @c1899de2 (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen3-0-6b/sources/huggingface/model.json); same total (311 tensors) in public GitHub file: "
     "model_inspector.py report \"模型信息报告\" for /nfs/ofs-llm-ssd/models/opensource/Qwen3-0.6B (prints the raw "
     "config.json and sums every tensor in the safetensors files: \"参数总量 751,632,384\"; code-index id "
     "62516112186)"},
    {"Qwen/Qwen3-8B", 8190735360,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata)"},
    {"Qwen/Qwen3-14B", 14768307200,
     "sum of 443 tensors in 8 safetensors files: public GitHub file: model_inspector.py report \"模型信息报告\" for "
     "/nfs/ofs-llm-ssd/models/opensource/Qwen3-14B (prints the raw config.json and sums every tensor in the "
     "safetensors files: \"参数总量 14,768,307,200\"; code-index id 62680091503)"},
    {"Qwen/Qwen3-32B", 32762123264,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata); same "
     "in HF API safetensors.total @9216db57 (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen3-32b/sources/huggingface/model.json)"},
    {"Qwen/Qwen3-30B-A3B", 30532122624,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata) (the "
     "architecture-identical Alibaba-NLP/Tongyi-DeepResearch-30B-A3B has the same HF API total)"},
    {"Qwen/Qwen3-235B-A22B", 235093634560,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata)"},
    {"Qwen/Qwen3-Next-80B-A3B-Instruct", 81324862720,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata); same "
     "in HF API safetensors.total @9c7f2fbe (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-qwen-qwen3-next-80b-a3b-instruct/sources/huggingface/model.json) and in public GitHub file: "
     "model_inspector.py report \"模型信息报告\" for /nfs/ofs-llm-ssd/models/opensource/Qwen3-Next-80B-A3B-Instruct "
     "(prints the raw config.json and sums every tensor in the safetensors files: \"参数总量 81,324,862,720\"; "
     "code-index id 62751147890)"},
    {"openai/gpt-oss-20b", 20914757184,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata) "
     "(logical parameter count with MXFP4 experts unpacked). HF API safetensors.total is 21,511,953,984 (BF16 "
     "1,804,459,584 + U8 19,707,494,400) because it counts packed uint8 blocks/scales as elements "
     "(github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-openai-gpt-oss-20b/sources/huggingface/model.json)"},
    {"openai/gpt-oss-120b", 116829156672,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata) "
     "(logical count, as in catalog_facts.json). HF API safetensors.total is 120,412,337,472 (BF16 2,167,371,072 + U8 "
     "118,244,966,400), counting packed MXFP4 bytes (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-openai-gpt-oss-120b/sources/huggingface/model.json)"},
    {"Qwen/Qwen3-VL-8B-Instruct", 8767123696,
     "HF API safetensors total 8767123696 @0c351dd0, text model and vision tower (tests/fixtures/vision/SOURCES.md)"},
    {"Qwen/Qwen2.5-VL-7B-Instruct", 8292166656,
     "HF numParameters 8292166656: 7,615,616,512 text (= Qwen2.5-7B-Instruct) + 676,550,144 vision tower "
     "(tests/fixtures/vision/SOURCES.md)"},
    {"Qwen/Qwen3.5-27B", 27781427952,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json: 27781427952 for a qwen3_5 checkpoint with this "
     "config key for key, vision tower and MTP layer included (tests/fixtures/vision/SOURCES.md)"},
    {"deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", 32763876352,
     "HF API safetensors.total (BF16) @711ad2ea (github.com/daniel-p-green/alain-ai-learning-platform @1b337752 "
     "out/research-deepseek-ai-deepseek-r1-distill-qwen-32b/sources/huggingface/model.json)"},
    {"mistralai/Mistral-Nemo-Instruct-2407", 12247782400,
     "github.com/debaditc/kvfit @bd4ccabf src/kvfit/data/models.json (exact totals from HF safetensors metadata)"},
    {"Qwen/Qwen3.5-0.8B", 873438784,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"Qwen/Qwen3.5-4B", 4659865088,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"Qwen/Qwen3.6-27B", 27781427952,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"Qwen/Qwen3.6-35B-A3B", 35951822704,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"microsoft/Phi-4-mini-instruct", 3836021760,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"allenai/OLMo-2-1124-7B-Instruct", 7298617344,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"ibm-granite/granite-3.3-8b-instruct", 8170864640,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"HuggingFaceTB/SmolLM2-1.7B-Instruct", 1711376384,
     "public GitHub file with a KNOWN_MODELS table 'HF model id -> (license, exact params)', annotated 'HF Hub API "
     "2026-09-25: tags license:* and safetensors.total' (find_string id 71142266638)"},
    {"meta-llama/Llama-3.2-11B-Vision", 10642941475,
     "llmfit data/hf_models.json (github.com/AlexsJones/llmfit @bab8c012, HF safetensors.total); "
     "tests/fixtures/vision/SOURCES.md"},
    {"zai-org/GLM-5", 753864139008,
     "llmfit data/hf_models.json (github.com/AlexsJones/llmfit @bab8c012, HF safetensors.total) zai-org/GLM-5; "
     "with the MTP layer, which has no embedding or head of its own (2 x 154,880 x 6,144 fewer than DeepSeek's)"},
    {"deepseek-ai/DeepSeek-V3.1", 684531386000,
     "llmfit data/hf_models.json (github.com/AlexsJones/llmfit @bab8c012, HF safetensors.total) "
     "'deepseek-ai/DeepSeek-V3.1' parameters_raw 684531386000 (V3's shapes and FP8 block scales)"},
};

// Rows whose official figure the config cannot determine exactly, with the reason (bound: 0.5 %).
struct Known {
  const char* model;
  const char* why;
};
const Known kNotExact[] = {
    {"meta-llama/Llama-4-Scout-17B-16E-Instruct",
     "official 108,641,793,536 is 12,288 below the config-derived count; Maverick, with the same vision tower, "
     "matches exactly, so the difference is in how that checkpoint was counted"},
    {"moonshotai/Kimi-K2-Instruct",
     "the FP8 checkpoint's metadata total counts its 128x128 scale tensors differently from DeepSeek-V3 "
     "(+0.006 %); the logical parameter count equals Kimi-K2.5's"},
};

const char* not_exact_reason(const std::string& id) {
  for (const auto& k : kNotExact)
    if (id == k.model) return k.why;
  return nullptr;
}

}  // namespace

TEST_CASE("params: catalog models match their official totals", "[params]") {
  for (const auto& row : kOfficial) {
    CAPTURE(row.model, row.source);
    json r = vt::estimate(vt::request(row.model));
    REQUIRE_FALSE(r.contains("error"));
    const std::int64_t ours = i64(r["params"]["checkpoint_total"]);
    if (const char* why = not_exact_reason(row.model)) {
      CAPTURE(why);
      CHECK(std::abs(static_cast<double>(ours - row.params)) / static_cast<double>(row.params) < 0.005);
    } else {
      CHECK(ours == row.params);
    }
  }
}

TEST_CASE("params: the issue's anchor counts", "[params]") {
  // From the foundation issue, which cites docs/reference/catalog_facts.json.
  const OfficialCount anchors[] = {
      {"meta-llama/Meta-Llama-3-8B", 8030261248, "kvfit HF safetensors total"},
      {"Qwen/Qwen2.5-7B-Instruct", 7615616512, "kvfit HF safetensors total"},
      {"meta-llama/Meta-Llama-3-70B", 70553706496, "kvfit HF safetensors total"},
      {"deepseek-ai/DeepSeek-V3", 684531386000, "kvfit HF safetensors total (685B incl. the 14B MTP module)"},
  };
  for (const auto& row : anchors) {
    CAPTURE(row.model, row.source);
    json r = vt::estimate(vt::request(row.model));
    CHECK(i64(r["params"]["checkpoint_total"]) == row.params);
  }
}

TEST_CASE("params: DeepSeek-V3 splits into 671B main model + MTP, 37B active", "[params][moe][mla]") {
  // README_WEIGHTS.md of deepseek-ai/DeepSeek-V3: 671B main-model weights, 14B MTP module, ~37B activated.
  json r = vt::estimate(vt::request("deepseek-ai/DeepSeek-V3"));
  const auto& p = r["params"];
  const std::int64_t mtp = i64(p["by_class"]["mtp"]);
  CHECK(std::llround((i64(p["total"]) - mtp) / 1e9) == 671);
  CHECK(std::abs(mtp / 1e9 - 14.0) < 0.6);
  CHECK(std::abs(i64(p["active"]) / 1e9 - 37.0) < 1.0);
}

TEST_CASE("params: active parameters of MoE models", "[params][moe]") {
  // Model cards: Qwen3-235B-A22B "22B activated", Qwen3-30B-A3B "3.3B activated", gpt-oss-120b "5.1B active"
  // (OpenAI counts the active set without the embedding: 5.13B), Mixtral-8x7B "12.9B active".
  struct Row {
    const char* model;
    double active_b;
    double tolerance_b;
    bool without_embedding;
    const char* source;
  };
  const Row rows[] = {
      {"Qwen/Qwen3-235B-A22B", 22.0, 0.5, false, "Qwen3 model card: 235B total, 22B activated"},
      {"Qwen/Qwen3-30B-A3B", 3.3, 0.1, false, "Qwen3-30B-A3B model card: 3.3B activated"},
      {"openai/gpt-oss-120b", 5.1, 0.1, true, "gpt-oss README: 117B total, 5.1B active"},
      {"mistralai/Mixtral-8x7B-v0.1", 12.9, 0.1, false, "Mixtral announcement: 12.9B active of 46.7B"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.model, row.source);
    json r = vt::estimate(vt::request(row.model));
    double active = i64(r["params"]["active"]) / 1e9;
    if (row.without_embedding) active -= i64(r["params"]["embedding"]) / 1e9;
    CHECK(std::abs(active - row.active_b) <= row.tolerance_b);
  }
}

TEST_CASE("params: architecture variants from a pasted config", "[params][config]") {
  // A Llama config with head_dim absent derives it; with attention_bias adds q/k/v/o biases;
  // tie_word_embeddings drops lm_head. Expected counts are the closed forms written out here.
  const std::int64_t h = 512, inter = 1024, L = 2, heads = 8, kv = 2, vocab = 1000, hd = 64;
  const std::int64_t attn = h * heads * hd + 2 * h * kv * hd + heads * hd * h;
  const std::int64_t mlp = 3 * h * inter;
  const std::int64_t norms = 2 * h;
  const std::int64_t base = vocab * h + L * (attn + mlp + norms) + h;
  json cfg = {{"model_type", "llama"},        {"hidden_size", h},
              {"intermediate_size", inter},   {"num_hidden_layers", L},
              {"num_attention_heads", heads}, {"num_key_value_heads", kv},
              {"vocab_size", vocab}};
  auto count = [](const json& c) {
    auto a = vramplan::parse_hf_config(c, "config");
    REQUIRE(a.ok());
    return vramplan::count_params(vramplan::enumerate_tensors(a.value())).total;
  };
  CHECK(count(cfg) == base + vocab * h);  // untied: lm_head
  json tied = cfg;
  tied["tie_word_embeddings"] = true;
  CHECK(count(tied) == base);
  json biased = cfg;
  biased["attention_bias"] = true;
  CHECK(count(biased) == base + vocab * h + L * (heads * hd + 2 * kv * hd + h));
  json qwen = cfg;
  qwen["model_type"] = "qwen2";  // Qwen2: q/k/v biases always, o_proj never
  CHECK(count(qwen) == base + vocab * h + L * (heads * hd + 2 * kv * hd));
  json unknown = cfg;
  unknown["model_type"] = "my_new_llm";
  auto a = vramplan::parse_hf_config(unknown, "config");
  REQUIRE(a.ok());
  REQUIRE(a->warnings.size() == 1);
  CHECK(a->warnings[0].id == vramplan::Msg::import_unknown_model_type);
  REQUIRE(a->warnings[0].find("model_type") != nullptr);
  CHECK(a->warnings[0].find("model_type")->s == "my_new_llm");
}

TEST_CASE("params: text_config nesting reads the text model", "[params][config]") {
  json inner = {{"model_type", "llama"},  {"hidden_size", 256},       {"intermediate_size", 512},
                {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"vocab_size", 100}};
  json outer = {{"model_type", "llava"}, {"text_config", inner}, {"torch_dtype", "float16"}};
  auto a = vramplan::parse_hf_config(outer, "config");
  REQUIRE(a.ok());
  CHECK(a->hidden_size == 256);
  CHECK(a->dtype == "float16");
  // A vision tower of a kind the tool does not count is named in a warning.
  outer["vision_config"] = {{"model_type", "clip_vision_model"}, {"hidden_size", 64}};
  auto v = vramplan::parse_hf_config(outer, "config");
  REQUIRE(v.ok());
  bool warned = false;
  for (const auto& w : v->warnings)
    if (w.id == vramplan::Msg::import_vision_not_counted) {
      warned = true;
      REQUIRE(w.find("vision_type") != nullptr);
      CHECK(w.find("vision_type")->s == "clip_vision_model");
    }
  CHECK(warned);
}

TEST_CASE("params: Nemotron-3's MTP module is the blocks its pattern lists, on the model's embedding and head",
          "[params][hybrid]") {
  // vLLM / SGLang nemotron_h_mtp.py (NemotronHMultiTokenPredictor): one layer per character of
  // mtp_hybrid_override_pattern ("*E": an attention block, then a MoE block), enorm + hnorm + eh_proj (2h -> h) on
  // the first, a final norm on the last; embed_tokens and lm_head are the main model's. So the module is the same
  // two blocks appended to the model (measured here as the growth of a model with "*E" added to its pattern) plus
  // 2h x h + 3h. Hugging Face lists the checkpoint as 124B, whole billions.
  const std::int64_t h = 4096;
  json catalog = vt::source_json("data/models.json");
  json config;
  for (const auto& m : catalog["models"])
    if (m["id"] == "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8") config = m["config"];
  REQUIRE(config.is_object());
  auto total_of = [](const json& cfg) {
    json r = vt::estimate({{"model", {{"config", cfg}}}});
    REQUIRE_FALSE(r.contains("error"));
    return r;
  };
  json with_mtp = total_of(config);
  const std::int64_t mtp = i64(with_mtp["params"]["by_class"]["mtp"]);
  json no_mtp = config;
  no_mtp["num_nextn_predict_layers"] = 0;
  const std::int64_t base = i64(total_of(no_mtp)["params"]["total"]);
  CHECK(i64(with_mtp["params"]["total"]) - base == mtp);
  json longer = no_mtp;
  longer["hybrid_override_pattern"] = config["hybrid_override_pattern"].get<std::string>() + "*E";
  longer["num_hidden_layers"] = config["num_hidden_layers"].get<std::int64_t>() + 2;
  const std::int64_t two_blocks = i64(total_of(longer)["params"]["total"]) - base;
  CHECK(mtp == two_blocks + 2 * h * h + 3 * h);
  CHECK(std::llround(static_cast<double>(i64(with_mtp["params"]["checkpoint_total"])) / 1e9) == 124);
}

TEST_CASE("params: Seed-OSS biases q/k/v but not the output projection unless attention_out_bias says", "[params]") {
  // Seed-OSS-36B's dimensions as a public MLX port's test quotes its config.json (hidden 5120, 64 layers, 80/8
  // heads of 128, intermediate 27648, vocab 155136, untied), with attention_bias true / attention_out_bias false
  // as the published checkpoint and the ports' parity tests set them. 36,151,104,512 is the safetensors total
  // shown for its bf16 MLX copies (model card: "36B").
  json config = {{"model_type", "seed_oss"},   {"architectures", {"SeedOssForCausalLM"}},
                 {"hidden_size", 5120},        {"num_hidden_layers", 64},
                 {"intermediate_size", 27648}, {"num_attention_heads", 80},
                 {"num_key_value_heads", 8},   {"head_dim", 128},
                 {"vocab_size", 155136},       {"tie_word_embeddings", false},
                 {"attention_bias", true},     {"attention_out_bias", false},
                 {"mlp_bias", false},          {"max_position_embeddings", 524288}};
  json r = vt::estimate({{"model", {{"config", config}}}});
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["params"]["total"]) == 36151104512);
  for (const auto& w : r["warnings"]) CHECK(w["code"] != "import.unknown_model_type");
  config["attention_out_bias"] = true;  // one bias of hidden_size per layer more
  CHECK(i64(vt::estimate({{"model", {{"config", config}}}})["params"]["total"]) == 36151104512 + 64 * 5120);
}

TEST_CASE("params: ERNIE-4.5's MoE layout (moe_layer_start_index, shared experts, the router's correction bias)",
          "[params][moe]") {
  // ERNIE-4.5-21B-A3B: hidden 2560, 28 layers, 20/4 heads of 128, dense layer 0 (intermediate 12288), 64 experts
  // of 1536 top-6 with 2 shared from layer 1 (moe_layer_start_index 1), vocab 103424 tied. Its published total,
  // 21,825,437,888 (Hugging Face, as the -Thinking repository of the same architecture lists it), is reached only
  // with the dense first layer, the 2 x 1536 shared MLP and one 64-value e_score_correction_bias per MoE layer.
  json config = {{"model_type", "ernie4_5_moe"}, {"architectures", {"Ernie4_5_MoeForCausalLM"}},
                 {"hidden_size", 2560},          {"intermediate_size", 12288},
                 {"num_hidden_layers", 28},      {"num_attention_heads", 20},
                 {"num_key_value_heads", 4},     {"head_dim", 128},
                 {"vocab_size", 103424},         {"tie_word_embeddings", true},
                 {"moe_num_experts", 64},        {"moe_k", 6},
                 {"moe_num_shared_experts", 2},  {"moe_intermediate_size", 1536},
                 {"moe_layer_start_index", 1},   {"moe_layer_end_index", 27},
                 {"moe_layer_interval", 1},      {"use_bias", false}};
  json r = vt::estimate({{"model", {{"config", config}}}});
  REQUIRE_FALSE(r.contains("error"));
  CHECK(i64(r["params"]["total"]) == 21825437888);
  for (const auto& w : r["warnings"]) CHECK(w["code"] != "import.unknown_model_type");
  // An interval of 2 makes every other layer (1, 3, ... 27) MoE: 14 MoE layers instead of 27, 14 dense instead of 1.
  config["moe_layer_interval"] = 2;
  const std::int64_t moe = 64 * 3 * 2560 * 1536 + 3 * 2560 * 3072 + 64 * 2560 + 64, dense = 3 * 2560 * 12288;
  CHECK(i64(vt::estimate({{"model", {{"config", config}}}})["params"]["total"]) == 21825437888 - 13 * moe + 13 * dense);
}
