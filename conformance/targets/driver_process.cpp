#include "conformance/targets/driver_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace memconform::conformance {
namespace {

void closeFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

std::string_view driverFailureKindName(DriverFailure::Kind kind) {
  switch (kind) {
    case DriverFailure::Kind::Crash: return "crash";
    case DriverFailure::Kind::Timeout: return "timeout";
    case DriverFailure::Kind::Protocol: return "protocol-error";
  }
  return "crash";
}

DriverProcess::DriverProcess(std::string command, DriverLimits limits) : command_(std::move(command)), limits_(limits) {}

DriverProcess::~DriverProcess() { finish(); }

void DriverProcess::finish() {
  if (pid_ <= 0) return;
  // End of input: a driver may write its coverage or statistics, and exit.
  closeFd(in_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kFinishMs);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop();
}

void DriverProcess::start() {
  stop();
  stderr_.clear();
  line_.clear();
  headline_.clear();
  // A driver that dies while we write to it must be an error here, not a
  // SIGPIPE that ends the whole run.
  signal(SIGPIPE, SIG_IGN);
  std::array<int, 2> in{-1, -1}, out{-1, -1}, err{-1, -1};
  if (pipe2(in.data(), O_CLOEXEC) != 0 || pipe2(out.data(), O_CLOEXEC) != 0 || pipe2(err.data(), O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot create pipes for the driver: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that stop() also reaches what `sh -c` started.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  const char* argv[] = {"sh", "-c", command_.c_str(), nullptr};
  const int spawned = posix_spawn(&pid_, "/bin/sh", &actions, &attributes, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  if (spawned != 0) {
    pid_ = -1;
    stop();
    throw std::runtime_error("cannot start /bin/sh for the driver: " + std::string(std::strerror(spawned)));
  }
  for (int fd : {in_, out_, err_}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void DriverProcess::stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  closeFd(in_);
  closeFd(out_);
  closeFd(err_);
  pending_.clear();
}

void DriverProcess::drainStderr() {
  if (err_ < 0) return;
  std::array<char, 4096> buffer;
  for (;;) {
    const ssize_t n = read(err_, buffer.data(), buffer.size());
    if (n <= 0) {
      if (n == 0) closeFd(err_);  // the driver closed it; stdout may still work
      return;
    }
    stderr_.append(buffer.data(), static_cast<std::size_t>(n));
    for (ssize_t i = 0; i < n && headline_.empty(); ++i) {
      if (buffer[static_cast<std::size_t>(i)] != '\n') {
        if (line_.size() < 1024) line_ += buffer[static_cast<std::size_t>(i)];
        continue;
      }
      if (line_.find("ERROR: ") != std::string::npos || line_.find("runtime error:") != std::string::npos ||
          line_.find("Error:") != std::string::npos)
        headline_ = line_;
      line_.clear();
    }
    if (stderr_.size() > limits_.stderrTailBytes) stderr_.erase(0, stderr_.size() - limits_.stderrTailBytes);
  }
}

bool DriverProcess::waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    std::array<pollfd, 2> fds{pollfd{fd, events, 0}, pollfd{err_, POLLIN, 0}};
    const int n = poll(fds.data(), err_ >= 0 ? 2 : 1, remainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (err_ >= 0 && fds[1].revents != 0) drainStderr();
    if (fds[0].revents != 0) return true;
  }
}

std::string DriverProcess::exitDescription() {
  // A driver that closed its output is usually exiting: give it a moment
  // to say how.
  for (int i = 0; i < 50 && pid_ > 0; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
      if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
      return "ended";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return "closed its output but is still running";
}

void DriverProcess::failed(DriverFailure::Kind kind, const std::string& what) {
  drainStderr();
  const std::string tail = stderr_;
  stop();
  throw DriverFailure(kind, "driver `" + command_ + "`: " + what, tail, headline_);
}

void DriverProcess::writeLine(const std::string& line) {
  if (pid_ <= 0) failed(DriverFailure::Kind::Crash, "not running");
  const std::string data = line + "\n";
  const auto deadline = Clock::now() + limits_.timeout;
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(in_, data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) failed(DriverFailure::Kind::Crash, "closed its input (" + exitDescription() + ")");
    if (n < 0 && errno != EAGAIN) failed(DriverFailure::Kind::Crash, std::string("cannot write to it: ") + std::strerror(errno));
    if (!waitFor(in_, POLLOUT, deadline))
      failed(DriverFailure::Kind::Timeout, "did not read its input within " + std::to_string(limits_.timeout.count()) + " ms");
  }
}

std::string DriverProcess::readLine(std::chrono::microseconds spin) {
  if (pid_ <= 0) failed(DriverFailure::Kind::Crash, "not running");
  const auto deadline = Clock::now() + limits_.timeout;
  const auto spinUntil = Clock::now() + spin;
  // Spinning starts when the first read finds nothing, if the gate lets it
  // (SpinGate), and ends with data or at spinUntil.
  bool maySpin = spin.count() > 0, spinning = false;
  long switchesBefore = 0;
  const auto endSpin = [&](bool gotData) {
    spinning = false;
    spinGate_.spun(gotData && involuntaryContextSwitches() == switchesBefore);
  };
  std::size_t searched = 0;
  std::array<char, 65536> buffer;
  for (;;) {
    const auto newline = pending_.find('\n', searched);
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    searched = pending_.size();
    if (pending_.size() > limits_.maxLineBytes)
      failed(DriverFailure::Kind::Protocol, "wrote a line longer than " + std::to_string(limits_.maxLineBytes) + " bytes");
    const ssize_t n = read(out_, buffer.data(), buffer.size());
    if (n > 0) {
      if (spinning) endSpin(true);
      pending_.append(buffer.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) failed(DriverFailure::Kind::Crash, "closed its output (" + exitDescription() + ")");
    if (errno == EINTR) continue;
    if (errno != EAGAIN) failed(DriverFailure::Kind::Crash, std::string("cannot read from it: ") + std::strerror(errno));
    if (std::exchange(maySpin, false) && spinGate_.open()) {
      spinning = true;
      switchesBefore = involuntaryContextSwitches();
    }
    if (spinning && Clock::now() < spinUntil) continue;
    if (spinning) endSpin(false);
    if (!waitFor(out_, POLLIN, deadline))
      failed(DriverFailure::Kind::Timeout, "wrote no complete line within " + std::to_string(limits_.timeout.count()) + " ms");
  }
}

}  // namespace memconform::conformance
