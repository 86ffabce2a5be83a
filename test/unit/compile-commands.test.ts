// The build's -D/-U flags: parsed from argument arrays and shell-quoted commands (csource/build-flags),
// and read from a compile_commands.json that the extension's own generator wrote (host/compile-commands),
// which clang builds from, so clang and the preprocessor see the same flags.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { macroFlags, splitCommandLine } from '../../server/src/csource/build-flags';
import { CompileCommands, writeCompileCommands } from '../../server/src/host/compile-commands';
import { haveTool } from '../support/kernels';

describe('macroFlags', () => {
  test('-DX, -D X, -DX=1, -DX=, -UX, -U X, in order; other flags and malformed names are skipped', () => {
    assert.deepEqual(macroFlags(['clang', '-DA', '-D', 'B=2', '-DC=', '-UD', '-U', 'E', '-I', '-Dinc', '-O2', '-D1bad', '-DF="a b"']), [
      { name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '' }, { name: 'D' }, { name: 'E' }, { name: 'inc', value: '1' }, { name: 'F', value: '"a b"' },
    ]);
  });

  test('a -D at the end with no name is nothing', () => {
    assert.deepEqual(macroFlags(['-D']), []);
  });
});

describe('splitCommandLine', () => {
  test('white space, single and double quotes, backslashes', () => {
    assert.deepEqual(splitCommandLine(`clang  -DA=1 '-DB=x y' -DC="\\"s\\"" -DD=a\\ b -DE='it'"'"'s' -c f.c`), [
      'clang', '-DA=1', '-DB=x y', '-DC="s"', '-DD=a b', "-DE=it's", '-c', 'f.c',
    ]);
  });

  test('an empty quoted argument is an argument', () => {
    assert.deepEqual(splitCommandLine(`a '' "" b`), ['a', '', '', 'b']);
  });
});

describe('compile_commands.json written by the extension and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-ccdb-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'build'));
  const source = join(dir, 'src', 'feature.bpf.c');
  // Compiles only with the flags the entry must carry.
  writeFileSync(source, '#if !defined(FEATURE_X) || LEVEL != 2\n#error flags missing\n#endif\nint x;\n');
  const log = (m: string) => assert.fail(m);

  test('the entry of a file in build/compile_commands.json above it has its -D flags, and clang builds with them', { skip: haveTool('clang-19') ? undefined : 'clang-19 is not installed' }, () => {
    writeCompileCommands(join(dir, 'build', 'compile_commands.json'), [source], 'clang-19', { extraFlags: ['-DFEATURE_X', '-DLEVEL=2'], root: dir });
    const args = new CompileCommands(log).argumentsFor(source);
    assert.equal(args[0], 'clang-19');
    assert.deepEqual(macroFlags(args), [{ name: '__TARGET_ARCH_x86', value: '1' }, { name: 'FEATURE_X', value: '1' }, { name: 'LEVEL', value: '2' }]);
    // The arguments as written are a working build: clang agrees about the flags.
    execFileSync(args[0], args.slice(1), { cwd: dir });
  });

  test('a file the database does not list has no arguments; a rewritten database is read again', () => {
    const db = new CompileCommands(log);
    const out = join(dir, 'compile_commands.json');
    assert.deepEqual(db.argumentsFor(join(dir, 'src', 'other.bpf.c')), []);
    writeCompileCommands(out, [source], 'clang-19', { extraFlags: ['-DONE'] });
    assert.ok(macroFlags(db.argumentsFor(source)).some((f) => f.name === 'ONE'));
    writeCompileCommands(out, [source], 'clang-19', { extraFlags: ['-DTWO'] });
    utimesSync(out, new Date(), new Date(Date.now() + 60_000));
    const flags = macroFlags(db.argumentsFor(source)).map((f) => f.name);
    assert.ok(flags.includes('TWO') && !flags.includes('ONE'), flags.join(' '));
  });
});
