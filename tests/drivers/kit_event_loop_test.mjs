// The kit keeps serving from Node's event loop (kit/index.mjs serve()): an
// adapter's async start() is answered while V8 still optimizes a function
// on a background thread. Node 20's main thread, when the loop has nothing
// alive, waits in NodePlatform::DrainTasks for every background task, and
// deadlocks there when one needs a collection (nodejs/node#54918: a
// wa-sqlite start() that never answered). Here each background optimization
// is held back DELAY ms (--concurrent-recompilation-delay): a start() that
// waits for it answers DELAY ms late.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DELAY = 6000;
const driver = spawn(process.execPath, [`--concurrent-recompilation-delay=${DELAY}`,
  fileURLToPath(new URL('kit_event_loop_driver.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
// A driver that never answers fails here, not at ctest's timeout.
const watchdog = setTimeout(() => {
  console.error(`FAIL: the driver did not answer within ${3 * DELAY} ms`);
  driver.kill('SIGKILL');
  process.exit(1);
}, 3 * DELAY);
const lines = createInterface({ input: driver.stdout })[Symbol.asyncIterator]();
const ask = async (message) => {
  driver.stdin.write(`${JSON.stringify(message)}\n`);
  const { value } = await lines.next();
  return JSON.parse(value);
};

await lines.next();  // hello
await ask({ start: {} });
await ask({ op: 'byteLength', at: '', args: {} });  // the function is hot: its optimization waits DELAY ms
await ask({ end: true });
const before = performance.now();
const started = await ask({ start: {} });
const took = performance.now() - before;
clearTimeout(watchdog);
driver.kill('SIGKILL');
if (started.started !== true) throw new Error(`start answered ${JSON.stringify(started)}`);
// Half the delay: an instantiate of an empty module takes milliseconds.
if (took > DELAY / 2) {
  console.error(`FAIL: start() answered after ${took.toFixed(0)} ms, waiting for a background optimization held back ${DELAY} ms: the kit does not serve from the event loop`);
  process.exit(1);
}
console.log(`ok: start() answered in ${took.toFixed(1)} ms while an optimization was held back ${DELAY} ms`);
process.exit(0);
