#include "conformance/targets/wasm_module.h"

#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <fstream>
#include <iterator>
#include <algorithm>
#include <map>

#include "core/huge_pages.h"

namespace memconform::conformance {

namespace interp = wabt::interp;

struct WasmModule::State {  // heap-allocated: the host functions hold its address
  interp::Store store;
  interp::Module::Ptr module;
  interp::Instance::Ptr instance;
  interp::Memory::Ptr memory;
  bool memoryImported = false;
  MemoryConfig declared{};
  Options options;
  std::string path;
  std::map<std::string, interp::Func::Ptr, std::less<>> functions;  // exported, by name
  std::optional<interp::Thread> thread;  // every call's: one value and call stack, made once
  struct Snapshot {
    std::vector<std::uint8_t> memory;
    std::vector<std::pair<interp::Global::Ptr, interp::Value>> globals;  // the mutable ones
    std::vector<std::pair<interp::Table::Ptr, interp::RefVec>> tables;
  };
  std::optional<Snapshot> snapshot;
};

namespace {

using Failure = WasmModule::Failure;

// A module's memory limits as MemoryConfig (a missing maximum is wasm32's).
MemoryConfig limitsOf(const wabt::Limits& limits) {
  return MemoryConfig{static_cast<std::uint32_t>(limits.initial),
                      static_cast<std::uint32_t>(limits.has_max ? limits.max : kWasm32MaxPages)};
}

// The memory for a memory import: the run's, if it fits the declared limits.
std::variant<interp::Memory::Ptr, Failure> importedMemory(interp::Store& store, const std::string& what,
                                                          const wabt::Limits& declared,
                                                          const std::optional<MemoryConfig>& wanted) {
  const MemoryConfig d = limitsOf(declared);
  const MemoryConfig m = wanted.value_or(d);
  if (m.initialPages < d.initialPages || m.maximumPages > d.maximumPages || m.initialPages > m.maximumPages)
    return Failure{what + " declares " + std::to_string(d.initialPages) + ".." + std::to_string(d.maximumPages) +
                   " pages; a memory of " + std::to_string(m.initialPages) + ".." + std::to_string(m.maximumPages) +
                   " does not fit"};
  return interp::Memory::New(store, interp::MemoryType(wabt::Limits(m.initialPages, m.maximumPages)));
}

bool isI32s(const interp::FuncType& type, std::size_t params) {
  if (type.params.size() != params || type.results.size() != 1 || type.results[0] != wabt::Type::I32) return false;
  for (const auto& t : type.params)
    if (t != wabt::Type::I32) return false;
  return true;
}

// A function import: emscripten_resize_heap served by the callback; the
// WASI environment calls an Emscripten module makes while it starts
// (getenv's initialisation) answered with an empty environment; any other
// traps naming itself when called.
interp::HostFunc::Ptr functionImport(WasmModule::State& state, const std::string& module, const std::string& name,
                                     const interp::FuncType& type) {
  interp::Store& store = state.store;
  const WasmModule::Options& options = state.options;
  const std::string full = module + "." + name;
  if (module == "wasi_snapshot_preview1" && name == "environ_sizes_get" && isI32s(type, 2)) {
    // No variables, no bytes: both counts written as 0; 0 is WASI's success.
    return interp::HostFunc::New(store, type, [&state](interp::Thread&, const interp::Values& params,
                                                       interp::Values& results, interp::Trap::Ptr* trap) {
      for (const auto& p : params)
        if (wabt::Failed(state.memory->Store<std::uint32_t>(p.Get<std::uint32_t>(), 0, 0))) {
          *trap = interp::Trap::New(state.store, "environ_sizes_get: out of bounds");
          return wabt::Result::Error;
        }
      results[0] = interp::Value::Make(std::uint32_t{0});
      return wabt::Result::Ok;
    });
  }
  if (module == "wasi_snapshot_preview1" && name == "environ_get" && isI32s(type, 2))
    return interp::HostFunc::New(store, type, [](interp::Thread&, const interp::Values&, interp::Values& results,
                                                 interp::Trap::Ptr*) {
      results[0] = interp::Value::Make(std::uint32_t{0});  // nothing to write for an empty environment
      return wabt::Result::Ok;
    });
  const bool resize = module == "env" && name == "emscripten_resize_heap" && options.resizeHeap && isI32s(type, 1);
  if (resize) {
    auto callback = options.resizeHeap;
    return interp::HostFunc::New(store, type, [callback](interp::Thread&, const interp::Values& params,
                                                         interp::Values& results, interp::Trap::Ptr*) {
      results[0] = interp::Value::Make(static_cast<std::uint32_t>(callback(params[0].Get<std::uint32_t>()) ? 1 : 0));
      return wabt::Result::Ok;
    });
  }
  return interp::HostFunc::New(store, type, [full, &store](interp::Thread&, const interp::Values&, interp::Values&,
                                                           interp::Trap::Ptr* trap) {
    *trap = interp::Trap::New(store, "the module called " + full + ", which memconform does not provide");
    return wabt::Result::Error;
  });
}

std::string trapMessage(const interp::Trap::Ptr& trap) { return trap ? trap->message() : "unknown trap"; }

}  // namespace

WasmModule::WasmModule(std::unique_ptr<State> state) : state_(std::move(state)) {}
WasmModule::~WasmModule() = default;

bool WasmModule::Compiled::exportsFunction(std::string_view name) const {
  return std::find(functionExports.begin(), functionExports.end(), name) != functionExports.end();
}

std::variant<std::shared_ptr<const WasmModule::Compiled>, Failure> WasmModule::compile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Failure{path + ": cannot read the file"};
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Read and validate (ReadBinaryInterp runs wabt's validator).
  auto c = std::make_shared<Compiled>();
  c->path = path;
  wabt::Errors errors;
  const wabt::Features features;
  const wabt::ReadBinaryOptions readOptions(features, nullptr, false, true, false);
  if (wabt::Failed(interp::ReadBinaryInterp(path, bytes.data(), bytes.size(), readOptions, &errors, &c->desc)))
    return Failure{path + ": not a valid wasm module: " +
                   wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary)};
  bool hasMemory = false;
  for (const auto& import : c->desc.imports)
    if (const auto* m = wabt::dyn_cast<interp::MemoryType>(import.type.type.get())) {
      if (hasMemory) return Failure{path + ": import " + import.type.module + "." + import.type.name + ": a second memory"};
      hasMemory = c->memoryImported = true;
      c->declared = limitsOf(m->limits);
    }
  for (const auto& m : c->desc.memories) {
    if (hasMemory) return Failure{path + ": more than one memory"};
    hasMemory = true;
    c->declared = limitsOf(m.type.limits);
  }
  if (!hasMemory) return Failure{path + ": the module neither imports nor defines a memory"};
  for (const auto& e : c->desc.exports)
    if (e.type.type->kind == wabt::ExternalKind::Func) c->functionExports.push_back(e.type.name);
  return std::shared_ptr<const Compiled>(std::move(c));
}

std::variant<std::unique_ptr<WasmModule>, Failure> WasmModule::load(const std::string& path, Options options) {
  auto compiled = compile(path);
  if (auto* failure = std::get_if<Failure>(&compiled)) return *failure;
  return instantiate(std::get<std::shared_ptr<const Compiled>>(std::move(compiled)), std::move(options));
}

std::variant<std::unique_ptr<WasmModule>, Failure> WasmModule::instantiate(std::shared_ptr<const Compiled> compiled,
                                                                           Options options) {
  // wabt keeps the memory in a std::vector, which writes every byte when it
  // grows (zeroes the new pages, copies the old): a 2-GiB memory took half a
  // million page faults, 10-26 s per vector on a virtual machine, and the
  // 16 MiB of sqlite3.wasm's, new for each instance, 4,096 each time.
  adviseHugePagesForHeapBlocksOf(std::size_t{8} << 20);
  auto s = std::make_unique<State>();
  s->options = std::move(options);
  s->path = compiled->path;
  s->memoryImported = compiled->memoryImported;
  s->declared = compiled->declared;
  const std::string& path = s->path;
  s->module = interp::Module::New(s->store, compiled->desc);

  // Imports.
  interp::RefVec imports;
  for (const auto& import : s->module->desc().imports) {
    const auto& t = import.type;
    const std::string what = path + ": import " + t.module + "." + t.name;
    if (const auto* f = wabt::dyn_cast<interp::FuncType>(t.type.get())) {
      imports.push_back(functionImport(*s, t.module, t.name, *f).ref());
    } else if (const auto* m = wabt::dyn_cast<interp::MemoryType>(t.type.get())) {
      auto made = importedMemory(s->store, what, m->limits, s->options.memory);
      if (auto* failure = std::get_if<Failure>(&made)) return *failure;
      s->memory = std::get<interp::Memory::Ptr>(made);
      imports.push_back(s->memory.ref());
    } else {
      return Failure{what + ": only functions and a memory can be imported"};
    }
  }
  // A memory of its own cannot start with another.
  if (!s->memoryImported && s->options.memory && !(*s->options.memory == s->declared))
    return Failure{path + ": its memory is its own (" + std::to_string(s->declared.initialPages) + ".." +
                   std::to_string(s->declared.maximumPages) + " pages): it cannot start with another"};

  // Instantiate: data segments, then the start function.
  interp::Trap::Ptr trap;
  s->instance = interp::Instance::Instantiate(s->store, s->module.ref(), imports, &trap);
  if (!s->instance) return Failure{path + ": instantiation failed: " + trapMessage(trap)};
  if (!s->memory) s->memory = s->store.UnsafeGet<interp::Memory>(s->instance->memories().front());
  for (const auto& e : s->module->desc().exports)
    if (e.type.type->kind == wabt::ExternalKind::Func)
      s->functions.emplace(e.type.name, s->store.UnsafeGet<interp::Func>(s->instance->funcs()[e.index]));
  s->thread.emplace(s->store);
  const bool runCtors = s->options.runConstructors;
  std::unique_ptr<WasmModule> module(new WasmModule(std::move(s)));
  if (runCtors)
    if (auto failure = module->runConstructors()) return *failure;
  return module;
}

std::optional<Failure> WasmModule::runConstructors() {
  if (!exportsFunction("__wasm_call_ctors")) return std::nullopt;
  if (auto ctors = call("__wasm_call_ctors", {}); auto* failure = std::get_if<Failure>(&ctors))
    return Failure{state_->path + ": __wasm_call_ctors: " + failure->message};
  return std::nullopt;
}

void WasmModule::takeSnapshot() {
  State& s = *state_;
  State::Snapshot snap;
  snap.memory.assign(s.memory->UnsafeData(), s.memory->UnsafeData() + s.memory->ByteSize());
  for (const auto& ref : s.instance->globals()) {
    auto global = s.store.UnsafeGet<interp::Global>(ref);
    if (global->type().mut == interp::Mutability::Var) snap.globals.emplace_back(global, global->Get());
  }
  for (const auto& ref : s.instance->tables()) {
    auto table = s.store.UnsafeGet<interp::Table>(ref);
    snap.tables.emplace_back(table, table->elements());
  }
  s.snapshot = std::move(snap);
}

bool WasmModule::restorable() const {
  const State& s = *state_;
  if (!s.snapshot || s.memory->ByteSize() != s.snapshot->memory.size()) return false;
  for (const auto& [table, elements] : s.snapshot->tables)
    if (table->size() != elements.size()) return false;
  return true;
}

bool WasmModule::restoreSnapshot() {
  State& s = *state_;
  if (!restorable()) return false;
  std::copy(s.snapshot->memory.begin(), s.snapshot->memory.end(), s.memory->UnsafeData());
  for (const auto& [global, value] : s.snapshot->globals) global->UnsafeSet(value);
  for (const auto& [table, elements] : s.snapshot->tables)
    for (std::uint32_t i = 0; i < elements.size(); ++i)
      if (table->UnsafeGet(i) != elements[i]) static_cast<void>(table->Set(s.store, i, elements[i]));
  return true;
}

bool WasmModule::exportsFunction(std::string_view name) const { return state_->functions.count(name) != 0; }

std::variant<std::vector<std::uint32_t>, Failure> WasmModule::call(std::string_view name,
                                                                   const std::vector<std::uint32_t>& args) {
  State& s = *state_;
  const auto it = s.functions.find(name);
  if (it == s.functions.end()) return Failure{s.path + " exports no function " + std::string(name)};
  const interp::FuncType& type = it->second->type();
  if (type.params.size() != args.size())
    return Failure{std::string(name) + " takes " + std::to_string(type.params.size()) + " argument(s), not " +
                   std::to_string(args.size())};
  for (const auto& t : type.params)
    if (t != wabt::Type::I32) return Failure{std::string(name) + " takes a parameter that is not an i32"};
  for (const auto& t : type.results)
    if (t != wabt::Type::I32) return Failure{std::string(name) + " returns a value that is not an i32"};
  interp::Values params, results;
  params.reserve(args.size());
  for (std::uint32_t a : args) params.push_back(interp::Value::Make(a));
  interp::Trap::Ptr trap;
  if (wabt::Failed(it->second->Call(*s.thread, params, results, &trap))) {
    // A trap leaves the thread's frames and values where it stopped: the
    // next call gets a new thread (reusing it overflowed its value stack).
    s.thread.emplace(s.store);
    return Failure{"trap in " + std::string(name) + ": " + trapMessage(trap)};
  }
  std::vector<std::uint32_t> out;
  out.reserve(results.size());
  for (const auto& r : results) out.push_back(r.Get<std::uint32_t>());
  return out;
}

wabt::interp::Store& WasmModule::store() { return state_->store; }
wabt::interp::Func::Ptr WasmModule::function(std::string_view name) {
  const auto it = state_->functions.find(name);
  return it == state_->functions.end() ? wabt::interp::Func::Ptr() : it->second;
}

std::uint8_t* WasmModule::memoryBytes() { return state_->memory->UnsafeData(); }
std::uint64_t WasmModule::memoryPages() const { return state_->memory->PageSize(); }
std::optional<std::uint64_t> WasmModule::growMemory(std::uint64_t pages) {
  const std::uint64_t old = state_->memory->PageSize();
  if (wabt::Failed(state_->memory->Grow(pages))) return std::nullopt;
  return old;
}
MemoryConfig WasmModule::declaredMemory() const { return state_->declared; }
bool WasmModule::memoryImported() const { return state_->memoryImported; }

}  // namespace memconform::conformance
