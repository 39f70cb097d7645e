// The reference implementation as one object: a linear memory, its resize
// policy, an allocator, a function table and a scope stack, wired the way the
// glue code wires them, with one event log. Each method is the upstream API
// call of the same name and delegates to the file of its spec concept.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/align.h"
#include "core/allocator.h"
#include "core/events.h"
#include "core/function_table.h"
#include "core/memory.h"
#include "core/peek_poke.h"
#include "core/resize_policy.h"
#include "core/scope_stack.h"
#include "core/scoped_call.h"
#include "core/views.h"

namespace memconform {

struct InstanceConfig {
  MemoryConfig memory;
  GrowthFaults faults;
  GrowthParams growth;
  AllocatorConfig allocator;
  std::uint32_t reservedTableSlots = 1;
};

class Instance {
 public:
  explicit Instance(InstanceConfig config = {});
  // Over memory that lives elsewhere (a wasm module's, conformance/targets/
  // wasm_target.h): `storage` holds config.memory.initialPages pages.
  Instance(InstanceConfig config, std::unique_ptr<MemoryStorage> storage);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Whether the memory is the instance's own (the first constructor).
  bool ownsMemory() const { return memory_.ownsStorage(); }
  // Only an instance over its own memory: back, in place, to what
  // Instance(config) starts as, keeping what its parts allocated for the
  // next run (a fuzzer starts one per input). The errors of the
  // constructor; the instance is unusable after one.
  void restart(const InstanceConfig& config);
  // What a run left goes, as restart() lets it go: the memory's bytes (back
  // to its kept range) and faults, blocks, scopes and their entries,
  // functions, events; the parts keep buffers of the room a new part has
  // (run_buffers.h), and nothing else of the run. Then only restart()
  // may follow. A run that releases frees what it allocated (libFuzzer
  // runs an input that does not again, and checks it for leaks).
  void release();

  // Every operation that can fail returns a Result (errors.h).
  // Allocation. dealloc / uninstallFunction of an entry that a live scope
  // owns is an InvalidState error: only its scope's pop may release it (LEAK-1).
  Result<Address> alloc(std::uint64_t size) { return allocator_.alloc(size); }
  Result<void> dealloc(Address ptr);
  Result<Address> mmapAlloc(double size) { return memconform::mmapAlloc(allocator_, memory_, size); }
  Result<TableIndex> installFunction(FunctionRef fn) { return table_.install(std::move(fn)); }
  Result<FunctionRef> uninstallFunction(TableIndex index);
  Result<std::vector<Address>> allocPtr(std::uint32_t howMany = 1, bool safePtrSize = true) {
    return memconform::allocPtr(allocator_, memory_, howMany, safePtrSize);
  }

  // Memory and growth.
  ResizeOutcome resize(double requestedSize) { return resizeHeap(memory_, config_.growth, requestedSize, &log_); }
  // WebAssembly.Memory.prototype.grow(delta): TypeError for a delta outside
  // [EnforceRange] unsigned long, RangeError if the grow fails (MEM-2).
  Result<std::uint32_t> grow(double deltaPages);
  std::uint64_t byteLength() const { return memory_.byteLength(); }
  Result<std::int64_t> zeroMemory(std::int64_t address, double size) { return memconform::zeroMemory(memory_, address, size); }

  // Views, peek and poke.
  View heap(ElementType type) { return View(memory_, type, &log_); }
  Result<View> heapForSize(double bits, bool isUnsigned = true) {
    return memconform::heapForSize(memory_, bits, isUnsigned, &log_);
  }
  Result<JsNumeric> peek(std::int64_t address, std::string_view type = kDefaultPeekType) const {
    const auto t = parsePeekType(type);
    if (!t) return t.error();
    return memconform::peek(memory_, address, *t);
  }
  Result<void> poke(std::int64_t address, const JsNumeric& value, std::string_view type = kDefaultPeekType) {
    const auto t = parsePeekType(type);
    if (!t) return t.error();
    return memconform::poke(memory_, address, value, *t);
  }
  Result<void> poke(std::int64_t address, double value, std::string_view type = kDefaultPeekType) {
    return poke(address, JsNumeric{value}, type);
  }

  // Scopes.
  ScopeHandle scopedAllocPush() { return scopes_.push(); }
  Result<void> scopedAllocPop() { return scopes_.pop(); }
  Result<void> scopedAllocPop(ScopeHandle scope) { return scopes_.pop(scope); }
  Result<Address> scopedAlloc(std::uint64_t size) { return scopes_.scopedAlloc(size); }
  std::size_t level() const { return scopes_.level(); }
  template <class Fn>
  auto scopedAllocCall(Fn&& fn) {
    return memconform::scopedAllocCall(scopes_, std::forward<Fn>(fn));
  }

  EventLog& events() { return log_; }
  LinearMemory& memory() { return memory_; }
  const LinearMemory& memory() const { return memory_; }
  Allocator& allocator() { return allocator_; }
  const Allocator& allocator() const { return allocator_; }
  FunctionTable& table() { return table_; }
  const FunctionTable& table() const { return table_; }
  ScopeStack& scopes() { return scopes_; }
  const ScopeStack& scopes() const { return scopes_; }

 private:
  InstanceConfig config_;
  EventLog log_;
  LinearMemory memory_;
  Allocator allocator_;
  FunctionTable table_;
  ScopeStack scopes_;
};

}  // namespace memconform
