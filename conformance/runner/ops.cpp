#include "conformance/runner/ops.h"

#include <algorithm>
#include <array>

namespace memconform::conformance {
namespace {

using P = ParamSpec;
using T = ParamType;

constexpr P kSize[] = {{"size", T::Number, true}};
constexpr P kPtr[] = {{"ptr", T::Address, true}};
constexpr P kAlign[] = {{"size", T::Number, true}, {"alignment", T::Number, true}};
constexpr P kZero[] = {{"address", T::Address, true}, {"size", T::Number, true}};
constexpr P kGrow[] = {{"pages", T::Number, true}};
constexpr P kHeap[] = {{"type", T::String, true}};
constexpr P kHeapForSize[] = {{"size", T::SizeOrConstructor, true}, {"unsigned", T::Bool, false}};
constexpr P kView[] = {{"view", T::View, true}};
constexpr P kViewGet[] = {{"view", T::View, true}, {"index", T::Number, true}};
constexpr P kViewSet[] = {{"view", T::View, true}, {"index", T::Number, true}, {"value", T::Numeric, true}};
constexpr P kPeek[] = {{"address", T::Addresses, true}, {"type", T::String, false}};
constexpr P kPoke[] = {{"address", T::Addresses, true}, {"value", T::Numeric, true}, {"type", T::String, false}};
constexpr P kPop[] = {{"scope", T::Scope, false}};
constexpr P kCString[] = {{"value", T::Literal, true}, {"withLength", T::Bool, false}};
constexpr P kPtrSlots[] = {{"howMany", T::Number, false}, {"safePtrSize", T::Bool, false}};
constexpr P kArgv[] = {{"list", T::StringList, true}};
constexpr P kInstall[] = {{"signature", T::String, true}, {"name", T::String, false}};
constexpr P kUninstall[] = {{"index", T::FunctionIndex, true}};
constexpr P kSetLevel[] = {{"value", T::Number, true}};
constexpr P kCall[] = {{"body", T::Body, true}, {"result", T::Number, false}};
constexpr P kThrow[] = {{"frames", T::Count, false}};

constexpr std::array kOps{
    OpSpec{OpKind::Alloc, "alloc", kSize, Ownership::Caller, "SCOPE-3 ALIGN-4", "alloc(size): a block, or AllocFailed"},
    OpSpec{OpKind::Dealloc, "dealloc", kPtr, Ownership::None, "SCOPE-3 LEAK-1", "dealloc(ptr)"},
    OpSpec{OpKind::MmapAlloc, "mmapAlloc", kSize, Ownership::Caller, "ALIGN-3",
           "mmapAlloc(size): a zeroed, 64 KiB-aligned block, or 0"},
    OpSpec{OpKind::AlignMemory, "alignMemory", kAlign, Ownership::None, "ALIGN-1", "alignMemory(size, alignment)"},
    OpSpec{OpKind::ZeroMemory, "zeroMemory", kZero, Ownership::None, "ALIGN-2", "zeroMemory(address, size)"},
    OpSpec{OpKind::Resize, "resize", kSize, Ownership::None, "GROW-1..6",
           "emscripten_resize_heap(size): true or false"},
    OpSpec{OpKind::Grow, "grow", kGrow, Ownership::None, "MEM-2", "memory.grow(pages): the old page count"},
    OpSpec{OpKind::ByteLength, "byteLength", {}, Ownership::None, "MEM-1", "memory.buffer.byteLength"},
    OpSpec{OpKind::Heap, "heap", kHeap, Ownership::None, "VIEW-1",
           "heap8() ... heap64f(): a view of kind i8 u8 i16 u16 i32 u32 i64 u64 f32 f64"},
    OpSpec{OpKind::HeapForSize, "heapForSize", kHeapForSize, Ownership::None, "VIEW-3",
           "heapForSize(size | constructor, unsigned = true): a view"},
    OpSpec{OpKind::ViewLength, "viewLength", kView, Ownership::None, "VIEW-1 VIEW-2", "view.length"},
    OpSpec{OpKind::ViewGet, "viewGet", kViewGet, Ownership::None, "VIEW-1 VIEW-2", "view[index]"},
    OpSpec{OpKind::ViewSet, "viewSet", kViewSet, Ownership::None, "VIEW-1 VIEW-2", "view[index] = value"},
    OpSpec{OpKind::Peek, "peek", kPeek, Ownership::None, "PEEK-1..3 PEEK-5 PEEK-6",
           "peek(address | list, type = i8): a value or a list"},
    OpSpec{OpKind::Poke, "poke", kPoke, Ownership::None, "PEEK-1 PEEK-2 PEEK-4..6",
           "poke(address | list, value, type = i8)"},
    OpSpec{OpKind::Push, "push", {}, Ownership::None, "SCOPE-1", "scopedAllocPush(): a scope handle"},
    OpSpec{OpKind::Pop, "pop", kPop, Ownership::None, "SCOPE-4..6", "scopedAllocPop(scope?)"},
    OpSpec{OpKind::ScopedAlloc, "scopedAlloc", kSize, Ownership::TopScope, "SCOPE-2 SCOPE-3", "scopedAlloc(size)"},
    OpSpec{OpKind::ScopedAllocCString, "scopedAllocCString", kCString, Ownership::TopScope, "SCOPE-8",
           "scopedAllocCString(value, withLength = false): ptr, [ptr, length] or null"},
    OpSpec{OpKind::ScopedAllocPtr, "scopedAllocPtr", kPtrSlots, Ownership::TopScope, "SCOPE-9",
           "scopedAllocPtr(howMany = 1, safePtrSize = true): ptr or a list of slot addresses"},
    OpSpec{OpKind::AllocPtr, "allocPtr", kPtrSlots, Ownership::Caller, "SCOPE-9",
           "allocPtr(howMany = 1, safePtrSize = true): ptr or a list of slot addresses"},
    OpSpec{OpKind::ScopedAllocMainArgv, "scopedAllocMainArgv", kArgv, Ownership::TopScope, "SCOPE-10",
           "scopedAllocMainArgv(list): the argv table"},
    OpSpec{OpKind::InstallFunction, "installFunction", kInstall, Ownership::Caller, "SCOPE-11",
           "installFunction(fn, signature): a table index"},
    OpSpec{OpKind::ScopedInstallFunction, "scopedInstallFunction", kInstall, Ownership::TopScope, "SCOPE-11",
           "scopedInstallFunction(fn, signature): a table index"},
    OpSpec{OpKind::UninstallFunction, "uninstallFunction", kUninstall, Ownership::None, "SCOPE-11",
           "uninstallFunction(index)"},
    OpSpec{OpKind::Level, "level", {}, Ownership::None, "SCOPE-7", "scopedAlloc.level"},
    OpSpec{OpKind::SetLevel, "setLevel", kSetLevel, Ownership::None, "SCOPE-7", "scopedAlloc.level = value"},
    OpSpec{OpKind::Call, "call", kCall, Ownership::None, "CALL-1..3",
           "scopedAllocCall(() => { body; return result })"},
    OpSpec{OpKind::Throw, "throw", kThrow, Ownership::None, "CALL-2",
           "throw inside a call body, unwinding `frames` nested calls (default 1)"},
};

}  // namespace

std::span<const OpSpec> allOps() { return kOps; }

const OpSpec& opSpec(OpKind kind) { return kOps[static_cast<std::size_t>(kind)]; }

const OpSpec* findOp(std::string_view name) {
  auto it = std::find_if(kOps.begin(), kOps.end(), [&](const OpSpec& o) { return o.name == name; });
  return it == kOps.end() ? nullptr : &*it;
}

const ParamSpec* findParam(const OpSpec& op, std::string_view name) {
  auto it = std::find_if(op.params.begin(), op.params.end(), [&](const ParamSpec& p) { return p.name == name; });
  return it == op.params.end() ? nullptr : &*it;
}

std::string_view paramTypeName(ParamType t) {
  switch (t) {
    case ParamType::Number: return "a number (or \"NaN\", \"Infinity\", \"-Infinity\", \"-0\", or a bound name)";
    case ParamType::Address: return "an integer address or a bound name with an optional offset (\"p+4\")";
    case ParamType::Addresses: return "an address or a list of addresses";
    case ParamType::Numeric: return "a number, a special number string, a BigInt string (\"5n\") or a bound name";
    case ParamType::String: return "a string";
    case ParamType::StringList: return "a list of strings";
    case ParamType::Bool: return "true or false";
    case ParamType::Scope: return "a name bound to a scope, or an integer";
    case ParamType::View: return "a name bound to a view";
    case ParamType::FunctionIndex: return "a name bound to a table index, or an integer";
    case ParamType::SizeOrConstructor: return "a number or a typed-array constructor name";
    case ParamType::Literal: return "a JSON scalar or list";
    case ParamType::Body: return "a list of ops";
    case ParamType::Count: return "a positive integer";
  }
  return "?";
}

bool returnsPointers(OpKind k) {
  switch (k) {
    case OpKind::Alloc: case OpKind::ScopedAlloc: case OpKind::MmapAlloc: case OpKind::ScopedAllocCString:
    case OpKind::ScopedAllocPtr: case OpKind::AllocPtr: case OpKind::ScopedAllocMainArgv:
    case OpKind::ZeroMemory:  // the caller's address back
      return true;
    default: return false;
  }
}

bool returnsFunctionIndex(OpKind k) { return k == OpKind::InstallFunction || k == OpKind::ScopedInstallFunction; }

}  // namespace memconform::conformance
