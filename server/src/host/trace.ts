// Run and trace: the verify loader in --attach mode loads and attaches the object's programs and holds
// them until stopped; trace_pipe is read by a child `cat` (a blocking pipe read in our own process could
// not be interrupted), and both are stopped together, which detaches and unloads everything.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ensureLoader, VerifyOptions } from './verify';
import { runTool, ToolError } from './tools';
import { TRACEFS } from './tracefs-events';

export interface AttachResult {
  name: string;
  section: string;
  attached: boolean;
  errno: number;
}

export interface TraceOptions extends VerifyOptions {
  onProgram?: (p: AttachResult) => void;
  onLine: (line: string) => void;
}

export interface TraceSession {
  stop(): Promise<void>;
  /** Settles when the loader exits (stopped, timed out, or failed to load). */
  done: Promise<{ code: number | null; stderr: string }>;
}

/** Mounts tracefs at /sys/kernel/tracing when it is not there (needs root), else says how. */
export async function ensureTracefs(opts: VerifyOptions = {}): Promise<string> {
  const pipe = `${TRACEFS}/trace_pipe`;
  if (existsSync(pipe)) return pipe;
  const r = await runTool('mount', ['-t', 'tracefs', 'tracefs', TRACEFS], opts).catch(() => undefined);
  if (!r || r.code !== 0 || !existsSync(pipe)) {
    throw new ToolError(`tracefs is not mounted at ${TRACEFS} and could not be mounted: run \`mount -t tracefs tracefs ${TRACEFS}\` as root`);
  }
  return pipe;
}

export async function startTrace(object: string, opts: TraceOptions): Promise<TraceSession> {
  const pipe = await ensureTracefs(opts);
  const loader = await ensureLoader(opts);
  const args = ['--attach', '--timeout', String(opts.timeoutSec ?? 3600), object];
  const [cmd, ...pre] = opts.sudo?.length ? [...opts.sudo, loader] : [loader];
  opts.log?.([cmd, ...pre, ...args].join(' '));
  const proc = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reader: ChildProcess = spawn('cat', [pipe], { stdio: ['ignore', 'pipe', 'ignore'] });
  createInterface({ input: reader.stdout! }).on('line', (l) => opts.onLine(l));
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      opts.onProgram?.(JSON.parse(l) as AttachResult);
    } catch {
      opts.onLine(l);
    }
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    proc.on('close', (code) => {
      reader.kill('SIGTERM');
      resolve({ code, stderr });
    });
    proc.on('error', (e) => {
      reader.kill('SIGTERM');
      resolve({ code: null, stderr: e.message });
    });
  });
  return {
    done,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await done;
    },
  };
}
