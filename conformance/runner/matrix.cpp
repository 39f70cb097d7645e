#include "conformance/runner/matrix.h"

#include <algorithm>
#include <numeric>
#include <ostream>

#include <nlohmann/json.hpp>

namespace memconform::conformance {
namespace {

constexpr Status kOrder[] = {Status::Fail, Status::UnexpectedPass, Status::Error, Status::ExpectedFail, Status::Pass,
                             Status::Skipped};

std::string_view shortName(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "FAIL";
    case Status::ExpectedFail: return "xfail";
    case Status::UnexpectedPass: return "XPASS";
    case Status::Skipped: return "skip";
    case Status::Error: return "ERROR";
  }
  return "?";
}

// The cell's verdict, worst first: what a colour or a mark shows.
enum class Verdict { Empty, Skipped, Pass, ExpectedFail, Fail };

Verdict verdict(const MatrixCell& c) {
  if (c.total() == 0) return Verdict::Empty;
  if (c.count(Status::Fail) + c.count(Status::UnexpectedPass) + c.count(Status::Error)) return Verdict::Fail;
  if (c.count(Status::ExpectedFail)) return Verdict::ExpectedFail;
  if (c.count(Status::Pass)) return Verdict::Pass;
  return Verdict::Skipped;
}

std::string cellText(const MatrixCell& c) {
  std::string out;
  for (Status s : kOrder)
    if (c.count(s)) out += (out.empty() ? "" : " · ") + std::to_string(c.count(s)) + " " + std::string(shortName(s));
  return out.empty() ? "—" : out;
}

std::vector<const MutantKill*> mutantsOf(const Matrix& m, const std::string& rule) {
  std::vector<const MutantKill*> out;
  for (const auto& k : m.mutants)
    if (k.rule == rule) out.push_back(&k);
  return out;
}

std::string mutantText(const std::vector<const MutantKill*>& ks) {
  if (ks.empty()) return "—";
  const auto killed = std::count_if(ks.begin(), ks.end(), [](const MutantKill* k) { return k->killed; });
  return std::to_string(killed) + "/" + std::to_string(ks.size()) + " killed";
}

// Reasons of a report's non-passing vectors, most common first.
std::vector<std::pair<std::string, std::vector<const VectorResult*>>> byReason(const Report& r, Status s) {
  std::map<std::string, std::vector<const VectorResult*>> groups;
  for (const auto& v : r.results)
    if (v.status == s) groups[v.reason.empty() ? "(no reason given)" : v.reason].push_back(&v);
  std::vector<std::pair<std::string, std::vector<const VectorResult*>>> out(groups.begin(), groups.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  return out;
}

std::string firstFailure(const VectorResult& v) {
  if (v.failures.empty()) return v.reason;
  const Failure& f = v.failures.front();
  return f.pointer + " [" + f.rule + "]: expected " + f.expected + "; actual " + f.actual;
}

// A cell's tooltip: what is not a plain pass, one line per vector.
std::string cellDetail(const MatrixCell& c) {
  std::string out;
  std::size_t shown = 0;
  for (const VectorResult* v : c.notable) {
    if (++shown > 12) {
      out += "... and " + std::to_string(c.notable.size() - 12) + " more\n";
      break;
    }
    out += std::string(shortName(v->status)) + " " + v->id + ": " + (v->status == Status::Fail ? firstFailure(*v) : v->reason) + "\n";
  }
  return out;
}

const char* verdictClass(Verdict v) {
  switch (v) {
    case Verdict::Empty: return "empty";
    case Verdict::Skipped: return "skip";
    case Verdict::Pass: return "pass";
    case Verdict::ExpectedFail: return "xfail";
    case Verdict::Fail: return "fail";
  }
  return "";
}

}  // namespace

std::size_t MatrixCell::total() const { return std::accumulate(counts.begin(), counts.end(), std::size_t{0}); }

int Matrix::exitCode() const {
  for (const auto& r : reports)
    if (r.exitCode() != 0) return 1;
  return std::all_of(mutants.begin(), mutants.end(), [](const MutantKill& k) { return k.killed; }) ? 0 : 1;
}

Matrix buildMatrix(std::vector<std::string> rules, std::vector<Report> reports, std::vector<MutantKill> mutants) {
  Matrix m;
  m.rules = std::move(rules);
  m.reports = std::move(reports);
  m.mutants = std::move(mutants);
  for (const auto& rule : m.rules) m.cells[rule].resize(m.reports.size());
  for (std::size_t col = 0; col < m.reports.size(); ++col)
    for (const auto& v : m.reports[col].results)
      for (const auto& rule : v.rules) {
        auto row = m.cells.find(rule);
        if (row == m.cells.end()) continue;  // a rule the spec no longer has: `memconform validate` reports it
        MatrixCell& cell = row->second[col];
        ++cell.counts[static_cast<std::size_t>(v.status)];
        if (v.status != Status::Pass) cell.notable.push_back(&v);
      }
  return m;
}

void writeMarkdown(const Matrix& m, std::ostream& out) {
  out << "# memconform divergence matrix\n\n";
  if (!m.generated.empty()) out << "Generated " << m.generated << " by `memconform matrix`. ";
  out << "Each cell counts the conformance vectors that cite the rule (SEMANTICS.md), by result: pass; xfail, a "
         "failure the target's expectations file lists with its reason; FAIL; XPASS, listed as a failure but passed; "
         "skip, a capability or an op the target does not have; ERROR, the vector could not be run.\n\n";
  out << "| target | implementation | vectors | pass | xfail | FAIL | XPASS | skip | ERROR |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : m.reports) {
    out << "| `" << markdownEscape(r.target) << "` | " << markdownEscape(r.implementation) << " | " << r.results.size();
    for (Status s : {Status::Pass, Status::ExpectedFail, Status::Fail, Status::UnexpectedPass, Status::Skipped, Status::Error})
      out << " | " << r.count(s);
    out << " |\n";
  }
  out << "\n| rule |";
  for (const auto& r : m.reports) out << " " << markdownEscape(r.implementation) << " |";
  if (!m.mutants.empty()) out << " planted bugs |";
  out << "\n|---|";
  for (std::size_t i = 0; i < m.reports.size() + (m.mutants.empty() ? 0 : 1); ++i) out << "---|";
  out << "\n";
  for (const auto& rule : m.rules) {
    out << "| " << rule << " |";
    for (const auto& cell : m.cells.at(rule)) {
      const bool bad = verdict(cell) == Verdict::Fail;
      out << " " << (bad ? "**" : "") << cellText(cell) << (bad ? "**" : "") << " |";
    }
    if (!m.mutants.empty()) out << " " << mutantText(mutantsOf(m, rule)) << " |";
    out << "\n";
  }
  for (const auto& r : m.reports) {
    const auto xfails = byReason(r, Status::ExpectedFail);
    const auto fails = byReason(r, Status::Fail);
    if (xfails.empty() && fails.empty()) continue;
    out << "\n## " << markdownEscape(r.implementation) << "\n\n";
    for (const auto& [reason, vs] : fails) out << "- **FAIL** " << vs.front()->id << (vs.size() > 1 ? " and " + std::to_string(vs.size() - 1) + " more" : "") << ": " << markdownEscape(firstFailure(*vs.front())) << "\n";
    for (const auto& [reason, vs] : xfails)
      out << "- " << vs.size() << " vector" << (vs.size() == 1 ? "" : "s") << " (e.g. `" << vs.front()->id << "`): " << markdownEscape(reason) << "\n";
  }
  if (m.history) writeHistoryMarkdown(*m.history, out);
  if (!m.mutants.empty()) {
    out << "\n## Planted bugs\n\n| mutant | rule | killed by |\n|---|---|---|\n";
    for (const auto& k : m.mutants)
      out << "| `" << k.name << "` | " << k.rule << " | " << (k.killed ? "`" + k.by + "`" : "**survived**") << " |\n";
  }
}

void writeHtml(const Matrix& m, std::ostream& out) {
  out << R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>memconform divergence matrix</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
p.lead{color:#4a5468;max-width:980px}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{border:1px solid #e1e5ec;padding:5px 9px;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:#f0f3f8;z-index:1}
td.rule{font-family:ui-monospace,Menlo,monospace;white-space:nowrap;font-weight:600}
td.pass{background:#e3f5e8}td.xfail{background:#fff3d6}td.fail{background:#fde0e0;font-weight:600}
td.skip{background:#eef0f3;color:#6b7385}td.empty{color:#b0b6c3}
td[title]{cursor:help}
.summary td:nth-child(n+3){text-align:right;font-variant-numeric:tabular-nums}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px;border:1px solid #e1e5ec}
code{font-family:ui-monospace,Menlo,monospace;font-size:12.5px}
details{margin:6px 0;max-width:1100px}summary{cursor:pointer;font-weight:600}
li{margin:3px 0}.ids{color:#4a5468;font-family:ui-monospace,Menlo,monospace;font-size:12px}
</style></head><body>
<h1>memconform divergence matrix</h1>
)";
  out << "<p class=\"lead\">" << (m.generated.empty() ? "" : "Generated " + xmlEscape(m.generated) + ". ")
      << "Rows are the rules of SEMANTICS.md, columns the implementations. Each cell counts the conformance vectors "
         "that cite the rule, by result; hover a cell for the vectors behind it and the reasons.</p>\n"
      << "<p class=\"legend\"><span class=\"l\" style=\"background:#e3f5e8\">all pass</span>"
         "<span style=\"background:#fff3d6\">expected failures (listed with a reason)</span>"
         "<span style=\"background:#fde0e0\">FAIL, XPASS or ERROR</span>"
         "<span style=\"background:#eef0f3\">skipped</span></p>\n";
  out << "<table class=\"summary\"><thead><tr><th>target</th><th>implementation</th><th>vectors</th><th>pass</th>"
         "<th>xfail</th><th>FAIL</th><th>XPASS</th><th>skip</th><th>ERROR</th></tr></thead><tbody>\n";
  for (const auto& r : m.reports) {
    out << "<tr><td><code>" << xmlEscape(r.target) << "</code></td><td>" << xmlEscape(r.implementation) << "</td><td>"
        << r.results.size() << "</td>";
    for (Status s : {Status::Pass, Status::ExpectedFail, Status::Fail, Status::UnexpectedPass, Status::Skipped, Status::Error})
      out << "<td>" << r.count(s) << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table>\n<h2>Rules &times; implementations</h2>\n<table><thead><tr><th>rule</th>";
  for (const auto& r : m.reports) out << "<th title=\"" << xmlEscape(r.target) << "\">" << xmlEscape(r.implementation) << "</th>";
  if (!m.mutants.empty()) out << "<th>planted bugs</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& rule : m.rules) {
    out << "<tr><td class=\"rule\">" << rule << "</td>";
    for (const auto& cell : m.cells.at(rule)) {
      const std::string detail = cellDetail(cell);
      out << "<td class=\"" << verdictClass(verdict(cell)) << "\"" << (detail.empty() ? "" : " title=\"" + xmlEscape(detail) + "\"")
          << ">" << xmlEscape(cellText(cell)) << "</td>";
    }
    if (!m.mutants.empty()) {
      const auto ks = mutantsOf(m, rule);
      std::string detail;
      for (const auto* k : ks) detail += k->name + ": " + (k->killed ? "killed by " + k->by : "SURVIVED") + "\n";
      const bool survived = std::any_of(ks.begin(), ks.end(), [](const MutantKill* k) { return !k->killed; });
      out << "<td class=\"" << (ks.empty() ? "empty" : survived ? "fail" : "pass") << "\""
          << (detail.empty() ? "" : " title=\"" + xmlEscape(detail) + "\"") << ">" << xmlEscape(mutantText(ks)) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
  for (const auto& r : m.reports) {
    const auto fails = byReason(r, Status::Fail);
    const auto xfails = byReason(r, Status::ExpectedFail);
    const auto skips = byReason(r, Status::Skipped);
    if (fails.empty() && xfails.empty() && skips.empty()) continue;
    out << "<h2>" << xmlEscape(r.implementation) << "</h2>\n";
    auto section = [&](const char* title, const auto& groups, bool open) {
      if (groups.empty()) return;
      std::size_t n = 0;
      for (const auto& g : groups) n += g.second.size();
      out << "<details" << (open ? " open" : "") << "><summary>" << title << " (" << n << ")</summary><ul>\n";
      for (const auto& [reason, vs] : groups) {
        out << "<li>" << xmlEscape(vs.front()->status == Status::Fail ? firstFailure(*vs.front()) : reason)
            << "<div class=\"ids\">";
        for (std::size_t i = 0; i < vs.size(); ++i) out << (i ? ", " : "") << xmlEscape(vs[i]->id);
        out << "</div></li>\n";
      }
      out << "</ul></details>\n";
    };
    section("FAIL", fails, true);
    section("Expected failures, by reason", xfails, true);
    section("Skipped, by reason", skips, false);
  }
  if (m.history) writeHistoryHtml(*m.history, out);
  if (!m.mutants.empty()) {
    out << "<h2>Planted bugs</h2>\n<table><thead><tr><th>mutant</th><th>rule</th><th>what it breaks</th><th>killed by</th>"
           "</tr></thead><tbody>\n";
    for (const auto& k : m.mutants)
      out << "<tr><td><code>" << xmlEscape(k.name) << "</code></td><td class=\"rule\">" << xmlEscape(k.rule) << "</td><td>"
          << xmlEscape(k.description) << "</td><td class=\"" << (k.killed ? "pass" : "fail") << "\">"
          << xmlEscape(k.killed ? k.by : "survived") << "</td></tr>\n";
    out << "</tbody></table>\n";
  }
  out << "</body></html>\n";
}

void writeJson(const Matrix& m, std::ostream& out) {
  nlohmann::json j;
  j["generated"] = m.generated;
  for (const auto& r : m.reports) {
    nlohmann::json t{{"target", r.target}, {"implementation", r.implementation}};
    for (Status s : kOrder) t["totals"][std::string(statusName(s))] = r.count(s);
    j["targets"].push_back(t);
  }
  for (const auto& rule : m.rules) {
    nlohmann::json row{{"rule", rule}};
    for (std::size_t col = 0; col < m.reports.size(); ++col) {
      nlohmann::json cell = nlohmann::json::object();
      for (Status s : kOrder)
        if (const auto n = m.cells.at(rule)[col].count(s)) cell[std::string(statusName(s))] = n;
      row["cells"].push_back(cell);
    }
    if (!m.mutants.empty())
      for (const auto* k : mutantsOf(m, rule)) row["mutants"].push_back({{"name", k->name}, {"killed", k->killed}, {"by", k->by}});
    j["rules"].push_back(row);
  }
  if (m.history) j["history"] = historyJson(*m.history);
  out << j.dump(2) << "\n";
}

}  // namespace memconform::conformance
