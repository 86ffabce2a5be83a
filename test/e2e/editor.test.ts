// The extension inside a real VS Code (code-server 4.139.1 = VS Code 1.139.1), as a person uses it:
// page-driven tests in Chromium that read what the page shows (hover, suggestions, Problems, the verifier
// log view) with screenshots, the packaged .vsix in a clean profile, and an untrusted workspace. The
// extension-host suite (mocha inside VS Code, test/e2e/ext-suite) runs once, through @vscode/test-electron's
// runTests: test/vscode/test-electron.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { serverNodeArguments } from '../../server/src/host/server-process';
import { repoRoot } from '../support/kernels';
import {
  devPayload, e2eSkip, editorSuite, notifications, openQuickInput, openWorkbench, prepareWorkspace, quickOpenFile, runPaletteCommand, screenshotPath, waitUntil, withBrowser,
} from './harness';

const skip = e2eSkip();

/** The command lines of the language servers running from a bundle under `folder` (an installed .vsix's dist/ebpf-ls.js). */
function serverCommandLines(folder: string): string[][] {
  const out: string[][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (args.includes('--stdio') && args.some((a) => a.startsWith(folder) && a.endsWith('ebpf-ls.js'))) out.push(args);
  }
  return out;
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
  await quickOpenFile(page, 'completion.bpf.c');
  // Line 6 is `\treturn BPF_CORE_READ(t, );`: the cursor goes after `t, `.
  await openQuickInput(page, 'Control+G');
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

/** The command palette's rows for what was typed. */
async function paletteRows(page: Page, typed: string): Promise<string[]> {
  await page.keyboard.press('Escape');
  await openQuickInput(page, 'F1');
  await page.keyboard.type(typed);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

describe('in a real VS Code', { skip }, () => {
  const suite = editorSuite(() => prepareWorkspace());

  test('as a person: hover, completion, Problems, Build, skeleton, the verifier log view, a section-target completion, the kernel picker', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpenFile(page, 'sched.bpf.c');
      // The palette names each command once under its category: "eBPF: Build", not "eBPF: eBPF: Build".
      const titles = await paletteRows(page, 'eBPF: ');
      assert.ok(titles.some((t) => /^eBPF: Build\b/.test(t)), `palette: ${titles.join(' | ')}`);
      assert.ok(!titles.some((t) => /eBPF: eBPF/.test(t)), `palette: ${titles.join(' | ')}`);
      await page.keyboard.press('Escape');
      const hover = await hoverText(page, 'task_struct', /size: \d+, cachelines/);
      await page.screenshot({ path: screenshotPath('1-hover-task_struct') });
      assert.match(hover, /struct task_struct \{/);
      assert.match(hover, /size: \d+, cachelines: \d+, members: \d+/);
      // The summary leads, above the layout (issue 13).
      assert.match(hover.split('\n')[0], /^struct task_struct: size \d+ · align \d+ · \d+ cachelines · \d+ members/);

      const labels = await coreReadSuggestions(page);
      await page.screenshot({ path: screenshotPath('2-completion-core-read') });
      assert.ok(labels.some((l) => l.includes('real_parent')), `suggestions: ${labels.join(' | ')}`);
      await page.keyboard.press('Escape');

      // The misspelled SEC: a squiggle and a Problems entry.
      await quickOpenFile(page, 'broken.bpf.c');
      await waitUntil('an error squiggle', async () => (await page.locator('.monaco-editor .squiggly-error').count()) > 0);
      await page.keyboard.press('Control+Shift+M');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'tracepoints/syscalls/sys_enter_openat' }).first();
      await problem.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('3-problems-misspelled-sec') });
      assert.match(await problem.innerText(), /did you mean "tracepoint\/syscalls\/sys_enter_openat"/);

      // Build, Generate skeleton and Load and verify from the command palette.
      await quickOpenFile(page, 'xdp_count.bpf.c');
      await runPaletteCommand(page, 'eBPF: Build');
      await waitUntil('xdp_count.bpf.o', () => existsSync(join(ws, 'xdp_count.bpf.o')));
      await runPaletteCommand(page, 'eBPF: Generate Skeleton');
      await waitUntil('xdp_count.skel.h', () => existsSync(join(ws, 'xdp_count.skel.h')));
      await page.screenshot({ path: screenshotPath('4-build-and-skeleton') });
      await runPaletteCommand(page, 'eBPF: Load and Verify');
      const tab = page.locator('.tab', { hasText: 'Verifier: xdp_count.bpf.o' }).first();
      await tab.waitFor({ timeout: 60_000 });
      const frame = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
      const verdict = frame.locator('p.ok').first();
      await verdict.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('5-verifier-log-view') });
      assert.match(await verdict.innerText(), /Accepted: \d+ instructions processed/);

      // A window reload brings the view back, with its log. Reloaded as a person does, from the palette: the
      // workbench then saves its state before the page goes (a bare page reload may cut that short).
      const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 120_000 });
      await page.keyboard.press('Escape');
      await openQuickInput(page, 'F1');
      await page.keyboard.type('Developer: Reload Window');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /Developer: Reload Window(?! With)/ }).first().click({ timeout: 20_000 });
      await reloaded;
      await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
      await page.locator('.tab', { hasText: 'Verifier: xdp_count.bpf.o' }).first().click({ timeout: 60_000 });
      const restored = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame').locator('p.ok').first();
      await restored.waitFor({ timeout: 60_000 });
      await page.screenshot({ path: screenshotPath('5b-verifier-log-view-after-reload') });
      assert.match(await restored.innerText(), /Accepted: \d+ instructions processed/);

      // The CO-RE portability view of an object with a relocation that finds no match.
      await quickOpenFile(page, 'portability.bpf.c');
      await runPaletteCommand(page, 'eBPF: Show CO-RE Portability');
      await page.locator('.tab', { hasText: 'CO-RE: portability.bpf.o' }).first().waitFor({ timeout: 60_000 });
      // The view's own frame: it opens in the active column, and the verifier log view stays open beside it.
      let portability: import('playwright-core').Frame | undefined;
      await waitUntil('the portability view', async () => {
        for (const f of page.frames()) if (await f.locator('td.poisoned').count().catch(() => 0)) portability = f;
        return portability !== undefined;
      }, 30_000);
      const cell = portability!.locator('td.poisoned').first();
      await page.screenshot({ path: screenshotPath('6-core-portability-view') });
      assert.equal(await cell.innerText(), 'missing');

      // One workbench for the rest too (each costs a start-up): a section-target completion applies
      // cleanly, then the kernel picker (last: it changes the described kernel).
      writeFileSync(join(ws, 'sec.bpf.c'), '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\n\nint handle(void *ctx)\n{\n\treturn 0;\n}\n');
      await quickOpenFile(page, 'sec.bpf.c');
      // Typed as a person types it (the editor closes the parenthesis and the quote), then the target accepted.
      await openQuickInput(page, 'Control+G');
      await page.keyboard.type('4');
      await page.keyboard.press('Enter');
      await page.keyboard.type('SEC("tracepoint/syscalls/sys_enter_op', { delay: 20 });
      const row = page.locator('.suggest-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: /^(syscalls\/)?sys_enter_openat$/ }) }).first();
      for (let i = 0; i < 20 && !(await row.isVisible().catch(() => false)); i++) {
        await page.keyboard.press('Control+Space');
        await page.waitForTimeout(1000);
      }
      await page.screenshot({ path: screenshotPath('8-sec-target-completion') });
      await row.click();
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+S');
      await waitUntil('sec.bpf.c saved', () => readFileSync(join(ws, 'sec.bpf.c'), 'utf8').split('\n')[3] !== '');
      assert.equal(readFileSync(join(ws, 'sec.bpf.c'), 'utf8').split('\n')[3], 'SEC("tracepoint/syscalls/sys_enter_openat")');

      // The status bar names the described kernel's release; a click picks kernels and writes the settings.
      const status = page.locator('.statusbar-item[id$="ebpf.kernel"]').first();
      await waitUntil('the kernel in the status bar', async () => (await status.innerText().catch(() => '')).includes(release()));
      assert.doesNotMatch(await status.innerText(), /running kernel/);
      await status.click();
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Bundled kernel' }).first().click({ timeout: 20_000 });
      await page.locator('.quick-input-widget', { hasText: 'Target Kernels' }).first().waitFor({ timeout: 20_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Running kernel' }).first().click();
      await page.screenshot({ path: screenshotPath('9-kernel-picker-targets') });
      await page.keyboard.press('Enter');
      const settingsFile = join(ws, '.vscode/settings.json');
      await waitUntil('the kernel settings', () => existsSync(settingsFile) && readFileSync(settingsFile, 'utf8').includes('ebpf.kernel.targets'));
      const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      assert.match(String(settings['ebpf.kernel.btf']), /6\.12\.117\+deb12-amd64\.btf$/);
      assert.deepEqual(settings['ebpf.kernel.targets'], ['/sys/kernel/btf/vmlinux']);
      await waitUntil('the new kernel in the status bar', async () => /6\.12\.117\+deb12-amd64 · 1 target/.test(await status.innerText().catch(() => '')));
      await page.screenshot({ path: screenshotPath('10-kernel-picker-status') });

      // With a target kernel, hovers give each kernel's figure: a struct's size, an enumerator's value
      // (SKB_DROP_REASON_TCP_CSUM is 9 in 6.12 and 10 in 6.18), the running kernel marked.
      // Each name ends its line: the editor draws plain text after it (` *last;`) in the same span.
      writeFileSync(join(ws, 'enum.bpf.c'), '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nint drop_reason =\n\tSKB_DROP_REASON_TCP_CSUM\n\t;\nstruct task_struct\n\t*last;\n');
      await quickOpenFile(page, 'enum.bpf.c');
      const enumerator = await hoverText(page, 'SKB_DROP_REASON_TCP_CSUM', /Value per kernel/);
      await page.screenshot({ path: screenshotPath('11-enumerator-per-kernel') });
      assert.match(enumerator.split('\n')[0], /^SKB_DROP_REASON_TCP_CSUM = 9$/, enumerator);
      assert.match(enumerator, /Value per kernel: 6\.12: 9 · 6\.18 \(running\): 10/);
      const [summary, sizes] = (await hoverText(page, 'task_struct', /Size per kernel/)).split('\n');
      assert.match(summary, /^struct task_struct: size 9792 · align 64 · \d+ cachelines · \d+ members/);
      assert.match(sizes, /^Size per kernel: 6\.12: 9792 · 6\.18 \(running\): \d+$/);
    });
  });

  test('the verifier explorer steps through a rejected program\'s path: register state per step, the causal chain highlighted', async () => {
    const { server, ws } = suite;
    writeFileSync(join(ws, 'null_deref.bpf.c'), readFileSync(join(repoRoot, 'test/e2e/ext-suite/fixtures/null_deref.bpf.c')));
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await runPaletteCommand(page, 'View: Close All Editors');
      await quickOpenFile(page, 'null_deref.bpf.c');
      await runPaletteCommand(page, 'eBPF: Load and Verify');
      await page.locator('.tab', { hasText: 'Verifier: null_deref.bpf.o' }).first().waitFor({ timeout: 90_000 });
      // The explorer's own frame (other webviews may be open beside it).
      let view: import('playwright-core').Frame | undefined;
      await waitUntil('the explorer\'s path', async () => {
        for (const f of page.frames()) if (await f.locator('.path .step').count().catch(() => 0)) view = f;
        return view !== undefined;
      });
      const frame = view!;
      await frame.locator('h3').first().click();
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      await page.keyboard.press('ArrowDown');
      const selected = frame.locator('.step.sel');
      await selected.waitFor({ timeout: 10_000 });
      assert.equal(await frame.locator('.step').nth(1).getAttribute('class').then((c) => /\bsel\b/.test(c ?? '')), true, 'j, j, k, down: the second step');
      const state = await frame.locator('.prog:not([hidden]) .statebox').innerText();
      assert.match(state, /^R\d+=/m, `the state panel: ${state}`);
      assert.ok((await frame.locator('.group.chain').count()) >= 2, 'the lookup and the dereference are on the causal chain');
      assert.match(await frame.locator('.group.chain').last().innerText(), /return v->slot\[1\]/);
      assert.match(await frame.locator('.step.chain.error').first().innerText(), /r0 = \*\(u64 \*\)\(r0 \+8\)/);
      assert.match(await frame.locator('.eline.informative').first().innerText(), /invalid mem access 'map_value_or_null'/);
      await page.screenshot({ path: screenshotPath('verifier-explorer') });
    });
  });
});

const vsix = join(repoRoot, 'dist/ebpf-vscode.vsix');
before(() => {
  if (!skip) execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: 'ignore' });
});

// One editor for both (each costs a start-up and an install): the .vsix in a fresh profile, opened on an
// untrusted workspace, where the language features work and the commands that run tools refuse.
describe('the packaged .vsix in a clean profile, in an untrusted workspace', { skip }, () => {
  const suite = editorSuite(() => prepareWorkspace(), { trust: true, vsix });

  test('installs, activates on a .bpf.c file and its language server answers', async () => {
    const { server, ws } = suite;
    assert.ok(existsSync(join(server.state, 'exts')), 'installed into the fresh profile');
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws);
      await quickOpenFile(page, 'sched.bpf.c');
      const hover = await hoverText(page, 'task_struct', /size: \d+/);
      await page.screenshot({ path: screenshotPath('6-vsix-hover') });
      assert.match(hover, /size: \d+, cachelines/);
      // The client starts the server with the Node arguments the bench measures (host/server-process.ts).
      const [serverArgs, ...more] = serverCommandLines(join(server.state, 'exts'));
      assert.ok(serverArgs && more.length === 0, `one language server from the installed .vsix: ${JSON.stringify([serverArgs, ...more])}`);
      for (const a of serverNodeArguments()) assert.ok(serverArgs.includes(a), `${a} in ${serverArgs.join(' ')}`);
    });
  });

  test('Build and Load and verify refuse; hover and completion still work', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws);
      await quickOpenFile(page, 'sched.bpf.c');
      const hover = await hoverText(page, 'task_struct', /size: \d+/);
      assert.match(hover, /size: \d+, cachelines/);
      const labels = await coreReadSuggestions(page);
      assert.ok(labels.some((l) => l.includes('real_parent')), `suggestions: ${labels.join(' | ')}`);
      await page.keyboard.press('Escape');
      for (const title of ['eBPF: Build', 'eBPF: Load and Verify']) {
        await runPaletteCommand(page, title);
        const word = title.replace('eBPF: ', '');
        let text = '';
        const want = new RegExp(`${word} runs tools named in workspace settings, so it does not run in an untrusted workspace`, 'i');
        for (let i = 0; i < 20 && !want.test(text); i++) text = await notifications(page);
        assert.match(text, want);
      }
      await page.screenshot({ path: screenshotPath('7-untrusted-refuses') });
      assert.ok(!existsSync(join(ws, 'sched.bpf.o')), 'nothing was built');
    });
  });
});
