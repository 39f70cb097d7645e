// The floor under an op through a driver (docs/DRIVER_PROTOCOL.md, protocol
// 2): a line to another process over one pipe and its answer back over
// another, both ends asleep while they wait (blocking reads), as a runner
// and a driver wait once their spin gates are shut. scripts/bench.sh sets
// the Node driver's ns/op beside it: what a round trip costs is the
// machine's (its scheduler and its system calls; under a paravirtualized VM
// a system call can cost a microsecond and a round trip tens of them), and
// an op through a driver moves with it.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace memconform {
namespace {

// Reads until a newline ends what came; false at end of file or an error.
bool readLine(int fd, std::array<char, 64>& buffer) {
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n <= 0) return false;
    if (std::memchr(buffer.data(), '\n', static_cast<std::size_t>(n))) return true;
  }
}

void BM_PipeRoundTrip(benchmark::State& state) {
  int toChild[2], fromChild[2];
  if (pipe(toChild) != 0 || pipe(fromChild) != 0) {
    state.SkipWithError("pipe failed");
    return;
  }
  const pid_t child = fork();
  if (child < 0) {
    state.SkipWithError("fork failed");
    return;
  }
  if (child == 0) {  // the echo: each line back as it came
    close(toChild[1]);
    close(fromChild[0]);
    std::array<char, 64> line{};
    while (readLine(toChild[0], line))
      if (write(fromChild[1], "{\"ok\":true}\n", 12) != 12) break;
    _exit(0);
  }
  close(toChild[0]);
  close(fromChild[1]);
  static constexpr char kLine[] = "{\"op\":\"pop\",\"id\":7}\n";
  std::array<char, 64> answer{};
  for (auto _ : state) {
    if (write(toChild[1], kLine, sizeof kLine - 1) != static_cast<ssize_t>(sizeof kLine - 1) ||
        !readLine(fromChild[0], answer)) {
      state.SkipWithError("the echo process stopped answering");
      break;
    }
  }
  close(toChild[1]);
  close(fromChild[0]);
  waitpid(child, nullptr, 0);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PipeRoundTrip)->UseRealTime();

}  // namespace
}  // namespace memconform
