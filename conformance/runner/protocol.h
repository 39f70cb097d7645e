// The driver protocol (docs/DRIVER_PROTOCOL.md, also the implementer's
// guide): JSON lines between the runner and a driver process that runs
// vectors on another implementation.
//
//   driver -> runner  {"hello":"memconform-driver","protocol":1,"implementation":"...","capabilities":[...]}
//   runner -> driver  {"id":N,"vector":{...one vector, as in a vector file...}}
//   driver -> runner  {"id":N,"results":[RESULT or null, ...],"final":{...}}
//                  or {"id":N,"error":"why the driver could not run it"}
//
// RESULT, one per op of the vector in order (null for an op that did not run):
//   {"value":V} or {"error":KIND,"message":"..."}, with "events":[...] and
//   "byteLength":N after the op, for a call "body":[RESULT or null, ...], and
//   "accesses":["WRITE of size 1 at A (REGION) ...", ...] if the driver checks
//   the implementation's accesses to memory and the op made some it may not
//   (SAFE-2; each line is one access, as a sanitizer reports it).
// The runner, not the driver, checks expectations and invariants.
//
// Version 2, op at a time: the runner's executor interprets the vector and
// the driver only calls its implementation (an adapter, not an interpreter):
//   runner -> driver  {"start":SETUP}               (a vector's setup, as in a vector file)
//   driver -> runner  {"started":true,"byteLength":N} or {"skipped":"why"} or {"error":"why"}
//   runner -> driver  {"op":NAME,"at":POINTER,"args":{PARAM:VALUE,...}}   (names resolved)
//   driver -> runner  RESULT, as above without "body"
//   for "call": driver -> runner {"body":true,"events":[...],"byteLength":N} once its
//     scopedAllocCall runs the body; then the body's ops; then
//     runner -> driver {"return":VALUE} or {"throw":true}; driver -> runner the call's RESULT
//   runner -> driver  {"state":true}
//   driver -> runner  {"level":n,"live":[...],"installed":[...],"byteLength":n}
//   runner -> driver  {"end":true}   (the vector is over)
//   driver -> runner  {"ended":true}, then it releases the vector's instance
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/executor.h"
#include "conformance/runner/target.h"
#include "conformance/runner/vector.h"

namespace memconform::conformance::protocol {

inline constexpr int kVersion = 1;
inline constexpr int kOpAtATimeVersion = 2;
inline constexpr std::string_view kHello = "memconform-driver";

// A response or hello that does not follow the protocol: `pointer` is the
// JSON pointer of the bad field inside the message.
class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(const std::string& pointer, const std::string& message)
      : std::runtime_error(pointer + ": " + message), pointer_(pointer), message_(message) {}
  const std::string& pointer() const { return pointer_; }
  const std::string& message() const { return message_; }  // without the pointer

 private:
  std::string pointer_;
  std::string message_;
};

struct Hello {
  int protocol = kVersion;  // kVersion or kOpAtATimeVersion
  std::string implementation;
  std::set<std::string> capabilities;
  // "minimumPages", optional: the smallest initial memory (in 64 KiB pages)
  // the implementation can be set up with (a module's memory import minimum).
  // A vector below it is answered "skipped"; a fuzzer starts its generated
  // memories there.
  std::uint32_t minimumPages = 0;
  // "wellBehavedCaller", optional: the implementation's allocator does not
  // survive a caller's misuse (a double free, a write outside its blocks:
  // dlmalloc's own metadata sits between them). fuzz_differential and
  // from-crash then generate only well-behaved callers (fuzz/op_decoder.h).
  bool wellBehavedCaller = false;
  // "maximumPages", optional: the one memory maximum the implementation has
  // (an Emscripten module's fixed heap maximum). Vectors with another are
  // the driver's to skip; a fuzzer generates only this maximum.
  std::uint32_t maximumPages = 0;
  // "memory", optional: {"initialPages": N, "maximumPages": M}, the one
  // memory the implementation has (a driver without memory-config, whose
  // module owns a fixed memory). Vectors that state no memory run on it: the
  // runner sends it as their setup and starts its accounting of byteLength
  // there (SAFE-1); vectors that state one need memory-config and are skipped.
  std::optional<MemoryConfig> memory;
  // "ops", optional: the names of the ops the driver maps (docs/VECTORS.md);
  // absent, every op. A vector with another is answered "unsupported"
  // (skipped) as before; a fuzzer generates only these (Target::supports).
  std::optional<std::set<OpKind>> ops;
  // "opsAhead", optional, protocol 2: the runner may write the lines of the
  // next ops before it reads the answer to this one (the driver answers
  // every line in order, whenever it comes). The runner then writes each op
  // together with the ops after it that cannot depend on its answer
  // (Target::announce), so that the driver runs them while the runner
  // concludes the ones before.
  bool opsAhead = false;
};
nlohmann::json helloJson(const Hello& hello);
Hello parseHello(const nlohmann::json& j);

nlohmann::json requestJson(std::uint64_t id, const Vector& vector);

// What one op did, as a driver reports it.
struct OpResult {
  Value value;
  std::optional<ErrorKind> error;
  std::string message;
  std::vector<Event> events;
  std::optional<std::uint64_t> byteLength;
  std::optional<Value> addressAfter;          // a peek of a list: the caller's list after the call (PEEK-5)
  std::vector<std::string> accesses;          // accesses the op's helper may not make (SAFE-2), one line each
  std::vector<std::optional<OpResult>> body;  // a call's ops
};

struct Response {
  std::vector<std::optional<OpResult>> results;  // parallel to the vector's ops
  TargetState final;
  std::optional<std::string> error;    // the driver could not run the vector at all
  std::optional<std::string> skipped;  // the implementation cannot be set up as the vector says
};
Response parseResponse(const nlohmann::json& j, std::uint64_t id, const Vector& vector);

// A response from a run of the executor made with keepEndState (the
// reference driver's side): every op that ran, with what it returned, its
// events and the memory size, and the end state.
nlohmann::json responseJson(std::uint64_t id, const Vector& vector, const VectorRun& run);

// Version 2 (op at a time), the runner's lines.
// The vector's setup; a driver's fixed memory (hello "memory") is every
// vector's memory.
std::string startLine(const Vector& vector, const std::optional<MemoryConfig>& fixedMemory);
// The op with its resolved arguments. A long string written short in the
// vector (Repeat) goes short if `repeatStrings` (the driver declared it).
std::string opLine(const Op& op, const Args& args, bool repeatStrings);
std::string returnLine(const Value& value);
std::string throwLine();
std::string stateLine();
std::string endLine();
// Version 2, the driver's lines. Each names the message it answers in its
// errors' pointer ("/ops/3/body/0: ..."): `pointer`.
OpResult parseOpResult(const nlohmann::json& j, const std::string& pointer, const Op& op);
TargetState parseState(const nlohmann::json& j, const std::string& pointer);
// A parameter's value as the op line carries it: literal parameters (a
// peek type, a C string, an argv list) as they are, the others in section
// 10's encoding (what parseValue reads).
Value parseArgument(const nlohmann::json& j, ParamType type, const std::string& pointer);
nlohmann::json argumentJson(const Value& v, ParamType type);

nlohmann::json eventJson(const Event& e);
Event parseEvent(const nlohmann::json& j, const std::string& pointer);
Value parseValue(const nlohmann::json& j, const std::string& pointer);

}  // namespace memconform::conformance::protocol
