// Small checks and orders on plain values that many modules share (one copy, not one per module).

/** A non-negative safe integer: a position, length or count. */
export function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Code-unit order of two strings, for sort(): stable across platforms, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
