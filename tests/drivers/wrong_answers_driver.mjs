// A protocol 2 driver that answers against the protocol in one way, to
// check that the runner names the op whose answer broke it
// (tests/cmd_target_test.sh):
//   no-value    an op's answer has neither value nor error
//   bad-event   an op's answer has an event that is not one
//   body-twice  a call's body starts twice
// Usage: node wrong_answers_driver.mjs MODE
import { createInterface } from 'node:readline';

const mode = process.argv[2];
const send = (j) => process.stdout.write(JSON.stringify(j) + '\n');
send({ hello: 'memconform-driver', protocol: 2, implementation: `wrong answers (${mode})`, capabilities: [] });
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if ('start' in m) send({ started: true });
  else if ('end' in m) send({ ended: true });
  else if ('state' in m) send({ level: 0, live: [], installed: [], byteLength: 16777216 });
  else if (mode === 'no-value') send({ events: [] });
  else if (mode === 'bad-event') send({ value: 1024, events: [{ alloc: -1, size: 8 }] });
  else send({ body: true, events: [], byteLength: 16777216 });
}
