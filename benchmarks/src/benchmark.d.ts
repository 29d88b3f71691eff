// The part of benchmark.js 2.1.4 (no published types) that bench-adapter.ts uses.
declare module 'benchmark' {
  namespace Benchmark {
    interface Deferred {
      resolve(): void;
      readonly benchmark: Benchmark;
    }
    interface Stats {
      /** Relative margin of error, percent. */
      rme: number;
      /** Mean seconds per operation. */
      mean: number;
      sample: number[];
      deviation: number;
    }
    interface Options {
      defer?: boolean;
      async?: boolean;
      maxTime?: number;
      minTime?: number;
      minSamples?: number;
      initCount?: number;
      delay?: number;
      fn?: ((deferred: Deferred) => void) | (() => void);
    }
    interface Support {
      decompilation: boolean;
    }
  }
  class Benchmark {
    constructor(name: string, options: Benchmark.Options);
    static support: Benchmark.Support;
    readonly name: string;
    /** Operations per second. */
    readonly hz: number;
    readonly stats: Benchmark.Stats;
    readonly error?: Error;
    readonly aborted: boolean;
    on(type: 'complete' | 'error' | 'cycle' | 'abort', listener: (event: { target: Benchmark }) => void): this;
    run(options?: { async?: boolean }): this;
    abort(): this;
  }
  export = Benchmark;
}
