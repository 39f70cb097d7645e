#include "conformance/runner/report.h"

#include <iomanip>
#include <map>
#include <ostream>

#include <nlohmann/json.hpp>

namespace memconform::conformance {

std::string_view statusName(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::ExpectedFail: return "expected-fail";
    case Status::UnexpectedPass: return "unexpected-pass";
    case Status::Skipped: return "skipped";
    case Status::Error: return "error";
  }
  return "?";
}

std::size_t Report::count(Status s) const {
  std::size_t n = 0;
  for (const auto& r : results) n += r.status == s;
  return n;
}

bool failsTheRun(Status s) { return s == Status::Fail || s == Status::UnexpectedPass || s == Status::Error; }

std::size_t Report::failing() const {
  std::size_t n = 0;
  for (const auto& r : results) n += failsTheRun(r.status);
  return n;
}

int Report::exitCode() const { return failing() == 0 && nothingCompared.empty() ? 0 : 1; }

namespace {

std::string stoppedEarly(const Report& report) {
  return "stopped after " + std::to_string(report.stoppedAfter) + " failing vector(s) (--max-failures): " +
         std::to_string(report.notRun) + " vector run(s) not made";
}

constexpr Status kColumns[] = {Status::Pass, Status::Fail, Status::ExpectedFail, Status::UnexpectedPass, Status::Skipped,
                               Status::Error};

std::string failureLine(const Failure& f) {
  return f.pointer + " (" + f.op + ") [" + f.rule + "]: expected " + f.expected + "; actual " + f.actual;
}

}  // namespace

void writeText(const Report& report, std::ostream& out, bool verbose) {
  for (const auto& r : report.results) {
    switch (r.status) {
      case Status::Fail:
      case Status::ExpectedFail:
        if (r.status == Status::ExpectedFail && !verbose) break;
        for (const auto& f : r.failures) {
          out << (r.status == Status::Fail ? "FAIL  " : "XFAIL ") << r.id << "  " << failureLine(f) << "\n";
          if (!f.listed.empty()) out << "        the expectations file lists this op as: " << f.listed << "\n";
        }
        if (r.status == Status::Fail && verbose)
          for (const auto& t : r.trace) out << "        " << t.pointer << " " << t.op << " -> " << t.result << " " << t.events << "\n";
        break;
      case Status::UnexpectedPass:
        out << "XPASS " << r.id << "  " << r.reason << "\n";
        break;
      case Status::Error: out << "ERROR " << r.id << "  " << r.reason << "\n"; break;
      case Status::Skipped:
        if (verbose) out << "SKIP  " << r.id << "  " << r.reason << "\n";
        break;
      case Status::Pass: break;
    }
  }
  for (const auto& w : report.warnings) out << "warning: " << w << "\n";
  std::map<std::string, std::map<Status, std::size_t>> byArea;
  std::map<std::string, std::size_t> flags;
  for (const auto& r : report.results) {
    ++byArea[r.area.empty() ? "(none)" : r.area][r.status];
    for (const auto& f : r.flags) ++flags[f];
  }
  out << "\n" << std::left << std::setw(12) << "area";
  for (const char* h : {"pass", "fail", "xfail", "xpass", "skipped", "error"}) out << std::right << std::setw(9) << h;
  out << "\n";
  std::map<Status, std::size_t> total;
  for (const auto& [area, counts] : byArea) {
    out << std::left << std::setw(12) << area;
    for (Status s : kColumns) {
      const auto it = counts.find(s);
      const std::size_t n = it == counts.end() ? 0 : it->second;
      total[s] += n;
      out << std::right << std::setw(9) << n;
    }
    out << "\n";
  }
  out << std::left << std::setw(12) << "total";
  for (Status s : kColumns) out << std::right << std::setw(9) << total[s];
  out << "\n";
  for (const auto& [flag, n] : flags) out << "implementation-defined outcome \"" << flag << "\": " << n << " vector(s)\n";
  if (!report.nothingCompared.empty()) out << "nothing was compared: " << report.nothingCompared << "\n";
  if (report.notRun) out << stoppedEarly(report) << "\n";
  out << report.results.size() << " vectors from " << report.files << " files against " << report.target << " in "
      << std::fixed << std::setprecision(3) << report.seconds << " s: "
      << (report.exitCode() == 0 ? "OK" : "FAILED") << "\n";
  out.unsetf(std::ios::fixed);
}

std::string markdownEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and return.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "?";
        else out += static_cast<char>(c);
    }
  }
  return out;
}

std::string_view errorType(const VectorResult& r) {
  for (std::string_view kind : {"crash", "timeout", "protocol-error"})
    if (r.reason.rfind(std::string(kind) + ":", 0) == 0) return kind;
  return "error";
}

void writeJson(const Report& report, std::ostream& out) {
  using nlohmann::json;
  json doc{{"target", report.target}, {"files", report.files}, {"seconds", report.seconds}, {"warnings", report.warnings}};
  doc["implementation"] = report.implementation;
  doc["capabilities"] = report.capabilities;
  json memory{{"minimumPages", report.minimumPages}, {"maximumPages", report.maximumPages}};
  if (report.fixedMemory)
    memory["fixed"] = {{"initialPages", report.fixedMemory->initialPages}, {"maximumPages", report.fixedMemory->maximumPages}};
  doc["memory"] = memory;
  json counts = json::object();
  for (Status s : kColumns) counts[std::string(statusName(s))] = report.count(s);
  doc["counts"] = counts;
  json results = json::array();
  for (const auto& r : report.results) {
    json v{{"id", r.id}, {"file", r.file}, {"area", r.area}, {"rules", r.rules}, {"status", statusName(r.status)},
           {"seconds", r.seconds}};
    if (!r.reason.empty()) v["reason"] = r.reason;
    if (r.status == Status::Error) v["errorType"] = errorType(r);
    if (!r.flags.empty()) v["flags"] = r.flags;
    json failures = json::array();
    for (const auto& f : r.failures) {
      failures.push_back({{"pointer", f.pointer}, {"op", f.op}, {"rule", f.rule}, {"expected", f.expected}, {"actual", f.actual}});
      if (!f.listed.empty()) failures.back()["listed"] = f.listed;
    }
    if (!failures.empty()) v["failures"] = failures;
    json trace = json::array();
    for (const auto& t : r.trace) trace.push_back({{"pointer", t.pointer}, {"op", t.op}, {"result", t.result}, {"events", t.events}});
    if (!trace.empty()) v["trace"] = trace;
    results.push_back(v);
  }
  doc["results"] = results;
  if (!report.nothingCompared.empty()) doc["nothingCompared"] = report.nothingCompared;
  if (report.notRun) doc["stoppedEarly"] = {{"afterFailures", report.stoppedAfter}, {"notRun", report.notRun}};
  doc["exitCode"] = report.exitCode();
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

void writeJunit(const Report& report, std::ostream& out) {
  std::map<std::string, std::vector<const VectorResult*>> byArea;
  for (const auto& r : report.results) byArea[r.area].push_back(&r);
  // A run that compared nothing is one failed test case of its own, so that
  // a CI reading only this file does not show it green (or empty).
  const std::size_t runFailure = report.nothingCompared.empty() ? 0 : 1;
  // So is a run stopped early, as a skipped case: the vectors not run are
  // not passes.
  const std::size_t runSkipped = report.notRun ? 1 : 0;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"memconform " << xmlEscape(report.target) << "\" tests=\"" << report.results.size() + runFailure + runSkipped
      << "\" failures=\"" << report.count(Status::Fail) + report.count(Status::UnexpectedPass) + runFailure << "\" errors=\""
      << report.count(Status::Error) << "\" skipped=\"" << report.count(Status::Skipped) + runSkipped << "\" time=\"" << report.seconds
      << "\">\n";
  if (runFailure)
    out << "  <testsuite name=\"(run)\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
        << "    <testcase classname=\"(run)\" name=\"nothing compared\" time=\"0\"><failure message=\""
        << xmlEscape("nothing was compared: " + report.nothingCompared) << "\"/></testcase>\n  </testsuite>\n";
  if (runSkipped)
    out << "  <testsuite name=\"(run)\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">\n"
        << "    <testcase classname=\"(run)\" name=\"stopped early\" time=\"0\"><skipped message=\""
        << xmlEscape(stoppedEarly(report)) << "\"/></testcase>\n  </testsuite>\n";
  for (const auto& [area, results] : byArea) {
    std::size_t failures = 0, errors = 0, skipped = 0;
    for (const auto* r : results) {
      failures += r->status == Status::Fail || r->status == Status::UnexpectedPass;
      errors += r->status == Status::Error;
      skipped += r->status == Status::Skipped || r->status == Status::ExpectedFail;
    }
    out << "  <testsuite name=\"" << xmlEscape(area) << "\" tests=\"" << results.size() << "\" failures=\"" << failures
        << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\">\n";
    for (const auto* r : results) {
      out << "    <testcase classname=\"" << xmlEscape(area) << "\" name=\"" << xmlEscape(r->id) << "\" file=\""
          << xmlEscape(r->file) << "\" time=\"" << r->seconds << "\"";
      std::string body;
      switch (r->status) {
        case Status::Fail: {
          std::string text;
          for (const auto& f : r->failures) text += failureLine(f) + "\n";
          body = "<failure message=\"" + xmlEscape(r->failures.empty() ? "failed" : failureLine(r->failures.front())) +
                 "\">" + xmlEscape(text) + "</failure>";
          break;
        }
        case Status::UnexpectedPass:
          body = "<failure message=\"unexpected pass\">" + xmlEscape(r->reason) + "</failure>";
          break;
        case Status::Error:
          body = "<error type=\"" + std::string(errorType(*r)) + "\" message=\"" + xmlEscape(r->reason) + "\"/>";
          break;
        case Status::Skipped: body = "<skipped message=\"" + xmlEscape(r->reason) + "\"/>"; break;
        case Status::ExpectedFail: body = "<skipped message=\"" + xmlEscape("expected failure: " + r->reason) + "\"/>"; break;
        case Status::Pass: break;
      }
      out << (body.empty() ? "/>\n" : ">" + body + "</testcase>\n");
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace memconform::conformance
