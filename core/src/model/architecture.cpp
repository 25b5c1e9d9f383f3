#include "vramplan/model/architecture.hpp"

namespace vramplan {

const char* to_string(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::none:
      return "none";
    case AttentionKind::full:
      return "full";
    case AttentionKind::sliding:
      return "sliding";
    case AttentionKind::chunked:
      return "chunked";
    case AttentionKind::mla:
      return "mla";
    case AttentionKind::cross:
      return "cross";
    case AttentionKind::compressed:
      return "compressed";
  }
  return "full";
}

const char* to_string(StateKind kind) {
  switch (kind) {
    case StateKind::none:
      return "none";
    case StateKind::gated_deltanet:
      return "linear";
    case StateKind::kda:
      return "kda";
    case StateKind::mamba:
      return "mamba";
    case StateKind::mamba2:
      return "mamba2";
    case StateKind::short_conv:
      return "short_conv";
  }
  return "none";
}

std::string layer_kind(const LayerSpec& l) {
  if (l.state == StateKind::none) return to_string(l.attention);
  if (l.attention == AttentionKind::none) return to_string(l.state);
  return std::string(to_string(l.attention)) + "+" + to_string(l.state);
}

std::int64_t conv_channels(const Architecture& a, StateKind kind) {
  switch (kind) {
    case StateKind::none:
      return 0;
    case StateKind::gated_deltanet:
      return 2 * a.linear.num_key_heads * a.linear.key_head_dim + a.linear.num_value_heads * a.linear.value_head_dim;
    case StateKind::kda:
      return 3 * a.kda.num_heads * a.kda.head_dim;
    case StateKind::mamba:
      return a.mamba.d_inner;
    case StateKind::mamba2:
      return a.mamba.conv_channels();
    case StateKind::short_conv:
      return a.hidden_size;
  }
  return 0;
}

}  // namespace vramplan
