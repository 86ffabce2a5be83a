// Reading a compiled BPF object from disk.
import { BpfObject, readBpfObject } from '../relocs/object';
import { Result } from '../result';
import { readInput } from './read-input';

export function loadBpfObject(path: string): Result<BpfObject> {
  const bytes = readInput(path, 'BPF object');
  return bytes.ok ? readBpfObject(bytes.value, path) : bytes;
}
