#include "conformance/targets/wasm_target.h"

#include <filesystem>
#include <map>
#include <stdexcept>
#include <variant>

#include "conformance/runner/capabilities.h"
#include "core/errors.h"

namespace memconform::conformance {
namespace {

// A trap inside the module, on its way from the heap (under the core's
// allocator) to the op that made the call: it becomes that op's Trap error.
struct WasmTrap {
  std::string message;
};

// The module's memory as the bytes of the glue's LinearMemory (MEM-1..3).
// wabt keeps them in a vector, which moves when it grows: base() asks every time.
class WasmStorage : public MemoryStorage {
 public:
  explicit WasmStorage(WasmModule& module) : module_(module) {}
  std::uint8_t* base() const override { return module_.memoryBytes(); }
  bool grow(std::size_t to) override {
    const std::size_t now = module_.memoryPages() * kPageSize;
    return to <= now || module_.growMemory((to - now) / kPageSize).has_value();
  }
  // wabt zeroes and keeps the memory itself; nothing is reused.
  void written(std::size_t, std::size_t) override {}
  void unpoisoned(std::size_t, std::size_t) override {}
  std::pair<std::size_t, std::size_t> writtenRange() const override { return {0, module_.memoryPages() * kPageSize}; }

 private:
  WasmModule& module_;
};

// Instances kept for reuse hold their memory and a copy of it: only small
// ones are kept (sqlite3.wasm's start at 8-16 MiB), at most 8 of them.
constexpr std::uint64_t kReusableBytes = std::uint64_t{32} << 20;

// "a=1&b=2" as a map; each key once.
std::map<std::string, std::string> parseQuery(const std::string& spec, const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string item = query.substr(start, amp - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw std::invalid_argument(spec + ": \"" + item + "\" is not NAME=VALUE");
    const std::string key = item.substr(0, eq);
    if (key != "malloc" && key != "free" && key != "memalign")
      throw std::invalid_argument(spec + ": unknown parameter \"" + key + "\" (known: malloc, free, memalign)");
    if (!out.emplace(key, item.substr(eq + 1)).second)
      throw std::invalid_argument(spec + ": parameter \"" + key + "\" given twice");
    start = amp + 1;
  }
  return out;
}

// The export named in the query, or the first of `defaults` the module has.
std::string pick(const WasmModule::Compiled& module, const std::map<std::string, std::string>& query,
                 const std::string& role, std::initializer_list<const char*> defaults) {
  if (const auto it = query.find(role); it != query.end()) {
    if (!module.exportsFunction(it->second))
      throw std::invalid_argument(module.path + " exports no function \"" + it->second + "\" (named as " + role + ")");
    return it->second;
  }
  for (const char* name : defaults)
    if (*name && module.exportsFunction(name)) return name;
  return "";
}

// A function export of the allocator's shape: `params` i32s in, `results` i32s out.
void checkShape(const WasmModule::Compiled& module, const std::string& name, std::size_t params, std::size_t results,
                const char* role, const char* shape) {
  for (const auto& e : module.desc.exports) {
    if (e.type.name != name || e.type.type->kind != wabt::ExternalKind::Func) continue;
    const auto* type = wabt::cast<wabt::interp::FuncType>(e.type.type.get());
    bool ok = type->params.size() == params && type->results.size() == results;
    for (const auto& t : type->params) ok = ok && t == wabt::Type::I32;
    for (const auto& t : type->results) ok = ok && t == wabt::Type::I32;
    if (!ok) throw std::invalid_argument(module.path + ": " + name + " (" + role + ") is not " + shape);
    return;
  }
}

}  // namespace

// The module's malloc, free and memalign as the core allocator's heap. A
// size that no i32 parameter can carry gets 0, as a C caller's size_t would
// not fit either. After every call the memory is checked for a memory.grow
// the module made itself.
class WasmTarget::Heap : public ExternalHeap {
 public:
  Heap(WasmModule& module, const Exports& exports) : module_(module), exports_(exports) {}
  void serve(LinearMemory& memory) { memory_ = &memory; }

  Address malloc(std::uint64_t size) override {
    if (size > 0xffffffffu) return 0;
    return call(exports_.malloc, {static_cast<std::uint32_t>(size)});
  }
  Address memalign(std::uint64_t alignment, std::uint64_t size) override {
    if (size > 0xffffffffu || alignment > 0xffffffffu) return 0;
    if (exports_.memalign.empty())  // supports() keeps mmapAlloc away
      throw Unsupported("the module exports no memalign (name one: ?memalign=NAME)");
    return call(exports_.memalign, {static_cast<std::uint32_t>(alignment), static_cast<std::uint32_t>(size)});
  }
  void free(Address ptr) override { call(exports_.free, {ptr}); }

 private:
  Address call(const std::string& name, const std::vector<std::uint32_t>& args) {
    auto result = module_.call(name, args);
    if (memory_ && module_.memoryPages() > memory_->pages())
      memory_->grewOutside(static_cast<std::uint32_t>(module_.memoryPages()));
    if (auto* failure = std::get_if<WasmModule::Failure>(&result)) throw WasmTrap{failure->message};
    const auto& values = std::get<std::vector<std::uint32_t>>(result);
    return values.empty() ? 0 : values.front();
  }

  WasmModule& module_;
  const Exports& exports_;
  LinearMemory* memory_ = nullptr;
};

WasmTarget::WasmTarget(const std::string& spec, bool reuseInstances)
    : ReferenceTarget(Dialect{}, spec), reuseInstances_(reuseInstances) {
  const std::string rest = spec.substr(spec.rfind("wasm:", 0) == 0 ? 5 : 0);
  const std::size_t q = rest.find('?');
  path_ = rest.substr(0, q);
  if (path_.empty()) throw std::invalid_argument("wasm: needs the path of a module, e.g. 'wasm:build/release/wasm/freelist.wasm'");
  const auto query = q == std::string::npos ? std::map<std::string, std::string>{} : parseQuery(spec, rest.substr(q + 1));
  auto compiled = WasmModule::compile(path_);
  if (auto* failure = std::get_if<WasmModule::Failure>(&compiled)) throw std::invalid_argument(failure->message);
  compiled_ = std::get<std::shared_ptr<const WasmModule::Compiled>>(std::move(compiled));
  const auto& m = *compiled_;
  // Unnamed, malloc and free come from the first pair the module has both of.
  const char* pair[2] = {"", ""};
  for (const auto& [mallocName, freeName] : {std::pair{"malloc", "free"}, std::pair{"sqlite3_malloc", "sqlite3_free"}})
    if (m.exportsFunction(mallocName) && m.exportsFunction(freeName)) {
      pair[0] = mallocName;
      pair[1] = freeName;
      break;
    }
  exports_.malloc = pick(m, query, "malloc", {pair[0]});
  exports_.free = pick(m, query, "free", {pair[1]});
  if (exports_.malloc.empty() || exports_.free.empty())
    throw std::invalid_argument(path_ + " exports no allocator: neither malloc and free nor sqlite3_malloc and "
                                "sqlite3_free (name them: wasm:" + path_ + "?malloc=NAME&free=NAME)");
  exports_.memalign = pick(m, query, "memalign", {"memalign", "emscripten_builtin_memalign"});
  checkShape(m, exports_.malloc, 1, 1, "malloc", "(i32) -> i32");
  checkShape(m, exports_.free, 1, 0, "free", "(i32) -> ()");
  if (!exports_.memalign.empty()) checkShape(m, exports_.memalign, 2, 1, "memalign", "(i32, i32) -> i32");
  Capabilities have = kAllCapabilities;
  if (!m.memoryImported) have &= ~Capabilities{kMemoryConfig};  // a memory of its own is what it is
  capabilities_ = capabilityNames(have);
}

WasmTarget::~WasmTarget() { finish(); }

std::string WasmTarget::implementation() const {
  // The file and the folder it is in (dist/sqlite3.wasm): the target's name has the whole path.
  const std::filesystem::path p(path_);
  const std::string shortPath = p.has_parent_path() ? (p.parent_path().filename() / p.filename()).string() : path_;
  return shortPath + " in wabt (" + exports_.malloc + "/" + exports_.free +
         (exports_.memalign.empty() ? "" : "/" + exports_.memalign) + ")";
}

std::uint32_t WasmTarget::minimumPages() const {
  return compiled_->memoryImported ? compiled_->declared.initialPages : 0;
}

std::optional<MemoryConfig> WasmTarget::fixedMemory() const {
  if (compiled_->memoryImported) return std::nullopt;
  return compiled_->declared;
}

void WasmTarget::start(const Vector& vector) {
  // A memory the module cannot take skips the vector (as the Node driver
  // does for its memory import's limits).
  const MemoryConfig wanted = vector.setup.memory, declared = compiled_->declared;
  if (compiled_->memoryImported && wanted.maximumPages > declared.maximumPages)
    throw Unsupported("the module takes a memory of at most " + std::to_string(declared.maximumPages) +
                      " pages (its memory import's maximum); the vector's may grow to " +
                      std::to_string(wanted.maximumPages));
  if (compiled_->memoryImported && wanted.initialPages < declared.initialPages)
    throw Unsupported("the module needs a memory of at least " + std::to_string(declared.initialPages) +
                      " pages (its memory import's minimum); the vector starts with " + std::to_string(wanted.initialPages));
  ReferenceTarget::start(vector);
}

std::unique_ptr<Instance> WasmTarget::makeInstance(const InstanceConfig& config) {
  heap_.reset();
  module_.reset();
  // The memory the module starts with: the vector's, or its own.
  const MemoryConfig memory = compiled_->memoryImported ? config.memory : compiled_->declared;
  started_ = memory;
  const auto spare = spares_.find({memory.initialPages, memory.maximumPages});
  const bool reused = spare != spares_.end() && spare->second && spare->second->restoreSnapshot();
  if (reused) {
    module_ = std::move(spare->second);
  } else {
    WasmModule::Options options;
    options.runConstructors = false;  // below, under a start-up instance: they may grow the heap
    if (compiled_->memoryImported) options.memory = config.memory;
    options.resizeHeap = [this](std::uint32_t requestedSize) {
      return running_ && running_->resize(static_cast<double>(requestedSize)).result;  // GROW-1..6
    };
    auto made = WasmModule::instantiate(compiled_, std::move(options));
    if (auto* failure = std::get_if<WasmModule::Failure>(&made)) throw VectorError(failure->message);
    module_ = std::get<std::unique_ptr<WasmModule>>(std::move(made));
  }
  const MemoryConfig now{static_cast<std::uint32_t>(module_->memoryPages()),
                         compiled_->memoryImported ? config.memory.maximumPages : compiled_->declared.maximumPages};
  if (!reused) {
    // The module starts (its constructors) before the run and outside it, as
    // a reused instance did: growth they ask for goes through the GROW policy
    // with no faults, and is neither the run's events nor one of its grows.
    InstanceConfig startup = config;
    startup.memory = now;
    startup.faults = {};
    Instance boot(startup, std::make_unique<WasmStorage>(*module_));
    running_ = &boot;
    auto failure = module_->runConstructors();
    running_ = nullptr;
    if (failure) throw VectorError(failure->message);
    if (reuseInstances_ && module_->memoryPages() * kPageSize <= kReusableBytes) module_->takeSnapshot();
  }
  heap_ = std::make_unique<Heap>(*module_, exports_);
  InstanceConfig c = config;
  c.memory = MemoryConfig{static_cast<std::uint32_t>(module_->memoryPages()), now.maximumPages};
  c.allocator.heap = heap_.get();
  auto instance = std::make_unique<Instance>(c, std::make_unique<WasmStorage>(*module_));
  running_ = instance.get();
  heap_->serve(instance->memory());
  return instance;
}

void WasmTarget::finish() {
  ReferenceTarget::finish();
  running_ = nullptr;
  heap_.reset();
  if (reuseInstances_ && module_ && module_->restorable()) {
    constexpr std::size_t kSpares = 8;
    const std::pair key{started_.initialPages, started_.maximumPages};
    if (spares_.size() >= kSpares && !spares_.count(key)) spares_.erase(spares_.begin());
    spares_[key] = std::move(module_);
  }
  module_.reset();
}

Result<Value> WasmTarget::execute(const Op& op, const Args& args) {
  try {
    return ReferenceTarget::execute(op, args);
  } catch (const WasmTrap& trap) {
    ++traps_;
    return fail(ErrorKind::Trap, trap.message);
  }
}

Result<Value> WasmTarget::call(const Op& op, const std::function<Value()>& body) {
  try {
    return ReferenceTarget::call(op, body);
  } catch (const WasmTrap& trap) {  // the call's own pop trapped
    ++traps_;
    return fail(ErrorKind::Trap, trap.message);
  }
}

}  // namespace memconform::conformance
