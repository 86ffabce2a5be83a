// CO-RE relocation kinds (enum bpf_core_relo_kind in the kernel's uapi bpf.h), with libbpf's names
// (core_relo_kind_str) and the three families libbpf treats differently.
export type ReloFamily = 'field' | 'type' | 'enumval';

export interface ReloKind {
  value: number;
  name: string;
  family: ReloFamily;
}

export const RELO_KINDS: readonly ReloKind[] = [
  { value: 0, name: 'byte_off', family: 'field' },
  { value: 1, name: 'byte_sz', family: 'field' },
  { value: 2, name: 'field_exists', family: 'field' },
  { value: 3, name: 'signed', family: 'field' },
  { value: 4, name: 'lshift_u64', family: 'field' },
  { value: 5, name: 'rshift_u64', family: 'field' },
  { value: 6, name: 'local_type_id', family: 'type' },
  { value: 7, name: 'target_type_id', family: 'type' },
  { value: 8, name: 'type_exists', family: 'type' },
  { value: 9, name: 'type_size', family: 'type' },
  { value: 10, name: 'enumval_exists', family: 'enumval' },
  { value: 11, name: 'enumval_value', family: 'enumval' },
  { value: 12, name: 'type_matches', family: 'type' },
];

export enum K {
  FieldByteOffset = 0,
  FieldByteSize = 1,
  FieldExists = 2,
  FieldSigned = 3,
  FieldLshiftU64 = 4,
  FieldRshiftU64 = 5,
  TypeIdLocal = 6,
  TypeIdTarget = 7,
  TypeExists = 8,
  TypeSize = 9,
  EnumvalExists = 10,
  EnumvalValue = 11,
  TypeMatches = 12,
}

/** Kinds whose value only tells whether something exists: an unresolved one is an answer, not a failure. */
export function isExistenceKind(kind: number): boolean {
  return kind === K.FieldExists || kind === K.TypeExists || kind === K.TypeMatches || kind === K.EnumvalExists;
}
