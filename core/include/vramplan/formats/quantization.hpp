#pragma once
// Which scheme of a checkpoint's quantisation stores a tensor group in a given layer, decided with the rule
// vLLM's loader applies for the method (cited per rule in quantization.cpp), and a bounded regex matcher.
#include <string>
#include <vector>

#include "vramplan/model/params.hpp"
#include "vramplan/model/quantization.hpp"

namespace vramplan {

// A compiled regular expression of the subset checkpoints use: literals, '.', classes [a-z] / [^...],
// escapes \. \d \w \s \D \W \S, groups (...) and (?:...), '|', quantifiers * + ? {m} {m,} {m,n} (m, n <= 100),
// anchors ^ $. Matching simulates the automaton (Pike VM): time linear in the name, whatever the pattern.
// Not supported (the pattern is refused): lookaround, backreferences, inline flags, possessive/lazy forms.
struct Regex {
  struct Inst {
    enum Op : unsigned char { set, split, jmp, match, bol, eol } op = match;
    int x = 0, y = 0;  // jump targets (split: both)
    int cls = -1;      // set: index into classes
  };
  std::vector<Inst> prog;
  std::vector<std::vector<bool>> classes;  // 256 flags each
  bool ok = false;
  std::string error;  // why the pattern was refused
};
Regex compile_regex(const std::string& pattern);
// Python's re.match: the pattern matches a prefix of `text` (anchored at the start, not at the end).
bool regex_match_prefix(const Regex& re, const std::string& text);
// fnmatch.fnmatch (as vLLM's ModelOpt exclusion uses it): '*', '?', [...] over the whole name.
bool glob_match(const std::string& pattern, const std::string& text);

// The module names of `g` in decoder layer `layer` as the checkpoint names them ("model.layers.3.self_attn.q_proj";
// routed experts as expert 0, "model.layers.3.mlp.experts.0.gate_proj", the expert vLLM's MoE loaders look at).
std::vector<std::string> module_names(const TensorGroup& g, int layer);
// The layer name vLLM's get_quant_method sees: fused q/k/v -> qkv_proj, gate/up -> gate_up_proj, routed experts ->
// the FusedMoE layer "model.layers.3.mlp.experts".
std::string vllm_prefix(const TensorGroup& g, int layer);

// The index into q.schemes storing the group in `layer` (-1: kept in 16 bits).
int checkpoint_scheme(const QuantizationConfig& q, const TensorGroup& g, int layer);

}  // namespace vramplan
