// The running kernel's tracepoint events, from tracefs when it is mounted (never mounted just to look):
// BTF names tracepoint event classes, not events, so this is the only sure answer for `tp/cat/name`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TracefsEvents } from '../features/service-context';
import type { Kernel } from '../kernels/kernel';
import { RUNNING_KERNEL_LABEL } from './load-btf';

/** Where tracefs is mounted; defined here, not in trace.ts, so the service's set-up does not load the tracer. */
export const TRACEFS = '/sys/kernel/tracing';

const EVENT_DIRS = [join(TRACEFS, 'events'), '/sys/kernel/debug/tracing/events'];

/** The running kernel's events, when it is among the targets and tracefs is mounted. */
export function runningKernelEvents(kernels: readonly Kernel[]): TracefsEvents | undefined {
  const kernel = kernels.find((k) => k.label === RUNNING_KERNEL_LABEL)?.label;
  const dir = kernel && EVENT_DIRS.find((d) => existsSync(join(d, 'enable')));
  if (!kernel || !dir) return undefined;
  let all: string[] | undefined;
  return {
    kernel,
    hasEvent: (category, name) => existsSync(join(dir, category, name, 'format')),
    list() {
      if (!all) {
        all = [];
        for (const c of readdirSync(dir, { withFileTypes: true })) {
          if (!c.isDirectory()) continue;
          for (const e of readdirSync(join(dir, c.name), { withFileTypes: true })) if (e.isDirectory()) all.push(`${c.name}/${e.name}`);
        }
      }
      return all;
    },
  };
}
