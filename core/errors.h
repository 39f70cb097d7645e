// Error kinds of SEMANTICS.md section 9. Every failing operation of the
// reference returns an Error carrying one of these kinds and a message with
// the numbers involved; vectors and drivers compare kinds, never messages.
//
// Errors are values (Result<T>), not C++ exceptions: a fuzz input fails
// several ops, and under ASan a scopedAllocPop that threw its error took
// 4.4 us, 25 times a push and a pop that succeed (bench/fuzz_input_bench). Only a refused setup (an impossible memory or
// growth configuration) throws a GlueError, and Result::value() throws one
// for callers that want exceptions (tests, examples).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/messages.h"

namespace memconform {

enum class ErrorKind {
  NoActiveScope,    // SCOPE-2, SCOPE-11
  InvalidState,     // SCOPE-4, SCOPE-5
  AllocFailed,      // SCOPE-3
  InvalidType,      // PEEK-1
  InvalidArgument,  // VIEW-3 and argument checks
  OutOfBounds,      // PEEK-6
  ReadOnly,         // SCOPE-7
  RangeError,       // MEM-2 (JS), PEEK-4 (BigInt of a fraction)
  TypeError,        // PEEK-4 (BigInt into a Number type), MEM-2 (EnforceRange)
  Thrown,           // an exception raised by a vector's `throw` op
  Trap,             // a trap inside a wasm module the implementation runs (section 12)
};
inline constexpr ErrorKind kLastErrorKind = ErrorKind::Trap;

// The spelling used in SEMANTICS.md, vectors and reports.
std::string_view errorKindName(ErrorKind kind);
// The kind so spelled, if any (vectors, driver responses).
std::optional<ErrorKind> errorKindFromName(std::string_view name);

struct Error {
  ErrorKind kind;
  std::string message;  // without the kind
};

// An Error as a C++ exception; what() is "Kind: message".
class GlueError : public std::runtime_error {
 public:
  explicit GlueError(Error error);
  GlueError(ErrorKind kind, const std::string& message) : GlueError(Error{kind, message}) {}
  ErrorKind kind() const noexcept { return error_.kind; }
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// The Error of a failing operation: `return fail(kind, "...")`, or
// `fail(kind, [&] { return "..." + std::to_string(n); })` for a message
// that takes formatting, built only if Messages::wanted(). A message
// given as a std::string was built already (a driver's, a trap's): kept.
inline Error fail(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }
inline Error fail(ErrorKind kind, const char* message) {
  return Error{kind, Messages::wanted() ? std::string(message) : std::string()};
}
template <class MakeMessage>
  requires std::is_invocable_r_v<std::string, MakeMessage&>
Error fail(ErrorKind kind, MakeMessage&& makeMessage) {
  return Error{kind, Messages::wanted() ? std::string(makeMessage()) : std::string()};
}

// Throws `error` as a GlueError: a refused setup, or value() of a failed Result.
[[noreturn]] void raise(const Error& error);

// The outcome of an operation that may fail: a T, or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // The value; raise()s the Error of a failed Result.
  T& value() & { return ok() ? std::get<0>(v_) : (raise(std::get<1>(v_)), std::get<0>(v_)); }
  const T& value() const& { return ok() ? std::get<0>(v_) : (raise(std::get<1>(v_)), std::get<0>(v_)); }
  T&& value() && { return std::move(value()); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // Preconditions: !ok().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::move(std::get<1>(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_; }
  explicit operator bool() const { return ok(); }
  void value() const {
    if (error_) raise(*error_);
  }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace memconform
