// One WebAssembly module running in wabt's interpreter (libwabt), with
// memconform serving its imports: the memory it imports is made from its
// declared limits (or the ones a run asks for, within them); the function
// env.emscripten_resize_heap, through which an Emscripten module's sbrk asks
// for a larger memory, goes to a callback (the reference GROW policy, for the
// wasm: targets); WASI's environ_sizes_get and environ_get, which an
// Emscripten module's constructors call, find an empty environment; every
// other imported function is a stand-in that traps, naming the import, if
// the module calls it. After instantiation the
// module's start function has run, and so has `__wasm_call_ctors` if it
// exports one. A trap inside the module is an error carrying wabt's
// message, never a crash of the harness.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <wabt/interp/interp.h>

#include "core/memory.h"

namespace memconform::conformance {

class WasmModule {
 public:
  struct Options {
    // The memory an imported memory is made with (the module's declared
    // limits if unset): refused if it does not fit within them.
    std::optional<MemoryConfig> memory;
    // env.emscripten_resize_heap(requestedSize): true if the memory now
    // holds `requestedSize` bytes. Unset: the import, if the module has it,
    // traps when called like any other.
    std::function<bool(std::uint32_t requestedSize)> resizeHeap;
    // False: instantiate() leaves `__wasm_call_ctors` to runConstructors(),
    // so that what its callbacks need can be made in between.
    bool runConstructors = true;
  };

  // What went wrong, naming the file and the step (read, validate,
  // instantiate, start), or the trap.
  struct Failure {
    std::string message;
  };

  // A module read and validated once, for as many instances as runs need.
  struct Compiled {
    std::string path;
    wabt::interp::ModuleDesc desc;
    bool memoryImported = false;
    MemoryConfig declared{};  // its memory's limits (a missing maximum is wasm32's)
    std::vector<std::string> functionExports;
    bool exportsFunction(std::string_view name) const;
  };
  static std::variant<std::shared_ptr<const Compiled>, Failure> compile(const std::string& path);
  // An instance of `compiled`; or why not.
  static std::variant<std::unique_ptr<WasmModule>, Failure> instantiate(std::shared_ptr<const Compiled> compiled,
                                                                        Options options);
  // compile() and instantiate() in one.
  static std::variant<std::unique_ptr<WasmModule>, Failure> load(const std::string& path, Options options);
  // Runs `__wasm_call_ctors` if the module exports it (after an
  // instantiate() with runConstructors false); the trap if it traps.
  std::optional<Failure> runConstructors();

  // What a run can change in an instance: its memory's bytes, its mutable
  // globals and its tables. takeSnapshot() keeps them (once the instance has
  // started); restoreSnapshot() puts them back, so that one instance serves
  // many runs for a copy of its memory instead of a new instantiation (for
  // sqlite3.wasm, thousands of objects). False, and nothing restored, if
  // the memory or a table has grown since, or there is no snapshot. (Passive
  // data and element segments that memory.init / data.drop use are not
  // kept: Emscripten builds without threads have none.)
  void takeSnapshot();
  bool restoreSnapshot();
  // Whether restoreSnapshot() would succeed (a snapshot, nothing grown).
  bool restorable() const;
  ~WasmModule();
  WasmModule(const WasmModule&) = delete;
  WasmModule& operator=(const WasmModule&) = delete;

  // An exported function taking and returning i32s (a C allocator's
  // malloc, free, memalign): its results, or the trap's message.
  std::variant<std::vector<std::uint32_t>, Failure> call(std::string_view name, const std::vector<std::uint32_t>& args);
  // Whether the module exports a function of that name.
  bool exportsFunction(std::string_view name) const;
  // wabt's own objects, for a bare loop to compare call() with
  // (bench/wasm_allocator_bench.cpp); a null Ptr if there is no such export.
  wabt::interp::Store& store();
  wabt::interp::Func::Ptr function(std::string_view name);

  // The module's memory (imported or exported) and its declared limits.
  std::uint8_t* memoryBytes();
  std::uint64_t memoryPages() const;
  // Grows the module's memory as memory.grow does: the old page count, or
  // nothing if the maximum does not allow it.
  std::optional<std::uint64_t> growMemory(std::uint64_t pages);
  MemoryConfig declaredMemory() const;
  bool memoryImported() const;

 public:
  struct State;  // wabt's store, module, instance and memory (wasm_module.cpp)

 private:
  explicit WasmModule(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace memconform::conformance
