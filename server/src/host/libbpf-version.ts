// The libbpf a program will be built against: bpf/libbpf_version.h on the include path.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_INCLUDE_DIRS } from './source-files';

/** "1.1" for Debian 12's libbpf-dev; undefined when no libbpf headers are found. */
export function readLibbpfVersion(includeDirs: string[]): string | undefined {
  for (const dir of [...includeDirs, ...DEFAULT_INCLUDE_DIRS]) {
    const p = join(dir, 'bpf', 'libbpf_version.h');
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8');
    const major = /LIBBPF_MAJOR_VERSION\s+(\d+)/.exec(text);
    const minor = /LIBBPF_MINOR_VERSION\s+(\d+)/.exec(text);
    if (major && minor) return `${major[1]}.${minor[1]}`;
  }
  return undefined;
}
