#include "vramplan/common/error.hpp"

namespace vramplan {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_json:
      return "invalid_json";
    case ErrorCode::invalid_field:
      return "invalid_field";
    case ErrorCode::unknown_model:
      return "unknown_model";
    case ErrorCode::unknown_gpu:
      return "unknown_gpu";
    case ErrorCode::unknown_format:
      return "unknown_format";
    case ErrorCode::unsupported:
      return "unsupported";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace vramplan
