/**
 * BPF_PROG heads against the kernel's prototype in every kernel: more arguments than the target passes,
 * or a struct pointer where the kernel passes another struct (vfs_unlink's first argument became
 * `struct mnt_idmap *` in 6.3): the program would read the wrong argument there.
 */
import { Span } from '../../../csource/model';
import { essentialName } from '../../../relocs/relo-core';
import { matchSection } from '../../../sections/match';
import { argumentList, pointedStruct, programArguments } from '../../program-arguments';
import { Rule } from '../rule';

export const programArgsRule: Rule = {
  name: 'program arguments',
  codes: ['program-args'],
  check(input, report) {
    for (const f of input.file.model.functions) {
      if (!f.section || (f.macro !== 'BPF_PROG' && f.macro !== 'BPF_PROG2')) continue;
      const problems = new Map<string, { at: Span; kernels: string[] }>();
      const note = (at: Span, message: string, kernel: string) => {
        const p = problems.get(message) ?? { at, kernels: [] };
        p.kernels.push(kernel);
        problems.set(message, p);
      };
      const target = matchSection(f.section.name)?.target ?? '';
      for (const k of input.kernels) {
        const args = programArguments(f.section.name, k.btf);
        if (!args) continue;
        if (f.params.length > args.length) note(f.params[args.length].span, `${target} passes ${args.length} argument(s) (${argumentList(args, k.btf)}), fewer than this head reads`, k.label);
        f.params.forEach((p, i) => {
          const want = i < args.length ? pointedStruct(k.btf, args[i].type) : undefined;
          const got = /^(?:struct|union) (\w+)$/.exec(p.type.base)?.[1];
          if (want === undefined || got === undefined || p.type.pointers !== 1 || essentialName(got) === want) return;
          note(p.span, `argument ${i + 1} of ${target} is ${argumentList([args[i]], k.btf)}, not ${p.type.base} *`, k.label);
        });
      }
      for (const [message, p] of problems) report({ code: 'program-args', ...p.at, message: `${message} in ${p.kernels.join(', ')}` });
    }
  },
};
