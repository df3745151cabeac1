// Preload (`node --import`) that runs a process on a clock DEPLOY_TEST_CLOCK_SKEW seconds off (ahead when positive):
// `Date` and `Date.now()` shift; timers and performance.now() do not, as with a real machine's wrong wall clock.
const offset = Number(process.env.DEPLOY_TEST_CLOCK_SKEW ?? 0) * 1000;
const RealDate = globalThis.Date;

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
