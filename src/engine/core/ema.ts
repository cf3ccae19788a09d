// An exponential moving average: the run's recent time per step (run.ts) and the measured
// costs of a step (costs.ts) both keep one.

/** An exponential moving average that starts at its first value. */
export class Ema {
  value: number | null = null;
  constructor(private readonly momentum: number) {}
  add(x: number): number {
    this.value = this.value === null ? x : this.momentum * this.value + (1 - this.momentum) * x;
    return this.value;
  }
  reset(): void {
    this.value = null;
  }
}
