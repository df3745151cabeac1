// Preload (`node --import`) for a process whose wall clock is wrong: `Date` and `Date.now()` read
// DEPLOY_TEST_CLOCK_SKEW seconds off (ahead when positive), or, with DEPLOY_TEST_CLOCK_AT (ms since the epoch), start
// at that instant when the process starts and run on from there, so that several processes read the same second
// whatever the machine's load. Timers and performance.now() are left alone, as on a machine with a wrong clock.
const RealDate = globalThis.Date;
const at = process.env.DEPLOY_TEST_CLOCK_AT;
const offset = at ? Number(at) - RealDate.now() : Number(process.env.DEPLOY_TEST_CLOCK_SKEW ?? 0) * 1000;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}

globalThis.Date = SkewedDate;
