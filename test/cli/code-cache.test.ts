// The built CLI with its compiled code cached (server/src/host/code-cache.ts) in a fresh
// $XDG_CACHE_HOME: written by the first run and then used as it is; a corrupt cache is ignored and
// rewritten; a cache folder that cannot be made costs nothing but the cache.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cliPath, cliSkip } from '../support/cli';

function layout(cacheHome: string): string {
  const r = spawnSync(process.execPath, [cliPath, 'layout', 'task_struct'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^struct task_struct \{/);
  return r.stdout;
}

describe('compiled code cache', { skip: cliSkip }, () => {
  const home = mkdtempSync(join(tmpdir(), 'ebpf-code-cache-'));
  const dir = join(home, 'ebpf-ls');
  after(() => rmSync(home, { recursive: true, force: true }));

  test('the first run writes one cache; the next uses it without rewriting it, and prints the same', () => {
    const first = layout(home);
    const files = readdirSync(dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0], /^ebpf-ls-main\.js-[0-9a-f]{16}-cli\.v8cache$/);
    const written = readFileSync(join(dir, files[0]));
    assert.equal(layout(home), first);
    assert.ok(readFileSync(join(dir, files[0])).equals(written), 'an accepted cache is left as it is');
  });

  test('a corrupt cache is ignored and rewritten', () => {
    const [file] = readdirSync(dir);
    const good = layout(home);
    const bytes = readFileSync(join(dir, file));
    // Flipped bits in V8's data, which V8 itself does not check: it would crash on them.
    for (let i = 1000; i < bytes.length; i += 997) bytes[i] ^= 0x5a;
    writeFileSync(join(dir, file), bytes);
    assert.equal(layout(home), good);
    assert.ok(!readFileSync(join(dir, file)).equals(bytes), 'rewritten');
    writeFileSync(join(dir, file), 'not a cache');
    assert.equal(layout(home), good);
  });

  test('a cache folder that cannot be made (under a regular file) only costs the cache', () => {
    const file = join(home, 'a-file');
    writeFileSync(file, '');
    const out = layout(join(file, 'cache'));
    assert.equal(out, layout(home));
  });
});
