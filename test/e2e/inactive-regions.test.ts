// Inactive #if branches faded in a real VS Code (code-server + Chromium), as clangd shows them: the lines
// of `#if 0` and of another architecture's branch are drawn with reduced opacity (read from the page's
// computed styles), the active lines and the directives at full opacity.
// Screenshot test-artifacts/e2e/inactive-regions.png.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  devPayload, e2eSkip, editorSuite, openWorkbench, prepareWorkspace, quickOpenFile, screenshotPath, waitUntil, withBrowser,
} from './harness';

const skip = e2eSkip() ?? (process.arch === 'x64' ? undefined : "the arm64 branch is inactive only on x86_64");

const SOURCE = `char LICENSE[] SEC("license") = "GPL";
#if 0
int dead_if_zero;
#endif
#if defined(bpf_target_arm64)
int dead_arm64_branch;
#else
int live_x86_branch;
#endif
`;

/** The lowest opacity of the text on the editor line that shows `marker` (1 when not faded), computed in the page. */
function lineOpacity(page: Page, marker: string): Promise<number | undefined> {
  // A string, evaluated in the page: this project's TypeScript has no DOM types.
  return page.evaluate(`(() => {
    const line = [...document.querySelectorAll('.monaco-editor .view-line')].find((l) => l.textContent.includes(${JSON.stringify(marker)}));
    return line ? Math.min(...[...line.querySelectorAll('span')].map((s) => Number(getComputedStyle(s).opacity))) : undefined;
  })()`);
}

describe('inactive #if branches in a real VS Code', { skip }, () => {
  const suite = editorSuite(() => {
    const ws = prepareWorkspace({ vmlinux: false });
    writeFileSync(join(ws, 'branches.bpf.c'), SOURCE);
    return ws;
  });

  test('#if 0 and the arm64 branch are faded; the x86 branch and the directives are not', async () => {
    const { server, ws } = suite;
    await withBrowser(async (page) => {
      await openWorkbench(page, server, ws, devPayload(server));
      await quickOpenFile(page, 'branches.bpf.c');
      await waitUntil('the #if 0 line faded', async () => ((await lineOpacity(page, 'dead_if_zero')) ?? 1) < 1, 120_000);
      await page.screenshot({ path: screenshotPath('inactive-regions') });
      assert.ok(((await lineOpacity(page, 'dead_arm64_branch')) ?? 1) < 1, 'the arm64 branch is faded');
      assert.equal(await lineOpacity(page, 'live_x86_branch'), 1);
      // The editor draws spaces as no-break spaces: markers have none.
      assert.equal(await lineOpacity(page, 'defined(bpf_target_arm64)'), 1);
      assert.equal(await lineOpacity(page, 'LICENSE'), 1);
    });
  });
});
