// The op catalog: every op a vector can contain, its parameters and the rules
// it exercises. The loader checks vectors against it, the schema and the
// README list the same ops (a test keeps the three in step), and every target
// implements it. Op names follow the upstream API (docs/VECTORS.md "Ops").
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace memconform::conformance {

enum class OpKind {
  Alloc, Dealloc, MmapAlloc, AlignMemory, ZeroMemory,                                  // ALIGN, SCOPE-3
  Resize, Grow, ByteLength,                                                            // GROW, MEM
  Heap, HeapForSize, ViewLength, ViewGet, ViewSet,                                     // VIEW
  Peek, Poke,                                                                          // PEEK
  Push, Pop, ScopedAlloc, ScopedAllocCString, ScopedAllocPtr, AllocPtr, ScopedAllocMainArgv,  // SCOPE
  InstallFunction, ScopedInstallFunction, UninstallFunction, Level, SetLevel,          // SCOPE
  Call, Throw,                                                                         // CALL
};

// What a parameter accepts in JSON (SEMANTICS.md section 10).
enum class ParamType {
  Number,         // a JSON number, "NaN", "Infinity", "-Infinity", "-0", or a bound name ("n", "p+4")
  Address,        // an integer or a bound name with an optional offset ("p", "p+4", "p-8")
  Addresses,      // an Address or a list of Addresses
  Numeric,        // a Number as above or a BigInt string ("5n")
  String,         // a literal string (a peek type, a signature, a view kind)
  StringList,     // a list of literal strings
  Bool,           // true or false
  Scope,          // a name bound to a scope handle, or an integer that was never a handle
  View,           // a name bound to a view
  FunctionIndex,  // a name bound to a table index, or an integer
  SizeOrConstructor,  // a Number (bits) or a literal typed-array constructor name ("Int16Array")
  Literal,        // any JSON scalar or list, taken literally (no names): scopedAllocCString's argument
  Body,           // a list of ops (call)
  Count,          // a literal positive integer (throw's frames)
};

struct ParamSpec {
  std::string_view name;
  ParamType type;
  bool required;
};

// Where allocations an op makes belong (LEAK-1/2): to the caller, to the top scope, or none.
enum class Ownership { None, Caller, TopScope };

struct OpSpec {
  OpKind kind;
  std::string_view name;
  std::span<const ParamSpec> params;
  Ownership ownership;
  std::string_view rules;    // the rules the op implements, for the docs
  std::string_view summary;  // one line, for the docs and `memconform ops`
};

// Whether the op's value is a place: a pointer the implementation chose (a
// list of them for the argv and pointer-slot helpers; zeroMemory gives the
// caller's address back), or a function-table index. Such values are
// compared by name or by order, never as numbers.
bool returnsPointers(OpKind kind);
bool returnsFunctionIndex(OpKind kind);

std::span<const OpSpec> allOps();
const OpSpec& opSpec(OpKind kind);
const OpSpec* findOp(std::string_view name);
const ParamSpec* findParam(const OpSpec& op, std::string_view name);
std::string_view paramTypeName(ParamType t);

}  // namespace memconform::conformance
