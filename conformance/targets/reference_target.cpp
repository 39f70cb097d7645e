#include "conformance/targets/reference_target.h"

#include <algorithm>

#include "conformance/runner/args.h"
#include "conformance/runner/capabilities.h"
#include "core/errors.h"

namespace memconform::conformance {
namespace {

std::optional<ElementType> viewKind(const std::string& name) {
  for (int t = 0; t <= static_cast<int>(ElementType::F64); ++t)
    if (elementTypeName(static_cast<ElementType>(t)) == name) return static_cast<ElementType>(t);
  return std::nullopt;
}

Value addressList(const std::vector<Address>& list) {
  if (list.size() == 1) return Value(double(list.front()));
  std::vector<Value> out;
  out.reserve(list.size());
  for (Address a : list) out.emplace_back(double(a));
  return Value(std::move(out));
}

// The op's value, made from a core Result: its value converted, or its Error.
template <class T, class Convert>
Result<Value> valueOf(Result<T>&& r, Convert&& convert) {
  if (!r) return std::move(r).error();
  if constexpr (std::is_void_v<T>) return convert();
  else return convert(*r);
}

Value asNumber(double d) { return Value(d); }
Value valueOrUndefined(const PeekedValue& v) { return v ? Value::fromNumeric(*v) : Value(Undefined{}); }
Value asUndefined() { return Value(Undefined{}); }

}  // namespace

ReferenceTarget::ReferenceTarget(Mutant mutant) : mutant_(mutant) {}

ReferenceTarget::ReferenceTarget(Dialect dialect, std::string spec)
    : mutant_(Mutant::None), dialect_(dialect), spec_(std::move(spec)) {}

std::string ReferenceTarget::name() const {
  if (!spec_.empty()) return spec_;
  if (mutant_ == Mutant::None) return "reference";
  for (const auto& m : allMutants())
    if (m.id == mutant_) return "mutant:" + std::string(m.name);
  return "mutant:?";
}

const std::set<std::string>& ReferenceTarget::capabilities() const { return knownCapabilities(); }

void ReferenceTarget::start(const Vector& vector) {
  const Setup& setup = vector.setup;
  Speaking speaking(*this);
  views_.clear();
  InstanceConfig& config = config_;  // its fault list into the buffer the last run's left
  config.memory = setup.memory;
  config.growth = setup.growth;
  config.faults = setup.faults;
  config.allocator = allocator_;
  if (instance_ && instance_->ownsMemory()) {
    // The last run's instance, started again in place: no setup per run
    // beyond that (a fuzzer runs one per input).
    try {
      instance_->restart(config);
    } catch (...) {
      instance_.reset();
      throw;
    }
    return;
  }
  instance_.reset();
  instance_ = makeInstance(config);
}

std::unique_ptr<Instance> ReferenceTarget::makeInstance(const InstanceConfig& config) {
  return std::make_unique<Instance>(config);
}

void ReferenceTarget::finish() {
  Speaking speaking(*this);
  views_ = {};
  peekedList_ = nullptr;  // a view of the last op's arguments
  strings_.clear();       // views of the last op's arguments
  // Kept for the next start, emptied, if it is over its own memory; one over
  // another's (a wasm module's, WasmTarget) goes before that memory does.
  if (instance_ && instance_->ownsMemory()) instance_->release();
  else instance_.reset();
}

Result<Value> ReferenceTarget::execute(const Op& op, const Args& args) {
  Speaking speaking(*this);
  peekedList_ = args::peekedList(op.kind, args);
  return run(op.kind, args);
}

std::optional<Value> ReferenceTarget::addressAfter() {
  Speaking speaking(*this);
  if (!peekedList_) return std::nullopt;
  // PEEK-5: the caller's list is left as it was; upstream shifts every
  // address off it (peek-empties-list).
  return speaks(Variant::PeekEmptiesList) ? Value(std::vector<Value>{}) : *peekedList_;
}

Result<Value> ReferenceTarget::call(const Op&, const std::function<Value()>& body) {
  Speaking speaking(*this);
  return instance_->scopedAllocCall(body);
}

void ReferenceTarget::takeEvents(std::vector<Event>& into) {
  // Taken events leave the log, so that it keeps its capacity for the next op.
  EventLog& log = instance_->events();
  into.assign(log.events().begin(), log.events().end());
  log.clear();
}

std::uint64_t ReferenceTarget::byteLength() { return instance_->byteLength(); }

std::optional<std::uint64_t> ReferenceTarget::contentsVersion() { return instance_->memory().callerWrites(); }

TargetState ReferenceTarget::state() {
  TargetState s;
  s.level = instance_->level();
  for (const auto& [ptr, size] : instance_->allocator().live()) s.live.push_back(ptr);
  s.installed = instance_->table().installed();
  s.byteLength = instance_->byteLength();
  return s;
}

Value ReferenceTarget::makeView(View v) {
  views_.push_back(v);
  return Value(Handle{Handle::Kind::View, views_.size() - 1});
}

View& ReferenceTarget::view(const Args& a) {
  std::uint64_t integer = 0;
  const auto h = args::handle(a, "view", Handle::Kind::View, integer);
  if (!h || h->id >= views_.size()) throw VectorError("argument \"view\" is not a view of this run");
  return views_[h->id];
}

Result<Value> ReferenceTarget::run(OpKind kind, const Args& a) {
  Instance& in = *instance_;
  // Upstream's peek, poke and view accessors look at their cached views
  // (renewing them if byteLength changed) before they look at their
  // arguments (views-cached-by-length): so does the reference in a dialect.
  if (kind == OpKind::Peek || kind == OpKind::Poke || kind == OpKind::Heap || kind == OpKind::HeapForSize)
    static_cast<void>(in.memory().accessorGeneration());
  constexpr double kMaxSize = 9007199254740992.0;
  switch (kind) {
    case OpKind::Alloc: return valueOf(in.alloc(std::uint64_t(args::integer(a, "size", 0, kMaxSize))), asNumber);
    case OpKind::Dealloc:
      // Addresses outside wasm32 wrap as the i32 argument of free() would.
      return valueOf(in.dealloc(static_cast<Address>(args::integer(a, "ptr", -kMaxSize, kMaxSize))), asUndefined);
    case OpKind::MmapAlloc: return valueOf(in.mmapAlloc(args::number(a, "size")), asNumber);
    case OpKind::AlignMemory: return valueOf(alignMemory(args::number(a, "size"), args::number(a, "alignment")), asNumber);
    case OpKind::ZeroMemory: {
      auto zeroed = in.zeroMemory(args::integer(a, "address", -kMaxSize, kMaxSize), args::number(a, "size"));
      // zero-memory-returns-heap: what HEAPU8.fill returns, the runtime's
      // HEAPU8 (the glue's cached views are not looked at).
      if (zeroed && speaks(Variant::ZeroMemoryReturnsHeap))
        return makeView(View::runtimeView(in.memory(), ElementType::U8, &in.events()));
      return valueOf(std::move(zeroed), [](std::int64_t address) { return Value(double(address)); });
    }
    case OpKind::Resize: return Value(in.resize(args::number(a, "size")).result);
    case OpKind::Grow: return valueOf(in.grow(args::number(a, "pages")), asNumber);
    case OpKind::ByteLength: return Value(double(in.byteLength()));
    case OpKind::Heap: {
      const std::string type = args::string(a, "type");
      const auto t = viewKind(type);
      if (!t) throw VectorError("argument \"type\" is \"" + type + "\", expected i8 u8 i16 u16 i32 u32 i64 u64 f32 f64");
      // Upstream has no float accessors (no-float-views): its f32 and f64
      // views come from heapForSize(Float32Array), which refuses them.
      if ((*t == ElementType::F32 || *t == ElementType::F64) && speaks(Variant::NoFloatViews))
        return valueOf(memconform::heapForSize(in.memory(), *t == ElementType::F32 ? "Float32Array" : "Float64Array",
                                               &in.events()),
                       [&](const View& v) { return makeView(v); });
      return makeView(in.heap(*t));
    }
    case OpKind::HeapForSize: {
      const Value* size = args::find(a, "size");
      auto made = [&](const View& v) { return makeView(v); };
      if (size && size->get<std::string>())
        return valueOf(memconform::heapForSize(in.memory(), *size->get<std::string>(), &in.events()), made);
      return valueOf(in.heapForSize(args::number(a, "size"), args::boolean(a, "unsigned", true)), made);
    }
    case OpKind::ViewLength: return Value(double(view(a).length()));
    case OpKind::ViewGet: {
      const auto v = view(a).get(args::number(a, "index"));
      return v ? Value::fromNumeric(*v) : Value(Undefined{});
    }
    case OpKind::ViewSet: return valueOf(view(a).set(args::number(a, "index"), args::numeric(a, "value")), asUndefined);
    case OpKind::Peek: {
      const args::Addresses& addresses = addresses_;
      args::addresses(a, "address", addresses_);
      const auto type = parsePeekType(args::string(a, "type", std::string(kDefaultPeekType)));
      if (!type) return type.error();
      if (!addresses.isList) return valueOf(peekValue(in.memory(), addresses.one, *type), valueOrUndefined);
      return valueOf(peekValues(in.memory(), addresses.list, *type), [](const std::vector<PeekedValue>& values) {
        std::vector<Value> out;
        out.reserve(values.size());
        for (const auto& v : values) out.push_back(valueOrUndefined(v));
        return Value(std::move(out));
      });
    }
    case OpKind::Poke: {
      const args::Addresses& addresses = addresses_;
      args::addresses(a, "address", addresses_);
      const auto type = parsePeekType(args::string(a, "type", std::string(kDefaultPeekType)));
      // Upstream looks at the type in its loop over the addresses
      // (peek-poke-unchecked): poke([], v, "x") is no error.
      if (!type && addresses.all().empty() && speaks(Variant::PeekPokeUnchecked)) return Value(Undefined{});
      if (!type) return type.error();
      return valueOf(memconform::poke(in.memory(), addresses.all(), args::numeric(a, "value"), *type), asUndefined);
    }
    case OpKind::Push: return Value(Handle{Handle::Kind::Scope, in.scopedAllocPush()});
    case OpKind::Pop:
      if (!args::find(a, "scope")) return valueOf(in.scopedAllocPop(), asUndefined);
      return valueOf(in.scopedAllocPop(args::scopeId(a, "scope")), asUndefined);  // handles count up from 1
    case OpKind::ScopedAlloc:
      return valueOf(in.scopedAlloc(std::uint64_t(args::integer(a, "size", 0, kMaxSize))), asNumber);
    case OpKind::ScopedAllocCString: {
      const Value* v = args::find(a, "value");
      const auto* s = v ? v->get<std::string>() : nullptr;
      return valueOf(in.scopes().scopedAllocCString(s ? std::optional<std::string_view>(*s) : std::nullopt),
                     [&](const std::optional<ScopeStack::CString>& r) {
                       if (!r) return Value(Null{});
                       if (!args::boolean(a, "withLength", false)) return Value(double(r->ptr));
                       return Value(std::vector<Value>{Value(double(r->ptr)), Value(double(r->byteLength))});
                     });
    }
    case OpKind::ScopedAllocPtr:
    case OpKind::AllocPtr: {
      const auto howMany = static_cast<std::uint32_t>(args::integer(a, "howMany", 0, 4294967295.0, 1));
      const bool safe = args::boolean(a, "safePtrSize", true);
      return valueOf(kind == OpKind::AllocPtr ? in.allocPtr(howMany, safe) : in.scopes().scopedAllocPtr(howMany, safe),
                     addressList);
    }
    case OpKind::ScopedAllocMainArgv:
      args::strings(a, "list", strings_);
      return valueOf(in.scopes().scopedAllocMainArgv(strings_), asNumber);
    case OpKind::InstallFunction:
    case OpKind::ScopedInstallFunction: {
      FunctionRef fn{args::string(a, "name", "fn"), args::string(a, "signature")};
      return valueOf(kind == OpKind::InstallFunction ? in.installFunction(fn) : in.scopes().scopedInstallFunction(fn),
                     asNumber);
    }
    case OpKind::UninstallFunction:
      return valueOf(in.uninstallFunction(static_cast<TableIndex>(args::integer(a, "index", 0, 4294967295.0))),
                     [](const FunctionRef&) { return Value(Undefined{}); });
    case OpKind::Level: return Value(double(in.level()));
    case OpKind::SetLevel: return valueOf(in.scopes().setLevel(args::number(a, "value")), asUndefined);
    case OpKind::Call:
    case OpKind::Throw: break;  // the executor's
  }
  throw Unsupported(std::string(opSpec(kind).name) + " is run by the executor, not a target");
}

}  // namespace memconform::conformance
