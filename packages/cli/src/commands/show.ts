import type { DecodedRecord } from '@colophon/core';
import { describeRecord, who } from '../describe.js';
import { formatTime, printJson, shortCid, type Io } from '../output.js';
import { cidArgument, identityNames, openWorkspace, recordArgument } from '../workspace.js';

export async function show(cwd: string, cidText: string, options: { json?: boolean }, io: Io): Promise<void> {
  cidArgument(cidText);
  const ws = await openWorkspace(cwd);
  const found = await recordArgument(ws, cidText);
  if (options.json) return printJson(io, { cid: found.cid, bytes: found.bytes.length, record: found.record });
  const names = await identityNames(ws.keys);
  const r = found.record;
  io.out(`${found.cid}`);
  io.out(`  ${describeRecord(r, names)}`);
  io.out(`  kind:   ${r.kind}`);
  io.out(`  by:     ${who(r.by, names)} (${r.by})`);
  io.out(`  seq:    ${r.seq}${r.prev ? ` after ${shortCid(r.prev)}` : ''}`);
  io.out(`  at:     ${formatTime(r.at)}`);
  if (r.asset) io.out(`  asset:  ${r.asset}`);
  if (r.out) io.out(`  out:    ${r.out}`);
  for (const link of r.links ?? []) io.out(`  link:   ${link}`);
  for (const input of r.in ?? []) io.out(`  in:     ${input}`);
  if (r.rights?.license) io.out(`  license: ${r.rights.license}`);
  io.out(`  size:   ${found.bytes.length} bytes, signed`);
}

export async function log(cwd: string, options: { asset?: string; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const all: DecodedRecord[] = [];
  for await (const record of ws.feeds.records()) {
    if (!options.asset || record.record.asset === options.asset) all.push(record);
  }
  all.sort((a, b) => a.record.at - b.record.at || (a.cid.toString() < b.cid.toString() ? -1 : 1));
  if (options.json) return printJson(io, all.map((r) => ({ cid: r.cid, ...r.record })));
  const names = await identityNames(ws.keys);
  if (all.length === 0) return io.out(options.asset ? `No records for asset ${options.asset}.` : 'No records yet.');
  for (const r of all) io.out(`${formatTime(r.record.at)}  ${shortCid(r.cid)}  ${r.record.kind.padEnd(15)} ${describeRecord(r.record, names)}`);
}
