// The extension inside a real VS Code (code-server 4.139.1 = VS Code 1.139.1), as a person uses it:
// extension-host tests (mocha inside VS Code), page-driven tests in Chromium that read what the page
// shows (hover, suggestions, Problems, the verifier log view) with screenshots, the packaged .vsix in a
// clean profile, and an untrusted workspace.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { repoRoot } from '../support/kernels';
import { e2eSkip, EditorServer, leftovers, screenshotPath, startEditor, withBrowser } from './harness';

const skip = e2eSkip();

/** examples/ copied to a temporary workspace, with vmlinux.h generated and a file for completion. */
function prepareWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'ebpf-e2e-ws-'));
  cpSync(join(repoRoot, 'examples'), ws, { recursive: true });
  execFileSync(process.execPath, [join(repoRoot, 'dist/ebpf-ls.js'), 'vmlinux-h', '--out', join(ws, 'vmlinux.h')]);
  writeFileSync(join(ws, 'completion.bpf.c'), '#include "vmlinux.h"\n#include <bpf/bpf_core_read.h>\n\nint probe(struct task_struct *t)\n{\n\treturn BPF_CORE_READ(t, );\n}\n');
  return ws;
}

/** The page's payload that loads the extension from this repository (dist/), as F5 in VS Code does. */
function devPayload(server: EditorServer, tests?: string): string {
  const authority = new URL(server.url).host;
  const remote = (p: string) => `vscode-remote://${authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(repoRoot)], ...(tests ? [['extensionTestsPath', remote(tests)]] : [])];
  return `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function openWorkbench(page: Page, server: EditorServer, ws: string, query = ''): Promise<void> {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(ws)}${query}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
}

async function quickOpen(page: Page, file: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(file);
  // Wait for the filtered row itself: Enter on a stale list would open the previous file again.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: file }).first().waitFor({ timeout: 20_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
}

/** Hovers a word in the editor until the hover widget's text matches (the server may still be starting). */
async function hoverText(page: Page, word: string, want: RegExp, tries = 40): Promise<string> {
  // Tokens carry their surrounding spaces in some spans (` task_struct `).
  const target = page.locator('.monaco-editor .view-lines span span', { hasText: new RegExp(`^\\s*${word}\\s*$`) }).first();
  await target.waitFor({ timeout: 30_000 });
  let text = '';
  for (let i = 0; i < tries && !want.test(text); i++) {
    await page.mouse.move(5, 5);
    await page.waitForTimeout(250);
    await target.hover();
    try {
      await page.waitForSelector('.monaco-hover:not(.hidden) .monaco-hover-content', { state: 'visible', timeout: 3000 });
      await page.waitForTimeout(300);
      text = await page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first().innerText();
    } catch {
      text = '';
    }
  }
  return text;
}

/** Types after `BPF_CORE_READ(t, ` in completion.bpf.c, as a person would, and reads the suggestion list. */
async function coreReadSuggestions(page: Page): Promise<string[]> {
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await quickOpen(page, 'completion.bpf.c');
  // Line 6 is `\treturn BPF_CORE_READ(t, );`: the cursor goes after `t, `.
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('6');
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('real_p');
  await page.keyboard.press('Control+Space');
  const suggest = page.locator('.suggest-widget .monaco-list-row');
  await suggest.first().waitFor({ timeout: 30_000 });
  return suggest.allInnerTexts();
}

/** Notification texts, read from the notification center (toasts come and go). */
async function notifications(page: Page): Promise<string> {
  await page.keyboard.press('Escape');
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible().catch(() => false))) await page.locator('.statusbar-item[id="status.notifications"]').first().click().catch(() => undefined);
  await page.waitForTimeout(500);
  return (await center.innerText().catch(() => '')) + (await page.locator('.notification-toast').allInnerTexts()).join('\n');
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 20_000 });
  await row.click();
}

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('in a real VS Code', { skip }, () => {
  let server: EditorServer;
  let ws: string;
  before(async () => {
    ws = prepareWorkspace();
    server = await startEditor();
  });
  after(async () => {
    const state = server?.state;
    await server?.stop();
    if (state) assert.deepEqual(leftovers(state), [], 'no editor process is left running');
    rmSync(ws, { recursive: true, force: true });
  });

  test('extension-host tests (mocha inside VS Code) pass', async () => {
    const lines: string[] = [];
    const code = await withBrowser(async (page) => {
      page.on('console', async (m) => {
        const args = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => '?')));
        if (typeof args[0] === 'string' && /^%c\s*(INFO|WARN|ERR)/.test(args[0])) lines.push(format(...args.slice(2)));
      });
      const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (c: number) => resolve(c)));
      await openWorkbench(page, server, ws, devPayload(server, join(repoRoot, 'test/e2e/ext-suite/index')));
      let timer: NodeJS.Timeout | undefined;
      const c = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => r(-1), 240_000)))]);
      clearTimeout(timer);
      await page.screenshot({ path: screenshotPath('0-extension-host-tests') });
      return c;
    });
    const report = lines.filter((l) => /passing|failing|✔|✓|\d+\)|mocha done|HOVER_OK|COMPLETION_OK|Error/.test(l)).join('\n');
    assert.equal(code, 0, `extension-host tests failed:\n${report}`);
    assert.ok(lines.some((l) => /HOVER_OK \d+/.test(l)), report);
    assert.ok(lines.some((l) => /COMPLETION_OK \d+/.test(l)), report);
  });

  test('as a person: hover, completion, Problems, Build, skeleton and the verifier log view', async () => {
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpen(page, 'sched.bpf.c');
      const hover = await hoverText(page, 'task_struct', /size: \d+, cachelines/);
      await page.screenshot({ path: screenshotPath('1-hover-task_struct') });
      assert.match(hover, /struct task_struct \{/);
      assert.match(hover, /size: \d+, cachelines: \d+, members: \d+/);

      const labels = await coreReadSuggestions(page);
      await page.screenshot({ path: screenshotPath('2-completion-core-read') });
      assert.ok(labels.some((l) => l.includes('real_parent')), `suggestions: ${labels.join(' | ')}`);
      await page.keyboard.press('Escape');

      // The misspelled SEC: a squiggle and a Problems entry.
      await quickOpen(page, 'broken.bpf.c');
      await waitFor('an error squiggle', async () => (await page.locator('.monaco-editor .squiggly-error').count()) > 0);
      await page.keyboard.press('Control+Shift+M');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'tracepoints/syscalls/sys_enter_openat' }).first();
      await problem.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('3-problems-misspelled-sec') });
      assert.match(await problem.innerText(), /did you mean "tracepoint\/syscalls\/sys_enter_openat"/);

      // Build, Generate skeleton and Load and verify from the command palette.
      await quickOpen(page, 'xdp_count.bpf.c');
      await runCommand(page, 'eBPF: Build');
      await waitFor('xdp_count.bpf.o', () => existsSync(join(ws, 'xdp_count.bpf.o')));
      await runCommand(page, 'eBPF: Generate Skeleton');
      await waitFor('xdp_count.skel.h', () => existsSync(join(ws, 'xdp_count.skel.h')));
      await page.screenshot({ path: screenshotPath('4-build-and-skeleton') });
      await runCommand(page, 'eBPF: Load and Verify');
      const tab = page.locator('.tab', { hasText: 'Verifier: xdp_count.bpf.o' }).first();
      await tab.waitFor({ timeout: 60_000 });
      const frame = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
      const verdict = frame.locator('p.ok').first();
      await verdict.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('5-verifier-log-view') });
      assert.match(await verdict.innerText(), /Accepted: \d+ instructions processed/);

      // The CO-RE portability view of an object with a relocation that finds no match.
      await quickOpen(page, 'portability.bpf.c');
      await runCommand(page, 'eBPF: Show CO-RE Portability');
      await page.locator('.tab', { hasText: 'CO-RE: portability.bpf.o' }).first().waitFor({ timeout: 60_000 });
      const cell = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame').locator('td.poisoned').first();
      await cell.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('6-core-portability-view') });
      assert.equal(await cell.innerText(), 'missing');
    });
  });
});

const vsix = join(repoRoot, 'dist/ebpf-vscode.vsix');
before(() => {
  if (!skip) execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'ignore' });
});

describe('the packaged .vsix in a clean profile', { skip }, () => {
  test('installs, activates on a .bpf.c file and its language server answers', async () => {
    const ws = prepareWorkspace();
    const server = await startEditor({ vsix });
    try {
      assert.ok(existsSync(join(server.state, 'exts')), 'installed into the fresh profile');
      await withBrowser(async (page) => {
        await openWorkbench(page, server, ws);
        await quickOpen(page, 'sched.bpf.c');
        const hover = await hoverText(page, 'task_struct', /size: \d+/);
        await page.screenshot({ path: screenshotPath('6-vsix-hover') });
        assert.match(hover, /size: \d+, cachelines/);
      });
    } finally {
      const state = server.state;
      await server.stop();
      assert.deepEqual(leftovers(state), []);
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('an untrusted workspace', { skip }, () => {
  test('Build and Load and verify refuse; hover and completion still work', async () => {
    const ws = prepareWorkspace();
    const server = await startEditor({ trust: true, vsix });
    try {
      await withBrowser(async (page) => {
        await openWorkbench(page, server, ws);
        await quickOpen(page, 'sched.bpf.c');
        const hover = await hoverText(page, 'task_struct', /size: \d+/);
        assert.match(hover, /size: \d+, cachelines/);
        const labels = await coreReadSuggestions(page);
        assert.ok(labels.some((l) => l.includes('real_parent')), `suggestions: ${labels.join(' | ')}`);
        await page.keyboard.press('Escape');
        for (const title of ['eBPF: Build', 'eBPF: Load and Verify']) {
          await runCommand(page, title);
          const word = title.replace('eBPF: ', '');
          let text = '';
          const want = new RegExp(`${word} runs tools named in workspace settings, so it does not run in an untrusted workspace`, 'i');
          for (let i = 0; i < 20 && !want.test(text); i++) text = await notifications(page);
          assert.match(text, want);
        }
        await page.screenshot({ path: screenshotPath('7-untrusted-refuses') });
        assert.ok(!existsSync(join(ws, 'sched.bpf.o')), 'nothing was built');
      });
    } finally {
      const state = server.state;
      await server.stop();
      assert.deepEqual(leftovers(state), []);
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
