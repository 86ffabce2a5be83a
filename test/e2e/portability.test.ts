// Fleet portability in a real VS Code (code-server + Chromium), read from the page: with
// ebpf.kernel.targetDirs naming a folder of four real Debian kernels (6.1 and 6.12, generic and cloud, their
// BTF taken out of the packages scripts/fetch-test-kernels caches), eBPF: Build puts a relocation that
// fails on 6.1 only in Problems naming its group, and eBPF: Show CO-RE Portability opens full width with
// the kernels in two groups, the differing relocations first and a guarded fallback shown as guarded; a
// save that does not compile then puts clang's error in Problems and the status bar, and no notification.
// Screenshot: test-artifacts/e2e/portability-groups.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli';
import { cacheDir } from '../support/kernels';
import {
  devPayload, e2eSkip, editorSuite, notifications, openWorkbench, prepareWorkspace, quickOpenFile, runPaletteCommand, screenshotPath, waitUntil, withBrowser,
} from './harness';

const kernelDir = join(cacheDir, 'kernels');
const WANTED = ['6.1.0-56-amd64', '6.1.0-56-cloud-amd64', '6.12.117+deb12-amd64', '6.12.117+deb12-cloud-amd64'];
const debs = existsSync(kernelDir) ? readdirSync(kernelDir).filter((f) => WANTED.some((w) => f.startsWith(`linux-image-${w}-unsigned_`))) : [];
const skip = e2eSkip() ?? (debs.length === WANTED.length ? undefined : `the Debian kernel packages ${WANTED.join(', ')} are not all in .cache/kernels: run scripts/fetch-test-kernels`);

// task_struct.state is read only where bpf_core_field_exists says it exists (nowhere here); real_parent
// moved between 6.1 and 6.12; inet_sock.inet_flags does not exist in 6.1 and is read unguarded.
const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___o {
	long state;
} __attribute__((preserve_access_index));

SEC("tracepoint/sched/sched_switch")
int on_switch(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct inet_sock *is = (void *)t;
	long state, parent, flags;

	if (bpf_core_field_exists(((struct task_struct___o *)t)->state))
		state = BPF_CORE_READ((struct task_struct___o *)t, state);
	else
		state = BPF_CORE_READ(t, __state);
	parent = BPF_CORE_READ(t, real_parent, tgid);
	flags = BPF_CORE_READ(is, inet_flags);
	bpf_printk("%ld %ld %ld", state, parent, flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

describe('fleet portability in a real VS Code', { skip }, () => {
  const suite = editorSuite(() => {
    const ws = prepareWorkspace();
    const kernels = join(ws, 'kernels');
    mkdirSync(kernels);
    for (const deb of debs) {
      const release = deb.replace(/^linux-image-(.*)-unsigned_.*$/, '$1');
      const r = runCli(['btf', 'extract', join(kernelDir, deb), '-o', join(kernels, `${release}.btf`)]);
      assert.equal(r.status, 0, r.stderr);
    }
    writeFileSync(join(ws, 'fleet.bpf.c'), SOURCE);
    return ws;
  }, { settings: { 'ebpf.kernel.targetDirs': ['kernels'] } }); // a relative folder: from the workspace folder

  test('Build, then Show CO-RE Portability: kernels in groups, the differing relocations first, the guarded fallback guarded', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpenFile(page, 'fleet.bpf.c');
      await runPaletteCommand(page, 'eBPF: Build');
      await waitUntil('fleet.bpf.o', () => existsSync(join(ws, 'fleet.bpf.o')), 120_000);

      // The unguarded read that fails on 6.1 only: a problem at its line naming that group.
      await page.keyboard.press('Control+Shift+M');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'inet_flags' }).first();
      await problem.waitFor({ timeout: 120_000 });
      const problemText = await problem.innerText();
      assert.match(problemText, /finds no match in group 1 \(6\.1\.0-56-amd64, 6\.1\.0-56-cloud-amd64\) of 2 groups of ebpf\.kernel\.targetDirs/, problemText);
      assert.doesNotMatch((await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).join('\n'), /task_struct___o\.state/, 'the guarded fallback is no problem');
      await page.keyboard.press('Control+Shift+M');

      await quickOpenFile(page, 'fleet.bpf.c');
      await runPaletteCommand(page, 'eBPF: Show CO-RE Portability');
      await page.locator('.tab.active', { hasText: 'CO-RE: fleet.bpf.o' }).first().waitFor({ timeout: 120_000 });
      const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
      await view.locator('th.group').first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: screenshotPath('portability-groups') });

      const heads = (await view.locator('th.group').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.deepEqual(heads, [
        'group 1 · 2 kernels 6.1.0-56-amd64, 6.1.0-56-cloud-amd64 1 failing',
        'group 2 · 2 kernels 6.12.117+deb12-amd64, 6.12.117+deb12-cloud-amd64 all resolve',
      ]);
      const rows = (await view.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      const at = (text: string) => rows.findIndex((r) => r.includes(text));
      assert.ok(at('differ between groups') === 0 && at('struct task_struct.real_parent') < at('the same in every group'), rows.join('\n'));
      assert.match(rows[at('struct inet_sock.inet_flags')], /byte_off missing \d+ /, 'missing in 6.1, an offset in 6.12');
      const guarded = view.locator('tr', { hasText: 'struct task_struct___o.state' }).locator('td.guarded');
      assert.deepEqual(await guarded.allInnerTexts(), ['missing, guarded: not reached', 'missing, guarded: not reached']);
      assert.equal(await view.locator('tr', { hasText: 'struct task_struct___o.state' }).locator('td.poisoned').count(), 0, 'not red');

      // Full width: the view fills the editor area (no split beside the source).
      const editorWidth = (await page.locator('.part.editor').boundingBox())!.width;
      const viewWidth = (await page.locator('iframe.webview').last().boundingBox())!.width;
      assert.ok(viewWidth > editorWidth * 0.9, `the view is ${viewWidth}px wide in an editor area of ${editorWidth}px`);

      // A save builds in the background: a compile error goes to Problems and the status bar, with no notification.
      await quickOpenFile(page, 'fleet.bpf.c');
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nint broken(void) { return not_declared_anywhere; }\n');
      await page.keyboard.press('Control+S');
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'not_declared_anywhere' }).first().waitFor({ timeout: 120_000 });
      assert.match(await page.locator('.statusbar').innerText(), /build of fleet\.bpf\.c failed: 1 error\(s\), see Problems/);
      assert.doesNotMatch(await notifications(page), /build of fleet\.bpf\.c failed/, 'a save raises no notification');
    });
  });
});
