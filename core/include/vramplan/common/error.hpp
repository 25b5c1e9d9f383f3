#pragma once
// Errors are values: a code from API.md, the request field at fault, and a plain message.
#include <optional>
#include <string>
#include <utility>

namespace vramplan {

enum class ErrorCode { invalid_json, invalid_field, unknown_model, unknown_gpu, unknown_format, unsupported, internal };

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string field;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string field, std::string message) {
  return Error{code, std::move(field), std::move(message)};
}

// Nothing, or the Error that stopped a step (for steps that fill a struct in place).
using Status = std::optional<Error>;

// A value or an Error. The core never throws on bad input; it returns one of these.
template <class T>
class Expected {
 public:
  Expected(T value) : value_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Expected(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& value() const { return *value_; }
  T& value() { return *value_; }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }
  const Error& error() const { return error_; }

 private:
  std::optional<T> value_;
  Error error_;
};

}  // namespace vramplan
