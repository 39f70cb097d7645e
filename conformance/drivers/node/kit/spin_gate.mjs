// Whether a wait for the runner's next line spins (reads again and again)
// before it sleeps until the line comes (Lines in index.mjs). Spinning
// catches a line written microseconds later without the wake-up of a
// sleeping process, but it only pays while the runner is running too, as
// for one fuzzer and its driver on two cores: there 90% of spins got their
// line. With more busy processes than cores the runner waits for a core
// while its driver spins, and holds it from the others: with two fuzzing
// processes and their drivers on 2 cores, 3% of spins got their line and
// the runs made 403-425 exec/s spinning against 831-893 not
// (docs/PERFORMANCE.md). So a spin that came back empty, or during which
// the process was preempted (an involuntary context switch: another
// process wanted the core), shuts the gate for a number of waits that
// doubles with each such spin (up to MAX_SHUT); a spin that got its line
// halves that number. The runner does the same on its side
// (conformance/targets/spin_gate.h).
export const MAX_SHUT = 1024;

export class SpinGate {
  #shutFor = 0;  // how many waits a spin that did not pay shuts the gate for
  #shutLeft = 0;

  // Whether this wait may spin: false while the gate is shut.
  open() {
    if (this.#shutLeft === 0) return true;
    --this.#shutLeft;
    return false;
  }

  // After a wait that spun: whether the spin paid (it got its line and
  // nobody preempted it).
  spun(paid) {
    this.#shutFor = paid ? this.#shutFor >>> 1 : Math.min(Math.max(1, this.#shutFor * 2), MAX_SHUT);
    this.#shutLeft = paid ? 0 : this.#shutFor;
  }
}

// This process's involuntary context switches so far.
export const involuntaryContextSwitches = () => process.resourceUsage().involuntaryContextSwitches;
