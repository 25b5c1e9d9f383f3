// A checkpoint's quantisation, module by module: which scheme stores a tensor group in a layer. Each exclusion
// and target rule follows vLLM's loader for the method (vllm-project/vllm, vllm/model_executor/layers/quantization):
//   compressed_tensors/utils.py   should_ignore_layer, find_matched_target, _is_equal_or_regex_match
//   compressed_tensors/compressed_tensors_moe.py get_moe_method (experts judged by expert 0's gate/up/down names,
//                                 the "Linear" target extended to FusedMoE by _add_fused_moe_to_target_scheme_map)
//   utils/quant_utils.py          is_layer_skipped (fp8.py, fbgemm_fp8.py, mxfp4.py: exact names; experts: an entry
//                                 naming "experts" that contains the FusedMoE prefix)
//   awq.py                        is_layer_skipped_awq (an entry is a substring of the layer name)
//   bitsandbytes.py               is_layer_skipped_bnb (an entry equals a dotted component or a leading path)
//   modelopt.py                   ModelOptQuantConfigBase.is_layer_excluded (exact, substring, fnmatch)
//   utils/gptq_utils.py           get_dynamic_override ("-:" excludes, "+:" overrides; first re.match wins)
// The names are the checkpoint's (HF) names of our tensor groups; fused layers are judged by their shards, which
// is what vLLM does (it refuses a checkpoint whose shards disagree).
#include "vramplan/formats/quantization.hpp"

#include <cctype>
#include <unordered_map>

namespace vramplan {
namespace {

constexpr std::size_t kMaxPattern = 1000;
constexpr int kMaxRepeat = 100;
constexpr std::size_t kMaxProgram = 20000;
constexpr int kMaxDepth = 64;

struct Node {
  enum Kind { set, cat, alt, star, plus, quest, bol, eol } kind = cat;
  int cls = -1;
  std::vector<Node> kids;
};

struct Parser {
  const std::string& p;
  std::size_t i = 0;
  Regex& re;
  std::size_t nodes = 0;

  bool fail(const std::string& why) {
    if (re.error.empty()) re.error = why + " at offset " + std::to_string(i);
    return false;
  }
  int add_class(std::vector<bool> c) {
    re.classes.push_back(std::move(c));
    return static_cast<int>(re.classes.size() - 1);
  }
  static void add_escape_class(char e, std::vector<bool>& c) {
    for (int ch = 0; ch < 256; ++ch) {
      const bool d = std::isdigit(ch) != 0, w = std::isalnum(ch) != 0 || ch == '_', s = std::isspace(ch) != 0;
      const bool in = e == 'd' ? d : e == 'D' ? !d : e == 'w' ? w : e == 'W' ? !w : e == 's' ? s : !s;
      if (in) c[static_cast<std::size_t>(ch)] = true;
    }
  }
  static bool is_class_escape(char e) { return e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S'; }
  // A literal after '\': punctuation stands for itself; letters other than the class escapes are refused
  // (\b, \A, \1 ... change what matches).
  bool escaped_literal(char e, unsigned char& out) {
    if (std::isalnum(static_cast<unsigned char>(e))) {
      if (e == 'n') return out = '\n', true;
      if (e == 't') return out = '\t', true;
      return fail(std::string("unsupported escape \\") + e);
    }
    out = static_cast<unsigned char>(e);
    return true;
  }

  bool parse_class(Node& n) {
    std::vector<bool> c(256, false);
    bool negate = false;
    if (i < p.size() && p[i] == '^') negate = true, ++i;
    bool first = true;
    while (i < p.size() && (p[i] != ']' || first)) {
      first = false;
      unsigned char lo = 0;
      if (p[i] == '\\') {
        if (++i >= p.size()) return fail("unterminated escape");
        if (is_class_escape(p[i])) {
          add_escape_class(p[i++], c);
          continue;
        }
        if (!escaped_literal(p[i++], lo)) return false;
      } else {
        lo = static_cast<unsigned char>(p[i++]);
      }
      unsigned char hi = lo;
      if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
        ++i;
        if (p[i] == '\\') {
          if (++i >= p.size() || is_class_escape(p[i])) return fail("bad range");
          if (!escaped_literal(p[i++], hi)) return false;
        } else {
          hi = static_cast<unsigned char>(p[i++]);
        }
        if (hi < lo) return fail("reversed range");
      }
      for (int ch = lo; ch <= hi; ++ch) c[static_cast<std::size_t>(ch)] = true;
    }
    if (i >= p.size()) return fail("unterminated [");
    ++i;  // ']'
    if (negate) c.flip();
    n.kind = Node::set;
    n.cls = add_class(std::move(c));
    return true;
  }

  bool parse_atom(Node& n, int depth) {
    const char ch = p[i];
    if (ch == '(') {
      ++i;
      if (i < p.size() && p[i] == '?') {
        if (i + 1 < p.size() && p[i + 1] == ':')
          i += 2;
        else
          return fail("unsupported group (?...)");
      }
      if (!parse_alt(n, depth + 1)) return false;
      if (i >= p.size() || p[i] != ')') return fail("missing )");
      ++i;
      return true;
    }
    if (ch == '[') {
      ++i;
      return parse_class(n);
    }
    if (ch == '^' || ch == '$') {
      ++i;
      n.kind = ch == '^' ? Node::bol : Node::eol;
      return true;
    }
    std::vector<bool> c(256, false);
    if (ch == '.') {
      ++i;
      c.flip();
      c['\n'] = false;
    } else if (ch == '\\') {
      if (++i >= p.size()) return fail("trailing \\");
      if (is_class_escape(p[i])) {
        add_escape_class(p[i++], c);
      } else {
        unsigned char lit = 0;
        if (!escaped_literal(p[i++], lit)) return false;
        c[lit] = true;
      }
    } else if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
      return fail("nothing to repeat");
    } else {
      ++i;
      c[static_cast<unsigned char>(ch)] = true;
    }
    n.kind = Node::set;
    n.cls = add_class(std::move(c));
    return true;
  }

  bool read_int(int& v) {
    if (i >= p.size() || !std::isdigit(static_cast<unsigned char>(p[i]))) return false;
    v = 0;
    while (i < p.size() && std::isdigit(static_cast<unsigned char>(p[i]))) {
      v = v * 10 + (p[i++] - '0');
      if (v > kMaxRepeat) return fail("repeat count over " + std::to_string(kMaxRepeat));
    }
    return true;
  }

  bool parse_repeat(Node& out, int depth) {
    Node atom;
    if (!parse_atom(atom, depth)) return false;
    while (i < p.size() && (p[i] == '*' || p[i] == '+' || p[i] == '?' || p[i] == '{')) {
      int lo = 0, hi = -1;
      const char q = p[i++];
      if (q == '*') {
        lo = 0, hi = -1;
      } else if (q == '+') {
        lo = 1, hi = -1;
      } else if (q == '?') {
        lo = 0, hi = 1;
      } else {
        if (!read_int(lo)) return fail("bad {m,n}");
        hi = lo;
        if (i < p.size() && p[i] == ',') {
          ++i;
          hi = -1;
          if (i < p.size() && p[i] != '}' && !read_int(hi)) return fail("bad {m,n}");
        }
        if (i >= p.size() || p[i] != '}') return fail("bad {m,n}");
        ++i;
        if (hi >= 0 && hi < lo) return fail("bad {m,n}");
      }
      if (i < p.size() && p[i] == '+') return fail("possessive quantifier");
      if (i < p.size() && p[i] == '?') ++i;  // lazy: the same set of matches
      Node rep;
      rep.kind = Node::cat;
      for (int k = 0; k < lo; ++k) rep.kids.push_back(atom);
      if (hi < 0) {
        Node s;
        s.kind = Node::star;
        s.kids.push_back(atom);
        rep.kids.push_back(std::move(s));
      } else {
        for (int k = lo; k < hi; ++k) {
          Node s;
          s.kind = Node::quest;
          s.kids.push_back(atom);
          rep.kids.push_back(std::move(s));
        }
      }
      nodes += static_cast<std::size_t>(hi < 0 ? lo + 1 : hi) + 1;
      if (nodes > kMaxProgram) return fail("pattern too large");
      atom = std::move(rep);
    }
    out = std::move(atom);
    return true;
  }

  bool parse_cat(Node& out, int depth) {
    out.kind = Node::cat;
    while (i < p.size() && p[i] != '|' && p[i] != ')') {
      Node r;
      if (!parse_repeat(r, depth)) return false;
      out.kids.push_back(std::move(r));
    }
    return true;
  }

  bool parse_alt(Node& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    Node first;
    if (!parse_cat(first, depth)) return false;
    if (i >= p.size() || p[i] != '|') {
      out = std::move(first);
      return true;
    }
    out.kind = Node::alt;
    out.kids.push_back(std::move(first));
    while (i < p.size() && p[i] == '|') {
      ++i;
      Node next;
      if (!parse_cat(next, depth)) return false;
      out.kids.push_back(std::move(next));
    }
    return true;
  }
};

using Inst = Regex::Inst;

bool emit(const Node& n, std::vector<Inst>& prog) {
  if (prog.size() > kMaxProgram) return false;
  auto at = [&] { return static_cast<int>(prog.size()); };
  switch (n.kind) {
    case Node::set: {
      Inst in;
      in.op = Inst::set;
      in.cls = n.cls;
      prog.push_back(in);
      return true;
    }
    case Node::bol:
    case Node::eol: {
      Inst in;
      in.op = n.kind == Node::bol ? Inst::bol : Inst::eol;
      prog.push_back(in);
      return true;
    }
    case Node::cat:
      for (const auto& k : n.kids)
        if (!emit(k, prog)) return false;
      return true;
    case Node::alt: {
      std::vector<int> jumps;
      for (std::size_t k = 0; k < n.kids.size(); ++k) {
        int split = -1;
        if (k + 1 < n.kids.size()) {
          split = at();
          Inst s;
          s.op = Inst::split;
          prog.push_back(s);
          prog[static_cast<std::size_t>(split)].x = at();
        }
        if (!emit(n.kids[k], prog)) return false;
        if (k + 1 < n.kids.size()) {
          jumps.push_back(at());
          Inst j;
          j.op = Inst::jmp;
          prog.push_back(j);
          prog[static_cast<std::size_t>(split)].y = at();
        }
      }
      for (int j : jumps) prog[static_cast<std::size_t>(j)].x = at();
      return true;
    }
    case Node::star:
    case Node::quest: {
      // split to the body or past it; a star's body jumps back to the split.
      const int l0 = at();
      Inst s;
      s.op = Inst::split;
      prog.push_back(s);
      prog[static_cast<std::size_t>(l0)].x = at();
      if (!emit(n.kids[0], prog)) return false;
      if (n.kind == Node::star) {
        Inst j;
        j.op = Inst::jmp;
        j.x = l0;
        prog.push_back(j);
      }
      prog[static_cast<std::size_t>(l0)].y = at();
      return true;
    }
    case Node::plus: {
      const int l0 = at();
      if (!emit(n.kids[0], prog)) return false;
      Inst s;
      s.op = Inst::split;
      s.x = l0;
      s.y = at() + 1;
      prog.push_back(s);
      return true;
    }
  }
  return false;
}

// Adds pc and everything reachable from it without reading a character; true when it reaches the match.
bool add_thread(const Regex& re, std::vector<int>& list, std::vector<int>& mark, int gen, int pc, std::size_t pos,
                std::size_t n) {
  std::vector<int> stack{pc};
  bool matched = false;
  while (!stack.empty()) {
    const int at = stack.back();
    stack.pop_back();
    if (mark[static_cast<std::size_t>(at)] == gen) continue;
    mark[static_cast<std::size_t>(at)] = gen;
    const Inst& in = re.prog[static_cast<std::size_t>(at)];
    switch (in.op) {
      case Inst::match:
        matched = true;
        break;
      case Inst::jmp:
        stack.push_back(in.x);
        break;
      case Inst::split:
        stack.push_back(in.y);
        stack.push_back(in.x);
        break;
      case Inst::bol:
        if (pos == 0) stack.push_back(at + 1);
        break;
      case Inst::eol:
        if (pos == n) stack.push_back(at + 1);
        break;
      case Inst::set:
        list.push_back(at);
        break;
    }
  }
  return matched;
}

const Regex& cached_regex(const std::string& pattern) {
  static thread_local std::unordered_map<std::string, Regex> cache;
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second;
  if (cache.size() > 4096) cache.clear();
  return cache.emplace(pattern, compile_regex(pattern)).first->second;
}

std::string glob_to_regex(const std::string& g) {
  std::string r;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const char c = g[i];
    if (c == '*') {
      r += ".*";
    } else if (c == '?') {
      r += '.';
    } else if (c == '[' && g.find(']', i + 1) != std::string::npos) {
      const std::size_t end = g.find(']', i + 2 <= g.size() ? i + 2 : i + 1);
      std::string body = g.substr(i + 1, end - i - 1);
      if (!body.empty() && body[0] == '!') body[0] = '^';
      std::string esc;
      for (char b : body) {
        if (b == '\\' || b == '[' || b == ']') esc += '\\';
        esc += b;
      }
      r += "[" + esc + "]";
      i = end;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      r += c;
    } else {
      r += '\\';
      r += c;
    }
  }
  return r + "$";
}

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// compressed-tensors _is_equal_or_regex_match: "re:" + re.match, else equality.
bool equal_or_regex(const std::string& name, const std::string& target) {
  if (starts_with(target, "re:")) return regex_match_prefix(cached_regex(target.substr(3)), name);
  return name == target;
}

bool lower_contains(const std::string& hay, const std::string& needle) {
  if (needle.size() > hay.size()) return false;
  auto low = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return low(hay).find(low(needle)) != std::string::npos;
}

std::string last_component(const std::string& s) {
  const auto dot = s.rfind('.');
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

// The class name vLLM gives the layer (compressed-tensors matches targets such as "Linear" against it).
std::string layer_class(const TensorGroup& g, const std::string& prefix) {
  if (g.cls == TensorClass::experts && prefix.size() >= 8 && prefix.compare(prefix.size() - 8, 8, ".experts") == 0)
    return "FusedMoE";
  const std::string last = last_component(prefix);
  if (last == "qkv_proj") return "QKVParallelLinear";
  if (last == "gate_up_proj") return "MergedColumnParallelLinear";
  switch (g.shard) {
    case Shard::row:
      return "RowParallelLinear";
    case Shard::column:
    case Shard::kv_heads:
      return "ColumnParallelLinear";
    case Shard::replicated:
      break;
  }
  return "ReplicatedLinear";
}

// find_matched_target: the layer's own name first, then its class name (substring, case-insensitive), then for
// fused layers every shard's name; the experts' FusedMoE also takes the "Linear" target.
int compressed_tensors_target(const QuantizationConfig& q, const std::vector<std::string>& names,
                              const std::string& prefix, const std::string& cls, bool fused) {
  auto by_name = [&](const std::vector<std::string>& ns) {
    for (std::size_t s = 0; s < q.schemes.size(); ++s)
      for (const auto& t : q.schemes[s].targets)
        for (const auto& n : ns)
          if (equal_or_regex(n, t)) return static_cast<int>(s);
    return -1;
  };
  auto by_class = [&]() {
    for (std::size_t s = 0; s < q.schemes.size(); ++s)
      for (const auto& t : q.schemes[s].targets) {
        if (starts_with(t, "re:")) continue;
        if (lower_contains(cls, t) || (cls == "FusedMoE" && t == "Linear")) return static_cast<int>(s);
      }
    return -1;
  };
  if (!fused) {
    const int s = by_name(names);
    return s >= 0 ? s : by_class();
  }
  int s = by_name({prefix});
  if (s < 0) s = by_class();
  if (s < 0) s = by_name(names);
  return s;
}

bool ignored(const QuantizationConfig& q, const TensorGroup& g, const std::vector<std::string>& names,
             const std::string& prefix) {
  const auto& list = q.modules_not_converted;
  switch (q.exclusion) {
    case ExclusionRule::none:
      return false;
    case ExclusionRule::exact_or_regex:
      for (const auto& n : names)
        for (const auto& e : list)
          if (equal_or_regex(n, e)) return true;
      return false;
    case ExclusionRule::exact:
    case ExclusionRule::modelopt: {
      bool hit = false;
      if (g.cls == TensorClass::experts && q.exclusion == ExclusionRule::exact) {
        // is_layer_skipped for a FusedMoE prefix: an entry that names experts and contains the prefix.
        for (const auto& e : list)
          if (e.find("experts") != std::string::npos && e.find(prefix) != std::string::npos) hit = true;
        return hit;
      }
      for (const auto& n : names)
        for (const auto& e : list)
          if (n == e) hit = true;
      if (hit || q.exclusion == ExclusionRule::exact) return hit;
      for (const auto& e : list)
        if (prefix.find(e) != std::string::npos || regex_match_prefix(cached_regex(glob_to_regex(e)), prefix))
          return true;
      return false;
    }
    case ExclusionRule::substring:
      for (const auto& e : list)
        if (!e.empty() && prefix.find(e) != std::string::npos) return true;
      return false;
    case ExclusionRule::bnb_components: {
      std::vector<std::string> parts;
      std::string lead;
      std::size_t start = 0;
      while (start <= prefix.size()) {
        const auto dot = prefix.find('.', start);
        const std::string part = prefix.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        lead += (lead.empty() ? "" : ".") + part;
        for (const auto& e : list)
          if (e == part || e == lead) return true;
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      return false;
    }
  }
  return false;
}

}  // namespace

Regex compile_regex(const std::string& pattern) {
  Regex re;
  if (pattern.size() > kMaxPattern) {
    re.error = "pattern longer than " + std::to_string(kMaxPattern) + " characters";
    return re;
  }
  Parser ps{pattern, 0, re};
  Node root;
  if (!ps.parse_alt(root, 0)) return re;
  if (ps.i < pattern.size()) {
    ps.fail("unbalanced )");
    return re;
  }
  if (!emit(root, re.prog) || re.prog.size() > kMaxProgram) {
    re.prog.clear();
    re.error = "pattern too large";
    return re;
  }
  Inst m;
  m.op = Inst::match;
  re.prog.push_back(m);
  re.ok = true;
  return re;
}

bool regex_match_prefix(const Regex& re, const std::string& text) {
  if (!re.ok) return false;
  std::vector<int> mark(re.prog.size(), -1), clist, nlist;
  int gen = 0;
  if (add_thread(re, clist, mark, gen, 0, 0, text.size())) return true;
  for (std::size_t pos = 0; pos < text.size() && !clist.empty(); ++pos) {
    ++gen;
    nlist.clear();
    const auto ch = static_cast<unsigned char>(text[pos]);
    for (int pc : clist) {
      const Inst& in = re.prog[static_cast<std::size_t>(pc)];
      if (re.classes[static_cast<std::size_t>(in.cls)][ch] &&
          add_thread(re, nlist, mark, gen, pc + 1, pos + 1, text.size()))
        return true;
    }
    std::swap(clist, nlist);
  }
  return false;
}

bool glob_match(const std::string& pattern, const std::string& text) {
  return regex_match_prefix(cached_regex(glob_to_regex(pattern)), text);
}

std::vector<std::string> module_names(const TensorGroup& g, int layer) {
  std::string base = g.name;
  for (const char* suffix : {".weight", ".bias"}) {
    const std::string s = suffix;
    if (base.size() > s.size() && base.compare(base.size() - s.size(), s.size(), s) == 0) {
      base.erase(base.size() - s.size());
      break;
    }
  }
  bool first = true;
  for (std::size_t at = base.find('*'); at != std::string::npos; at = base.find('*', at)) {
    const std::string with = first && layer >= 0 ? std::to_string(layer) : first ? "*" : "0";
    base.replace(at, 1, with);
    at += with.size();
    first = false;
  }
  const auto open = base.find('{'), close = base.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {base};
  std::vector<std::string> out;
  const std::string body = base.substr(open + 1, close - open - 1);
  std::size_t start = 0;
  while (true) {
    const auto comma = body.find(',', start);
    out.push_back(base.substr(0, open) + body.substr(start, comma - start) + base.substr(close + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string vllm_prefix(const TensorGroup& g, int layer) {
  const auto names = module_names(g, layer);
  const std::string& n = names.front();
  if (g.cls == TensorClass::experts) {
    const auto at = n.find(".experts.");
    if (at != std::string::npos) return n.substr(0, at + 8);
  }
  const std::string last = last_component(n);
  const std::string head = n.substr(0, n.size() - last.size());
  if (last == "q_proj" || last == "k_proj" || last == "v_proj") return head + "qkv_proj";
  if (last == "gate_proj" || last == "up_proj") return head + "gate_up_proj";
  return n;
}

int checkpoint_scheme(const QuantizationConfig& q, const TensorGroup& g, int layer) {
  if (q.schemes.empty() || !g.matrix) return -1;
  switch (g.cls) {
    case TensorClass::attention:
    case TensorClass::mlp:
    case TensorClass::experts:
    case TensorClass::shared_experts:
      break;
    case TensorClass::lm_head:
      if (q.lm_head_quantized) break;
      return -1;
    default:
      return -1;  // embeddings (vocab-parallel, not Linear), routers (built unquantised), norms, vision towers,
                  // an MTP module's own projection, embedding and head (DeepSeek-V3 stores them in BF16)
  }
  if (q.only_experts && g.cls != TensorClass::experts) return -1;
  const auto names = module_names(g, layer);
  const std::string prefix = vllm_prefix(g, layer);
  if (ignored(q, g, names, prefix)) return -1;
  for (const auto& d : q.dynamic) {
    if (!regex_match_prefix(cached_regex(d.pattern), prefix)) continue;
    if (d.exclude) return -1;
    break;  // an override keeps the module quantised (its own bits: scheme 1 + index, added by the importer)
  }
  if (q.experts_scheme >= 0 && g.cls == TensorClass::experts) return q.experts_scheme;
  if (q.method == "compressed-tensors") {
    const bool fused = prefix != names.front() && g.cls != TensorClass::experts;
    return compressed_tensors_target(q, names, prefix, layer_class(g, prefix), fused);
  }
  // GPTQ dynamic "+:" overrides: the importer appends one scheme per override after the base scheme.
  int override_index = 0;
  for (const auto& d : q.dynamic) {
    if (!d.exclude) ++override_index;
    if (!d.exclude && regex_match_prefix(cached_regex(d.pattern), prefix)) return override_index;
  }
  return 0;
}

}  // namespace vramplan
