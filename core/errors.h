// Error kinds of SEMANTICS.md section 9. Every failing operation of the
// reference throws a GlueError carrying one of these kinds and a message with
// the numbers involved; vectors and drivers compare kinds, never messages.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

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
};

// The spelling used in SEMANTICS.md, vectors and reports.
std::string_view errorKindName(ErrorKind kind);

class GlueError : public std::runtime_error {
 public:
  GlueError(ErrorKind kind, const std::string& message);
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] void fail(ErrorKind kind, const std::string& message);

}  // namespace memconform
