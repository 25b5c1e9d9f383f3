#include "vramplan/model/architecture.hpp"

namespace vramplan {

const char* to_string(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::full:
      return "full";
    case AttentionKind::sliding:
      return "sliding";
    case AttentionKind::chunked:
      return "chunked";
    case AttentionKind::mla:
      return "mla";
    case AttentionKind::linear:
      return "linear";
  }
  return "full";
}

}  // namespace vramplan
