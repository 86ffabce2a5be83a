// npm run bench: bundles the benchmarks with esbuild (so they measure the same code the extension ships,
// not tsx's per-file transpilation) and runs them. Prints figures; asserts nothing.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache/bench/bench.js');
await build({
  entryPoints: [join(root, 'test/bench/bench.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20',
  format: 'cjs', logLevel: 'warning',
  // As in scripts/build.mjs: web-tree-sitter reads import.meta.url, which a CommonJS bundle must supply.
  define: { 'process.env.EBPF_REPO_ROOT': JSON.stringify(root), 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
const r = spawnSync(process.execPath, ['--expose-gc', out, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
