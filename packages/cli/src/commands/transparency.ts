import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import {
  CheckpointMismatchError,
  base64Encode,
  isDidKey,
  openFeedCheckpoint,
  proveConsistency,
  proveInclusion,
  verifyConsistencyBundle,
  verifyInclusionBundle,
  type ConsistencyBundle,
  type DecodedRecord,
  type FeedCheckpoint,
  type InclusionBundle,
  type SigningIdentity,
  type VerifiedInclusion,
} from '@colophon/core';
import { checkOutputPath, checkpointFeed, listCheckpointFiles, writeFileAtomic } from '@colophon/core/node';
import { who } from '../describe.js';
import { cannotRead, CheckFailedError, UsageError } from '../errors.js';
import { collect, forceOption, jsonOption } from '../options.js';
import { printJson, type Io } from '../output.js';
import { cidArgument, identityNames, openWorkspace, recordArgument, signingIdentity, type Workspace } from '../workspace.js';


/** Adds `checkpoint`, `prove`, `verify-proof` and `consistency` to the program. */
export function registerTransparencyCommands(program: Command, cwd: string, io: Io): void {
  program
    .command('checkpoint')
    .description('sign a checkpoint (Merkle tree head) of your feed, so rewriting it later is detected')
    .option('--as <name>', "identity whose feed to checkpoint (default: this machine's identity for the project)")
    .option('--witness <name>', 'local identity that cosigns the checkpoint (repeatable)', collect)
    .addOption(jsonOption())
    .action((o) => checkpoint(cwd, o, io));
  program
    .command('prove <cid>')
    .description('inclusion proof of one record against the latest checkpoint of its feed')
    .option('--out <file>', 'write the proof to a file for "colophon verify-proof"')
    .addOption(forceOption())
    .addOption(jsonOption())
    .action((cid, o) => prove(cwd, cid, o, io));
  program
    .command('verify-proof <file>')
    .description('check an inclusion proof file on its own (no project needed); exit 1 if it is invalid')
    .option('--witness <did>', 'also require a cosignature by this witness did (repeatable)', collect)
    .addOption(jsonOption())
    .action((file, o) => verifyProof(cwd, file, o, io));
  program
    .command('consistency <old> <new>')
    .description('prove from the local feed that checkpoint file NEW extends OLD; exit 1 if the feed was rewritten')
    .addOption(jsonOption())
    .action((older, newer, o) => consistency(cwd, older, newer, o, io));
}

async function checkpoint(cwd: string, options: { as?: string; witness?: string[]; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const witnesses: { name: string; identity: SigningIdentity }[] = [];
  for (const witnessName of new Set(options.witness ?? [])) {
    const witness = await ws.keys.get(witnessName);
    if (!witness) throw new UsageError(`no identity named "${witnessName}" in ${ws.keys.location} to witness the checkpoint`);
    if (witness.did === identity.did) throw new UsageError(`--witness ${witnessName} is the feed's own signer: a witness must be another identity`);
    witnesses.push({ name: witnessName, identity: witness });
  }
  const records = await feedRecords(ws, identity.did);
  if (records.length === 0) throw new UsageError(`${name} has no records in this project yet: there is nothing to checkpoint`);
  const { checkpoint: signed, path } = await checkpointFeed(ws.dir, {
    genesis: ws.project.id,
    identity,
    records: records.map((r) => r.bytes),
    witnesses: witnesses.map((w) => w.identity),
  });
  if (options.json) {
    return printJson(io, {
      path,
      signer: { name, did: identity.did },
      size: signed.size,
      rootHash: base64Encode(signed.rootHash),
      witnesses: witnesses.map((w) => ({ name: w.name, did: w.identity.did })),
      note: signed.note,
    });
  }
  const cosigned = witnesses.length > 0 ? `, cosigned by ${witnesses.map((w) => w.name).join(', ')}` : '';
  io.out(`Checkpoint of ${name}'s feed at ${signed.size} records${cosigned}: ${shown(cwd, path)}`);
  io.out('');
  io.out(signed.note.trimEnd());
}

async function prove(cwd: string, cidText: string, options: { out?: string; force?: boolean; json?: boolean }, io: Io): Promise<void> {
  const cid = cidArgument(cidText);
  const ws = await openWorkspace(cwd);
  const found = await recordArgument(ws, cidText);
  const did = found.record.by;
  const records = await feedRecords(ws, did);
  const leafIndex = records.findIndex((r) => r.cid.equals(cid));
  const latest = (await listCheckpointFiles(ws.dir, did)).pop();
  const names = await identityNames(ws.keys);
  if (!latest || latest.size <= leafIndex) {
    const name = names.get(did);
    const fix = name ? `run "colophon checkpoint --as ${name}"` : `ask ${did} to run "colophon checkpoint"`;
    const newest = latest ? `; the latest, ${shown(cwd, latest.path)}, covers ${latest.size}` : '';
    throw new UsageError(`no checkpoint of ${who(did, names)}'s feed covers record ${cid} (seq ${leafIndex})${newest}: ${fix} first`);
  }
  let bundle: InclusionBundle;
  try {
    bundle = proveInclusion(await readFile(latest.path, 'utf8'), records.map((r) => r.bytes), leafIndex);
  } catch (error) {
    throw new CheckFailedError(`${shown(cwd, latest.path)}: ${(error as Error).message}`);
  }
  const summary = { cid: cid.toString(), did, leafIndex, treeSize: bundle.treeSize, checkpoint: latest.path };
  if (options.out) {
    const out = await checkOutputPath(resolve(cwd, options.out), { force: options.force === true });
    await writeFileAtomic(out, `${JSON.stringify(bundle, null, 2)}\n`);
    if (options.json) return printJson(io, { out, ...summary });
    io.out(`Proof that ${cid} is record ${leafIndex} of ${who(did, names)}'s feed (checkpoint of ${bundle.treeSize} records) written to ${shown(cwd, out)}`);
    return;
  }
  if (options.json) return printJson(io, bundle);
  io.out(`Record ${cid} is record ${leafIndex} of ${who(did, names)}'s feed (${did}),`);
  io.out(`in the checkpoint of ${bundle.treeSize} records at ${shown(cwd, latest.path)}.`);
  io.out('Audit path, leaf to root:');
  for (const hash of bundle.proof) io.out(`  ${hash}`);
  io.out('Save it with --out FILE (or print it with --json) for "colophon verify-proof".');
}

async function verifyProof(cwd: string, file: string, options: { witness?: string[]; json?: boolean }, io: Io): Promise<void> {
  const witnesses = options.witness ?? [];
  for (const did of witnesses) {
    if (!isDidKey(did)) throw new UsageError(`--witness ${did} is not a did:key (verify-proof takes witness dids, not identity names)`);
  }
  const text = await readText(cwd, file);
  let verified: VerifiedInclusion;
  try {
    verified = verifyInclusionBundle(parseJson(text), { witnesses });
  } catch (error) {
    // Whatever goes wrong with an untrusted proof file means the proof is not valid.
    const reason = (error as Error).message;
    if (options.json) printJson(io, { valid: false, file, reason });
    throw new CheckFailedError(options.json ? '' : `${file}: invalid proof: ${reason}`);
  }
  const { checkpoint: cp, leafIndex, record } = verified;
  if (options.json) {
    return printJson(io, {
      valid: true,
      file,
      cid: record?.cid.toString(),
      leafHash: base64Encode(verified.leafHash),
      leafIndex,
      treeSize: cp.size,
      did: cp.did,
      project: cp.genesis,
      witnesses: cp.witnesses,
    });
  }
  const what = record ? `record ${record.cid}` : `the record with leaf hash ${base64Encode(verified.leafHash)}`;
  io.out(`Valid proof: ${what} is record ${leafIndex} of the feed of ${cp.did} in project ${cp.genesis},`);
  io.out(`in a checkpoint of ${cp.size} records signed by that did${cp.witnesses.length > 0 ? ` and cosigned by ${cp.witnesses.join(', ')}` : ''}.`);
}

async function consistency(cwd: string, oldFile: string, newFile: string, options: { json?: boolean }, io: Io): Promise<void> {
  const oldNote = await readText(cwd, oldFile);
  const newNote = await readText(cwd, newFile);
  const older = openNoteFile(oldFile, oldNote);
  const newer = openNoteFile(newFile, newNote);
  if (older.origin !== newer.origin) {
    throw new UsageError(`${oldFile} and ${newFile} are checkpoints of different feeds (${older.origin} and ${newer.origin})`);
  }
  if (older.size > newer.size) {
    throw new UsageError(`${oldFile} covers ${older.size} records, more than the ${newer.size} of ${newFile}: give the older checkpoint first`);
  }
  const ws = await openWorkspace(cwd);
  if (older.genesis !== ws.project.id.toString()) {
    throw new UsageError(`${oldFile} is a checkpoint of project ${older.genesis}, not of this project (${ws.project.id})`);
  }
  const names = await identityNames(ws.keys);
  const records = await feedRecords(ws, older.did);
  if (records.length === 0) throw new CheckFailedError(`this project holds no feed of ${older.did}, so there is nothing to prove from`);
  let bundle: ConsistencyBundle;
  try {
    bundle = proveConsistency(oldNote, newNote, records.map((r) => r.bytes));
  } catch (error) {
    if (!(error instanceof CheckpointMismatchError)) throw error;
    const reason = `${who(older.did, names)}'s feed does not match ${error.message}`;
    if (options.json) printJson(io, { consistent: false, did: older.did, reason });
    throw new CheckFailedError(options.json ? '' : reason);
  }
  // What we hand out must convince someone who has only the bundle.
  verifyConsistencyBundle(bundle);
  if (options.json) {
    return printJson(io, { consistent: true, did: older.did, project: older.genesis, oldSize: older.size, newSize: newer.size, bundle });
  }
  io.out(`${newFile} (${newer.size} records) extends ${oldFile} (${older.size} records): ${who(older.did, names)}'s feed only grew.`);
  io.out('Consistency proof (verified):');
  for (const hash of bundle.proof) io.out(`  ${hash}`);
}

/** The records of one feed, in seq order. */
async function feedRecords(ws: Workspace, did: string): Promise<DecodedRecord[]> {
  const records: DecodedRecord[] = [];
  for await (const record of ws.feeds.records()) if (record.record.by === did) records.push(record);
  return records;
}

async function readText(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw cannotRead(file, '', error);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
}

function openNoteFile(file: string, note: string): FeedCheckpoint {
  try {
    return openFeedCheckpoint(note);
  } catch (error) {
    throw new CheckFailedError(`${file}: ${(error as Error).message}`);
  }
}

/** A path as the user would type it from where they ran the command. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : rel;
}
