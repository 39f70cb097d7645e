#!/usr/bin/env node
// One fuzz run of scripts/fuzz.sh as JSON, for CI and the campaigns' gates
// (scripts/gate.sh), which assert on it rather than on fuzz.sh's text:
//   node scripts/fuzz_summary.mjs RUN_DIR LABEL TARGET EXIT_STATUS
// reads RUN_DIR's log.txt, seconds, found, execs, peak_rss_mb, findings/ and the
// differential-PID.json each fuzz_differential process wrote
// (MEMCONFORM_FUZZ_SUMMARY), and writes RUN_DIR/summary.json:
//   {label, target, exitStatus, seconds, secondsToFinding, execsPerSecond, peakRssMb,
//    coverage: {cov, ft}, finding: {file, signature} | null,
//    differential: {inputs, answeredFromDriverMemory, skipped: {inputs, last},
//                   known: {inputs, findings: {SIGNATURE: {inputs, reason, under}}}} | null}
// (seconds: the whole process; secondsToFinding: from its start to the
// finding's "found at" (fuzz/findings.h), null without one; differential:
// the processes' counts added up; null for the other targets and for a run
// that ended at a finding, which aborts before writing them).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, label, target, status] = process.argv.slice(2);
if (!dir || !label || !target || status === undefined) {
  process.stderr.write('usage: node scripts/fuzz_summary.mjs RUN_DIR LABEL TARGET EXIT_STATUS\n');
  process.exit(2);
}
const text = (name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : '');
const number = (name) => (text(name) === '' ? null : Number(text(name)));
const log = text('log.txt');
const coverage = [...log.matchAll(/(?:DONE|INITED|pulse|NEW) +cov: (\d+) ft: (\d+)/g)].at(-1);
const findingFile = existsSync(join(dir, 'findings')) ? readdirSync(join(dir, 'findings')).filter((f) => !f.endsWith('.json')).sort()[0] : undefined;
const signature = /^signature: (.*)$/m.exec(log)?.[1] ?? null;

// The processes' differential counts, added up.
let differential = null;
for (const f of readdirSync(dir).filter((n) => /^differential-\d+\.json$/.test(n)).sort()) {
  const d = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  if (!differential) {
    differential = d;
    continue;
  }
  differential.inputs += d.inputs;
  differential.answeredFromDriverMemory += d.answeredFromDriverMemory;
  differential.skipped.inputs += d.skipped.inputs;
  if (d.skipped.last) differential.skipped.last = d.skipped.last;
  differential.known.inputs += d.known.inputs;
  for (const [sig, k] of Object.entries(d.known.findings)) {
    const into = (differential.known.findings[sig] ??= { inputs: 0, reason: k.reason, under: {} });
    into.inputs += k.inputs;
    for (const [fine, n] of Object.entries(k.under)) into.under[fine] = (into.under[fine] ?? 0) + n;
  }
}

const summary = {
  label,
  target,
  exitStatus: Number(status),
  seconds: number('seconds'),
  secondsToFinding: number('found'),
  execsPerSecond: number('execs'),
  peakRssMb: number('peak_rss_mb'),
  coverage: coverage ? { cov: Number(coverage[1]), ft: Number(coverage[2]) } : null,
  finding: findingFile || signature ? { file: findingFile ? join(dir, 'findings', findingFile) : null, signature } : null,
  differential,
};
writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
