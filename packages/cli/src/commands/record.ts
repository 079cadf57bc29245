import { commitText, isRecordKind, RECORD_KINDS, RecordError, ROLE_REQUIRED, RoleBook, type CID, type Contribution, type Intent } from '@colophon/core';
import { resolve } from 'node:path';
import { contentCidOfFile } from '@colophon/core/node';
import { translateErrors, UsageError } from '../errors.js';
import { printJson, type Io } from '../output.js';
import { cidArgument, openWorkspace, signingIdentity } from '../workspace.js';

export interface RecordOptions {
  asset?: string;
  file?: string;
  model?: string;
  tool?: string;
  prompt?: string;
  promptPrivate?: string;
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

export async function record(cwd: string, kind: string, options: RecordOptions, io: Io): Promise<void> {
  if (!isRecordKind(kind)) throw new UsageError(`unknown record kind "${kind}"; kinds are: ${RECORD_KINDS.join(', ')}`);
  if (kind === 'project.genesis') throw new UsageError('a project has exactly one genesis record; use "colophon init"');
  if (options.prompt !== undefined && options.promptPrivate !== undefined) throw new UsageError('give --prompt or --prompt-private, not both');
  if (options.model && options.tool) throw new UsageError('give --model or --tool, not both');
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const role = ROLE_REQUIRED[kind];
  if (role) {
    const roles = new RoleBook(ws.project.owner);
    for await (const r of ws.feeds.records()) roles.apply(r.record);
    if (!roles.holds(identity.did, role)) throw new UsageError(`a ${kind} record needs the ${role} role, which ${name} does not hold (the owner grants it: colophon member add ${name} --role ${role})`);
  }
  const contribution: Contribution = { kind };
  if (options.asset) contribution.asset = options.asset;
  if (options.file) {
    try {
      contribution.out = await contentCidOfFile(resolve(cwd, options.file));
    } catch {
      throw new UsageError(`cannot read --file ${options.file}`);
    }
  }
  if (options.model) contribution.agent = { type: 'ai', model: parseModel(options.model) };
  if (options.tool) {
    const match = TOOL_PATTERN.exec(options.tool);
    if (!match) throw new UsageError(`--tool "${options.tool}" must look like name@version, e.g. prettier@3.3.3`);
    contribution.agent = { type: 'tool', name: match[1]!, version: match[2]! };
  }
  let intent: Intent | undefined;
  if (options.prompt !== undefined) intent = { text: options.prompt };
  if (options.promptPrivate !== undefined) {
    const { commit, opening } = commitText(options.promptPrivate);
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
  const stored = await translateErrors(() => ws.project.record(identity, contribution), { usage: [RecordError] });
  if (options.json) return printJson(io, { cid: stored.cid, kind, by: { name, did: identity.did }, seq: stored.record.seq });
  io.out(stored.cid.toString());
}
