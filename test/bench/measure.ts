// Small timing helpers shared by the benchmarks.
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function stats(samples: number[]): { median: number; p99: number; min: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: percentile(s, 50), p99: percentile(s, 99), min: s[0], max: s[s.length - 1] };
}

export function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(3) : ms.toFixed(1);
}

/** A line "label: value (target)" with a verdict, so a reader sees at once what met its target. */
export function report(label: string, value: number, unit: string, target?: number): void {
  const v = unit === 'MB' ? value.toFixed(1) : fmt(value);
  const verdict = target === undefined ? '' : value <= target ? `  (target <= ${target} ${unit}: met)` : `  (target <= ${target} ${unit}: MISSED)`;
  process.stdout.write(`  ${label.padEnd(60)} ${v.padStart(9)} ${unit}${verdict}\n`);
}
