// Whether a wait for a driver's answer spins (reads again and again) before
// it sleeps until the answer comes (DriverProcess::readLine). Spinning
// catches an answer written microseconds later without the wake-up of a
// sleeping process, but it only pays while the driver is running too, as
// for one fuzzer and its driver on two cores: there 90% of spins got their
// line. With more busy processes than cores the driver waits for a core
// while the runner spins, and holds it from the others: with two fuzzing
// processes and their drivers on 2 cores, 3% of spins got their line and
// the runs made 403-425 exec/s spinning against 831-893 not
// (docs/PERFORMANCE.md). So a spin that came back empty, or during which
// the thread was preempted (an involuntary context switch: another process
// wanted the core), shuts the gate for a number of waits that doubles with
// each such spin (up to kMaxShut); a spin that got its line halves that
// number. The driver kit does the same on its side
// (conformance/drivers/node/kit/spin_gate.mjs).
#pragma once

namespace memconform::conformance {

class SpinGate {
 public:
  static constexpr unsigned kMaxShut = 1024;

  // Whether this wait may spin: false while the gate is shut.
  bool open();
  // After a wait that spun: whether the spin paid (it got its data and
  // nobody preempted it).
  void spun(bool paid);

 private:
  unsigned shutFor_ = 0;  // how many waits a spin that did not pay shuts the gate for
  unsigned shutLeft_ = 0;
};

// This thread's involuntary context switches so far (getrusage).
long involuntaryContextSwitches();

}  // namespace memconform::conformance
