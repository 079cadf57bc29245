// in-toto Statement v1 about an asset version, in a DSSE envelope signed with the identity. The
// signature is checked independently here with node:crypto (PAE written out by hand, the public
// key taken from the did:key with multiformats), not only with Colophon's own verifier.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  INTOTO_PAYLOAD_TYPE,
  INTOTO_STATEMENT_TYPE,
  LINEAGE_PREDICATE_TYPE,
  LedgerView,
  LineageError,
  MemoryBlobStore,
  MemoryRecordStore,
  PipelineRecorder,
  Project,
  assetAttribution,
  contentCid,
  identityFromSeed,
  lineageOf,
  lineageStatement,
  signStatement,
  traceTarget,
  utf8Encode,
  verifyEnvelope,
  type AiAgent,
  type InTotoStatement,
  type LedgerView as View,
} from '../src/index.js';
import { useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const ASSET = 'file:posts/launch.md';
const FINAL = 'Spring shoes, made for walking.\n';
const director = identityFromSeed(new Uint8Array(32).fill(41));
const writer = identityFromSeed(new Uint8Array(32).fill(42));
const agentKey = identityFromSeed(new Uint8Array(32).fill(43));
const DRAFTER: AiAgent = { type: 'ai', model: { provider: 'local', name: 'drafter', version: '1.0' } };

let view: View;
let project: Project;
let statement: InTotoStatement;

beforeAll(async () => {
  const store = new MemoryRecordStore();
  project = await Project.create('studio', director, store);
  const intent = (await project.record(director, { kind: 'intent', asset: ASSET, intent: { text: 'Launch post' } })).cid;
  const recorder = new PipelineRecorder({ project, signer: agentKey, blobs: new MemoryBlobStore(), run: 'run-7', schedule: () => () => {} });
  recorder.intentServed = intent;
  const draft = await recorder.step({ name: 'draft', agent: DRAFTER, prompt: 'Write it' }, async () => 'Spring shoes are here.');
  recorder.check({ name: 'brand', score: 0.9, threshold: 0.8, of: draft.step });
  await recorder.close();
  await project.record(writer, { kind: 'asset.create', asset: ASSET, out: contentCid(utf8Encode('Spring shoes are here.')), links: [await draft.step.cid()], delta: { text: [[0, 0, 22, 'ai']] } });
  await project.record(writer, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode(FINAL)), delta: { text: [[14, 8, 17, 'human']] } });
  view = await LedgerView.load(store);
  const graph = lineageOf(view, traceTarget(view, { asset: ASSET }));
  statement = lineageStatement({ graph, attribution: assetAttribution(view.ordered, { asset: ASSET }), project: { genesis: project.id, name: 'studio' }, names: new Map([[writer.did, 'wes']]) });
});

/** DSSE v1 pre-authentication encoding, written from the spec. */
function pae(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

/** The raw Ed25519 key inside a did:key (multicodec 0xed 0x01, then 32 bytes). */
function ed25519FromDid(did: string) {
  const bytes = base58btc.decode(did.slice('did:key:'.length));
  expect([bytes[0], bytes[1]]).toEqual([0xed, 0x01]);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') }, format: 'jwk' });
}

describe('in-toto statement', () => {
  it('names the asset version by its sha256 digest and carries the attribution and lineage summary', () => {
    expect(statement._type).toBe(INTOTO_STATEMENT_TYPE);
    expect(statement.subject).toEqual([{ name: 'posts/launch.md', digest: { sha256: createHash('sha256').update(FINAL).digest('hex') } }]);
    expect(statement.predicateType).toBe(LINEAGE_PREDICATE_TYPE);
    expect(LINEAGE_PREDICATE_TYPE).toMatch(/\/v1$/);
    const p = statement.predicate;
    expect(p.asset).toBe(ASSET);
    expect(p.project).toEqual({ genesis: project.id.toString(), name: 'studio' });
    expect(p.version.kind).toBe('asset.edit');
    expect(p.attribution!.kind).toBe('text');
    expect(p.attribution!.humanShare).toBeCloseTo(17 / 31);
    expect(p.attribution!.contributors.find((c) => c.class === 'human')).toMatchObject({ who: writer.did, name: 'wes' });
    expect(p.lineage).toMatchObject({ records: 4, intents: 1, agentSteps: 1, humanEdits: 2, failedSteps: 0, models: ['local/drafter@1.0'], runs: ['run-7'], truncated: false });
    expect(p.lineage.checks).toEqual([expect.objectContaining({ name: 'brand', score: 0.9, pass: true, threshold: 0.8 })]);
    expect(p.lineage.recordIds).toHaveLength(4);
  });

  it('is signed in a DSSE envelope that node:crypto verifies independently', () => {
    const envelope = signStatement(statement, writer);
    expect(envelope.payloadType).toBe(INTOTO_PAYLOAD_TYPE);
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]!.keyid).toBe(writer.did);
    const body = Buffer.from(envelope.payload, 'base64');
    expect(JSON.parse(body.toString('utf8'))).toEqual(statement);
    const ok = verify(null, pae(envelope.payloadType, body), ed25519FromDid(writer.did), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
    expect(ok).toBe(true);
    // Colophon's verifier agrees, and names the signer.
    expect(verifyEnvelope(envelope, writer.did).signers).toEqual([writer.did]);
  });

  it('a changed payload or type no longer verifies', () => {
    const envelope = signStatement(statement, writer);
    const tampered = { ...envelope, payload: Buffer.from(JSON.stringify({ ...statement, subject: [{ name: 'x', digest: { sha256: '00' } }] })).toString('base64') };
    expect(verify(null, pae(tampered.payloadType, Buffer.from(tampered.payload, 'base64')), ed25519FromDid(writer.did), Buffer.from(envelope.signatures[0]!.sig, 'base64'))).toBe(false);
    expect(() => verifyEnvelope(tampered)).toThrow(EnvelopeError);
    expect(() => verifyEnvelope({ ...envelope, payloadType: 'text/plain' })).toThrow(/signatures\[0\] by did:key:.* does not verify/);
    expect(() => verifyEnvelope(envelope, director.did)).toThrow(/not signed by/);
  });

  it('refuses a target that names no content', () => {
    const intent = view.ordered.find((e) => e.record.kind === 'intent')!;
    expect(() => lineageStatement({ graph: lineageOf(view, intent) })).toThrow(LineageError);
    expect(() => lineageStatement({ graph: lineageOf(view, intent) })).toThrow(/names no content \(out\) to attest/);
  });
});
