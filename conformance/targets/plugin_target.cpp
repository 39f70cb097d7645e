#include "conformance/targets/plugin_target.h"

#include <dlfcn.h>

#include <cmath>
#include <span>

#include <stdexcept>

#include "conformance/runner/args.h"
#include "conformance/runner/capabilities.h"
#include "core/errors.h"

namespace memconform::conformance {
namespace {

void hostEvent(void* context, const memconform_event* e) { static_cast<PluginTarget*>(context)->onEvent(*e); }
void hostMessage(void* context, const char* text) { static_cast<PluginTarget*>(context)->onMessage(text); }

struct ListSink {
  std::vector<Value> items;
  static void append(void* context, double element) { static_cast<ListSink*>(context)->items.emplace_back(element); }
};

// scopedAllocCall's body as the C ABI sees it: a status, with the C++
// exception that caused it kept aside to be rethrown after the plugin's own
// finally has run (CALL-1, CALL-2).
struct CallContext {
  const std::function<Value()>* body = nullptr;
  Value result = Value(Undefined{});
  std::exception_ptr pending;
};

memconform_status runBody(void* context) {
  auto* c = static_cast<CallContext*>(context);
  try {
    c->result = (*c->body)();
    return MEMCONFORM_OK;
  } catch (const VectorThrow&) {
    c->pending = std::current_exception();
    return MEMCONFORM_THROWN;
  } catch (...) {  // a harness error: unwind through the plugin as a throw, rethrow after
    c->pending = std::current_exception();
    return MEMCONFORM_THROWN;
  }
}

Value numberValue(const memconform_number& n) {
  if (!n.is_bigint) return Value(n.number);
  return Value(n.bigint_unsigned ? BigInt::fromUnsigned(static_cast<std::uint64_t>(n.bigint)) : BigInt::fromSigned(n.bigint));
}

memconform_number numberOf(const JsNumeric& value) {
  if (const auto* b = std::get_if<BigInt>(&value)) return {1, 0, static_cast<std::int64_t>(b->wrap64()), 0};
  return {0, std::get<double>(value), 0, 0};
}

// The plugin's handle of the view an op names.
std::uint64_t viewOf(const Args& a) {
  std::uint64_t integer = 0;
  const auto h = args::handle(a, "view", Handle::Kind::View, integer);
  if (!h) throw VectorError("argument \"view\" is not a view of this run");
  return h->id;
}

}  // namespace

PluginTarget::PluginTarget(const std::string& path) : path_(path) {
  library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library_) throw std::runtime_error("plugin " + path + ": cannot load it: " + dlerror());
  auto entry = reinterpret_cast<memconform_target_v1_fn>(dlsym(library_, "memconform_target_v1"));
  if (!entry) {
    dlclose(library_);
    throw std::runtime_error("plugin " + path + ": it exports no memconform_target_v1 (conformance/include/memconform/target.h)");
  }
  table_ = entry();
  std::string why;
  if (!table_) why = "memconform_target_v1() returned NULL";
  else if (table_->abi_version != MEMCONFORM_ABI_VERSION)
    why = "its ABI version is " + std::to_string(table_->abi_version) + ", this memconform speaks " +
          std::to_string(MEMCONFORM_ABI_VERSION);
  else if (!table_->create || !table_->destroy || !table_->byte_length || !table_->state)
    why = "create, destroy, byte_length and state are required";
  if (!why.empty()) {
    dlclose(library_);
    throw std::runtime_error("plugin " + path + ": " + why);
  }
  for (const char* const* c = table_->capabilities; c && *c; ++c) {
    if (!knownCapabilities().count(*c))
      throw std::runtime_error("plugin " + path + ": unknown capability \"" + *c + "\" (docs/VECTORS.md \"Capabilities\")");
    capabilities_.insert(*c);
  }
  capabilities_.insert("caller-list");  // addressAfter(): the ABI's list is read-only
  host_ = {this, hostEvent, hostMessage};
}

PluginTarget::~PluginTarget() {
  finish();
  if (library_) dlclose(library_);
}

std::string PluginTarget::name() const {
  return "plugin:" + path_;
}

void PluginTarget::start(const Vector& vector) {
  finish();
  const Setup& s = vector.setup;
  memconform_setup setup{s.memory.initialPages, s.memory.maximumPages, s.growth.geometricStep, s.growth.overgrowthCap,
                         s.growth.alignment, s.growth.maxHeapSize, s.faults.failAttempts.data(),
                         s.faults.failAttempts.size(), s.faults.failAbovePages.has_value(),
                         s.faults.failAbovePages.value_or(0)};
  char why[512] = "";
  instance_ = table_->create(&setup, &host_, why, sizeof why);
  if (!instance_) throw Unsupported("the plugin cannot create this setup: " + std::string(why));
}

void PluginTarget::finish() {
  if (instance_) table_->destroy(instance_);
  instance_ = nullptr;
  peekedList_ = nullptr;  // a view of the last op's arguments
  events_.clear();  // its buffer stays for the next run, as the runner's does
}

void PluginTarget::onEvent(const memconform_event& e) {
  switch (e.kind) {
    case MEMCONFORM_EVENT_ALLOC: events_.push_back(AllocEvent{Address(e.value), e.size}); break;
    case MEMCONFORM_EVENT_DEALLOC: events_.push_back(DeallocEvent{Address(e.value)}); break;
    case MEMCONFORM_EVENT_INSTALL: events_.push_back(InstallEvent{TableIndex(e.value)}); break;
    case MEMCONFORM_EVENT_UNINSTALL: events_.push_back(UninstallEvent{TableIndex(e.value)}); break;
    case MEMCONFORM_EVENT_PUSH: events_.push_back(PushEvent{e.value}); break;
    case MEMCONFORM_EVENT_POP: events_.push_back(PopEvent{e.value}); break;
    case MEMCONFORM_EVENT_GROW: events_.push_back(GrowEvent{std::uint32_t(e.value), e.ok != 0}); break;
    case MEMCONFORM_EVENT_RESIZE_ATTEMPT: events_.push_back(ResizeAttemptEvent{e.new_size, e.ok != 0}); break;
    case MEMCONFORM_EVENT_STALE_VIEW: events_.push_back(StaleViewEvent{e.value, e.size}); break;
    default: throw VectorError("plugin " + path_ + " reported an event of unknown kind " + std::to_string(int(e.kind)));
  }
}

Result<void> PluginTarget::outcome(memconform_status status) {
  std::string message = std::move(message_);
  message_.clear();
  if (status == MEMCONFORM_OK) return {};
  if (status < MEMCONFORM_OK || status > MEMCONFORM_TRAP)
    throw VectorError("plugin " + path_ + " returned status " + std::to_string(status) + ", not one of target.h");
  const auto kind = static_cast<ErrorKind>(status - 1);
  return fail(kind, message.empty() ? std::string(errorKindName(kind)) : message);
}

std::optional<Error> PluginTarget::failed(memconform_status status) {
  auto r = outcome(status);
  if (r) return std::nullopt;
  return std::move(r).error();
}

template <class Fn>
Fn PluginTarget::slot(Fn fn, const Op& op) const {
  if (!fn) throw Unsupported("plugin " + path_ + " does not implement " + std::string(opSpec(op.kind).name));
  return fn;
}

bool PluginTarget::supports(OpKind kind) const {
  const memconform_target& t = *table_;
  switch (kind) {
    case OpKind::Alloc: return t.alloc;
    case OpKind::Dealloc: return t.dealloc;
    case OpKind::MmapAlloc: return t.mmap_alloc;
    case OpKind::AlignMemory: return t.align_memory;
    case OpKind::ZeroMemory: return t.zero_memory;
    case OpKind::Resize: return t.resize;
    case OpKind::Grow: return t.grow;
    case OpKind::ByteLength: return true;
    case OpKind::Push: return t.push;
    case OpKind::Pop: return t.pop;
    case OpKind::ScopedAlloc: return t.scoped_alloc;
    case OpKind::ScopedAllocCString: return t.scoped_alloc_cstring;
    case OpKind::ScopedAllocPtr:
    case OpKind::AllocPtr: return t.alloc_ptr;
    case OpKind::ScopedAllocMainArgv: return t.scoped_alloc_main_argv;
    case OpKind::InstallFunction:
    case OpKind::ScopedInstallFunction: return t.install_function;
    case OpKind::UninstallFunction: return t.uninstall_function;
    case OpKind::Level: return t.level;
    case OpKind::SetLevel: return t.set_level;
    case OpKind::Peek: return t.peek;
    case OpKind::Poke: return t.poke;
    case OpKind::Call: return t.scoped_alloc_call;
    case OpKind::Throw: return true;
    case OpKind::Heap: return t.heap;
    case OpKind::HeapForSize: return t.heap_for_size;
    case OpKind::ViewLength: return t.view_length;
    case OpKind::ViewGet: return t.view_get;
    case OpKind::ViewSet: return t.view_set;
  }
  return false;
}

Result<Value> PluginTarget::execute(const Op& op, const Args& args) {
  peekedList_ = args::peekedList(op.kind, args);
  return run(op, args);
}

Result<Value> PluginTarget::run(const Op& op, const Args& a) {
  const memconform_target& t = *table_;
  memconform_instance* in = instance_;
  const auto num = [&](std::string_view n) { return args::number(a, n); };
  switch (op.kind) {
    case OpKind::Alloc: {
      std::uint32_t p = 0;
      if (auto e = failed(slot(t.alloc, op)(in, num("size"), &p))) return *e;
      return Value(double(p));
    }
    case OpKind::Dealloc:
      if (auto e = failed(slot(t.dealloc, op)(in, num("ptr")))) return *e;
      return Value(Undefined{});
    case OpKind::MmapAlloc: {
      std::uint32_t p = 0;
      if (auto e = failed(slot(t.mmap_alloc, op)(in, num("size"), &p))) return *e;
      return Value(double(p));
    }
    case OpKind::AlignMemory: {
      double r = 0;
      if (auto e = failed(slot(t.align_memory, op)(in, num("size"), num("alignment"), &r))) return *e;
      return Value(r);
    }
    case OpKind::ZeroMemory: {
      double r = 0;
      if (auto e = failed(slot(t.zero_memory, op)(in, num("address"), num("size"), &r))) return *e;
      return Value(r);
    }
    case OpKind::Resize: {
      int r = 0;
      if (auto e = failed(slot(t.resize, op)(in, num("size"), &r))) return *e;
      return Value(r != 0);
    }
    case OpKind::Grow: {
      std::uint32_t old = 0;
      if (auto e = failed(slot(t.grow, op)(in, num("pages"), &old))) return *e;
      return Value(double(old));
    }
    case OpKind::ByteLength: return Value(double(t.byte_length(in)));
    case OpKind::Push: {
      std::uint64_t scope = 0;
      if (auto e = failed(slot(t.push, op)(in, &scope))) return *e;
      return Value(Handle{Handle::Kind::Scope, scope});
    }
    case OpKind::Pop: {
      const auto pop = slot(t.pop, op);
      if (!args::find(a, "scope")) {
        if (auto e = failed(pop(in, 0, 0))) return *e;
        return Value(Undefined{});
      }
      if (auto e = failed(pop(in, 1, args::scopeId(a, "scope")))) return *e;
      return Value(Undefined{});
    }
    case OpKind::ScopedAlloc: {
      std::uint32_t p = 0;
      if (auto e = failed(slot(t.scoped_alloc, op)(in, num("size"), &p))) return *e;
      return Value(double(p));
    }
    case OpKind::ScopedAllocCString: {
      const Value* v = args::find(a, "value");
      const std::string* s = v ? v->get<std::string>() : nullptr;
      std::uint32_t p = 0;
      std::uint64_t length = 0;
      int isNull = 0;
      const auto status =
          slot(t.scoped_alloc_cstring, op)(in, s ? s->c_str() : nullptr, s ? s->size() : 0, &p, &length, &isNull);
      if (auto e = failed(status)) return *e;
      if (isNull) return Value(Null{});
      if (!args::boolean(a, "withLength", false)) return Value(double(p));
      return Value(std::vector<Value>{Value(double(p)), Value(double(length))});
    }
    case OpKind::ScopedAllocPtr:
    case OpKind::AllocPtr: {
      ListSink sink;
      const memconform_list list{&sink, ListSink::append};
      std::uint32_t p = 0;
      const auto status = slot(t.alloc_ptr, op)(in, op.kind == OpKind::ScopedAllocPtr, args::number(a, "howMany", 1),
                                                args::boolean(a, "safePtrSize", true), &p, &list);
      if (auto e = failed(status)) return *e;
      return sink.items.empty() ? Value(double(p)) : Value(std::move(sink.items));
    }
    case OpKind::ScopedAllocMainArgv: {
      std::vector<std::string_view> list;
      args::strings(a, "list", list);
      std::vector<const char*> texts;
      std::vector<std::size_t> lengths;
      for (const auto& s : list) {
        texts.push_back(s.data());  // a view of the whole std::string: NUL-terminated
        lengths.push_back(s.size());
      }
      std::uint32_t p = 0;
      const auto status = slot(t.scoped_alloc_main_argv, op)(in, texts.data(), lengths.data(), list.size(), &p);
      if (auto e = failed(status)) return *e;
      return Value(double(p));
    }
    case OpKind::InstallFunction:
    case OpKind::ScopedInstallFunction: {
      const std::string signature = args::string(a, "signature"), fn = args::string(a, "name", "fn");
      std::uint32_t index = 0;
      const bool scoped = op.kind == OpKind::ScopedInstallFunction;
      const auto status = slot(t.install_function, op)(in, scoped, signature.c_str(), fn.c_str(), &index);
      if (auto e = failed(status)) return *e;
      return Value(double(index));
    }
    case OpKind::UninstallFunction:
      if (auto e = failed(slot(t.uninstall_function, op)(in, num("index")))) return *e;
      return Value(Undefined{});
    case OpKind::Level: {
      std::uint64_t level = 0;
      if (auto e = failed(slot(t.level, op)(in, &level))) return *e;
      return Value(double(level));
    }
    case OpKind::SetLevel:
      if (auto e = failed(slot(t.set_level, op)(in, num("value")))) return *e;
      return Value(Undefined{});
    case OpKind::Peek:
    case OpKind::Poke: {
      args::Addresses addresses;
      args::addresses(a, "address", addresses);
      const bool isList = addresses.isList;
      const double oneAt = double(addresses.one);  // one address: no allocation
      const std::vector<double> listAt(addresses.list.begin(), addresses.list.end());
      const std::span<const double> at = isList ? std::span<const double>(listAt) : std::span(&oneAt, 1);
      const Value* type = args::find(a, "type");
      const std::string* typeName = type ? type->get<std::string>() : nullptr;
      const char* typeText = typeName ? typeName->c_str() : nullptr;
      if (op.kind == OpKind::Poke) {
        const auto value = numberOf(args::numeric(a, "value"));
        if (auto e = failed(slot(t.poke, op)(in, at.data(), at.size(), isList, value, typeText))) return *e;
        return Value(Undefined{});
      }
      memconform_number one{};
      std::vector<memconform_number> list(isList ? at.size() : 0);
      if (auto e = failed(slot(t.peek, op)(in, at.data(), at.size(), isList, typeText, isList ? list.data() : &one)))
        return *e;
      if (!isList) return numberValue(one);
      std::vector<Value> out;
      for (const auto& v : list) out.push_back(numberValue(v));
      return Value(std::move(out));
    }
    case OpKind::Heap: {
      std::uint64_t view = 0;
      if (auto e = failed(slot(t.heap, op)(in, args::string(a, "type").c_str(), &view))) return *e;
      return Value(Handle{Handle::Kind::View, view});
    }
    case OpKind::HeapForSize: {
      const Value* size = args::find(a, "size");
      const std::string* constructor = size ? size->get<std::string>() : nullptr;
      std::uint64_t view = 0;
      const auto status = slot(t.heap_for_size, op)(in, constructor ? std::nan("") : num("size"),
                                                    constructor ? constructor->c_str() : nullptr,
                                                    args::boolean(a, "unsigned", true), &view);
      if (auto e = failed(status)) return *e;
      return Value(Handle{Handle::Kind::View, view});
    }
    case OpKind::ViewLength: {
      double length = 0;
      if (auto e = failed(slot(t.view_length, op)(in, viewOf(a), &length))) return *e;
      return Value(length);
    }
    case OpKind::ViewGet: {
      memconform_number value{};
      int isUndefined = 0;
      if (auto e = failed(slot(t.view_get, op)(in, viewOf(a), num("index"), &value, &isUndefined))) return *e;
      return isUndefined ? Value(Undefined{}) : numberValue(value);
    }
    case OpKind::ViewSet:
      if (auto e = failed(slot(t.view_set, op)(in, viewOf(a), num("index"), numberOf(args::numeric(a, "value")))))
        return *e;
      return Value(Undefined{});
    case OpKind::Call:
    case OpKind::Throw: break;  // the executor's
  }
  throw Unsupported(std::string(opSpec(op.kind).name) + " is run by the executor, not a target");
}

Result<Value> PluginTarget::call(const Op& op, const std::function<Value()>& body) {
  CallContext context;
  context.body = &body;
  const memconform_status status = slot(table_->scoped_alloc_call, op)(instance_, runBody, &context);
  if (context.pending) {
    try {
      std::rethrow_exception(context.pending);
    } catch (const VectorThrow&) {
      if (status == MEMCONFORM_THROWN) throw;
    }  // anything else is the harness's own error: it always passes
  }
  if (status == MEMCONFORM_THROWN && !context.pending)
    throw VectorError("plugin " + path_ + ": scoped_alloc_call returned MEMCONFORM_THROWN, but the body did not throw");
  // The plugin's own pop failed: that error replaces the body's (CALL-1, section 12).
  if (auto r = outcome(status); !r) return std::move(r).error();
  return context.result;
}

void PluginTarget::takeEvents(std::vector<Event>& into) {
  // Copied, not swapped: each buffer stays with its owner, so that neither
  // allocates once grown, and a fuzz input that grows neither frees what it
  // allocated (the runner keeps its buffer from run to run).
  into.assign(events_.begin(), events_.end());
  events_.clear();
}

std::uint64_t PluginTarget::byteLength() { return table_->byte_length(instance_); }

TargetState PluginTarget::state() {
  memconform_state s{};
  table_->state(instance_, &s);
  TargetState out;
  out.level = s.level;
  if (s.live) out.live.assign(s.live, s.live + s.live_count);
  if (s.installed) out.installed.assign(s.installed, s.installed + s.installed_count);
  out.byteLength = table_->byte_length(instance_);
  return out;
}

}  // namespace memconform::conformance
