// The cache descriptor explains itself: one line per group of identical layers, built from the components.
#include <algorithm>

#include "vramplan/model/cache.hpp"

namespace vramplan {
namespace {

using I = std::int64_t;

Msg attention_label(AttentionKind k) {
  switch (k) {
    case AttentionKind::none:
    case AttentionKind::full:
      return Msg::kv_kind_full;
    case AttentionKind::sliding:
    case AttentionKind::compressed:  // its compressed rows are labelled by their own parts
      return Msg::kv_kind_sliding;
    case AttentionKind::chunked:
      return Msg::kv_kind_chunked;
    case AttentionKind::mla:
      return Msg::kv_kind_mla;
    case AttentionKind::cross:
      return Msg::kv_kind_cross;
  }
  return Msg::kv_kind_full;
}

Msg state_label(StateKind k) {
  switch (k) {
    case StateKind::none:
    case StateKind::gated_deltanet:
      return Msg::kv_kind_linear;
    case StateKind::kda:
      return Msg::kv_kind_kda;
    case StateKind::mamba:
      return Msg::kv_kind_mamba;
    case StateKind::mamba2:
      return Msg::kv_kind_mamba2;
    case StateKind::short_conv:
      return Msg::kv_kind_short_conv;
  }
  return Msg::kv_kind_linear;
}

Text kind_label(const LayerCache& l) {
  if (l.state == StateKind::none) return Text(attention_label(l.attention));
  if (l.attention == AttentionKind::none) return Text(state_label(l.state));
  return Text(Msg::kv_kind_hybrid)
      .text("attention", Text(attention_label(l.attention)))
      .text("state", Text(state_label(l.state)));
}

Msg part_label(CachePart p) {
  switch (p) {
    case CachePart::key:
      return Msg::kv_part_key;
    case CachePart::value:
      return Msg::kv_part_value;
    case CachePart::latent:
      return Msg::kv_part_latent;
    case CachePart::rope_key:
      return Msg::kv_part_rope_key;
    case CachePart::indexer_key:
      return Msg::kv_part_indexer_key;
    case CachePart::compressor_state:
      return Msg::kv_part_compressor_state;
    case CachePart::ssm_state:
      return Msg::kv_part_ssm_state;
    case CachePart::conv_state:
      return Msg::kv_part_conv_state;
    case CachePart::cross_key:
      return Msg::kv_part_cross_key;
    case CachePart::cross_value:
      return Msg::kv_part_cross_value;
  }
  return Msg::kv_part_key;
}

}  // namespace

Text explain_dtype(const KvDtype& d) {
  if (d.block_elems == 1) return Text(Msg::kv_dtype_plain).integer("bytes", d.block_bytes).str("dtype", d.id);
  return Text(Msg::kv_dtype_block).str("dtype", d.id).integer("bytes", d.block_bytes).integer("values", d.block_elems);
}

namespace {

Text part_text(const CacheComponent& p) {
  return Text(part_label(p.part))
      .integer("heads", p.heads)
      .integer("head_dim", p.head_dim)
      .integer("state_dim", p.state_dim);
}

bool same_shape(const CacheComponent& a, const CacheComponent& b) {
  return a.heads == b.heads && a.head_dim == b.head_dim && a.state_dim == b.state_dim && a.dtype.id == b.dtype.id;
}

// K and V of equal shape read as the classic "2 (K,V) x heads x head_dim"; anything else lists its parts.
Text token_shape(const std::vector<const CacheComponent*>& parts, I tp) {
  if (parts.size() == 2 && parts[0]->part == CachePart::key && parts[1]->part == CachePart::value &&
      same_shape(*parts[0], *parts[1])) {
    Text t(Msg::kv_shape_kv);
    t.integer("heads", parts[0]->heads).integer("head_dim", parts[0]->head_dim);
    if (tp > 1) t.text("per_rank", Text(Msg::kv_per_rank));
    return t;
  }
  std::vector<Text> items;
  for (const auto* p : parts) items.push_back(part_text(*p));
  return Text(Msg::kv_shape_parts).list("parts", std::move(items));
}

I bytes_of(const std::vector<const CacheComponent*>& parts, I context) {
  I total = 0;
  for (const auto* p : parts) total += p->bytes(context);
  return total;
}

Text state_text(const LayerCache& l, const std::vector<const CacheComponent*>& states, I count) {
  std::vector<Text> items;
  for (const auto* p : states) items.push_back(part_text(*p));
  const I state = bytes_of(states, 0);
  return Text(Msg::kv_group_state)
      .integer("layers", count)
      .text("kind", kind_label(l))
      .integer("state", state)
      .list("parts", std::move(items))
      .integer("bytes", count * state);
}

Text tokens_text(const LayerCache& l, const std::vector<const CacheComponent*>& tokens, I count, I context, I tp) {
  const CacheComponent& first = *tokens.front();
  const bool one_dtype =
      std::all_of(tokens.begin(), tokens.end(), [&](const CacheComponent* p) { return p->dtype.id == first.dtype.id; });
  Text t(one_dtype ? Msg::kv_group_tokens : Msg::kv_group_tokens_mixed);
  t.integer("layers", count).text("kind", kind_label(l));
  if (one_dtype) {
    t.text("shape", token_shape(tokens, tp)).text("dtype", explain_dtype(first.dtype));
  } else {
    std::vector<Text> items;
    for (const auto* p : tokens)
      items.push_back(Text(Msg::kv_part_in_dtype).text("part", part_text(*p)).text("dtype", explain_dtype(p->dtype)));
    t.list("parts", std::move(items));
  }
  t.integer("tokens", first.rows(context));
  if (first.holds == Holds::window || first.holds == Holds::chunk)
    t.text("held", Text(Msg::kv_held_window).integer("context", context).integer("window", first.span));
  else if (first.holds == Holds::fixed_tokens)
    t.text("held", Text(Msg::kv_held_fixed).integer("tokens", first.span));
  else if (first.holds == Holds::strided)
    t.text("held", Text(Msg::kv_held_strided).integer("stride", first.span));
  if (tp > 1 && first.replicated && first.part != CachePart::key)
    t.text("replicated", Text(Msg::kv_replicated).integer("tp", tp));
  t.integer("bytes", count * bytes_of(tokens, context));
  return t;
}

// A group of identical layers: its token rows and, for recurrent (or hybrid) layers, its constant state.
void group_texts(const LayerCache& l, I count, I context, I tp, std::vector<Text>& out) {
  // Token rows kept by different rules (DeepSeek-V4: a window, a stride, the compressor's window) read apart.
  std::vector<std::vector<const CacheComponent*>> tokens;
  std::vector<const CacheComponent*> states;
  for (const auto& p : l.parts) {
    if (p.holds == Holds::per_sequence) {
      states.push_back(&p);
      continue;
    }
    auto it = std::find_if(tokens.begin(), tokens.end(), [&](const std::vector<const CacheComponent*>& g) {
      return g.front()->holds == p.holds && g.front()->span == p.span;
    });
    if (it == tokens.end())
      tokens.push_back({&p});
    else
      it->push_back(&p);
  }
  for (const auto& g : tokens) out.push_back(tokens_text(l, g, count, context, tp));
  if (!states.empty()) out.push_back(state_text(l, states, count));
}

bool same_cache(const LayerCache& a, const LayerCache& b) {
  if (a.attention != b.attention || a.state != b.state || a.parts.size() != b.parts.size()) return false;
  for (std::size_t i = 0; i < a.parts.size(); ++i) {
    const auto &x = a.parts[i], &y = b.parts[i];
    if (x.part != y.part || x.holds != y.holds || x.span != y.span || !same_shape(x, y)) return false;
  }
  return true;
}

}  // namespace

Text explain_cache(const std::vector<LayerCache>& layers, std::size_t first, std::size_t last, I context, I tp) {
  struct Group {
    const LayerCache* layer;
    I count;
  };
  std::vector<Group> groups;
  for (std::size_t i = first; i < last && i < layers.size(); ++i) {
    const LayerCache& l = layers[i];
    if (l.parts.empty()) continue;  // no cache: an MLP-only or no-op layer
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return same_cache(*g.layer, l); });
    if (it == groups.end())
      groups.push_back({&l, 1});
    else
      ++it->count;
  }
  std::vector<Text> items;
  for (const auto& g : groups) group_texts(*g.layer, g.count, context, tp, items);
  return Text(Msg::kv_layers).list("groups", std::move(items));
}

}  // namespace vramplan
