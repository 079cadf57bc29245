import { CID } from '@colophon/core';

/** Where a command writes; tests capture it instead of the process streams. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** True when stdout is a terminal (progress bars, colour). */
  isTty: boolean;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTty: Boolean(process.stdout.isTTY),
};

/** DAG-JSON-style plain data: CIDs as {"/": cid}, bytes as {"/": {"bytes": base64}}. */
export function toJsonValue(value: unknown): unknown {
  const cid = CID.asCID(value);
  if (cid) return { '/': cid.toString() };
  if (value instanceof Uint8Array) return { '/': { bytes: Buffer.from(value).toString('base64') } };
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, toJsonValue(v)]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  return value;
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(toJsonValue(value), null, 2));
}

export { shortCid, formatTime, counted } from '@colophon/core/report';
