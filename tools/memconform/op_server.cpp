#include "tools/memconform/op_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "conformance/runner/loader.h"
#include "core/errors.h"

namespace memconform::cli {

using namespace memconform::conformance;
using nlohmann::json;

namespace {

// A line the runner should not have sent (the protocol is broken).
struct BadMessage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Lines from a descriptor, read as soon as they come: on a pipe it keeps
// reading for a while before it sleeps, since the runner's next op follows
// within microseconds and a process that sleeps wakes tens of
// microseconds late (docs/PERFORMANCE.md), as the runner and the kit do.
class Lines {
 public:
  explicit Lines(int fd) : fd_(fd) {
    struct stat st {};
    // A pipe is read without blocking (EAGAIN: spin, then poll); a file or
    // a terminal as it is.
    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  bool next(std::string& line) {
    auto spinUntil = std::chrono::steady_clock::now() + kSpin;
    for (;;) {
      if (const auto newline = pending_.find('\n'); newline != std::string::npos) {
        line.assign(pending_, 0, newline);
        pending_.erase(0, newline + 1);
        return true;
      }
      char buffer[65536];
      const ssize_t n = read(fd_, buffer, sizeof buffer);
      if (n > 0) {
        pending_.append(buffer, static_cast<std::size_t>(n));
        spinUntil = std::chrono::steady_clock::now() + kSpin;
        continue;
      }
      if (n == 0) {  // the end: a last line without its newline still counts
        line = std::exchange(pending_, {});
        return !line.empty();
      }
      if (errno == EINTR || (errno == EAGAIN && std::chrono::steady_clock::now() < spinUntil)) continue;
      if (errno != EAGAIN) return false;
      pollfd fds{fd_, POLLIN, 0};
      poll(&fds, 1, -1);
    }
  }

 private:
  static constexpr std::chrono::microseconds kSpin{200};
  int fd_;
  std::string pending_;
};

class OpServer {
 public:
  OpServer(Target& target, const std::optional<MemoryConfig>& fixed, int in, std::ostream& out)
      : target_(target), fixed_(fixed), in_(in), out_(out) {}

  int serve() {
    int status = 0;
    json message;
    while (next(message)) {
      try {
        if (message.contains("start")) send(start(message["start"]));
        else if (message.contains("op")) send(op(message));
        else if (message.contains("state")) send(state());
        else if (message.contains("end")) {
          send({{"ended", true}});
          target_.finish();
        }
        else throw BadMessage("expected start, op, state or end, got " + message.dump().substr(0, 200));
      } catch (const BadMessage& e) {
        std::cerr << "memconform driver: " << e.what() << "\n";
        send({{"error", e.what()}});
        status = 1;
      }
    }
    return status;
  }

 private:
  bool next(json& message) {
    std::string line;
    if (!in_.next(line)) return false;
    message = json::parse(line, nullptr, false);
    if (message.is_discarded() || !message.is_object()) throw BadMessage("not a JSON object: " + line.substr(0, 200));
    return true;
  }
  void send(const json& answer) { out_ << answer.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl; }

  json start(const json& setup) {
    std::vector<LoadError> errors;
    const std::optional<Setup> loaded = loadSetup("start", setup, "/start", errors);
    if (!loaded) return {{"error", describe(errors.front())}};
    vector_ = Vector{};
    vector_.id = "start";
    vector_.setup = *loaded;
    if (fixed_) vector_.setup.memory = *fixed_;
    target_.finish();
    try {
      target_.start(vector_);
    } catch (const Unsupported& e) {
      return {{"skipped", e.what()}};
    } catch (const std::exception& e) {
      return {{"error", e.what()}};
    }
    return {{"started", true}};
  }

  // The op as the target gets it: its kind, where it is, its arguments.
  Op opOf(const json& message, Args& args) {
    const json& name = message["op"];
    const OpSpec* spec = name.is_string() ? findOp(name.get<std::string>()) : nullptr;
    if (!spec) throw BadMessage("/op: not an op of docs/VECTORS.md: " + name.dump());
    Op op;
    op.kind = spec->kind;
    if (message.contains("at") && message["at"].is_string()) op.pointer = message["at"].get<std::string>();
    if (message.contains("args")) {
      if (!message["args"].is_object()) throw BadMessage("/args: expected an object");
      for (const auto& [key, value] : message["args"].items()) {
        const ParamSpec* param = findParam(*spec, key);
        if (!param) throw BadMessage("/args/" + key + ": " + std::string(spec->name) + " has no such parameter");
        try {
          args.add(param->name, protocol::parseArgument(value, param->type, "/args/" + key));
        } catch (const protocol::ProtocolError& e) {
          throw BadMessage(e.what());
        }
      }
    }
    return op;
  }

  // What the target reported since the last answer: events, byteLength,
  // accesses.
  void report(json& answer) {
    target_.takeEvents(events_);
    json events = json::array();
    for (const auto& e : events_) events.push_back(protocol::eventJson(e));
    answer["events"] = std::move(events);
    answer["byteLength"] = target_.byteLength();
    std::vector<Violation> accesses;
    target_.takeAccessViolations(accesses);
    for (const auto& v : accesses) answer["accesses"].push_back(v.message);
  }

  json outcome(Result<Value>& r) {
    json answer;
    if (r) answer["value"] = toJson(*r);
    else answer = {{"error", std::string(errorKindName(r.error().kind))}, {"message", r.error().message}};
    return answer;
  }

  json op(const json& message) {
    Args args;
    const Op op = opOf(message, args);
    if (op.kind == OpKind::Throw) throw BadMessage("/op: throw is the runner's, sent as {\"throw\": true} inside a call");
    try {
      if (op.kind == OpKind::Call) return call(op);
      Result<Value> r = target_.execute(op, args);
      json answer = outcome(r);
      if (r && op.kind == OpKind::Peek)
        if (auto after = target_.addressAfter()) answer["addressAfter"] = toJson(*after);
      report(answer);
      return answer;
    } catch (const Unsupported& e) {
      return {{"unsupported", e.what()}};
    } catch (const VectorError& e) {
      return {{"invalid", e.what()}};
    }
  }

  // CALL-1, CALL-2: the target's scopedAllocCall runs a body that asks the
  // runner for its ops until it says return or throw.
  json call(const Op& op) {
    Result<Value> r = fail(ErrorKind::Thrown, "thrown by the runner");
    try {
      r = target_.call(op, [&]() -> Value {
      json started{{"body", true}};
      report(started);
      send(started);
      json message;
      while (next(message)) {
        if (message.contains("return")) return protocol::parseValue(message["return"], "/return");
        if (message.contains("throw")) throw VectorThrow{1};
        if (!message.contains("op")) throw BadMessage("inside a call: expected op, return or throw, got " + message.dump().substr(0, 200));
        send(this->op(message));
      }
      throw BadMessage("the input ended inside a call");
      });
    } catch (const VectorThrow&) {
      // Through the target's own finally: the call's result is the throw.
    }
    json answer = outcome(r);
    report(answer);
    return answer;
  }

  json state() {
    const TargetState s = target_.state();
    return {{"level", s.level}, {"live", s.live}, {"installed", s.installed}, {"byteLength", s.byteLength}};
  }

  Target& target_;
  std::optional<MemoryConfig> fixed_;
  Lines in_;
  std::ostream& out_;
  Vector vector_;  // what start() gave the target: it outlives the run
  std::vector<Event> events_;
};

}  // namespace

int serveOpAtATime(Target& target, protocol::Hello hello, const std::optional<MemoryConfig>& fixedMemory, int in,
                   std::ostream& out) {
  hello.protocol = protocol::kOpAtATimeVersion;
  hello.opsAhead = true;  // Lines keeps what it read past the line it returns
  out << protocol::helloJson(hello).dump() << std::endl;
  return OpServer(target, fixedMemory, in, out).serve();
}

}  // namespace memconform::cli
