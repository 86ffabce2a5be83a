// The rejected path as an editor shows it: the steps from the start of the walk to the error, and per
// source line on it what the verifier knew about the registers and stack slots that line touched
// (`R0: map_value_or_null`, `R1: scalar(0..15)`), for inline hints and stepping.
import { VerifierLog } from './model';
import { parseState, valueType } from './state';

/** The steps from the start of `step`'s path to `step`, in the order the verifier walked them. */
export function pathTo(log: VerifierLog, step: number, max = 1_000_000): number[] {
  const out: number[] = [];
  for (let s = step; s >= 0 && out.length < max; s = log.steps.prev[s]) out.push(s);
  return out.reverse();
}

/** The path the verifier rejected (empty when it accepted, or stopped before walking). */
export function rejectedPath(log: VerifierLog): number[] {
  return log.error?.step != null ? pathTo(log, log.error.step) : [];
}

export interface LineHint {
  file: string | null;
  line: number;
  /** The steps of the path at this line, in order. */
  steps: number[];
  /** `R0: map_value_or_null`, `R1: scalar(0..15)`, `fp-8: 0000????`, after the line's last step on the path. */
  hints: string[];
}

/** Per source line on `path`, in path order of first visit: its steps and what its instructions left in the registers they touched. */
export function lineHints(log: VerifierLog, path: readonly number[]): LineHint[] {
  const byLine = new Map<string, LineHint & { state: Map<string, string> }>();
  for (const s of path) {
    const src = log.sources[log.steps.source[s]];
    if (!src || src.line === null) continue;
    const key = `${src.file}:${src.line}`;
    let h = byLine.get(key);
    if (!h) byLine.set(key, (h = { file: src.file, line: src.line, steps: [], hints: [], state: new Map() }));
    h.steps.push(s);
    const printed = log.steps.state[s];
    if (printed) parseState(printed, h.state);
  }
  return [...byLine.values()].map(({ state, ...h }) => ({
    ...h,
    hints: [...state].filter(([k]) => !/(?:^|\.)R10$/.test(k)).map(([k, v]) => `${k}: ${compactValue(v)}`),
  }));
}

/** A printed value, short: `map_value_or_null`, `pkt(r=14)`, `scalar(0..15)`, `fp-4`, `0x1869f`. */
export function compactValue(value: string): string {
  const v = value.replace(/^P/, '');
  if (/^-?(?:0x[0-9a-f]+|\d+)$/i.test(v) || /^fp-?\d+$/.test(v) || /^[0m?]+$/.test(v)) return v;
  const type = valueType(v);
  const args = new Map<string, string>();
  const inner = /\((.*)\)$/.exec(v)?.[1] ?? '';
  for (const part of inner.split(/,(?![^(]*\))/)) {
    const names = part.split('=');
    const val = names.pop()!;
    for (const n of names) args.set(n.trim(), val);
  }
  if (type === 'scalar') {
    const lo = args.get('umin') ?? args.get('smin') ?? (args.has('umax') ? '0' : undefined);
    const hi = args.get('umax') ?? args.get('smax');
    return lo !== undefined || hi !== undefined ? `scalar(${lo ?? '?'}..${hi ?? '?'})` : 'scalar';
  }
  if (type === 'pkt' && args.has('r')) return `pkt(${args.has('off') ? `off=${args.get('off')},` : ''}r=${args.get('r')})`;
  return type;
}
