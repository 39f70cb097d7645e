#include "conformance/runner/release_history.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string_view>

#include "conformance/runner/checks.h"
#include "conformance/runner/executor.h"

namespace memconform::conformance {
namespace {

// "/vectors/3/ops/2/body/0" -> "ops/2/body/0": where in the vector, whatever
// the vector's place in its file.
std::string withinVector(const std::string& pointer) {
  const auto at = pointer.find("/ops/");
  if (at != std::string::npos) return pointer.substr(at + 1);
  const auto final = pointer.rfind("/final");
  return final != std::string::npos ? pointer.substr(final + 1) : pointer;
}

void replaceAll(std::string& s, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) s.replace(at, what.size(), with);
}

// A vector's blocks and installed slots by role, from its trace's events:
// the k-th block the vector allocated is "block#k" wherever its address (or
// an address inside it, "block#k+OFF") appears, but as a size, and the k-th
// slot it installed "slot#k" wherever its index appears, so that where a
// release's allocator or table puts things (its static data and table
// grew) is not taken for a change of behaviour. Nor are two
// details of a build that access reports (SAFE-2) name: the place in the
// release's script ("at target.poke (file:///.../sqlite3.mjs:7039:30)": a
// new layout or bundler moves and renames it) and where its start-up data
// ends ("below 663517").
class Roles {
 public:
  explicit Roles(const VectorResult& v) {
    for (const auto& op : v.trace) {
      for (std::size_t at = 0; (at = op.events.find("alloc(", at)) != std::string::npos; at += 6) {
        if (at > 0 && std::isalpha(static_cast<unsigned char>(op.events[at - 1]))) continue;  // dealloc(
        const auto ptr = numberAt(op.events, at + 6);
        const auto sizeAt = op.events.find("size ", at);
        const auto size = sizeAt == std::string::npos ? std::nullopt : numberAt(op.events, sizeAt + 5);
        if (ptr && *ptr) blocks_.push_back({*ptr, size.value_or(0)});
      }
      for (std::size_t at = 0; (at = op.events.find("install(", at)) != std::string::npos; at += 8)
        if (at == 0 || op.events[at - 1] != 'n')  // not uninstall(
          if (const auto slot = numberAt(op.events, at + 8); slot && !slotOrdinal(*slot)) slots_.push_back(*slot);
    }
  }

  std::string rewrite(std::string_view text) const {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      if (const std::size_t n = buildDetail(text, i)) {
        out += text.compare(i, 3, "at ") == 0 ? "at <script>" : text.compare(i, 7, "file://") == 0 ? "<script>" : "";
        i += n;
        continue;
      }
      const bool starts = std::isdigit(static_cast<unsigned char>(text[i])) &&
                          (i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.' || text[i - 1] == '#'));
      if (!starts) {
        out += text[i++];
        continue;
      }
      std::size_t end = i;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      const std::string_view digits = text.substr(i, end - i);
      out += role(text.substr(0, i), digits);
      i = end;
    }
    return out;
  }

 private:
  static std::optional<std::uint64_t> numberAt(const std::string& s, std::size_t at) {
    if (at >= s.size() || !std::isdigit(static_cast<unsigned char>(s[at]))) return std::nullopt;
    std::uint64_t n = 0;
    for (; at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])) && n < (1ull << 60); ++at) n = n * 10 + (s[at] - '0');
    return n;
  }

  std::optional<std::size_t> slotOrdinal(std::uint64_t slot) const {
    const auto it = std::find(slots_.begin(), slots_.end(), slot);
    return it == slots_.end() ? std::nullopt : std::optional<std::size_t>(it - slots_.begin() + 1);
  }

  // The length of a build detail at `at` to leave out ("at NAME (file://
  // ...)", a "file://" place up to the parenthesis or space that ends it,
  // the number after "below "), or 0.
  static std::size_t buildDetail(std::string_view text, std::size_t at) {
    if (text.compare(at, 3, "at ") == 0 && (at == 0 || text[at - 1] == ' ')) {
      const std::size_t place = text.find(" (file://", at);
      const std::size_t end = place == std::string_view::npos ? place : text.find(')', place);
      if (end != std::string_view::npos && text.substr(at + 3, place - at - 3).find(' ') == std::string_view::npos) return end + 1 - at;
    }
    if (text.compare(at, 7, "file://") == 0) {
      const std::size_t end = text.find_first_of(") \n", at);
      return (end == std::string_view::npos ? text.size() : end) - at;
    }
    if (at < 6 || text.substr(at - 6, 6) != "below ") return 0;
    std::size_t end = at;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    return end - at;
  }

  // The number's role, given the text before it: none after "size ", else
  // a block it points into (a block past 2^32, which a wrapped size
  // reports, holds no addresses), else a slot, else itself.
  std::string role(std::string_view before, std::string_view digits) const {
    if (digits.size() > 18 || (before.size() >= 5 && before.substr(before.size() - 5) == "size ")) return std::string(digits);
    const std::uint64_t n = std::stoull(std::string(digits));
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const auto [ptr, size] = blocks_[k];
      if (n == ptr) return "block#" + std::to_string(k + 1);
      if (n > ptr && n < ptr + size && ptr + size <= (1ull << 32)) return "block#" + std::to_string(k + 1) + "+" + std::to_string(n - ptr);
    }
    if (const auto k = slotOrdinal(n)) return "slot#" + std::to_string(*k);
    return std::string(digits);
  }

  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks_;  // address, size, in allocation order
  std::vector<std::uint64_t> slots_;                              // in install order
};

std::string memoryOf(const Report& r) {
  if (r.fixedMemory) return "a fixed memory of " + std::to_string(r.fixedMemory->initialPages) + " pages";
  return "initial pages at least " + std::to_string(r.minimumPages) + ", maximum at most " + std::to_string(r.maximumPages);
}

// The rules a change concerns: those of the failures on either side that the
// spec has, else the vector's own.
std::set<std::string> rulesOf(const VectorResult* before, const VectorResult& after, const std::set<std::string>& spec) {
  std::set<std::string> out;
  for (const VectorResult* v : {before, &after})
    if (v)
      for (const Failure& f : v->failures)
        if (spec.count(f.rule)) out.insert(f.rule);
  if (out.empty())
    for (const auto& r : after.rules)
      if (spec.count(r)) out.insert(r);
  return out;
}

}  // namespace

std::size_t ReleaseHistory::changes() const {
  std::size_t n = memory.size();
  for (const auto& [rule, list] : byRule) n += list.size();
  return n;
}

std::string behaviourOf(const VectorResult& v, const std::string& dir) {
  std::string out;
  switch (v.status) {
    case Status::Pass:
    case Status::UnexpectedPass: return "passes";
    case Status::Skipped: out = "skipped: " + v.reason; break;
    case Status::Error: out = "error: " + v.reason.substr(0, v.reason.find('\n')); break;
    case Status::Fail:
    case Status::ExpectedFail: {
      const Roles roles(v);
      for (const Failure& f : v.failures)
        out += (out.empty() ? "" : "; ") + withinVector(f.pointer) + " [" + f.rule + "]: " + roles.rewrite(f.actual);
      if (out.empty()) out = "fails: " + v.reason;
      break;
    }
  }
  replaceAll(out, dir, "<package>");
  return out;
}

ReleaseHistory buildHistory(const std::vector<Report>& reports, std::vector<Release> releases,
                            const std::vector<std::string>& rules) {
  ReleaseHistory h;
  h.releases = std::move(releases);
  const std::set<std::string> spec(rules.begin(), rules.end());
  for (std::size_t i = 1; i < h.releases.size(); ++i) {
    const Release& was = h.releases[i - 1];
    const Release& now = h.releases[i];
    if (was.package != now.package) continue;  // a package line's first release has nothing before it
    const Report& before = reports.at(was.report);
    const Report& after = reports.at(now.report);
    std::map<std::string, const VectorResult*> previous;
    for (const auto& v : before.results) previous.emplace(v.id, &v);
    std::map<std::string, BehaviourChange> changed;  // rule -> this release's change
    for (const auto& v : after.results) {
      const auto p = previous.find(v.id);
      const VectorResult* old = p == previous.end() ? nullptr : p->second;
      const std::string then = old ? behaviourOf(*old, was.dir) : "(not in the corpus)";
      const std::string nowText = behaviourOf(v, now.dir);
      if (then == nowText) continue;
      for (const auto& rule : rulesOf(old, v, spec)) {
        BehaviourChange& c = changed[rule];
        c.package = now.package, c.from = was.version, c.to = now.version;
        c.vectors.push_back({v.id, then, nowText});
      }
    }
    for (auto& [rule, c] : changed) h.byRule[rule].push_back(std::move(c));
    if (memoryOf(before) != memoryOf(after))
      h.memory.push_back({now.package, was.version, now.version, {{"memory import", memoryOf(before), memoryOf(after)}}});
  }
  return h;
}

namespace {

constexpr std::size_t kShownPerChange = 5;  // vectors per change in Markdown (the HTML lists them all)

std::string releaseName(const BehaviourChange& c) { return c.package + " " + c.to; }

}  // namespace

void writeHistoryMarkdown(const ReleaseHistory& h, std::ostream& out) {
  out << "\n## Behaviour changes between releases\n\n"
      << "Each release compared with the one before it in its package (version order): the vectors that behave "
         "otherwise, under the rules they concern, at the first release that shows it.\n\n";
  if (h.changes() == 0) {
    out << "No vector behaves differently in any two consecutive releases.\n";
    return;
  }
  out << "| rule | changed in |\n|---|---|\n";
  if (!h.memory.empty()) {
    out << "| memory import (initial size) |";
    for (std::size_t i = 0; i < h.memory.size(); ++i) out << (i ? ", " : " ") << releaseName(h.memory[i]);
    out << " |\n";
  }
  for (const auto& [rule, changes] : h.byRule) {
    out << "| " << rule << " |";
    for (std::size_t i = 0; i < changes.size(); ++i)
      out << (i ? ", " : " ") << releaseName(changes[i]) << " (" << changes[i].vectors.size() << ")";
    out << " |\n";
  }
  auto list = [&](const std::string& title, const std::vector<BehaviourChange>& changes) {
    out << "\n### " << title << "\n\n";
    for (const auto& c : changes) {
      out << "- **" << markdownEscape(releaseName(c)) << "** (from " << markdownEscape(c.from) << "): "
          << c.vectors.size() << " vector" << (c.vectors.size() == 1 ? "" : "s") << "\n";
      for (std::size_t i = 0; i < c.vectors.size() && i < kShownPerChange; ++i)
        out << "  - `" << c.vectors[i].id << "`: " << markdownEscape(c.vectors[i].before) << " → "
            << markdownEscape(c.vectors[i].after) << "\n";
      if (c.vectors.size() > kShownPerChange) out << "  - and " << c.vectors.size() - kShownPerChange << " more (HTML, JSON)\n";
    }
  };
  if (!h.memory.empty()) list("memory import (initial size)", h.memory);
  for (const auto& [rule, changes] : h.byRule) list(rule, changes);
}

void writeHistoryHtml(const ReleaseHistory& h, std::ostream& out) {
  out << "<h2>Behaviour changes between releases</h2>\n<p class=\"lead\">Each release compared with the one before "
         "it in its package (version order): the vectors that behave otherwise, under the rules they concern, at the "
         "first release that shows it.</p>\n";
  if (h.changes() == 0) {
    out << "<p>No vector behaves differently in any two consecutive releases.</p>\n";
    return;
  }
  auto row = [&](const std::string& title, const std::vector<BehaviourChange>& changes) {
    out << "<tr><td class=\"rule\">" << xmlEscape(title) << "</td><td>";
    for (const auto& c : changes) {
      out << "<details><summary>" << xmlEscape(releaseName(c)) << " (from " << xmlEscape(c.from) << "): "
          << c.vectors.size() << " vector" << (c.vectors.size() == 1 ? "" : "s") << "</summary><ul>\n";
      for (const auto& v : c.vectors)
        out << "<li><code>" << xmlEscape(v.id) << "</code>: " << xmlEscape(v.before) << " &rarr; " << xmlEscape(v.after) << "</li>\n";
      out << "</ul></details>";
    }
    out << "</td></tr>\n";
  };
  out << "<table><thead><tr><th>rule</th><th>changed in (the first release that shows each change)</th></tr></thead><tbody>\n";
  if (!h.memory.empty()) row("memory import (initial size)", h.memory);
  for (const auto& [rule, changes] : h.byRule) row(rule, changes);
  out << "</tbody></table>\n";
}

nlohmann::json historyJson(const ReleaseHistory& h) {
  auto changesJson = [](const std::vector<BehaviourChange>& changes) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : changes) {
      nlohmann::json vectors = nlohmann::json::array();
      for (const auto& v : c.vectors) vectors.push_back({{"id", v.id}, {"before", v.before}, {"after", v.after}});
      list.push_back({{"package", c.package}, {"from", c.from}, {"to", c.to}, {"vectors", vectors}});
    }
    return list;
  };
  nlohmann::json j{{"releases", nlohmann::json::array()}, {"memory", changesJson(h.memory)}, {"rules", nlohmann::json::object()}};
  for (const auto& r : h.releases) j["releases"].push_back({{"package", r.package}, {"version", r.version}});
  for (const auto& [rule, changes] : h.byRule) j["rules"][rule] = changesJson(changes);
  return j;
}

}  // namespace memconform::conformance
