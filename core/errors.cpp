#include "core/errors.h"

#include <array>
#include <utility>

namespace memconform {
namespace {
constexpr std::array<std::pair<ErrorKind, std::string_view>, 11> kNames{{
    {ErrorKind::NoActiveScope, "NoActiveScope"},
    {ErrorKind::InvalidState, "InvalidState"},
    {ErrorKind::AllocFailed, "AllocFailed"},
    {ErrorKind::InvalidType, "InvalidType"},
    {ErrorKind::InvalidArgument, "InvalidArgument"},
    {ErrorKind::OutOfBounds, "OutOfBounds"},
    {ErrorKind::ReadOnly, "ReadOnly"},
    {ErrorKind::RangeError, "RangeError"},
    {ErrorKind::TypeError, "TypeError"},
    {ErrorKind::Thrown, "Thrown"},
    {ErrorKind::Trap, "Trap"},
}};
}  // namespace

std::string_view errorKindName(ErrorKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "?";
}

std::optional<ErrorKind> errorKindFromName(std::string_view name) {
  for (const auto& [k, spelled] : kNames)
    if (spelled == name) return k;
  return std::nullopt;
}

GlueError::GlueError(Error error)
    : std::runtime_error(std::string(errorKindName(error.kind)) + ": " + error.message), error_(std::move(error)) {}

void raise(const Error& error) { throw GlueError(error); }

}  // namespace memconform
