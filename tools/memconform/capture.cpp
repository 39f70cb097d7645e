#include "tools/memconform/capture.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace memconform::cli {

Captured capture(const std::string& command) {
  Captured c;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buf;
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe)) > 0;) c.output.append(buf.data(), n);
  const int status = pclose(pipe);
  if (status == -1) throw std::runtime_error("cannot wait for " + command);
  c.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return c;
}

std::string shellWord(std::string_view text) {
  std::string out = "'";
  for (char ch : text) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace memconform::cli
