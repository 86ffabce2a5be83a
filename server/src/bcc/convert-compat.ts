// The kernel-header #defines a converted program uses that vmlinux.h cannot give it (compat.ts), each
// behind #ifndef, with those the macros themselves use, in the table's order. Names the kernel's BTF
// already has (enum constants such as TASK_COMM_LEN on recent kernels) and names the program defines are
// left out.
import { Btf } from '../btf/btf';
import { EnumType } from '../btf/types';
import { Kind } from '../btf/wire';
import { CAST_FUNCTIONS, KERNEL_MACROS, MEMBER_ALIASES, macroName } from './compat';

const enumeratorCache = new WeakMap<Btf, Set<string>>();

/** Every enumerator name of the BTF (what vmlinux.h declares as a constant). */
function enumerators(btf: Btf): Set<string> {
  let set = enumeratorCache.get(btf);
  if (!set) {
    set = new Set();
    for (const kind of [Kind.Enum, Kind.Enum64]) {
      for (const { id } of btf.namesOfKind(kind)) for (const v of (btf.type(id) as EnumType).values) set.add(v.name);
    }
    // Anonymous enums (`enum { TASK_COMM_LEN = 16 }`) have no name to list them by.
    for (let id = 1; id <= btf.ownTypeCount; id++) {
      const k = btf.kind(id);
      if ((k === Kind.Enum || k === Kind.Enum64) && btf.name(id) === '') for (const v of (btf.type(id) as EnumType).values) set.add(v.name);
    }
    enumeratorCache.set(btf, set);
  }
  return set;
}

/** Code without comments and strings, so a word in them is not a use. */
function codeOnly(text: string): string {
  return text.replace(/\/\*[^]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, ' ');
}

export function compatBlock(converted: string, original: string, btf: Btf | undefined, kernelVersion?: number): string {
  const code = codeOnly(converted);
  const words = new Set(code.match(/\b[A-Za-z_]\w*\b/g) ?? []);
  const defined = new Set([...original.matchAll(/^\s*#\s*define\s+(\w+)/gm)].map((m) => m[1]));
  const known = btf ? enumerators(btf) : new Set<string>();
  const wanted = new Set<string>();
  const want = (name: string, body: string) => {
    if (wanted.has(name) || defined.has(name) || known.has(name)) return;
    wanted.add(name);
    for (const w of body.match(/\b[A-Za-z_]\w*\b/g) ?? []) {
      const key = Object.keys(KERNEL_MACROS).find((k) => macroName(k) === w);
      if (key) want(w, KERNEL_MACROS[key]);
    }
  };
  for (const key of Object.keys(KERNEL_MACROS)) if (words.has(macroName(key)) || (key.startsWith('KERNEL_VERSION') && words.has('LINUX_VERSION_CODE'))) want(macroName(key), KERNEL_MACROS[key]);
  const lines: string[] = [];
  for (const key of Object.keys(KERNEL_MACROS)) {
    const name = macroName(key);
    if (wanted.has(name)) lines.push(`#ifndef ${name}\n#define ${key} ${KERNEL_MACROS[key]}\n#endif`.replace(/ \n/, '\n'));
  }
  for (const [alias, path] of Object.entries(MEMBER_ALIASES)) {
    if (words.has(alias) && new RegExp(`(->|\\.)\\s*${alias}\\b`).test(code) && !defined.has(alias)) lines.push(`#define ${alias} ${path}`);
  }
  for (const [fn, type] of Object.entries(CAST_FUNCTIONS)) {
    if (new RegExp(`\\b${fn}\\s*\\(`).test(code) && !defined.has(fn)) lines.push(`#define ${fn}(sk) ((${type} *)(sk))`);
  }
  if (/\bTP_DATA_LOC_READ\w*\s*\(/.test(code)) lines.push(TP_DATA_LOC);
  if (words.has('LINUX_VERSION_CODE') && !defined.has('LINUX_VERSION_CODE')) {
    lines.push(`/* the kernel this was converted on (BCC used the running kernel's); see the TODO at each test */\n#define LINUX_VERSION_CODE ${kernelVersion ?? 'KERNEL_VERSION(5, 15, 0)'}`);
  }
  if (lines.length === 0) return '';
  return `/* Kernel-header definitions vmlinux.h does not carry (BTF keeps types and enums, not #defines) */\n${lines.join('\n')}`;
}

/** BCC's TP_DATA_LOC_READ macros over the BTF context struct, where `__data_loc` fields are named __data_loc_<field>. */
const TP_DATA_LOC = `#define TP_DATA_LOC_READ_CONST(dst, field, length) \\
	do { \\
		unsigned short __offset = args->__data_loc_##field & 0xFFFF; \\
		bpf_probe_read_kernel((void *)dst, length, (char *)args + __offset); \\
	} while (0)
#define TP_DATA_LOC_READ(dst, field) \\
	do { \\
		unsigned short __offset = args->__data_loc_##field & 0xFFFF; \\
		unsigned short __length = args->__data_loc_##field >> 16; \\
		bpf_probe_read_kernel((void *)dst, __length, (char *)args + __offset); \\
	} while (0)
#define TP_DATA_LOC_READ_STR(dst, field, length) \\
	do { \\
		unsigned short __offset = args->__data_loc_##field & 0xFFFF; \\
		bpf_probe_read_kernel_str((void *)dst, length, (char *)args + __offset); \\
	} while (0)`;
