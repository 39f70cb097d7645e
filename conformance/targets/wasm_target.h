// `wasm:PATH.wasm[?malloc=NAME&free=NAME&memalign=NAME]`: the reference's
// glue (scopes, calls, peek/poke, views; core/) over a real allocator in a
// wasm module that runs in wabt's interpreter (wasm_module.h). The module's
// memory is the glue's memory: a memory it imports is made for each run from
// the vector's setup, within the module's declared limits; a memory of its
// own is fixed (capabilities without memory-config, fixedMemory()). The
// glue's allocations are the module's malloc, free and memalign (by default
// `malloc`/`free`, else `sqlite3_malloc`/`sqlite3_free`; `memalign`, else
// `emscripten_builtin_memalign`), while the glue keeps its own books of live
// blocks (a free of what is not live never reaches the module, SCOPE-3).
// The module's env.emscripten_resize_heap is served by the reference GROW
// policy (resizeAttempt events, growth faults, MEM-5); a memory.grow the
// module makes itself is recorded as a grow. A trap inside the module is the
// op's error `Trap` with wabt's message (docs/SEMANTICS.md section 12).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "conformance/targets/reference_target.h"
#include "conformance/targets/wasm_module.h"

namespace memconform::conformance {

class WasmTarget : public ReferenceTarget {
 public:
  // The allocator's exports, as named or found.
  struct Exports {
    std::string malloc, free, memalign;  // memalign empty: the module has none
  };

  // `spec` is the whole target name. Throws std::invalid_argument naming the
  // file and what is wrong (unreadable, invalid, no allocator exports, an
  // export of the wrong type, an unknown query parameter).
  // `reuseInstances`: a run whose memory is set up as the last one's was
  // gets that instance back, restored to where it stood after its
  // constructors (WasmModule::restoreSnapshot), instead of a new one.
  explicit WasmTarget(const std::string& spec, bool reuseInstances = true);
  ~WasmTarget() override;

  std::string implementation() const override;
  const std::set<std::string>& capabilities() const override { return capabilities_; }
  // mmapAlloc needs memalign (ALIGN-3).
  bool supports(OpKind kind) const override { return kind != OpKind::MmapAlloc || !exports_.memalign.empty(); }
  std::uint32_t minimumPages() const override;
  std::uint32_t maximumPages() const override { return compiled_->declared.maximumPages; }
  // A real allocator's headers lie beside its blocks: a caller that writes
  // outside its blocks corrupts it (fuzz/op_decoder.h).
  bool wellBehavedCaller() const override { return true; }
  std::optional<MemoryConfig> fixedMemory() const override;
  const Exports& exports() const { return exports_; }
  // How many ops and calls have ended in a Trap so far (a fuzzer's finding).
  std::uint64_t traps() const { return traps_; }

  void start(const Vector& vector) override;
  void finish() override;
  Result<Value> execute(const Op& op, const Args& args) override;
  Result<Value> call(const Op& op, const std::function<Value()>& body) override;

 protected:
  std::unique_ptr<Instance> makeInstance(const InstanceConfig& config) override;

 private:
  class Heap;
  std::string path_;
  std::shared_ptr<const WasmModule::Compiled> compiled_;
  Exports exports_;
  std::set<std::string> capabilities_;
  // The run's: the module, its heap and the instance they serve (owned by
  // ReferenceTarget), released in reverse order.
  std::unique_ptr<WasmModule> module_;
  std::unique_ptr<Heap> heap_;
  // Modules of earlier runs, by the memory they started with (initial and
  // maximum pages), for the next run with the same memory: a few, as a
  // fuzzer's memories vary, and only those whose memory is at most 32 MiB
  // and has not grown (each holds its memory and a copy of it).
  bool reuseInstances_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::unique_ptr<WasmModule>> spares_;
  MemoryConfig started_{};  // the memory the current run's module started with
  Instance* running_ = nullptr;
  std::uint64_t traps_ = 0;
};

}  // namespace memconform::conformance
