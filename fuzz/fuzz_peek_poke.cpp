// libFuzzer target: typed peek and poke on the reference against a
// byte-level shadow model written here from the rules, not from core: little
// endian (PEEK-2), addresses rounded down (PEEK-2), signed results (PEEK-3),
// the typed-array conversions (PEEK-4: ToIntN by truncation and modulo,
// float32 rounding, BigInt wrapping, RangeError / TypeError), lists (PEEK-5)
// and bounds with nothing written on error (PEEK-6, SAFE-4), in the order of
// section 12: type, then value, then bounds.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/memory.h"
#include "fuzz/checked_types.h"
#include "fuzz/planted.h"
#include "core/peek_poke.h"

using namespace memconform;

namespace {

[[noreturn]] void broken(const char* rule, const std::string& what) { fuzz::brokenProperty("peek-poke", rule, what); }

struct ModelType {
  int size;  // bytes
  bool isFloat;
  bool isBigInt;
};

// PEEK-1, written out again.
std::optional<ModelType> modelType(const std::string& t) {
  if (!t.empty() && t.back() == '*') return ModelType{4, false, false};
  if (t == "i8" || t == "i1") return ModelType{1, false, false};
  if (t == "i16") return ModelType{2, false, false};
  if (t == "i32") return ModelType{4, false, false};
  if (t == "i64") return ModelType{8, false, true};
  if (t == "f32" || t == "float") return ModelType{4, true, false};
  if (t == "f64" || t == "double") return ModelType{8, true, false};
  return std::nullopt;
}

// ToIntN (ECMA-262 7.1.x) by its definition: truncate, then modulo 2^N.
std::uint64_t modelToBits(double x, int bits) {
  if (!std::isfinite(x)) return 0;
  const double modulus = std::ldexp(1.0, bits);
  const double m = std::fmod(std::trunc(x), modulus);  // exact, in (-2^bits, 2^bits)
  // |m| as an unsigned integer (split in halves: it may not fit an int64),
  // then negated modulo 2^bits for a negative m. Adding 2^64 to m in double
  // arithmetic would round.
  const double a = std::fabs(m);
  const std::uint64_t magnitude =
      static_cast<std::uint64_t>(std::ldexp(a, -32)) << 32 | static_cast<std::uint64_t>(std::fmod(a, 4294967296.0));
  const std::uint64_t wrapped = m < 0 ? ~magnitude + 1 : magnitude;
  return bits == 64 ? wrapped : wrapped & ((std::uint64_t{1} << bits) - 1);
}

struct ModelValue {
  bool bigint = false;
  double number = 0;
  bool negative = false;
  std::uint64_t magnitude = 0;
};

// The bits a store writes, or the error kind it raises.
std::variant<std::uint64_t, ErrorKind> modelStore(const ModelType& t, const ModelValue& v) {
  if (t.isBigInt) {
    if (v.bigint) return v.negative ? (~v.magnitude + 1) : v.magnitude;
    if (!std::isfinite(v.number) || std::trunc(v.number) != v.number) return ErrorKind::RangeError;  // BigInt(1.5)
    return modelToBits(v.number, 64);
  }
  if (v.bigint) return ErrorKind::TypeError;
  if (t.isFloat && t.size == 4) {
    const float f = static_cast<float>(v.number);
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    return std::uint64_t{b};
  }
  if (t.isFloat) {
    std::uint64_t b;
    std::memcpy(&b, &v.number, 8);
    return b;
  }
  return modelToBits(v.number, 8 * t.size);
}

std::string describeValue(const JsNumeric& v) {
  if (const auto* d = std::get_if<double>(&v)) return jsNumberToString(*d);
  return std::get<BigInt>(v).toString();
}

// What a load of `bits` gives, as the reference's JsNumeric.
bool sameAsModel(const JsNumeric& got, const ModelType& t, std::uint64_t bits) {
  if (t.isBigInt) {
    const auto* b = std::get_if<BigInt>(&got);
    return b && b->wrap64() == bits;
  }
  const auto* d = std::get_if<double>(&got);
  if (!d) return false;
  double want;
  if (t.isFloat && t.size == 4) {
    float f;
    const std::uint32_t b32 = static_cast<std::uint32_t>(bits);
    std::memcpy(&f, &b32, 4);
    want = f;
  } else if (t.isFloat) {
    std::memcpy(&want, &bits, 8);
  } else {
    const std::uint64_t sign = std::uint64_t{1} << (8 * t.size - 1);
    const std::int64_t signedValue = static_cast<std::int64_t>((bits ^ sign) - sign);  // sign-extend
    want = static_cast<double>(signedValue);
  }
  if (std::isnan(want)) return std::isnan(*d);
  return want == *d && std::signbit(want) == std::signbit(*d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::forgetCheckedTypes();  // coverage from this input alone (checked_types.h)
  static const Mutant planted = fuzz::plantedFromEnvironment();
  PlantMutant guard(planted);
  FuzzedDataProvider in(data, size);
  const std::uint32_t pages = in.ConsumeIntegralInRange<std::uint32_t>(1, 2);
  LinearMemory memory({pages, pages});
  std::vector<std::uint8_t> model(memory.byteLength(), 0);  // fresh memory is zero (MEM-2)
  const std::int64_t end = static_cast<std::int64_t>(memory.byteLength());
  std::int64_t touchedFrom = end, touchedTo = 0;
  static const char* kTypes[] = {"i8", "i16", "i32", "i64", "f32", "f64", "i1", "float", "double", "i32*", "u8", "i128"};

  for (int step = 0; step < 64 && in.remaining_bytes() > 0; ++step) {
    const std::string type = kTypes[in.ConsumeIntegralInRange<int>(0, 11)];
    std::vector<std::int64_t> addresses;
    const bool list = in.ConsumeIntegralInRange<int>(0, 7) == 0;
    for (int n = list ? in.ConsumeIntegralInRange<int>(0, 4) : 1; n > 0; --n) {
      switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: addresses.push_back(in.ConsumeIntegralInRange<std::int64_t>(-16, 256)); break;
        case 1: addresses.push_back(end + in.ConsumeIntegralInRange<std::int64_t>(-16, 16)); break;
        case 2: addresses.push_back(in.ConsumeIntegralInRange<std::int64_t>(0, end)); break;
        default: addresses.push_back(in.ConsumeIntegral<std::int64_t>() >> in.ConsumeIntegralInRange<int>(0, 40)); break;
      }
    }
    const auto t = modelType(type);
    const bool isPoke = in.ConsumeBool();
    // The model's verdict: type, then (for poke) value, then bounds.
    std::optional<ErrorKind> want;
    std::uint64_t bits = 0;
    ModelValue mv;
    if (isPoke) {
      mv.bigint = in.ConsumeIntegralInRange<int>(0, 3) == 0;
      if (mv.bigint) {
        mv.negative = in.ConsumeBool();
        mv.magnitude = in.ConsumeIntegral<std::uint64_t>();
      } else {
        mv.number = in.ConsumeBool() ? in.ConsumeFloatingPoint<double>()
                                     : static_cast<double>(in.ConsumeIntegral<std::int32_t>()) * in.PickValueInArray({1.0, 0.5, 65536.0, -1.0});
      }
    }
    if (!t) want = ErrorKind::InvalidType;
    if (!want && isPoke) {
      const auto stored = modelStore(*t, mv);
      if (const auto* e = std::get_if<ErrorKind>(&stored)) want = *e;
      else bits = std::get<std::uint64_t>(stored);
    }
    std::vector<std::int64_t> rounded;
    if (t)
      for (std::int64_t a : addresses) {
        const std::int64_t r = a - (((a % t->size) + t->size) % t->size);  // floor to a multiple of the size
        rounded.push_back(r);
        if (!want && (r < 0 || r > end - t->size)) want = ErrorKind::OutOfBounds;
      }

    const JsNumeric value = mv.bigint ? JsNumeric{BigInt{mv.negative, mv.magnitude}} : JsNumeric{mv.number};
    std::optional<ErrorKind> got;
    std::vector<JsNumeric> peeked;
    if (const auto pt = parsePeekType(type); !pt) {
      got = pt.error().kind;
    } else if (isPoke) {
      if (const auto r = poke(memory, addresses, value, *pt); !r) got = r.error().kind;
    } else if (auto r = peek(memory, addresses, *pt)) {
      peeked = std::move(*r);
    } else {
      got = r.error().kind;
    }
    if (got != want)
      broken(want == ErrorKind::OutOfBounds || got == ErrorKind::OutOfBounds ? "PEEK-6" : "PEEK-4",
             std::string(isPoke ? "poke" : "peek") + " " + type + ": expected " +
                 (want ? std::string(errorKindName(*want)) : "success") + ", got " + (got ? std::string(errorKindName(*got)) : "success"));
    if (std::getenv("MEMCONFORM_TRACE"))
      std::fprintf(stderr, "%s %s x%zu first=%lld bigint=%d number=%s -> %s\n", isPoke ? "poke" : "peek", type.c_str(), addresses.size(),
                   addresses.empty() ? 0LL : static_cast<long long>(addresses[0]), mv.bigint, jsNumberToString(mv.number).c_str(),
                   got ? std::string(errorKindName(*got)).c_str() : "ok");
    if (got) continue;  // nothing written: the comparison below would show it
    if (isPoke) {
      for (std::int64_t r : rounded) {
        touchedFrom = std::min(touchedFrom, r);
        touchedTo = std::max(touchedTo, r + t->size);
      }
      for (std::int64_t r : rounded)
        for (int i = 0; i < t->size; ++i) model[static_cast<std::size_t>(r + i)] = static_cast<std::uint8_t>(bits >> (8 * i));
    } else {
      for (std::size_t k = 0; k < rounded.size(); ++k) {
        std::uint64_t b = 0;
        for (int i = 0; i < t->size; ++i) b |= std::uint64_t{model[static_cast<std::size_t>(rounded[k] + i)]} << (8 * i);
        if (!sameAsModel(peeked[k], *t, b)) broken("PEEK-3", "peek " + type + " at " + std::to_string(addresses[k]) + " gave " + describeValue(peeked[k]));
      }
    }
  }
  // The bytes around everything poked must be as the model has them
  // (explicit reads are legal anywhere in bounds); peeks compared the rest.
  if (touchedFrom > touchedTo) return 0;
  const std::int64_t from = std::max<std::int64_t>(0, touchedFrom - 8), to = std::min<std::int64_t>(end, touchedTo + 8);
  std::vector<std::uint8_t> actual(static_cast<std::size_t>(to - from));
  memory.callerRead(static_cast<Address>(from), actual.data(), actual.size());
  for (std::size_t k = 0; k < actual.size(); ++k) {
    const std::size_t at = static_cast<std::size_t>(from) + k;
    if (actual[k] != model[at])
      broken("PEEK-2", "memory byte " + std::to_string(at) + " is " + std::to_string(actual[k]) + ", the model has " +
                           std::to_string(model[at]));
  }
  return 0;
}
