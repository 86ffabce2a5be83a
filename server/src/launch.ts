// Entry point of dist/ebpf-ls.js: runs main.ts's bundle (dist/ebpf-ls-main.js) with its compiled code
// cached between runs (host/code-cache.ts), so a CLI command or the language server does not compile
// the whole bundle again on every start.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { requireWithCodeCache } from './host/code-cache';

const server = process.argv.includes('--stdio');
// tree-sitter's WASM stays in V8's baseline tier: tiering its large parse tables up with TurboFan costs
// more CPU at start-up than it ever saves on the incremental re-parses a server does. Set before the
// bundle compiles: V8 rejects code cached under other flags.
if (server) setFlagsFromString('--liftoff-only');
requireWithCodeCache(join(__dirname, 'ebpf-ls-main.js'), server ? 'server' : 'cli');
