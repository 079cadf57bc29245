import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { commitText, contentCid, isRecordKind, RECORD_KINDS, RecordError, SIGNER_ROLES, roleBookOf, signerRule, type CID, type Contribution, type Intent, type OpClass, type RecordKind } from '@colophon/core';
import { cannotRead, translateErrors, UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { assetArgument, notTextMessage, refuseAsText, textOf, textVersion, withTextVersion } from '../text-version.js';
import { cidArgument, openWorkspace, signingIdentity } from '../workspace.js';

export interface RecordOptions {
  asset?: string;
  file?: string;
  model?: string;
  tool?: string;
  prompt?: string;
  promptPrivate?: string;
  /** Read the prompt from this file ('-': stdin), so it never passes through shell history or the process list. */
  promptFile?: string;
  promptPrivateFile?: string;
  /** The new text was pasted or imported from a source Colophon did not observe. */
  pasted?: boolean;
  link?: string[];
  input?: string[];
  license?: string;
  as?: string;
  json?: boolean;
}

const MODEL_PATTERN = /^([^/\s]+)\/([^@\s]+)@(\S+)$/;
const TOOL_PATTERN = /^([^@\s]+)@(\S+)$/;

export function parseModel(text: string): { provider: string; name: string; version: string } {
  const match = MODEL_PATTERN.exec(text);
  if (!match) throw new UsageError(`--model "${text}" must look like provider/name@version, e.g. openai/gpt-4o@2024-08-06`);
  return { provider: match[1]!, name: match[2]!, version: match[3]! };
}

function parseCids(values: string[] | undefined, option: string): CID[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.map((value) => cidArgument(value, `${option} value`));
}

/** Kinds whose --file is a new version of the asset's text (delta.text from the previous version). */
const TEXT_VERSION_KINDS: ReadonlySet<RecordKind> = new Set<RecordKind>(['asset.create', 'asset.edit', 'ai.generate', 'ingest']);

/** The class inserted text gets: pasted, the model's, the tool's, outside material, else the signer's. */
function insertedClass(kind: RecordKind, options: RecordOptions): OpClass {
  if (options.pasted) return 'paste';
  if (options.model || kind === 'ai.generate') return 'ai';
  if (options.tool) return 'tool';
  return kind === 'ingest' ? 'paste' : 'human';
}

async function readFileArgument(cwd: string, file: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(file === '-' ? await readStdin() : await readFile(resolve(cwd, file)));
  } catch (error) {
    throw cannotRead(file, option, error);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The prompt from --prompt/--prompt-private or their -file forms (exactly one of the four). */
async function promptArgument(cwd: string, options: RecordOptions): Promise<{ text: string; private: boolean } | undefined> {
  const given = (['prompt', 'promptPrivate', 'promptFile', 'promptPrivateFile'] as const).filter((key) => options[key] !== undefined);
  if (given.length > 1) throw new UsageError('give one of --prompt, --prompt-private, --prompt-file, --prompt-private-file');
  if (options.prompt !== undefined) return { text: options.prompt, private: false };
  if (options.promptPrivate !== undefined) return { text: options.promptPrivate, private: true };
  const file = options.promptFile ?? options.promptPrivateFile;
  if (file === undefined) return undefined;
  const option = options.promptFile !== undefined ? '--prompt-file' : '--prompt-private-file';
  const text = textOf(await readFileArgument(cwd, file, option));
  if (text === undefined) throw new UsageError(`${option} ${file} is not UTF-8 text`);
  return { text: text.replace(/\r?\n$/, ''), private: options.promptPrivateFile !== undefined };
}

export async function record(cwd: string, kind: string, options: RecordOptions, io: Io): Promise<void> {
  if (!isRecordKind(kind)) throw new UsageError(`unknown record kind "${kind}"; kinds are: ${RECORD_KINDS.join(', ')}`);
  if (kind === 'project.genesis') throw new UsageError('a project has exactly one genesis record; use "colophon init"');
  // A hand-made governance record could never replay: these are written by their own verbs.
  const verb = { contract: 'colophon contract add FILE', gate: 'colophon gate --asset ASSET', settle: 'colophon settle --asset ASSET', member: 'colophon member add NAME --role ROLE' }[kind as string];
  if (verb) throw new UsageError(`a ${kind} record is written by "${verb}", which checks it; "record" does not write one`);
  if (options.model && options.tool) throw new UsageError('give --model or --tool, not both');
  if (options.pasted && (options.model || options.tool || kind === 'ai.generate')) throw new UsageError('--pasted text was pasted by the signer: not with --model, --tool or ai.generate');
  const prompt = await promptArgument(cwd, options);
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const allowed = SIGNER_ROLES[kind];
  if (allowed && !(await roleBookOf(ws.feeds, ws.project.owner)).holdsOneOf(identity.did, allowed)) {
    throw new UsageError(`${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} record must be signed by ${signerRule(kind)}, which ${name} is not (the owner grants roles: colophon member add ${name} --role ${allowed[0]})`);
  }
  let contribution: Contribution = { kind };
  const asset = assetArgument(ws, cwd, options.asset, options.file);
  if (asset) contribution.asset = asset;
  const bytes = options.file === undefined ? undefined : await readFileArgument(cwd, options.file, '--file');
  if (bytes) contribution.out = contentCid(bytes);
  // A text file's new version: per-character ops from the previous recorded version.
  const text = bytes && asset && TEXT_VERSION_KINDS.has(kind) ? textOf(bytes) : undefined;
  if (bytes && asset && text === undefined && TEXT_VERSION_KINDS.has(kind) && (await refuseAsText(ws, asset, bytes))) {
    throw new UsageError(`--file ${notTextMessage(options.file!, asset, bytes)}`);
  }
  if (options.model) contribution.agent = { type: 'ai', model: parseModel(options.model) };
  if (options.tool) {
    const match = TOOL_PATTERN.exec(options.tool);
    if (!match) throw new UsageError(`--tool "${options.tool}" must look like name@version, e.g. prettier@3.3.3`);
    contribution.agent = { type: 'tool', name: match[1]!, version: match[2]! };
  }
  let intent: Intent | undefined;
  if (prompt && !prompt.private) intent = { text: prompt.text };
  if (prompt?.private) {
    const { commit, opening } = commitText(prompt.text);
    await ws.blobs.put(opening);
    intent = { commit };
  }
  if (intent) contribution.intent = intent;
  const links = parseCids(options.link, '--link');
  if (links) {
    for (const link of links) if (!(await ws.feeds.get(link))) throw new UsageError(`--link ${link} is not a record of this project`);
    contribution.links = links;
  }
  const inputs = parseCids(options.input, '--in');
  if (inputs) contribution.in = inputs;
  if (options.license) contribution.rights = { license: options.license };
  if (bytes && text !== undefined && asset) {
    const version = await textVersion(ws, identity.did, asset, bytes, text, insertedClass(kind, options), 'diff', contribution.agent, undefined, contribution.links);
    for (const note of version.notes) io.err(`colophon: ${note}`);
    contribution = withTextVersion(contribution, version);
  } else if (options.pasted) throw new UsageError('--pasted needs --file with the text that was pasted into');
  const recorded = contribution;
  const stored = await translateErrors(() => ws.project.record(identity, recorded, { linkSeen: true }), { usage: [RecordError] });
  if (options.json) return printJson(io, { cid: stored.cid, kind, by: { name, did: identity.did }, seq: stored.record.seq });
  io.out(stored.cid.toString());
}
