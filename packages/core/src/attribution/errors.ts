import type { CID } from 'multiformats/cid';
import { ColophonError } from '../errors.js';

/**
 * A record whose attribution data cannot be replayed: an unknown class, an op outside the text,
 * a malformed node delta. Names the record and the field path, so the author of the bad record
 * (usually a capture plugin) can find it.
 */
export class AttributionError extends ColophonError {
  constructor(
    message: string,
    readonly record?: CID,
    path = '',
  ) {
    super(record ? `record ${record}${path ? ` ${path}` : ''}: ${message}` : message, path);
  }
}
