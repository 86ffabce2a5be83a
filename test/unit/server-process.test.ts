// How the client and the bench start the language server: its environment and Node's arguments (host/server-process.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { serverEnvironment, serverNodeArguments } from '../../server/src/host/server-process';

test('glibc is asked for huge pages behind malloc, after any tunables the user set', () => {
  assert.deepEqual(serverEnvironment({}), { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  assert.deepEqual(serverEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }), { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' });
});

test("a user's own hugetlb choice stands", () => {
  assert.deepEqual(serverEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }), {});
  assert.deepEqual(serverEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }), {});
});

test('Node starts and runs with the environment (glibc accepts the tunable)', () => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.env.GLIBC_TUNABLES))'], { env: { ...process.env, ...serverEnvironment({}) }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'glibc.malloc.hugetlb=1');
});

test('the server does not read the extra CA bundle a machine names for every process', () => {
  assert.deepEqual(serverEnvironment({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }), { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', NODE_EXTRA_CA_CERTS: '' });
  assert.deepEqual(serverEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }), {});
  // Node warns on stderr when it cannot load the bundle it is told to: started as the client starts the server, it is not told.
  const told = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/bundle.pem' };
  const plain = spawnSync(process.execPath, ['-e', '0'], { env: told, encoding: 'utf8' });
  assert.match(plain.stderr, /extra certs/i, 'this Node reads NODE_EXTRA_CA_CERTS at start');
  const server = spawnSync(process.execPath, ['-e', '0'], { env: { ...told, ...serverEnvironment(told) }, encoding: 'utf8' });
  assert.equal(server.status, 0, server.stderr);
  assert.doesNotMatch(server.stderr, /extra certs/i);
});

test("the server's Node arguments cap V8's young generation, and this Node accepts them", () => {
  // Enough short-lived objects to grow the young generation to whatever size it may reach.
  const churn = "let keep = []; for (let i = 0; i < 400000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }" +
    "process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))";
  const newSpace = (args: readonly string[]) => {
    const r = spawnSync(process.execPath, [...args, '-e', churn], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return Number(r.stdout);
  };
  const capped = newSpace(serverNodeArguments());
  assert.ok(capped > 0 && capped <= 4 * 2 ** 20, `young generation with ${serverNodeArguments().join(' ')}: ${capped} bytes`);
  assert.ok(newSpace([]) > capped, 'without the arguments the young generation grows larger');
});

test("V8's worker threads leave a core to the editor: one on 2 cores, Node's 4 from 5 cores on", () => {
  const pool = (cores: number) => serverNodeArguments(cores).find((a) => a.startsWith('--v8-pool-size='));
  assert.deepEqual([1, 2, 3, 4, 5, 64].map(pool), ['--v8-pool-size=1', '--v8-pool-size=1', '--v8-pool-size=2', '--v8-pool-size=3', '--v8-pool-size=4', '--v8-pool-size=4']);
});
