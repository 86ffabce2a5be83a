// Register and stack-slot state as the verifier prints it: `R0=map_value_or_null(id=1,map=m,ks=4,vs=64)
// R1_w=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0 fp-8=0000????`, with
// `frameN:` prefixes for a callee's registers. Values may hold spaces inside parentheses.
import { VerifierLog } from './model';

/** Place (`R0`, `fp-8`, or `frame1.R1` in a callee) -> value (`map_value_or_null(id=1,...)`). */
export type RegisterState = Map<string, string>;

/** Parses one printed state; later entries win. */
export function parseState(text: string, into: RegisterState = new Map()): RegisterState {
  let frame = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && text[j] !== '=' && text[j] !== ' ' && text[j] !== ':') j++;
    if (text[j] === ':') {
      // `frame1:` switches the frame of the entries after it.
      frame = text.slice(i, j) === 'frame0' ? '' : `${text.slice(i, j)}.`;
      i = j + 1;
      continue;
    }
    if (text[j] !== '=') {
      i = j;
      continue;
    }
    const name = text.slice(i, j).replace(/_[rwDPs]+$/, '');
    let k = j + 1;
    let depth = 0;
    for (; k < n; k++) {
      const c = text[k];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ' ' && depth <= 0) break;
    }
    into.set(frame + name, text.slice(j + 1, k));
    i = k;
  }
  return into;
}

/**
 * What the verifier knew after `step`: the nearest full state on its path, with the registers and slots
 * each later step printed applied on top (nearest wins). Null when no state was kept.
 */
export function stateAfter(log: VerifierLog, step: number, maxWalk = 10_000): RegisterState | null {
  const { prev, state } = log.steps;
  if (state.length === 0 || step < 0 || step >= log.steps.count) return null;
  const parts: string[] = [];
  for (let s = step, walked = 0; s >= 0 && walked < maxWalk; s = prev[s], walked++) {
    if (state[s]) parts.push(state[s]);
    const full = log.fullStates.get(s);
    if (full !== undefined) {
      parts.push(full);
      break;
    }
  }
  const out: RegisterState = new Map();
  for (let i = parts.length - 1; i >= 0; i--) parseState(parts[i], out);
  return out;
}

/** A register's verifier type (`map_value_or_null`, `scalar`, `pkt`, `fp`...) from its printed value. */
export function valueType(value: string): string {
  const m = /^P?([a-z_]+?)(?:\(|\d|-|$)/.exec(value);
  if (m) return m[1];
  return /^-?(?:0x)?[0-9a-f]+$/i.test(value) ? 'scalar' : value;
}
