// Running the built CLI (dist/ebpf-ls.js, made by scripts/setup or `npm run build`) as a user would.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './kernels';

export const cliPath = join(repoRoot, 'dist/ebpf-ls.js');
export const cliSkip: string | undefined = existsSync(cliPath) ? undefined : 'dist/ebpf-ls.js is not built: run `npm run build`';

export function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 30, cwd: opts.cwd ?? repoRoot, timeout: opts.timeoutMs ?? 120_000,
  });
}

/** The first line where two long texts differ, for assertion messages that stay readable. */
export function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  ours:    ${JSON.stringify(la[i])}\n  theirs:  ${JSON.stringify(lb[i])}`;
  }
  return 'texts differ only in line endings';
}
