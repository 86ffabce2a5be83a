// The built CLI with its compiled code cached (server/src/host/code-cache.ts) in a fresh
// $XDG_CACHE_HOME: written by the first run and then used as it is; a corrupt cache is ignored and
// rewritten; a cache folder that cannot be made costs nothing but the cache; writing a cache removes
// those of bundles since rebuilt or deleted, and nothing else.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
    assert.match(files[0], /^ebpf-ls-cli\.js-[0-9a-f]{8}-cli\.v8cache$/);
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

describe('stale caches', { skip: cliSkip }, () => {
  const home = mkdtempSync(join(tmpdir(), 'ebpf-code-cache-'));
  const dir = join(home, 'ebpf-ls');
  after(() => rmSync(home, { recursive: true, force: true }));

  /** A copy of the built CLI in its own folder, run once so that it has a cache; returns that cache's name. */
  function installed(name: string): { folder: string; cache: string } {
    const folder = join(home, name);
    mkdirSync(folder);
    for (const f of ['ebpf-ls.js', 'ebpf-ls-cli.js']) copyFileSync(join(dirname(cliPath), f), join(folder, f));
    const before = new Set(readdirSync(dir).filter((f) => f.endsWith('.v8cache')));
    const r = spawnSync(process.execPath, [join(folder, 'ebpf-ls.js'), '--help'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } });
    assert.equal(r.status, 0, r.stderr);
    const added = readdirSync(dir).filter((f) => f.endsWith('.v8cache') && !before.has(f));
    assert.equal(added.length, 1, added.join(', '));
    return { folder, cache: added[0] };
  }

  test('writing a cache removes those whose bundle was deleted or rebuilt, keeps the rest and other files', () => {
    mkdirSync(dir, { recursive: true });
    const kept = installed('kept');
    const deleted = installed('deleted');
    const rebuilt = installed('rebuilt');
    rmSync(deleted.folder, { recursive: true });
    appendFileSync(join(rebuilt.folder, 'ebpf-ls-cli.js'), '\n// rebuilt\n');
    writeFileSync(join(dir, 'ebpf-ls-main.js-0123456789abcdef-cli.v8cache'), 'an older format, with no stamp');
    writeFileSync(join(dir, 'notes.txt'), 'not a cache');

    layout(home); // the built CLI's first run here: writes its cache
    const left = readdirSync(dir).sort();
    assert.equal(left.length, 3, left.join(', '));
    assert.ok(left.includes(kept.cache) && left.includes('notes.txt'), left.join(', '));
    assert.ok(left.some((f) => /^ebpf-ls-cli\.js-[0-9a-f]{8}-cli\.v8cache$/.test(f) && f !== kept.cache), left.join(', '));
  });
});
