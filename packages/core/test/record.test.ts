import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile, rm, stat, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 as mfSha256 } from 'multiformats/hashes/sha2';
import {
  RECORD_KINDS,
  RECORD_SIGNATURE_DOMAIN,
  MAX_RECORD_BYTES,
  PROJECT_EXT,
  RecordError,
  BlobIntegrityError,
  FeedOrderError,
  MemoryBlobStore,
  MemoryRecordStore,
  Project,
  commitText,
  openCommitment,
  contentCid,
  cryptoBackend,
  useCryptoBackend,
  decodeRecord,
  encode,
  encodeRecordFields,
  identityFromSeed,
  recordIssues,
  assertValidRecord,
  signRecord,
  signatureMessage,
  verifyRecordSignature,
  type BlobStore,
  type RecordFields,
  type RecordKind,
  type SigningIdentity,
} from '../src/index.js';
import { FileBlobStore, nodeCryptoBackend, UnsafePathError } from '../src/node/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const seedOf = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 0xff);
const utf8 = (text: string) => new TextEncoder().encode(text);

const owner = identityFromSeed(seedOf(1));
const alice = identityFromSeed(seedOf(2));
const AT = 1_735_689_600_123; // above 2^32: must be written as an 8-byte integer, never a float

const genesis = signRecord({ kind: 'project.genesis', by: owner.did, seq: 0, at: AT, ext: { [PROJECT_EXT]: { name: 'Novel' } } }, owner);
const out = contentCid(utf8('chapter 3, draft 2'));
const input = contentCid(utf8('chapter 3, draft 1'));

/** Valid fields for every kind, as `signer`'s second record in the project (seq 1). */
function fieldsFor(kind: RecordKind, signer: SigningIdentity = alice): RecordFields {
  if (kind === 'project.genesis') return { kind, by: signer.did, seq: 0, at: AT, ext: { [PROJECT_EXT]: { name: 'A project' } } };
  const base: RecordFields = { kind, proj: genesis.cid, by: signer.did, seq: 1, prev: genesis.cid, at: AT };
  switch (kind) {
    case 'member':
      return { ...base, delta: { op: 'grant', role: 'editor', subject: alice.did } };
    case 'asset.create':
    case 'asset.edit':
      return { ...base, asset: 'file:chapters/03.md', in: [input], out, delta: { text: [[0, 3, 12, 'human'], [40, 0, 7, 'ai']] } };
    case 'ai.generate':
      return {
        ...base,
        agent: { type: 'ai', model: { provider: 'example', name: 'writer', version: '2025-01' }, params: { temperature: 0.7, seed: 42 } },
        in: [input],
        out,
        intent: { text: 'Make it shorter.' },
      };
    case 'intent':
      return { ...base, intent: { commit: commitText('a private prompt', new Uint8Array(32)).commit } };
    case 'agent.step':
      return { ...base, agent: { type: 'tool', name: 'prettier', version: '3.3.3' }, in: [input], out };
    case 'review':
    case 'approve':
    case 'reject':
      return { ...base, links: [genesis.cid, input] };
    default:
      return { ...base, asset: 'figma:12:34', rights: { license: 'CC-BY-4.0', tdm: { 'c2pa.ai_training': 'notAllowed' } }, ext: { 'org.example.score': 0.93 } };
  }
}

/** Ed25519 verification straight through node:crypto, independent of Colophon's backends. */
function nodeVerifies(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return nodeVerify(null, message, key, signature);
}

describe('signing and verifying every record kind', () => {
  for (const kind of RECORD_KINDS) {
    it(`${kind}: signs, encodes as @ipld/dag-cbor would, and verifies`, async () => {
      const signed = signRecord(fieldsFor(kind), alice);
      const { record, bytes, cid } = signed;
      expect(record.v).toBe(1);
      expect(record.kind).toBe(kind);
      expect(record.sig).toBeInstanceOf(Uint8Array);
      expect(record.sig.length).toBe(64);
      expect(verifyRecordSignature(record)).toBe(true);

      // The bytes are exactly @ipld/dag-cbor's encoding of the same record value.
      expect(hex(bytes)).toBe(hex(dagCbor.encode(record)));
      expect(hex(encodeRecordFields(record))).toBe(hex(bytes));
      // The id is CIDv1(dag-cbor, sha2-256(bytes)), computed independently with multiformats.
      const expectedCid = CID.createV1(dagCbor.code, await mfSha256.digest(dagCbor.encode(record)));
      expect(cid.toString()).toBe(expectedCid.toString());
      expect(cid.code).toBe(0x71);
      expect(cid.version).toBe(1);

      // The signature covers "colophon/record/v1\n" + the encoding without sig.
      const { sig, ...unsigned } = record;
      const message = new Uint8Array([...utf8('colophon/record/v1\n'), ...dagCbor.encode(unsigned)]);
      expect(RECORD_SIGNATURE_DOMAIN).toBe('colophon/record/v1\n');
      expect(hex(signatureMessage(encodeRecordFields(unsigned)))).toBe(hex(message));
      expect(nodeVerifies(alice.publicKey, message, sig)).toBe(true);
      expect(nodeVerifies(alice.publicKey, dagCbor.encode(unsigned), sig)).toBe(false);

      // Decoding the bytes gives back the same record, id and a valid signature.
      const decoded = decodeRecord(bytes);
      expect(decoded.record).toEqual(record);
      expect(decoded.cid.equals(cid)).toBe(true);
      expect(verifyRecordSignature(decoded.record)).toBe(true);
    });
  }

  it('writes the claimed time as an 8-byte integer, and reads it back as a Number', () => {
    const { bytes } = signRecord(fieldsFor('check'), alice);
    expect(hex(bytes)).toContain(`626174${'1b' + AT.toString(16).padStart(16, '0')}`);
    expect(decodeRecord(bytes).record.at).toBe(AT);
  });

  it('encodes CIDs from another copy of multiformats (CID.asCID-compatible) the same way', () => {
    // Apps often end up with two multiformats copies; their CIDs are accepted by the validator,
    // so they must be written as tag 42 links like local ones, not as maps.
    const foreign = (cid: CID) => ({ version: cid.version, code: cid.code, multihash: cid.multihash, bytes: cid.bytes, '/': cid.bytes });
    const local = fieldsFor('asset.edit');
    const mixed = {
      ...local,
      proj: foreign(local.proj!),
      prev: foreign(local.prev!),
      out: foreign(local.out!),
      in: local.in!.map(foreign),
      links: [foreign(genesis.cid)],
    } as unknown as RecordFields;
    const signed = signRecord(mixed, alice);
    expect(hex(signed.bytes)).toBe(hex(signRecord({ ...local, links: [genesis.cid] }, alice).bytes));
    expect(decodeRecord(signed.bytes).record.proj?.equals(genesis.cid)).toBe(true);
  });

  it('refuses to sign for someone else', () => {
    expect(() => signRecord(fieldsFor('check', alice), owner)).toThrow(RecordError);
    expect(() => signRecord(fieldsFor('check', alice), owner)).toThrow(`record "by" is ${alice.did} but the signing identity is ${owner.did}`);
  });

  it('a changed field or a signature by another key fails verification', () => {
    const { record } = signRecord(fieldsFor('asset.edit'), alice);
    expect(verifyRecordSignature({ ...record, asset: 'file:other.md' })).toBe(false);
    expect(verifyRecordSignature({ ...record, at: record.at + 1 })).toBe(false);
    expect(verifyRecordSignature({ ...record, by: owner.did })).toBe(false);
    const forged = signRecord({ ...fieldsFor('asset.edit', owner) }, owner);
    expect(verifyRecordSignature({ ...record, sig: forged.record.sig })).toBe(false);
  });
});

describe('validator errors name the precise path', () => {
  const signedFields = (fields: Record<string, unknown>) => ({ v: 1, ...fields, sig: new Uint8Array(64) });
  const base = () => fieldsFor('asset.edit') as unknown as Record<string, unknown>;
  const cases: [string, () => Record<string, unknown>, string, string][] = [
    ['missing proj', () => ({ ...base(), proj: undefined }), 'proj', 'optional fields are omitted'],
    ['proj absent', () => { const r = base(); delete r.proj; return r; }, 'proj', 'is required (the project genesis record)'],
    ['seq 1 without prev', () => { const r = base(); delete r.prev; return r; }, 'prev', 'is required when seq is above 0'],
    ['prev at seq 0', () => ({ ...base(), seq: 0 }), 'prev', 'must be absent when seq is 0'],
    ['a bad did in by', () => ({ ...base(), by: 'did:key:z6MkNOPE' }), 'by', 'must be an Ed25519 did:key'],
    ['an unknown kind', () => ({ ...base(), kind: 'asset.delete' }), 'kind', '"asset.delete" is not a v1 record kind'],
    ['an unknown field', () => ({ ...base(), author: 'me' }), 'author', 'is not a v1 record field'],
    ['a wrong version', () => ({ ...base(), v: 2 }), 'v', 'must be 1 (format version), got 2'],
    ['a negative seq', () => ({ ...base(), seq: -1 }), 'seq', 'must be a non-negative integer'],
    ['a float at', () => ({ ...base(), at: 1.5 }), 'at', 'must be a non-negative integer'],
    ['a null optional field', () => ({ ...base(), links: null }), 'links', 'optional fields are omitted, never null or undefined'],
    ['an empty links list', () => ({ ...base(), links: [] }), 'links', 'must not be empty'],
    ['a non-CID link', () => ({ ...base(), links: [genesis.cid, 'bafy'] }), 'links[1]', 'must be a CID'],
    ['a non-CID out', () => ({ ...base(), out: out.toString() }), 'out', 'must be a CID'],
    ['agent.model.name missing', () => ({ ...fieldsFor('ai.generate'), agent: { type: 'ai', model: { provider: 'x', version: '1' } } }), 'agent.model.name', 'must be a string'],
    ['an unknown agent field', () => ({ ...base(), agent: { type: 'tool', name: 'x', version: '1', extra: 1 } }), 'agent.extra', 'is not a known field'],
    ['an unknown agent type', () => ({ ...base(), agent: { type: 'robot' } }), 'agent.type', 'must be "ai" or "tool"'],
    ['intent with both text and commit', () => ({ ...base(), intent: { text: 'x', commit: out } }), 'intent', 'must hold exactly one of text or commit'],
    ['intent with neither', () => ({ ...base(), intent: {} }), 'intent', 'must hold exactly one of text or commit'],
    ['delta.text[0][3] of the wrong type', () => ({ ...base(), delta: { text: [[0, 1, 2, 3]] } }), 'delta.text[0][3]', 'must be a string'],
    ['a negative delta position', () => ({ ...base(), delta: { text: [[0, 1, 2, 'ai'], [-1, 0, 0, 'ai']] } }), 'delta.text[1][0]', 'must be a non-negative integer'],
    ['a short text op', () => ({ ...base(), delta: { text: [[0, 1, 2]] } }), 'delta.text[0]', 'must be [pos, del, ins, class]'],
    ['an ext key not namespaced', () => ({ ...base(), ext: { score: 1 } }), 'ext.score', 'extension keys must be namespaced'],
    ['a bad training-mining value', () => ({ ...base(), rights: { tdm: { 'c2pa.ai_training': 'maybe' } } }), 'rights.tdm.c2pa.ai_training', 'must be "allowed", "notAllowed" or "constrained"'],
    ['a member delta with a bad role', () => ({ ...fieldsFor('member'), delta: { op: 'grant', role: 'Editor!', subject: alice.did } }), 'delta.role', 'must be a role name'],
    ['a member delta with a bad subject', () => ({ ...fieldsFor('member'), delta: { op: 'grant', role: 'editor', subject: 'bob' } }), 'delta.subject', 'must be the did:key'],
    ['a member record without delta', () => { const r = fieldsFor('member') as unknown as Record<string, unknown>; delete r.delta; return r; }, 'delta', 'a member record states {op, role, subject}'],
    ['ai.generate without an AI agent', () => ({ ...fieldsFor('ai.generate'), agent: { type: 'tool', name: 'x', version: '1' } }), 'agent', 'an ai.generate record names the AI model that acted'],
    ['asset.edit without asset', () => { const r = base(); delete r.asset; return r; }, 'asset', 'is missing: an asset.edit record names its asset'],
    ['approve without links', () => { const r = fieldsFor('approve') as unknown as Record<string, unknown>; delete r.links; return r; }, 'links', 'is missing: an approve record links the record(s) it concerns'],
    ['a genesis with proj', () => ({ ...fieldsFor('project.genesis'), proj: genesis.cid }), 'proj', 'a genesis record has no project link'],
    ['a genesis without a name', () => ({ ...fieldsFor('project.genesis'), ext: { [PROJECT_EXT]: {} } }), `ext.${PROJECT_EXT}.name`, 'must be a string'],
    ['a genesis at seq 1', () => ({ ...fieldsFor('project.genesis'), seq: 1, prev: genesis.cid }), 'seq', 'must be 0: a genesis record starts its feed'],
  ];
  it('reads as a sentence: the field, then what is wrong with it', () => {
    const edit = base();
    delete edit.asset;
    expect(() => assertValidRecord(signedFields(edit))).toThrow('record: asset is missing: an asset.edit record names its asset');
    const generate = fieldsFor('ai.generate') as unknown as Record<string, unknown>;
    delete generate.out;
    expect(() => assertValidRecord(signedFields(generate))).toThrow('record: out is missing: an ai.generate record names the content it produced');
  });
  for (const [name, make, path, reason] of cases) {
    it(`${name} -> ${path}`, () => {
      const value = signedFields(make());
      const issues = recordIssues(value);
      expect(issues).toContainEqual({ path, reason: expect.stringContaining(reason) });
      expect(() => assertValidRecord(value)).toThrow(RecordError);
      // The same problem found in bytes read from elsewhere is a RecordError naming source and path.
      if (!Object.values(value).some((v) => v === undefined)) {
        const error = (() => {
          try {
            decodeRecord(encode(value), 'feed x');
          } catch (e) {
            return e as RecordError;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(RecordError);
        expect(error!.message).toMatch(/^feed x: /);
        expect(issues.map((issue) => issue.path)).toContain(error!.path);
      }
    });
  }

  it('the thrown error names the first problem and counts the rest', () => {
    const fields = { ...fieldsFor('ai.generate'), agent: { type: 'ai', model: { provider: 'x', version: '1' } } } as unknown as RecordFields;
    expect(() => signRecord(fields, alice)).toThrow('ai.generate record: agent.model.name must be a string');
    const two = { ...fieldsFor('check'), asset: '', intent: { text: 'a', commit: out } } as unknown as RecordFields;
    expect(() => signRecord(two, alice)).toThrow('check record: asset must not be empty (and 1 more problem)');
    try {
      signRecord(fields, alice);
    } catch (error) {
      expect((error as RecordError).path).toBe('agent.model.name');
    }
  });

  it('requires a 64-byte signature on signed records', () => {
    const { record } = signRecord(fieldsFor('check'), alice);
    expect(recordIssues(record)).toEqual([]);
    expect(recordIssues({ ...record, sig: record.sig.subarray(0, 63) })).toEqual([{ path: 'sig', reason: 'must be a 64-byte Ed25519 signature' }]);
    const { sig: _sig, ...unsigned } = record;
    expect(recordIssues(unsigned).map((issue) => issue.path)).toEqual(['sig']);
    expect(recordIssues(unsigned, { requireSignature: false })).toEqual([]);
  });

  it('refuses non-map records', () => {
    for (const value of [null, [], 'record', new Uint8Array(3), genesis.cid]) {
      expect(recordIssues(value)).toEqual([{ path: '', reason: 'a record must be a map' }]);
    }
    expect(() => decodeRecord(encode([1, 2]))).toThrow('record: record a record must be a map');
  });
});

describe('the 64 KiB record bound', () => {
  const withPayload = (size: number): RecordFields => ({ ...fieldsFor('check'), ext: { 'org.example.payload': new Uint8Array(size) } });

  it('is enforced when encoding', () => {
    const near = signRecord(withPayload(MAX_RECORD_BYTES - 400), alice);
    expect(near.bytes.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(decodeRecord(near.bytes).cid.equals(near.cid)).toBe(true);
    expect(() => signRecord(withPayload(MAX_RECORD_BYTES), alice)).toThrow(RecordError);
    expect(() => signRecord(withPayload(MAX_RECORD_BYTES), alice)).toThrow(`above the ${MAX_RECORD_BYTES}-byte limit`);
  });

  it('is enforced when decoding, before the bytes are parsed', () => {
    const big = signRecord(withPayload(MAX_RECORD_BYTES - 400), alice);
    const padded = new Uint8Array(MAX_RECORD_BYTES + 1);
    padded.set(big.bytes);
    expect(() => decodeRecord(padded, 'feeds/x.car')).toThrow(`feeds/x.car: ${MAX_RECORD_BYTES + 1} bytes, above the ${MAX_RECORD_BYTES}-byte record limit`);
    // An oversized record value that is otherwise valid DAG-CBOR is refused the same way.
    const oversized = encode({ ...big.record, ext: { 'org.example.payload': new Uint8Array(MAX_RECORD_BYTES) } });
    expect(() => decodeRecord(oversized)).toThrow(RecordError);
  });
});

describe('tampered record bytes', () => {
  const original = cryptoBackend();
  beforeAll(() => useCryptoBackend(nodeCryptoBackend));
  afterAll(() => useCryptoBackend(original));

  it('every single-byte change either fails to decode or yields another CID and a failing signature', () => {
    const signed = signRecord(fieldsFor('ai.generate'), alice);
    let refused = 0;
    let decodedButInvalid = 0;
    for (let i = 0; i < signed.bytes.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bytes = signed.bytes.slice();
        bytes[i] = bytes[i]! ^ mask;
        let decoded: ReturnType<typeof decodeRecord>;
        try {
          decoded = decodeRecord(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(RecordError);
          refused++;
          continue;
        }
        expect(decoded.cid.equals(signed.cid)).toBe(false);
        expect(verifyRecordSignature(decoded.record)).toBe(false);
        decodedButInvalid++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(decodedButInvalid).toBeGreaterThan(0);
  });

  it('truncations and trailing bytes are refused', () => {
    const { bytes } = signRecord(fieldsFor('check'), alice);
    for (let n = 0; n < bytes.length; n++) expect(() => decodeRecord(bytes.subarray(0, n))).toThrow(RecordError);
    expect(() => decodeRecord(new Uint8Array([...bytes, 0]))).toThrow('trailing byte');
  });
});

describe('commitments', () => {
  it('commitText / openCommitment round trip', () => {
    const { commit, opening } = commitText('Write the storm scene from her view.');
    expect(commit.code).toBe(0x55);
    expect(commit.equals(contentCid(opening))).toBe(true);
    expect(openCommitment(commit, opening)).toBe('Write the storm scene from her view.');
    const value = dagCbor.decode(opening) as { salt: Uint8Array; text: string };
    expect(value.text).toBe('Write the storm scene from her view.');
    expect(value.salt.length).toBe(32);
  });

  it('random salts hide equal texts; a given salt makes the commitment deterministic', () => {
    expect(commitText('same').commit.equals(commitText('same').commit)).toBe(false);
    const salt = new Uint8Array(16).fill(7);
    expect(commitText('same', salt).commit.equals(commitText('same', salt).commit)).toBe(true);
    expect(() => commitText('x', new Uint8Array(15))).toThrow('at least 16 bytes of random salt');
  });

  it('refuses a wrong opening', () => {
    const a = commitText('the real prompt');
    const b = commitText('another prompt');
    expect(() => openCommitment(a.commit, b.opening)).toThrow(`the opening does not match commitment ${a.commit}`);
    const tampered = a.opening.slice();
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect(() => openCommitment(a.commit, tampered)).toThrow('does not match');
    const notAnOpening = encode({ text: 'no salt' });
    expect(() => openCommitment(contentCid(notAnOpening), notAnOpening)).toThrow('is not {salt, text}');
  });
});

function blobStoreContract(name: string, make: () => Promise<{ store: BlobStore; tamper?: (cid: CID) => Promise<string> }>) {
  describe(name, () => {
    it('puts, gets, has and deletes by raw sha2-256 CID', async () => {
      const { store } = await make();
      const bytes = utf8('an opening kept off the ledger');
      const cid = await store.put(bytes);
      expect(cid.equals(contentCid(bytes))).toBe(true);
      expect(await store.has(cid)).toBe(true);
      expect(hex((await store.get(cid))!)).toBe(hex(bytes));
      expect((await store.put(bytes)).equals(cid)).toBe(true);
      expect(await store.delete(cid)).toBe(true);
      expect(await store.has(cid)).toBe(false);
      expect(await store.get(cid)).toBeUndefined();
      expect(await store.delete(cid)).toBe(false);
    });

    it('shares no memory with its callers (Uint8Array and Buffer alike)', async () => {
      const { store } = await make();
      for (const bytes of [utf8('plain bytes'), Buffer.from('node buffer')]) {
        const expected = hex(bytes);
        const cid = await store.put(bytes);
        bytes.fill(0);
        const got = (await store.get(cid))!;
        expect(hex(got)).toBe(expected);
        got.fill(0);
        expect(hex((await store.get(cid))!)).toBe(expected);
      }
    });

    it('detects a blob that no longer matches its CID', async () => {
      const { store, tamper } = await make();
      if (!tamper) return;
      const cid = await store.put(utf8('original'));
      const where = await tamper(cid);
      const error = await store.get(cid).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BlobIntegrityError);
      expect((error as Error).message).toBe(`blob ${cid} at ${where} does not match its CID (corrupted or tampered)`);
    });
  });
}

blobStoreContract('MemoryBlobStore', async () => ({ store: new MemoryBlobStore() }));

describe('FileBlobStore on disk', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'colophon-blobs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  blobStoreContract('FileBlobStore', async () => {
    const store = new FileBlobStore(join(root, 'blobs'));
    return {
      store,
      tamper: async (cid) => {
        const path = join(root, 'blobs', cid.toString());
        await writeFile(path, 'tampered');
        return path;
      },
    };
  });

  it('stores one file of mode 0600 per blob, named by CID, and leaves no temp files', async () => {
    const store = new FileBlobStore(join(root, 'blobs'));
    const cid = await store.put(utf8('x'));
    await store.put(utf8('x'));
    expect(await readdir(join(root, 'blobs'))).toEqual([cid.toString()]);
    expect((await stat(join(root, 'blobs', cid.toString()))).mode & 0o777).toBe(0o600);
    expect(hex(await readFile(join(root, 'blobs', cid.toString())))).toBe(hex(utf8('x')));
  });

  it('never writes or reads through a symbolic link planted as the folder or as a blob', async () => {
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await symlink(elsewhere, join(root, 'blobs'));
    const linked = new FileBlobStore(join(root, 'blobs'));
    await expect(linked.put(utf8('secret prompt'))).rejects.toThrow(UnsafePathError);
    expect(await readdir(elsewhere)).toEqual([]);
    await expect(linked.get(contentCid(utf8('y')))).rejects.toThrow(UnsafePathError);

    // A blob file that is a link to a file holding exactly the blob's bytes is still refused.
    await rm(join(root, 'blobs'));
    const store = new FileBlobStore(join(root, 'blobs'));
    const cid = await store.put(utf8('z'));
    await writeFile(join(elsewhere, 'z'), 'z');
    await rm(join(root, 'blobs', cid.toString()));
    await symlink(join(elsewhere, 'z'), join(root, 'blobs', cid.toString()));
    await expect(store.get(cid)).rejects.toThrow(UnsafePathError);
  });
});

describe('Project with a MemoryRecordStore', () => {
  it('assigns seq and prev per signer and links every record to the project', async () => {
    let now = AT;
    const store = new MemoryRecordStore();
    const project = await Project.create('Novel', owner, store, () => now++);
    expect(project.name).toBe('Novel');
    expect(project.owner).toBe(owner.did);
    expect(project.genesis.record.seq).toBe(0);
    expect(project.genesis.record.at).toBe(AT);

    const a0 = await project.record(alice, { kind: 'asset.create', asset: 'file:a.md', out });
    const a1 = await project.record(alice, { kind: 'asset.edit', asset: 'file:a.md', out: input, at: 5 });
    const o1 = await project.record(owner, { kind: 'approve', links: [a1.cid] });
    expect([a0.record.seq, a1.record.seq, o1.record.seq]).toEqual([0, 1, 1]);
    expect(a0.record.prev).toBeUndefined();
    expect(a1.record.prev?.equals(a0.cid)).toBe(true);
    expect(o1.record.prev?.equals(project.id)).toBe(true);
    for (const r of [a0, a1, o1]) {
      expect(r.record.proj?.equals(project.id)).toBe(true);
      expect(verifyRecordSignature(r.record)).toBe(true);
    }
    expect(a0.record.at).toBe(AT + 1);
    expect(a1.record.at).toBe(5);

    expect(await store.head(alice.did)).toEqual({ seq: 1, cid: a1.cid });
    expect(await store.head('did:key:nobody')).toBeUndefined();
    expect((await store.get(o1.cid))?.record).toEqual(o1.record);
    const all: string[] = [];
    for await (const r of store.records()) all.push(`${r.record.by === owner.did ? 'owner' : 'alice'}:${r.record.seq}`);
    expect(all.sort()).toEqual(['alice:0', 'alice:1', 'owner:0', 'owner:1']);
    expect((await store.signers()).sort()).toEqual([owner.did, alice.did].sort());
  });

  it('refuses out-of-order appends, forks and equivocation', async () => {
    const store = new MemoryRecordStore();
    const project = await Project.create('Film', owner, store);
    const first = await project.record(alice, { kind: 'check' });
    const sign = (fields: Partial<RecordFields>) => signRecord({ kind: 'check', proj: project.id, by: alice.did, seq: 1, prev: first.cid, at: AT, ...fields }, alice);

    await expect(store.append(sign({ seq: 3 }))).rejects.toThrow(FeedOrderError);
    await expect(store.append(sign({ seq: 3 }))).rejects.toThrow(`has seq 3, but the feed expects 1`);
    await expect(store.append(sign({ prev: project.id }))).rejects.toThrow(`has prev ${project.id}, but the feed head is ${first.cid}`);
    const replay = signRecord({ kind: 'check', proj: project.id, by: alice.did, seq: 0, at: AT + 1 }, alice);
    await expect(store.append(replay)).rejects.toThrow('has seq 0, but the feed expects 1');

    const next = sign({});
    await store.append(next);
    // A second, different record with the same seq (equivocation) cannot be appended.
    await expect(store.append(sign({ at: AT + 99 }))).rejects.toThrow(FeedOrderError);
    expect(await store.head(alice.did)).toEqual({ seq: 1, cid: next.cid });
  });

  it('opens an existing project from its genesis, and only from a genesis', async () => {
    const store = new MemoryRecordStore();
    const project = await Project.create('Album', owner, store);
    const reopened = Project.open(project.genesis, store);
    expect(reopened.id.equals(project.id)).toBe(true);
    const next = await reopened.record(owner, { kind: 'check' });
    expect(next.record.seq).toBe(1);
    expect(() => Project.open(next, store)).toThrow('is a check, not a project genesis');
  });
});
