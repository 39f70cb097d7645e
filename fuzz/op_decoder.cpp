#include "fuzz/op_decoder.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "conformance/runner/capabilities.h"
#include "core/memory.h"
#include "fuzz/spare_ops.h"

namespace memconform::fuzz {

using namespace memconform::conformance;

namespace {

// Reads the input front to back; past the end every read is 0.
class Bytes {
 public:
  explicit Bytes(std::span<const std::uint8_t> d) : data_(d) {}
  bool empty() const { return pos_ >= data_.size(); }
  std::size_t remaining() const { return empty() ? 0 : data_.size() - pos_; }
  std::uint8_t byte() { return empty() ? 0 : data_[pos_++]; }
  std::uint32_t u16() { return byte() | (std::uint32_t{byte()} << 8); }
  std::uint32_t u32() { return u16() | (u16() << 16); }
  std::uint64_t u64() { return u32() | (std::uint64_t{u32()} << 32); }
  template <class T, std::size_t N>
  const T& pick(const std::array<T, N>& table) { return table[byte() % N]; }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : byte() % n; }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

constexpr double kTwo31 = 2147483648.0, kTwo32 = 4294967296.0, kTwo53 = 9007199254740992.0;
// A well-behaved caller's memory can grow by 128 MiB: more than its 64 ops
// can allocate in blocks of at most 1 MiB and their allocator's overhead.
constexpr std::uint32_t kWellBehavedRoomPages = 2048;
// Long strings (Decoder::longString) in one sequence: a quarter of that room.
constexpr std::uint64_t kLongStringBytes = std::uint64_t{32} << 20;

// Numbers that sit on the edges of the rules.
constexpr std::array<double, 32> kNumbers{
    0, -0.0, 1, -1, 1.5, -1.5, 127, 128, 255, 256, -129, 32767, 32768, 65535, 65536, -32769,
    kTwo31 - 1, kTwo31, kTwo32 - 1, kTwo32, -kTwo31 - 1, kTwo53, kTwo53 + 2, 1e20,
    std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
    -std::numeric_limits<double>::infinity(), 0.1, 16777217, 3.4028235677973366e38, 5e-324, 100663296};
constexpr std::array<std::string_view, 12> kBigInts{"0n", "1n", "-1n", "127n", "9007199254740993n",
                                                     "9223372036854775807n", "9223372036854775808n", "-9223372036854775808n",
                                                     "18446744073709551615n", "18446744073709551616n", "-5n", "4294967296n"};
constexpr std::array<std::string_view, 12> kPeekTypes{"i8", "i16", "i32", "i64", "f32", "f64", "i1", "float", "double", "i8*", "u8", "x"};
constexpr std::array<std::string_view, 10> kViewTypes{"i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64"};
constexpr std::array<std::string_view, 6> kSignatures{"v(i)", "i(ii)", "v()", "iii", "j(pP)", "x("};
constexpr std::array<std::string_view, 8> kStrings{"", "a", "hello", "h\xc3\xa9llo", "\xe6\x97\xa5\xe6\x9c\xac",
                                                    std::string_view("a\0b", 3), "SELECT 1;", "12345678"};
// Resize requests: around pages, the overgrowth cap, 2 GiB and 2^32.
constexpr std::array<double, 16> kResizeRequests{0, 1, 65535, 65536, 65537, 131072, 262144, 1048576, 100663296, 100663297,
                                                 kTwo31 - 1, kTwo31, kTwo31 + 1, kTwo32, -1, 1.5};

// Moves the ops `target` cannot run to the end of `ops`, in bodies too, and
// hands them to `drop(ops, first)`.
template <class Drop>
void keepRunnable(std::vector<Op>& ops, const Target& target, Capabilities have, Drop& drop) {
  // A target with every capability needs no opNeeds per op: asking it cost
  // fuzz_differential about 4% of its executions under ASan (same-run A/B,
  // 7 seeds).
  const auto runnable = [&](const Op& o) { return target.supports(o.kind) && (have == kAllCapabilities || (opNeeds(o) & ~have) == 0); };
  // Most targets run every op: then nothing moves (a partition allocates).
  if (!std::all_of(ops.begin(), ops.end(), runnable)) {
    const auto cut = std::stable_partition(ops.begin(), ops.end(), runnable);
    drop(ops, static_cast<std::size_t>(cut - ops.begin()));
  }
  for (auto& o : ops) keepRunnable(o.body, target, have, drop);
}

template <class Drop>
void fit(Vector& vector, const Target& target, Drop drop) {
  const Capabilities have = capabilityBits(target.capabilities());
  fitSetup(vector.setup, have, target.fixedMemory());
  keepRunnable(vector.ops, target, have, drop);
}

Expr num(double d) { return Expr{Value(d)}; }
Expr str(std::string_view s) { return Expr{Value(std::string(s))}; }
Expr name(const std::string& n, std::int64_t offset = 0, int shift = 0) { return Expr{NameRef{n, offset, shift}}; }

}  // namespace

class OpDecoder::Decoder {
 public:
  // A block a well-behaved caller owns (DecoderLimits::wellBehaved).
  struct Block {
    std::string name;
    double size;
    std::string owner;  // the scope whose pop releases it; "" for a plain block
    bool freeable;      // a plain block the caller frees with dealloc
    bool readable;      // its bytes are the caller's (not a table of pointers, not left unfilled)
    bool live;
    std::string allocation;  // the block it lies in (a pointer slot's allocPtr block); its own name if ""
  };

  // The lists get room for as much as any input can put in them, once, so
  // that decoding an input allocates nothing of its own.
  //
  // A decoder that is reused (`reused`) also makes every op it can ever
  // need up front: libFuzzer counts the allocations of each execution, and
  // one that ends with more than it freed (ops kept for the next input) is
  // run again under a full leak check.
  Decoder(const DecoderLimits& limits, bool reused) : limits_(limits) {
    const std::size_t ops = limits.maxOps;
    const std::size_t sequence = 2 * ops + 8;  // every op, a follow-up past the budget and a closing pop per push
    vector_.ops.reserve(sequence);
    if (reused) spare_.make(sequence);
    pointers_.reserve(kNamesPerOp * ops);
    scopes_.reserve(ops);
    functions_.reserve(ops);
    views_.reserve(ops);
    stack_.reserve(ops);
    if (limits.wellBehaved) {
      blocks_.reserve(kNamesPerOp * ops);
      plainFunctions_.reserve(ops);
    }
    followUps_.reserve(2);
  }

  Vector& decode(std::span<const std::uint8_t> data) {
    start(data);
    Vector& v = vector_;
    v.id = "fuzz/input";
    v.area = "fuzz";
    v.rules = {"LEAK-1", "LEAK-2", "SAFE-1", "SAFE-3", "SAFE-4"};
    v.source = "decided";
    v.tags = {"from-fuzz"};
    setup(v.setup);
    emit(v.ops, OpKind::ByteLength).as = {"end"};
    while (!in_.empty() && budget_ > 0) append(v.ops, 0);
    // Close every scope the sequence left open, so that LEAK-2 at the end
    // judges the implementation, not the generated caller. The caller's
    // model of the stack says how many; after a pop by a raw number (which
    // may or may not name a live scope) it pops once per push, and the extra
    // pops fail harmlessly (SCOPE-4).
    const std::size_t open = popsByNumber_ ? scopes_.size() : stack_.size();
    for (std::size_t i = 0; i < open; ++i) {
      emit(v.ops, OpKind::Pop).rule = "LEAK-2";  // marks the closing pops
    }
    spare_.finishInPlace();  // the last input's ops past this one's are kept
    // The model is done with: the next input starts from empty lists.
    pointers_.clear();
    scopes_.clear();
    functions_.clear();
    views_.clear();
    stack_.clear();
    blocks_.clear();
    plainFunctions_.clear();
    rawGrown_ = false;
    longStringBytes_ = 0;
    return v;
  }

  Vector& vector() { return vector_; }
  // fitToTarget: the ops left out go to the spare ones, so that the next
  // inputs find as many as before.
  void fitTo(const conformance::Target& target) {
    fit(vector_, target, [&](std::vector<Op>& ops, std::size_t first) { spare_.keep(ops, first); });
  }
  // The sequence is done with: its ops are emptied, where they are, for the
  // next input (SpareOps does the taking apart).
  void release() {
    spare_.empty(vector_);
    emptied_ = true;
  }

 private:
  // Starts on a new input (the model's lists and followUps_ are empty).
  void start(std::span<const std::uint8_t> data) {
    in_ = Bytes(data);
    budget_ = limits_.maxOps;
    counter_ = 0;
    unwinding_ = 0;
    popsByNumber_ = false;
    scopesUnknown_ = false;
    pops_ = 0;
    if (!emptied_) spare_.empty(vector_);  // the last Sequence is still alive
    emptied_ = false;
    spare_.reuseInPlace(vector_.ops);
  }

  // Into `s`, as new but for its fault list's buffer, kept from input to
  // input (a run's target copies the list into buffers it keeps too).
  void setup(Setup& s) {
    std::vector<std::uint64_t> failAttempts = std::move(s.faults.failAttempts);
    failAttempts.clear();
    s = Setup{};
    s.faults.failAttempts = std::move(failAttempts);
    s.memory.initialPages = std::min(limits_.minInitialPages + in_.byte() % limits_.maxInitialPages, kWasm32MaxPages);
    static constexpr std::array<std::uint32_t, 5> extra{0, 1, 4, 16, 64};
    s.memory.maximumPages = std::min(s.memory.initialPages + in_.pick(extra), kWasm32MaxPages);
    const std::uint8_t f = in_.byte();
    if (f % 8 == 0) s.faults.failAttempts = {1 + static_cast<std::uint64_t>(in_.byte() % 4)};
    if (f % 8 == 1) s.faults.failAttempts = {1, 2 + static_cast<std::uint64_t>(in_.byte() % 3)};
    if (f % 8 == 2) s.faults.failAbovePages = s.memory.initialPages + in_.byte() % 8;
    if (limits_.wellBehaved) {
      // A real allocator's heap is its own: how much of the memory it has
      // free, and how it grows, decide whether an allocation succeeds
      // (SCOPE-3). Room to grow and no injected faults leave that to the
      // size asked for, as for a caller of a real module.
      s.memory.maximumPages = std::min(s.memory.initialPages + kWellBehavedRoomPages, kWasm32MaxPages);
      s.faults.failAttempts.clear();
      s.faults.failAbovePages.reset();
    }
    s.memory.maximumPages = std::min(s.memory.maximumPages, limits_.maxMaximumPages);
    if (limits_.onlyMaximumPages) s.memory = {limits_.minInitialPages, limits_.onlyMaximumPages};
    s.memory.initialPages = std::min(s.memory.initialPages, s.memory.maximumPages);
    // Growth parameters scaled to these small memories (GROW-6), so that the
    // overgrowth cap and a maximum below the heap matter as they do at 96 MiB
    // and 2 GiB with the defaults.
    const std::uint8_t g = in_.byte();
    if (g % 2 == 1) {
      static constexpr std::array<double, 4> caps{100663296, 0, 65536, 196608};
      static constexpr std::array<double, 4> steps{0.2, 0, 0.5, 1};
      s.growth.overgrowthCap = caps[(g >> 1) % 4];
      s.growth.geometricStep = steps[(g >> 3) % 4];
      const double initial = s.memory.initialPages * 65536.0;
      const std::array<double, 4> maxima{2147483648.0, s.memory.maximumPages * 65536.0,
                                         initial > 65536 ? initial - 65536 : 65536, initial + 65537};
      s.growth.maxHeapSize = maxima[(g >> 5) % 4];
    }
  }

  // A new generated op at the end of `out` (with the buffers of an op of an
  // earlier input, if there is one).
  Op& emit(std::vector<Op>& out, OpKind kind) {
    if (budget_ > 0) --budget_;
    Op& o = spare_.add(out);
    o.kind = kind;
    o.anyOutcome = true;
    return o;
  }

  // A string up to longer than a small memory's free space, written short
  // (Repeat): the helper's own block may grow the memory, and the helper
  // must write it through a view of the grown memory (VIEW-2, SAFE-3).
  // At most kLongStringBytes of them in one sequence, so that they stay well
  // inside a well-behaved caller's room to grow (kWellBehavedRoomPages): a
  // memory they fill up is where each allocator's overhead decides which
  // allocation fails (SCOPE-3), not a bug (found fuzzing 3.41.2: fourteen
  // 9-MiB strings in a 2,304-page memory, the last 1-MiB one failed on
  // dlmalloc only).
  Expr longString() {
    // Over 8 MiB: more than sqlite3.wasm's smallest memory (128 pages) holds.
    static constexpr std::uint64_t kBytes[] = {std::uint64_t{1} << 16, std::uint64_t{1} << 20, std::uint64_t{9} << 20};
    const std::uint64_t bytes = kBytes[in_.below(std::size(kBytes))];
    if (longStringBytes_ + bytes > kLongStringBytes) return str(in_.pick(kStrings));
    longStringBytes_ += bytes;
    return Expr{Repeat{"ab", bytes / 2}};
  }

  // The bytes of a generated string argument (written short or not).
  static double stringBytes(const Expr& e) {
    if (const auto* r = std::get_if<Repeat>(&e.form)) return double(r->text.size() * r->count);
    return double(std::get<std::string>(std::get<Value>(e.form).data).size());
  }

  // A name not used before: the prefix and a counter ("p12").
  std::string fresh(char prefix) {
    char text[24];
    text[0] = prefix;
    const auto end = std::to_chars(text + 1, text + sizeof text, counter_++).ptr;
    return std::string(text, end);
  }

  // An address: mostly inside or next to a bound block, sometimes at the
  // memory's edges or far outside.
  Expr address() {
    const std::uint8_t how = in_.byte();
    if (!pointers_.empty() && how < 200)
      return name(pointers_[in_.below(pointers_.size())], static_cast<std::int64_t>(in_.byte() % 40) - 8);
    static constexpr std::array<std::int64_t, 6> edges{-8, -4, -1, 0, 1, 7};
    if (how < 240) return name("end", in_.pick(edges));
    static constexpr std::array<double, 6> far{0, -1, kTwo32, kTwo32 - 1, -kTwo31, kTwo53};
    return num(in_.pick(far));
  }

  // PEEK-5: now and then a list of addresses, possibly empty.
  Expr addressOrList() {
    if (in_.byte() >= 48) return address();
    std::vector<Expr> list = spare_.list(in_.byte() % 4);  // made whole, in a kept buffer
    for (auto& item : list) item = address();
    return Expr{std::move(list)};
  }

  double sizeValue() {
    const std::uint8_t b = in_.byte();
    if (b < 200) return b;
    // Near 2^32 too: 2^32 - 65535 rounds up to 2^32 in alignMemory(size,
    // 65536) (ALIGN-3: memalign's u32 size wraps to 0), 2^32 - 1 is the
    // largest size a u32 parameter takes.
    // Past 2^32 too: a size that an i32 parameter takes modulo 2^32 is a
    // small block the caller takes for a huge one (SAFE-1, alloc-size-wraps).
    static constexpr std::array<double, 11> big{0,    4096,   65536,     65537,          1 << 20,    3e9,
                                                kTwo32, 100663296, kTwo32 - 65535, kTwo32 - 1, kTwo32 + 8};
    // A well-behaved caller's sizes fit its memory's room to grow, or fit no
    // memory at all: whether 96 MiB fits is the allocator's business. Past
    // 2^32 only one that an i32 parameter wraps to 2^31 (which fails too): a
    // wrapped small block would overlap the next ones, or not, as the
    // allocator places them (the vectors check alloc-size-wraps).
    static constexpr std::array<double, 11> fitOrNot{0,      4096,       65536,          65537,      1 << 20,   3e9,
                                                     kTwo32, kTwo31 + 1, kTwo32 - 65535, kTwo32 - 1, kTwo32 + kTwo31};
    return in_.pick(limits_.wellBehaved ? fitOrNot : big);
  }
  Expr size() { return num(sizeValue()); }
  // An allocation's size: for a real allocator never one that reaches
  // malloc as 0 (also 2^32, modulo 2^32), whose outcome is allocator-defined
  // (SCOPE-3: sqlite3_malloc(0) fails, Emscripten's malloc(0) returns a
  // unique pointer; ALIGN-3 asks memalign for 0 bytes).
  double allocSizeValue() {
    const double bytes = sizeValue();
    return limits_.wellBehaved && std::fmod(bytes, kTwo32) == 0 ? bytes + 1 : bytes;
  }

  // --- A well-behaved caller (DecoderLimits::wellBehaved) ---

  // The bytes a peek or poke of `type` touches.
  static double width(std::string_view type) {
    if (type == "i16") return 2;
    if (type == "i32" || type == "f32" || type == "float" || type.ends_with("*")) return 4;
    if (type == "i64" || type == "f64" || type == "double") return 8;
    return 1;
  }

  // A block the caller now owns (if the op runs): `size` bytes, released by
  // the top scope's pop if `scoped`, by its own dealloc if `freeable`.
  void own(const std::string& name, double size, bool scoped, bool freeable, bool readable = true,
           const std::string& allocation = "") {
    if (!limits_.wellBehaved || !(size > 0) || size > kTwo31) return;
    model([&] {
      // With no scope the op fails (SCOPE-2); where a glue keeps a scope the
      // model does not know of (call-pops-top), the block is the glue's.
      if (scoped && stack_.empty()) return;
      const std::string owner = scoped ? stack_.back() : std::string();
      // After a raw memory.grow, upstream's zeroMemory and pokes may go
      // through detached views (core/dialects.h) and leave a new block as
      // the allocator left it: the caller writes such blocks, never reads them.
      blocks_.push_back({name, size, owner, freeable && owner.empty(), readable && !rawGrown_, true, allocation});
    });
  }
  // `scope` was popped: the blocks it owned are released. Once the model
  // cannot tell which scope the glue's pops release (scopesUnknown_), a pop
  // may release any scope's blocks, whatever `scope` is.
  void released(const std::string& scope) {
    for (auto& b : blocks_)
      if (scopesUnknown_ ? !b.owner.empty() : b.owner == scope) b.live = false;
  }
  // A live readable block with room for `width` bytes, picked by the input.
  const Block* blockWithRoom(double width) {
    std::size_t fits = 0;
    for (const auto& b : blocks_) fits += b.live && b.readable && b.size >= width;
    if (fits == 0) return nullptr;
    for (std::size_t k = in_.below(fits); const auto& b : blocks_)
      if (b.live && b.readable && b.size >= width && k-- == 0) return &b;
    return nullptr;
  }
  // An address no allocator owns, also after upstream's `ptr >> n` takes it
  // as an int32 (2^32 and 2^53 would be address 0 there): negative either way.
  Expr unowned() {
    static constexpr std::array<double, 6> kUnowned{-8, -1, -kTwo31, kTwo31, kTwo32 - 1, kTwo32 - 8};
    return num(in_.pick(kUnowned));
  }
  // An address for an access of `width` bytes: inside a block the caller
  // owns, or one no allocator owns.
  Expr ownedAddress(double width) {
    if (in_.byte() < 224)
      if (const Block* b = blockWithRoom(width))
        return name(b->name, static_cast<std::int64_t>(in_.below(static_cast<std::size_t>(b->size - width) + 1)));
    return unowned();
  }
  // An address, or now and then a list, for a peek or poke of `type`.
  Expr accessAddress(std::string_view type) {
    if (!limits_.wellBehaved) return addressOrList();
    if (in_.byte() >= 48) return ownedAddress(width(type));
    std::vector<Expr> list = spare_.list(in_.byte() % 4);
    for (auto& item : list) item = ownedAddress(width(type));
    return Expr{std::move(list)};
  }
  // What the caller does with a block it just allocated: fills it, so that
  // what it reads back later is its own (well-behaved: zeroes, since the
  // allocator's leftovers are its own business; otherwise -1 in the first 8
  // bytes, which SCOPE-9 and ALIGN-3 zeroing must clear once it is freed and
  // reused).
  void fill(const std::string& block, double size) {
    if (limits_.wellBehaved) {
      // After a raw grow the block is never read (own): no need to fill it.
      if (!(size > 0) || size > kTwo31 || rawGrown_) return;
      if (!limits_.zeroes) {  // its bytes stay the allocator's: never read
        for (auto b = blocks_.rbegin(); b != blocks_.rend(); ++b)
          if (b->name == block) {
            b->readable = false;
            break;
          }
        return;
      }
      Op& zero = emit(followUps_, OpKind::ZeroMemory);
      zero.args.emplace("address", name(block));
      zero.args.emplace("size", num(size));
    } else if (in_.byte() < 128) {
      Op& poke = emit(followUps_, OpKind::Poke);
      poke.args.emplace("address", name(block));
      poke.args.emplace("type", str("i64"));
      poke.args.emplace("value", Expr{Value(BigInt{true, 1})});
    }
  }

  Expr numeric(bool bigint) {
    const std::uint8_t b = in_.byte();
    if (bigint && b % 4 != 0)
      return Expr{Value(b < 128 ? *BigInt::parse(in_.pick(kBigInts)) : BigInt::fromSigned(static_cast<std::int64_t>(in_.u64())))};
    if (b < 160) return num(in_.pick(kNumbers));
    if (b < 200) return num(static_cast<double>(static_cast<std::int32_t>(in_.u32())));
    double d;
    const std::uint64_t bits = in_.u64();
    static_assert(sizeof d == sizeof bits);
    __builtin_memcpy(&d, &bits, sizeof d);
    // Section 10 writes every NaN as "NaN": a payload would reach the
    // reference but not a driver, nor a vector written from the finding.
    return num(std::isnan(d) ? std::numeric_limits<double>::quiet_NaN() : d);
  }

  // With no scope pushed, a pop or a scoped allocation can only fail
  // (SCOPE-4, SCOPE-2): keep a few of those, and push instead of most, so
  // that inputs spend their ops on scopes that exist.
  bool noScopeYet() { return unwinding_ == 0 && stack_.empty() && in_.byte() >= 32; }

  // A well-behaved caller's dealloc: one of its own live plain blocks, once
  // (else a harmless op).
  Op& deallocOwn(std::vector<Op>& out) {
    std::size_t freeable = 0;
    for (const auto& b : blocks_) freeable += b.live && b.freeable;
    if (freeable == 0) return emit(out, OpKind::Level);
    Op& o = emit(out, OpKind::Dealloc);
    for (std::size_t k = in_.below(freeable); auto& b : blocks_)
      if (b.live && b.freeable && k-- == 0) {
        o.args.emplace("ptr", name(b.name));
        // The whole block goes: the pointer slots in it too (SCOPE-9).
        model([&] {
          for (auto& in : blocks_)
            if (&in == &b || in.allocation == b.name) in.live = false;
        });
        break;
      }
    return o;
  }

  Op& push(std::vector<Op>& out) {
    Op& o = emit(out, OpKind::Push);
    o.as = {fresh('s')};
    scopes_.push_back(o.as.front());
    model([&] { stack_.push_back(o.as.front()); });
    return o;
  }

  void bindPointer(Op& o) {
    o.as = {fresh('p')};
    pointers_.push_back(o.as.front());
  }

  // The next op, and any op that belongs with it (a read after a write).
  void append(std::vector<Op>& out, std::size_t depth) {
    next(out, depth);
    spare_.append(out, followUps_);
  }

  // Emits the next op at the end of `out` and returns it.
  // Each op's arguments are added in name order, the order OpArgs keeps:
  // each goes at the end and none moves (adding `type` before `address`
  // moved it, about 9% of decoding). A value read from the input before an
  // argument that sorts first is held in a local, so the bytes are read in
  // the same order as before.
  Op& next(std::vector<Op>& out, std::size_t depth) {
    const std::uint8_t choice = in_.byte() % 42;
    switch (choice) {
      case 40: case 41: {
        // A write read back at once, as glue code does: the shortest path to
        // a wrong conversion, byte order or rounding (PEEK-2..4).
        Op& o = emit(out, OpKind::Poke);
        const std::string_view type = in_.pick(kPeekTypes);
        Expr value = numeric(type == "i64" || in_.byte() < 16);
        o.args.emplace("address", limits_.wellBehaved ? ownedAddress(width(type)) : address());
        o.args.emplace("type", str(type));
        o.args.emplace("value", std::move(value));
        Op& read = emit(followUps_, OpKind::Peek);
        read.args.emplace("address", o.args.find("address")->second);
        read.args.emplace("type", in_.byte() < 192 || limits_.wellBehaved ? str(type) : str(in_.pick(kPeekTypes)));
        return o;
      }
      case 0: case 1: case 2: return push(out);
      case 3: case 4:
        if (noScopeYet()) return push(out);  // SCOPE-4
        model([&] {  // SCOPE-4: the top, whatever it is
          if (stack_.empty()) return;
          released(stack_.back());
          stack_.pop_back();
          ++pops_;
        });
        return emit(out, OpKind::Pop);
      case 5: {
        Op& o = emit(out, OpKind::Pop);
        if (!scopes_.empty() && in_.byte() < 224) {
          const std::string& scope = scopes_[in_.below(scopes_.size())];
          o.args.emplace("scope", name(scope));
          model([&] {  // SCOPE-5: wherever it is
            released(scope);
            pops_ += std::erase(stack_, scope);
          });
        } else {
          o.args.emplace("scope", num(in_.byte()));
          model([&] {
            popsByNumber_ = true;  // any scope may be gone: so are the blocks of every scope
            scopesUnknown_ = true;
            released({});
          });
        }
        return o;
      }
      case 6: case 7: case 8: case 9: {
        if (noScopeYet()) return push(out);  // SCOPE-2
        Op& o = emit(out, OpKind::ScopedAlloc);
        const double bytes = allocSizeValue();
        o.args.emplace("size", num(bytes));
        bindPointer(o);
        own(o.as.front(), bytes, true, false);
        if (limits_.wellBehaved) fill(o.as.front(), bytes);
        return o;
      }
      case 10: case 11: {
        Op& o = emit(out, OpKind::Alloc);
        const double bytes = allocSizeValue();
        o.args.emplace("size", num(bytes));
        bindPointer(o);
        own(o.as.front(), bytes, false, true);
        fill(o.as.front(), bytes);  // callers fill what they allocate
        return o;
      }
      case 12: case 13: {
        if (limits_.wellBehaved) return deallocOwn(out);
        Op& o = emit(out, OpKind::Dealloc);
        const std::uint8_t b = in_.byte();
        if (!pointers_.empty() && b < 128)
          o.args.emplace("ptr", name(pointers_.back()));  // the block just made
        else if (!pointers_.empty() && b < 230)
          o.args.emplace("ptr", name(pointers_[in_.below(pointers_.size())]));
        else
          o.args.emplace("ptr", address());
        return o;
      }
      case 14: {
        if (noScopeYet()) return push(out);  // SCOPE-2
        Op& o = emit(out, OpKind::ScopedAllocCString);
        const std::uint8_t b = in_.byte();
        o.args.emplace("value", b % 8 == 7 ? num(b) : b % 64 == 14 ? longString() : str(in_.pick(kStrings)));
        if (b % 8 != 7 && (b & 0x10)) {
          o.args.emplace("withLength", Expr{Value(true)});
          o.as = {fresh('p'), fresh('n')};
          pointers_.push_back(o.as.front());
        } else if (b % 8 != 7) {
          bindPointer(o);
        }
        if (b % 8 != 7)  // the string's UTF-8 bytes and its NUL
          own(o.as.front(), stringBytes(o.args.find("value")->second) + 1, true, false);
        return o;
      }
      case 15: case 16: {
        Op& o = emit(out, in_.byte() & 1 ? OpKind::ScopedAllocPtr : OpKind::AllocPtr);
        const std::uint32_t howMany = in_.byte() % 5;
        const bool safePtrSize = in_.byte() & 1;
        o.args.emplace("howMany", num(howMany));
        o.args.emplace("safePtrSize", Expr{Value(safePtrSize)});
        if (howMany == 1) bindPointer(o);
        for (std::uint32_t i = 0; howMany > 1 && i < howMany; ++i) {
          o.as.push_back(fresh('p'));
          pointers_.push_back(o.as.back());
        }
        const bool scoped = o.kind == OpKind::ScopedAllocPtr;
        const double slot = safePtrSize ? 8 : 4;
        // The first slot is the block; the others lie in it.
        for (std::size_t i = 0; i < o.as.size(); ++i) own(o.as[i], slot, scoped, i == 0, true, i == 0 ? "" : o.as.front());
        // The caller reads its out-parameters back (SCOPE-9: they start zeroed).
        if (!o.as.empty()) {
          Op& read = emit(followUps_, OpKind::Peek);
          std::vector<Expr> slots = spare_.list(o.as.size());
          for (std::size_t i = 0; i < o.as.size(); ++i) slots[i] = name(o.as[i]);
          read.args.emplace("address", Expr{std::move(slots)});
          read.args.emplace("type", str(safePtrSize ? "i64" : "i32"));
        }
        return o;
      }
      case 17: {
        if (noScopeYet()) return push(out);  // SCOPE-2
        Op& o = emit(out, OpKind::ScopedAllocMainArgv);
        std::vector<Expr> list = spare_.list(in_.byte() % 4);
        for (auto& item : list) item = in_.byte() % 64 == 63 ? longString() : str(in_.pick(kStrings));
        const double slots = double(list.size() + 1);
        o.args.emplace("list", Expr{std::move(list)});
        bindPointer(o);
        own(o.as.front(), 4 * slots, true, false, false);  // pointers: the allocator's numbers
        // The caller reads the table back (SCOPE-10): its strings' addresses,
        // compared by role, and the NUL entry. Not after a grow or resize,
        // when upstream's pokes may have gone to a detached view.
        if (!rawGrown_) {
          Op& read = emit(followUps_, OpKind::Peek);
          std::vector<Expr> entries = spare_.list(static_cast<std::size_t>(slots));
          for (std::size_t i = 0; i < entries.size(); ++i)
            entries[i] = name(o.as.front(), static_cast<std::int64_t>(4 * i));
          read.args.emplace("address", Expr{std::move(entries)});
          read.args.emplace("type", str("*"));  // pointers, compared by what they point to (fuzz/differential.cpp)
        }
        return o;
      }
      case 18: case 19: {
        Op& o = emit(out, in_.byte() & 1 ? OpKind::ScopedInstallFunction : OpKind::InstallFunction);
        o.args.emplace("signature", str(in_.pick(kSignatures)));
        o.as = {fresh('f')};
        functions_.push_back(o.as.front());
        if (limits_.wellBehaved && o.kind == OpKind::InstallFunction)
          model([&] { plainFunctions_.emplace_back(o.as.front(), true); });
        return o;
      }
      case 20: {
        Op& o = emit(out, OpKind::UninstallFunction);
        if (limits_.wellBehaved) {
          // Its own plain functions, once each; slot 0 is nobody's function.
          std::size_t installed = 0;
          for (const auto& f : plainFunctions_) installed += f.second;
          Expr index = num(0);
          if (installed > 0 && in_.byte() < 230)
            for (std::size_t k = in_.below(installed); auto& f : plainFunctions_)
              if (f.second && k-- == 0) {
                index = name(f.first);
                model([&] { f.second = false; });
                break;
              }
          o.args.emplace("index", std::move(index));
          return o;
        }
        o.args.emplace("index", !functions_.empty() && in_.byte() < 230 ? name(functions_[in_.below(functions_.size())])
                                                                        : num(in_.byte() % 4));
        return o;
      }
      case 21: case 22: case 23: {
        Op& o = emit(out, OpKind::Peek);
        const std::string_view type = in_.pick(kPeekTypes);
        o.args.emplace("address", accessAddress(type));
        o.args.emplace("type", str(type));
        return o;
      }
      case 24: case 25: case 26: {
        Op& o = emit(out, OpKind::Poke);
        const std::string_view type = in_.pick(kPeekTypes);
        Expr value = numeric(type == "i64" || in_.byte() < 16);
        o.args.emplace("address", accessAddress(type));
        o.args.emplace("type", str(type));
        o.args.emplace("value", std::move(value));
        return o;
      }
      case 27: {
        Op& o = emit(out, OpKind::Heap);
        const std::string_view type = in_.pick(kViewTypes);
        o.args.emplace("type", str(type));
        o.as = {fresh('v')};
        views_.push_back({o.as.front(), std::string(type)});
        // Glue code reads a fresh view's length at once (VIEW-1, VIEW-2).
        Op& length = emit(followUps_, OpKind::ViewLength);
        length.args.emplace("view", name(o.as.front()));
        return o;
      }
      case 39: {
        // heapForSize (VIEW-3): a width, signed or not, a typed-array
        // constructor, or something it refuses; its view is used as the
        // accessors' are.
        struct SizeArgument {
          double bits;                  // 0: a constructor instead
          std::string_view constructor;
          std::string_view type;        // the view's kind; empty: refused
        };
        static constexpr std::array<SizeArgument, 12> kSizes{{
            {8, "", "i8"}, {16, "", "i16"}, {32, "", "i32"}, {64, "", "i64"}, {0, "Int8Array", "i8"},
            {0, "Uint16Array", "u16"}, {0, "Int32Array", "i32"}, {0, "Uint32Array", "u32"}, {0, "BigUint64Array", "u64"},
            {0, "Float64Array", "f64"}, {12, "", ""}, {0, "Foo", ""}}};
        const SizeArgument& a = kSizes[in_.below(kSizes.size())];
        const std::string_view type = a.type;
        Op& o = emit(out, OpKind::HeapForSize);
        const bool bits = a.bits != 0;
        o.args.emplace("size", bits ? num(a.bits) : str(a.constructor));
        const bool isUnsigned = in_.byte() & 1;
        if (bits) o.args.emplace("unsigned", Expr{Value(isUnsigned)});
        if (type.empty()) return o;  // InvalidArgument: nothing to bind
        o.as = {fresh('v')};
        // heapForSize(8/16/32/64, unsigned) is the u-view of that width.
        std::string kind(type);
        if (bits && isUnsigned && kind[0] == 'i') kind[0] = 'u';
        views_.push_back({o.as.front(), kind});
        Op& length = emit(followUps_, OpKind::ViewLength);
        length.args.emplace("view", name(o.as.front()));
        return o;
      }
      case 28: case 29: {
        if (views_.empty()) return emit(out, OpKind::Level);
        const auto& [view, type] = views_[in_.below(views_.size())];
        const bool set = in_.byte() & 1;
        Op& o = emit(out, set ? OpKind::ViewSet : OpKind::ViewGet);
        static const std::array<int, 10> shifts{0, 0, 1, 1, 2, 2, 3, 3, 2, 3};
        int shift = 0;
        for (std::size_t i = 0; i < kViewTypes.size(); ++i)
          if (kViewTypes[i] == type) shift = shifts[i];
        if (limits_.wellBehaved) {
          // An element of a block it owns, or an index no view has.
          const double element = double(1 << shift);
          const Block* b = in_.byte() < 200 ? blockWithRoom(element) : nullptr;
          static constexpr std::array<double, 4> kNoElement{-1, 1.5, std::numeric_limits<double>::quiet_NaN(), kTwo32};
          o.args.emplace(
              "index",
              b ? name(b->name, std::int64_t(element) * std::int64_t(in_.below(std::size_t(b->size / element))), shift)
                : num(in_.pick(kNoElement)));
        } else if (!pointers_.empty() && in_.byte() < 200) {
          o.args.emplace("index", name(pointers_[in_.below(pointers_.size())], 0, shift));
        } else {
          o.args.emplace("index", num(in_.pick(kNumbers)));
        }
        if (set) o.args.emplace("value", numeric(type == "i64" || type == "u64"));
        o.args.emplace("view", name(view));
        return o;
      }
      case 30: {
        if (views_.empty()) return emit(out, OpKind::ByteLength);
        Op& o = emit(out, OpKind::ViewLength);
        o.args.emplace("view", name(views_[in_.below(views_.size())].first));
        return o;
      }
      case 31: {
        Op& o = emit(out, OpKind::Resize);
        // Upstream's resize may grow by 0 pages (a new buffer of the same
        // length): the glue's cached views go stale (views-cached-by-length)
        // and its pokes into new blocks may be dropped, as after a raw grow.
        if (limits_.wellBehaved) model([&] { rawGrown_ = true; });
        const std::uint8_t b = in_.byte();
        o.args.emplace("size", b < 128 ? num(in_.pick(kResizeRequests)) : num(65536.0 * (b % 80) + in_.u16()));
        return o;
      }
      case 32: {
        Op& o = emit(out, OpKind::Grow);
        if (limits_.wellBehaved) model([&] { rawGrown_ = true; });
        static constexpr std::array<double, 8> pages{0, 1, 1, 2, 3, 64, -1, 1.5};
        o.args.emplace("pages", num(in_.pick(pages)));
        return o;
      }
      case 33: {
        if (const Block* b = limits_.wellBehaved && in_.byte() < 224 ? blockWithRoom(1) : nullptr) {
          const std::size_t from = in_.below(std::size_t(b->size) + 1);
          const std::size_t bytes = in_.below(std::size_t(b->size) - from + 1);
          const std::string block = b->name;
          // ALIGN-2: exactly the range. A byte of the caller's right after
          // it, made nonzero first, is read back after.
          const bool after = from + bytes < std::size_t(b->size);
          if (after) {
            Op& mark = emit(out, OpKind::Poke);
            mark.args.emplace("address", name(block, std::int64_t(from + bytes)));
            mark.args.emplace("type", str("i8"));
            mark.args.emplace("value", num(90));
          }
          Op& o = emit(out, OpKind::ZeroMemory);
          o.args.emplace("address", name(block, std::int64_t(from)));
          o.args.emplace("size", num(double(bytes)));
          if (after) {
            Op& read = emit(followUps_, OpKind::Peek);
            read.args.emplace("address", name(block, std::int64_t(from + bytes)));
            read.args.emplace("type", str("i8"));
          }
          return o;
        }
        Op& o = emit(out, OpKind::ZeroMemory);
        o.args.emplace("address", limits_.wellBehaved ? unowned() : address());
        o.args.emplace("size", num(in_.byte() % 33));
        return o;
      }
      case 34: {
        Op& o = emit(out, OpKind::MmapAlloc);
        const double bytes = allocSizeValue();
        o.args.emplace("size", num(bytes));
        bindPointer(o);
        own(o.as.front(), std::ceil(bytes / 65536) * 65536, false, false);  // zeroed by mmapAlloc (ALIGN-3)
        return o;
      }
      case 35: {
        Op& o = emit(out, OpKind::AlignMemory);
        const double size = in_.pick(kNumbers);
        static constexpr std::array<double, 8> alignments{1, 2, 3, 8, 16, 65536, 0, 2.5};
        o.args.emplace("alignment", num(in_.pick(alignments)));
        o.args.emplace("size", num(size));
        return o;
      }
      case 36: {
        Op& o = emit(out, in_.byte() & 1 ? OpKind::Level : OpKind::SetLevel);
        if (o.kind == OpKind::SetLevel) o.args.emplace("value", num(in_.byte() % 4));
        return o;
      }
      case 37: case 38: {
        if (depth >= limits_.maxCallDepth) return emit(out, OpKind::Level);
        Op& o = emit(out, OpKind::Call);
        o.body = spare_.body();
        // CALL-1: the call pushes a scope of its own and pops exactly that
        // one at the end, even while an exception passes through it.
        const bool runs = unwinding_ == 0;
        const std::string own = "(call " + std::to_string(counter_++) + ")";
        if (runs) stack_.push_back(own);
        const std::size_t popsBefore = pops_, levelBefore = stack_.size();
        for (std::size_t n = 1 + in_.byte() % 6; n > 0 && budget_ > 0 && !in_.empty(); --n) append(o.body, depth + 1);
        // The body may end with a throw that unwinds some of the enclosing
        // calls: the rest of their bodies does not run.
        if (in_.byte() % 3 == 0 && budget_ > 0) {
          Op& t = emit(o.body, OpKind::Throw);
          const std::size_t frames = 1 + in_.byte() % (depth + 1);
          t.args.emplace("frames", num(static_cast<double>(frames)));
          if (unwinding_ == 0) unwinding_ = frames;
        }
        if (runs) {
          // If the body popped the call's own scope, the call's final pop
          // fails (SCOPE-5) and that error replaces the exception in flight:
          // the caller of the call goes on.
          // A body that popped a scope or left one pushed: a glue whose
          // scopedAllocCall pops the top scope (call-pops-top,
          // core/dialects.h) releases another scope than its own, so which
          // scoped blocks are live is the glue's; the caller touches none.
          // Nor those it allocates later: the glue's top scope is then not
          // the model's, and a pop may release either.
          // (released(own) then releases every scoped block.)
          if (pops_ != popsBefore || stack_.size() != levelBefore) scopesUnknown_ = true;
          released(own);
          if (std::erase(stack_, own) == 0) unwinding_ = 0;
          else if (unwinding_ > 0) --unwinding_;
        }
        return o;
      }
      default: return emit(out, OpKind::ByteLength);
    }
  }

  Bytes in_{{}};
  DecoderLimits limits_;
  Vector vector_;
  // allocPtr binds up to 4 names (howMany), scopedAllocCString 2.
  static constexpr std::size_t kNamesPerOp = 4;
  SpareOps spare_{kNamesPerOp};
  std::size_t budget_ = limits_.maxOps;
  bool emptied_ = true;  // vector_ is as release() leaves it
  std::size_t counter_ = 0;
  std::vector<std::string> pointers_, scopes_, functions_;
  std::vector<std::pair<std::string, std::string>> views_;
  std::vector<Op> followUps_;
  // The generated caller's model of the scope stack, for the closing pops:
  // the scopes it pushed and has not popped (and each running call's own
  // scope), in push order. Ops after a throw, up to the call that catches
  // it, never run and leave the model alone.
  std::vector<std::string> stack_;
  std::size_t unwinding_ = 0;  // calls the last throw still unwinds
  bool popsByNumber_ = false;
  // The glue's scope stack may no longer be the model's (a pop by a raw
  // number, a call that popped another scope than its own): released().
  bool scopesUnknown_ = false;
  std::size_t pops_ = 0;  // scopes the model has seen popped (a call compares before and after its body)
  // A well-behaved caller's blocks, and its plain functions (name, installed).
  std::vector<Block> blocks_;
  std::vector<std::pair<std::string, bool>> plainFunctions_;
  bool rawGrown_ = false;  // a raw memory.grow or a resize ran: new blocks may stay unfilled
  std::uint64_t longStringBytes_ = 0;  // of this sequence's long strings (longString)

  template <class F>
  void model(F&& change) {
    if (unwinding_ == 0) change();
  }
};

OpDecoder::OpDecoder(const DecoderLimits& limits) : decoder_(std::make_unique<Decoder>(limits, true)) {}
OpDecoder::~OpDecoder() = default;

OpDecoder::Sequence OpDecoder::decode(std::span<const std::uint8_t> data) {
  decoder_->decode(data);
  return Sequence(*this);
}

Vector& OpDecoder::Sequence::vector() const { return decoder_.decoder_->vector(); }
void OpDecoder::Sequence::fitTo(const conformance::Target& target) const { decoder_.decoder_->fitTo(target); }

DecoderLimits limitsFor(const Target& target) {
  DecoderLimits limits;
  limits.minInitialPages = std::max(limits.minInitialPages, target.minimumPages());
  limits.maxMaximumPages = std::min(limits.maxMaximumPages, target.maximumPages());
  limits.onlyMaximumPages = target.onlyMaximumPages();
  limits.zeroes = target.supports(OpKind::ZeroMemory);
  limits.wellBehaved = target.wellBehavedCaller();
  return limits;
}

void fitToTarget(Vector& vector, const Target& target) {
  fit(vector, target, [](std::vector<Op>& ops, std::size_t first) { ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(first), ops.end()); });
}
OpDecoder::Sequence::~Sequence() { decoder_.decoder_->release(); }

Vector decodeOps(std::span<const std::uint8_t> data, const DecoderLimits& limits) {
  return std::move(OpDecoder::Decoder(limits, false).decode(data));
}

namespace {
void number(std::vector<Op>& ops, const std::string& pointer) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    ops[i].pointer = pointer + "/" + std::to_string(i);
    number(ops[i].body, ops[i].pointer + "/body");
  }
}
}  // namespace

void numberOps(Vector& vector) { number(vector.ops, "/vectors/0/ops"); }

}  // namespace memconform::fuzz
