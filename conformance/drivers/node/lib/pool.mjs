import { keepRecent } from '../kit/index.mjs';

// Instances ready for a vector, one per memory size asked for lately (a
// fuzzer's vectors come in a few sizes; four in a fuzz_differential run):
// each is reset to the state it was created in after every vector
// (Instance.reset) and replaced when it cannot be (its memory grew).
//
// Making an instance costs 10-20 times a vector (the package's whole
// bootstrap runs, and its garbage is collected), and a fuzzer's vectors grow
// the memory in about one of four runs. The replacement is the same
// instance with a new wasm instance under its JavaScript (Instance.rehome),
// or, where that is off or fails, a new one; either is made after the
// vector's answer is written, while the runner goes on (a rehome at once,
// a new one from the event loop, as it awaits its compilation), so that it
// is ready when a vector of that size comes.
// Instances are all alike at creation (Release.image), so which one runs a
// vector changes nothing it sees.
export class InstancePool {
  // make(initialPages, maximumPages) -> Promise<Instance>; stats: the
  // driver's --stats counters; rehome: whether an instance whose memory grew
  // is rehomed rather than made again; check(instance): a difference from
  // its pristine state after a rehome, or undefined (--check-reset).
  constructor(make, stats, { sizes = 4, rehome = true, check = () => undefined } = {}) {
    this.make = make;
    this.rehome = rehome;
    this.check = check;
    this.failed = new Map();   // "initial/maximum" -> why the instance was not as created, for take() to throw
    this.stats = stats;
    this.sizes = sizes;
    this.ready = new Map();    // "initial/maximum" -> Instance, least recently used first
    this.making = new Map();   // "initial/maximum" -> Promise<Instance>, made ahead
    this.closed = false;
  }

  // An instance with this memory, taken out of the pool.
  async take(memory) {
    const key = keyOf(memory);
    const ahead = this.making.get(key);
    if (ahead) await ahead.catch(() => {});
    const failed = this.failed.get(key);
    if (failed) {
      this.failed.delete(key);
      throw new Error(failed);
    }
    let instance = this.ready.get(key);
    this.ready.delete(key);
    if (instance?.fits(memory)) return instance;
    const t = performance.now();
    instance = await this.make(memory.initialPages, memory.maximumPages);
    ++this.stats.instances;
    this.stats.ms.instances += performance.now() - t;
    return instance;
  }

  // After a vector: its instance back in the pool if it could be reset, and
  // a replacement made ahead if not.
  give(memory, instance, reusable) {
    const key = keyOf(memory);
    if (!reusable) {
      this.#makeAhead(memory, instance);
      return;
    }
    this.#put(key, instance);
  }

  // The next take() of this memory throws `why` (--check-reset: an
  // instance that is not as it was created); the one after makes a new one.
  fail(memory, why) {
    this.failed.set(keyOf(memory), why);
  }

  // No more vectors: nothing is made ahead any more.
  close() {
    this.closed = true;
  }

  #put(key, instance) {
    keepRecent(this.ready, key, instance, this.sizes);
  }

  #makeAhead(memory, previous) {
    const key = keyOf(memory);
    if (this.making.has(key) || this.closed || this.ready.has(key)) return;
    // A rehome is synchronous: done now, after the response was written.
    if (this.rehome) {
      const t = performance.now();
      if (previous.rehome(memory.initialPages, memory.maximumPages)) {
        ++this.stats.rehomed;
        this.stats.ms.rehomes += performance.now() - t;
        const difference = this.check(previous);
        if (difference) this.fail(memory, `a rehomed instance differs from its pristine state: ${difference}`);
        else this.#put(key, previous);
        return;
      }
      countReplaced(this.stats, `rehome failed: ${previous.unusable}`);
    }
    // A new instance awaits its compilation: made while the driver waits
    // for the runner's next line.
    const made = new Promise((resolve) => setImmediate(resolve)).then(async () => {
      if (this.closed || this.ready.has(key)) return;
      const t = performance.now();
      const instance = await this.make(memory.initialPages, memory.maximumPages);
      ++this.stats.instancesAhead;
      this.stats.ms.instancesAhead += performance.now() - t;
      this.#put(key, instance);
    }).finally(() => this.making.delete(key));
    made.catch(() => {});  // a refused memory: take() makes it again and says why
    this.making.set(key, made);
  }
}

// One more instance replaced for this reason (--stats).
export function countReplaced(stats, why) {
  stats.replaced[why] = (stats.replaced[why] ?? 0) + 1;
}

function keyOf({ initialPages, maximumPages }) {
  return `${initialPages}/${maximumPages}`;
}
