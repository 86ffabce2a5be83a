// Kernels named briefly where several stand side by side in a hover (`6.1: 9792 · 6.12: 9792 · 6.18: 3264`):
// the release's major.minor, marked when bundled or running, and the full label where two would read alike.
import { Kernel } from '../kernels/kernel';

const cache = new WeakMap<readonly Kernel[], Map<Kernel, string>>();

/** A short name for each kernel of `kernels`, unique among them. */
export function shortLabels(kernels: readonly Kernel[]): Map<Kernel, string> {
  let out = cache.get(kernels);
  if (out) return out;
  const brief = kernels.map((k) => {
    const base = k.version !== undefined ? `${k.version >> 16}.${(k.version >> 8) & 0xff}` : k.label;
    return k.bundled ? `${base} (bundled)` : k.label === 'running kernel' ? `${base} (running)` : base;
  });
  out = new Map(kernels.map((k, i) => [k, brief.filter((b) => b === brief[i]).length > 1 ? k.label : brief[i]]));
  cache.set(kernels, out);
  return out;
}

/** The kernels in release order (unknown releases last, in their configured order). */
export function byRelease(kernels: readonly Kernel[]): Kernel[] {
  return [...kernels].sort((a, b) => (a.version ?? Infinity) - (b.version ?? Infinity));
}

/** `6.1: 4 · 6.12: 9 · 6.18: 10`: one fact per kernel, in release order, `missing` where it is undefined. */
export function perKernelLine(kernels: readonly Kernel[], fact: (k: Kernel) => string | undefined): string {
  const labels = shortLabels(kernels);
  return byRelease(kernels).map((k) => `${labels.get(k)}: ${fact(k) ?? 'missing'}`).join(' · ');
}
