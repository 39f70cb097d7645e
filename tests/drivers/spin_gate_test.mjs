#!/usr/bin/env node
// The driver kit's SpinGate (conformance/drivers/node/kit/spin_gate.mjs),
// the runner's (conformance/targets/spin_gate.h) in JavaScript: a wait for
// the runner spins only while its spins pay; each spin that did not (it came
// back empty, or was preempted) shuts the gate for twice as many waits as
// the one before (up to MAX_SHUT), and a spin that paid halves that. Exit 0 if every
// case holds, 1 otherwise.
import { MAX_SHUT, SpinGate, involuntaryContextSwitches } from '../../conformance/drivers/node/kit/spin_gate.mjs';

let failures = 0;
function expect(what, got, want) {
  if (got === want) console.log(`ok   ${what}`);
  else {
    console.log(`FAIL ${what}: got ${got}, want ${want}`);
    ++failures;
  }
}
// How many waits in a row the gate refuses, then opens for one.
function shutWaits(gate) {
  let shut = 0;
  while (!gate.open() && shut <= 2 * MAX_SHUT) ++shut;  // bounded: a gate that never opens fails, not hangs
  return shut;
}

{
  const gate = new SpinGate();
  let open = 0;
  for (let i = 0; i < 100; ++i) {
    open += gate.open();
    gate.spun(true);
  }
  expect('open while its spins pay', open, 100);
}
{
  const gate = new SpinGate();
  let want = 1;
  for (let i = 1; i <= 14; ++i) {
    gate.spun(false);
    expect(`shut for ${want} waits after unpaid spin ${i}`, shutWaits(gate), want);
    want = Math.min(want * 2, MAX_SHUT);
  }
}
{
  const gate = new SpinGate();
  for (let i = 0; i < 4; ++i) {  // shut for 1, 2, 4, 8 waits
    gate.spun(false);
    shutWaits(gate);
  }
  gate.spun(true);  // 8 -> 4, open now
  expect('a spin that paid opens it', gate.open(), true);
  gate.spun(false);  // 4 -> 8
  expect('... and halved the shut', shutWaits(gate), 8);
  for (let i = 0; i < 5; ++i) gate.spun(true);  // 8 -> 0
  gate.spun(false);
  expect('... down to nothing', shutWaits(gate), 1);
}
const before = involuntaryContextSwitches();
expect('involuntary context switches are counted', Number.isInteger(before) && involuntaryContextSwitches() >= before, true);
process.exit(failures ? 1 : 0);
