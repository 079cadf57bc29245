/**
 * Every error Colophon raises about bad data names where the problem is: a field path inside a
 * record or value (`agent.model.name`, `links[2]`), and a byte offset when bytes were being read.
 */
export class ColophonError extends Error {
  constructor(message: string, readonly path: string = '', readonly offset?: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bytes or values that are not strict DAG-CBOR. */
export class EncodingError extends ColophonError {}

/** A record that breaks the v1 record rules (missing field, wrong type, unknown kind, bad signature). */
export class RecordError extends ColophonError {}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
