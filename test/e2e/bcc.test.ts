// BCC to libbpf in a real VS Code (code-server + Chromium), as a person uses it: a BCC tool in a .py shows
// its bcc-* diagnostics in the Problems panel (read from the page); eBPF: Convert to libbpf from the command
// palette (also offered as a code action and in the editor's context menu) opens the converted .bpf.c,
// which eBPF: Build compiles; converting again asks before touching the first conversion and writes beside
// it. Screenshots in test-artifacts/e2e/bcc-*.png.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  devPayload, e2eSkip, editorSuite, notifications, openQuickInput, openWorkbench, prepareWorkspace, quickOpenFile, runPaletteCommand, screenshotPath, waitUntil, withBrowser,
} from './harness';

const skip = e2eSkip();

// A small BCC tool written for this test: a table, a kprobe by BCC's naming, an implicit kernel read.
const TOOL = `#!/usr/bin/python3
# Counts vfs_read() calls per parent process.
from bcc import BPF

bpf_text = """
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

BPF_HASH(reads, u32, u64);

int kprobe__vfs_read(struct pt_regs *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    u32 ppid = task->real_parent->tgid;
    u64 zero = 0, *count;

    count = reads.lookup_or_try_init(&ppid, &zero);
    if (count)
        (*count)++;
    return 0;
}
"""

b = BPF(text=bpf_text)
print("Counting reads... Ctrl-C to end.")
`;

describe('BCC in a real VS Code', { skip }, () => {
  const suite = editorSuite(() => {
    const ws = prepareWorkspace();
    writeFileSync(join(ws, 'readcount.py'), TOOL);
    return ws;
  });

  test('a .py BCC tool: diagnostics in Problems; Convert to libbpf opens a .bpf.c that builds; a second conversion overwrites nothing', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpenFile(page, 'readcount.py');
      // The C is highlighted as C (the injection grammar): its tokens are not coloured as a Python string is.
      const tokenClass = (text: RegExp) => page.locator('.monaco-editor .view-lines span span', { hasText: text }).first().getAttribute('class', { timeout: 30_000 });
      // Read together each time: before tokenizing, every span has the same class.
      await waitUntil('the C coloured as C', async () => (await tokenClass(/^\s*BPF_HASH\s*$/)) !== (await tokenClass(/Counting/)));
      await page.keyboard.press('Control+Shift+M');
      const table = page.locator('.markers-panel .monaco-list-row', { hasText: 'BCC table BPF_HASH(reads)' }).first();
      await table.waitFor({ timeout: 90_000 });
      const rows = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n');
      await page.screenshot({ path: screenshotPath('bcc-1-problems-in-python') });
      assert.match(await table.innerText(), /BPF_MAP_TYPE_HASH/);
      assert.match(rows, /kprobe__vfs_read/, `Problems: ${rows}`);
      assert.match(rows, /BPF_CORE_READ\(task, real_parent, tgid\)/, `Problems: ${rows}`);

      // Offered where the BCC is: the light bulb on a bcc-* diagnostic (line 9, BPF_HASH) and the editor's context menu.
      await quickOpenFile(page, 'readcount.py');
      await openQuickInput(page, 'Control+G');
      await page.keyboard.type('9:3');
      await page.keyboard.press('Enter');
      // The light bulb shows once the code actions are in; its menu lists them.
      await page.locator('.lightBulbWidget').first().click({ timeout: 30_000 });
      await page.getByText('Convert this BCC program to libbpf').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('bcc-1b-code-action') });
      await page.keyboard.press('Escape');
      await page.locator('.monaco-editor .view-lines').first().click({ button: 'right', position: { x: 200, y: 150 } });
      await page.locator('.monaco-menu .action-label', { hasText: 'Convert to libbpf' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');

      await runPaletteCommand(page, 'eBPF: Convert to libbpf');
      const converted = join(ws, 'readcount.bpf.c');
      await page.locator('.tab.active', { hasText: 'readcount.bpf.c' }).first().waitFor({ timeout: 90_000 });
      await page.screenshot({ path: screenshotPath('bcc-2-converted') });
      const text = readFileSync(converted, 'utf8');
      assert.match(text, /SEC\("kprobe\/vfs_read"\)/);
      assert.match(text, /BPF_CORE_READ\(task, real_parent, tgid\)/);
      assert.match(text, /__uint\(type, BPF_MAP_TYPE_HASH\);/);

      await runPaletteCommand(page, 'eBPF: Build');
      await waitUntil('readcount.bpf.o', () => existsSync(join(ws, 'readcount.bpf.o')), 120_000);
      await page.screenshot({ path: screenshotPath('bcc-3-built') });

      // Again: readcount.bpf.c exists, so the editor asks; a free name leaves the first one as it was.
      await quickOpenFile(page, 'readcount.py');
      await runPaletteCommand(page, 'eBPF: Convert to libbpf');
      const other = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Write readcount-2.bpf.c' }).first();
      await other.waitFor({ timeout: 30_000 });
      await page.screenshot({ path: screenshotPath('bcc-4-asks-before-overwriting') });
      await other.click();
      await waitUntil('readcount-2.bpf.c', () => existsSync(join(ws, 'readcount-2.bpf.c')));
      assert.equal(readFileSync(converted, 'utf8'), text, 'the first conversion is untouched');
    });
  });
});

// Workspace Trust on and the folder not trusted: the diagnostics still show, the conversion (it writes a file) refuses.
describe('BCC in an untrusted workspace', { skip }, () => {
  const suite = editorSuite(() => {
    const ws = prepareWorkspace({ vmlinux: false });
    writeFileSync(join(ws, 'readcount.py'), TOOL);
    return ws;
  }, { trust: true });

  test('Convert to libbpf refuses and writes nothing; the diagnostics are there', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpenFile(page, 'readcount.py');
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'BCC table BPF_HASH(reads)' }).first().waitFor({ timeout: 90_000 });
      await quickOpenFile(page, 'readcount.py');
      await runPaletteCommand(page, 'eBPF: Convert to libbpf');
      let text = '';
      await waitUntil('the refusal', async () => /does not run in an untrusted workspace/.test(text = await notifications(page)), 30_000);
      await page.screenshot({ path: screenshotPath('bcc-5-untrusted-refuses') });
      assert.match(text, /Convert to libbpf writes a \.bpf\.c file/);
      assert.ok(!existsSync(join(ws, 'readcount.bpf.c')), 'nothing was written');
    });
  });
});
