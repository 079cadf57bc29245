import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import fc from 'fast-check';
import { inspect } from 'node:util';
import { mkdtemp, mkdir, chmod, stat, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { base58btc } from 'multiformats/bases/base58';
import {
  cryptoBackend,
  useCryptoBackend,
  pureJsBackend,
  didKeyFromPublicKey,
  publicKeyFromDidKey,
  isDidKey,
  identityFromSeed,
  generateIdentity,
  exportSeed,
  verifySignature,
  MemoryKeyStore,
  type CryptoBackend,
  type SigningIdentity,
} from '../src/index.js';
import { nodeCryptoBackend, useNodeCrypto, FileKeyStore, defaultKeyDirectory } from '../src/node/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

const RFC8032_TEST1 = {
  secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  did: 'did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw',
};

const backends: [string, CryptoBackend][] = [
  ['pure JS', pureJsBackend],
  ['node:crypto', nodeCryptoBackend],
];

const originalBackend = cryptoBackend();
afterEach(() => useCryptoBackend(originalBackend));

describe('RFC 8032 test 1', () => {
  for (const [name, backend] of backends) {
    it(`gives the RFC key, signature and did:key with the ${name} backend`, () => {
      useCryptoBackend(backend);
      expect(cryptoBackend()).toBe(backend);
      const identity = identityFromSeed(unhex(RFC8032_TEST1.secret));
      expect(hex(identity.publicKey)).toBe(RFC8032_TEST1.public);
      expect(identity.did).toBe(RFC8032_TEST1.did);
      expect(hex(identity.sign(new Uint8Array(0)))).toBe(RFC8032_TEST1.signature);
      expect(verifySignature(RFC8032_TEST1.did, new Uint8Array(0), unhex(RFC8032_TEST1.signature))).toBe(true);
      expect(hex(exportSeed(identity))).toBe(RFC8032_TEST1.secret);
    });
  }

  it('maps between the did:key and the public key both ways', () => {
    expect(didKeyFromPublicKey(unhex(RFC8032_TEST1.public))).toBe(RFC8032_TEST1.did);
    expect(hex(publicKeyFromDidKey(RFC8032_TEST1.did))).toBe(RFC8032_TEST1.public);
    expect(isDidKey(RFC8032_TEST1.did)).toBe(true);
  });

  it('useNodeCrypto switches the global backend', () => {
    useNodeCrypto();
    expect(cryptoBackend()).toBe(nodeCryptoBackend);
  });
});

describe('did:key parsing', () => {
  const ed = (body: Uint8Array) => `did:key:${base58btc.encode(body)}`;
  const withPrefix = (prefix: number[], key: Uint8Array) => Uint8Array.from([...prefix, ...key]);
  const key = unhex(RFC8032_TEST1.public);
  const cases: [string, unknown, string][] = [
    ['not a did:key', 'did:web:example.com', 'is not a did:key'],
    ['a non-string', 42, 'is not a did:key'],
    ['an empty string', '', 'is not a did:key'],
    ['not base58btc', `did:key:m${Buffer.from(withPrefix([0xed, 0x01], key)).toString('base64')}`, 'is not base58btc (must start with "z")'],
    ['invalid base58', 'did:key:z6Mk0OIl', 'has invalid base58btc'],
    ['a secp256k1 key', ed(withPrefix([0xe7, 0x01], new Uint8Array(33).fill(2))), 'is not an Ed25519 key (multicodec 0xed)'],
    ['a short key', ed(withPrefix([0xed, 0x01], key.subarray(0, 31))), 'holds 31 key bytes, expected 32'],
    ['a long key', ed(withPrefix([0xed, 0x01], Uint8Array.from([...key, 0]))), 'holds 33 key bytes, expected 32'],
    ['only the multicodec', ed(Uint8Array.from([0xed, 0x01])), 'holds 0 key bytes, expected 32'],
  ];
  for (const [name, did, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(() => publicKeyFromDidKey(did as string)).toThrow(RangeError);
      expect(() => publicKeyFromDidKey(did as string)).toThrow(message);
      expect(isDidKey(did)).toBe(false);
      expect(verifySignature(did as string, new Uint8Array(0), unhex(RFC8032_TEST1.signature))).toBe(false);
    });
  }

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => didKeyFromPublicKey(new Uint8Array(31))).toThrow('Ed25519 public key must be 32 bytes, got 31');
  });

  it('hands out copies, so a caller cannot poison the parsed-key cache', () => {
    const first = publicKeyFromDidKey(RFC8032_TEST1.did);
    first.fill(0);
    expect(hex(publicKeyFromDidKey(RFC8032_TEST1.did))).toBe(RFC8032_TEST1.public);
  });
});

describe('pure-JS and node:crypto backends agree', () => {
  it('on public keys and signatures, and each verifies the other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (seed, message) => {
        const publicKey = pureJsBackend.ed25519PublicKey(seed);
        expect(hex(nodeCryptoBackend.ed25519PublicKey(seed))).toBe(hex(publicKey));
        const pureSig = pureJsBackend.ed25519Signer(seed)(message);
        const nodeSig = nodeCryptoBackend.ed25519Signer(seed)(message);
        expect(hex(nodeSig)).toBe(hex(pureSig));
        expect(pureJsBackend.ed25519Verify(nodeSig, message, publicKey)).toBe(true);
        expect(nodeCryptoBackend.ed25519Verify(pureSig, message, publicKey)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('on sha256', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(hex(nodeCryptoBackend.sha256(data))).toBe(hex(pureJsBackend.sha256(data)));
      }),
      { numRuns: 200 },
    );
    expect(hex(pureJsBackend.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('identities made under either backend are the same identity', () => {
    const seed = unhex(RFC8032_TEST1.secret).reverse();
    useCryptoBackend(pureJsBackend);
    const pure = identityFromSeed(seed);
    useCryptoBackend(nodeCryptoBackend);
    const native = identityFromSeed(seed);
    expect(native.did).toBe(pure.did);
    const message = new TextEncoder().encode('colophon');
    expect(hex(native.sign(message))).toBe(hex(pure.sign(message)));
  });
});

describe('tampering is detected by both backends', () => {
  const seed = unhex(RFC8032_TEST1.secret);
  const message = new TextEncoder().encode('a signed message');
  const publicKey = pureJsBackend.ed25519PublicKey(seed);
  const signature = pureJsBackend.ed25519Signer(seed)(message);
  const flip = (bytes: Uint8Array, index: number, bit: number) => {
    const copy = bytes.slice();
    copy[index] = copy[index]! ^ (1 << bit);
    return copy;
  };

  for (const [name, backend] of backends) {
    it(`${name}: flipped signature, message or key bits and malformed inputs fail without throwing`, () => {
      expect(backend.ed25519Verify(signature, message, publicKey)).toBe(true);
      fc.assert(
        fc.property(fc.nat(63), fc.integer({ min: 0, max: 7 }), (index, bit) => {
          expect(backend.ed25519Verify(flip(signature, index, bit), message, publicKey)).toBe(false);
        }),
        { numRuns: 64 },
      );
      fc.assert(
        fc.property(fc.nat(message.length - 1), fc.integer({ min: 0, max: 7 }), (index, bit) => {
          expect(backend.ed25519Verify(signature, flip(message, index, bit), publicKey)).toBe(false);
        }),
        { numRuns: 32 },
      );
      fc.assert(
        fc.property(fc.nat(31), fc.integer({ min: 0, max: 7 }), (index, bit) => {
          expect(backend.ed25519Verify(signature, message, flip(publicKey, index, bit))).toBe(false);
        }),
        { numRuns: 32 },
      );
      expect(backend.ed25519Verify(signature.subarray(0, 63), message, publicKey)).toBe(false);
      expect(backend.ed25519Verify(new Uint8Array(64), message, publicKey)).toBe(false);
      expect(backend.ed25519Verify(signature, message, publicKey.subarray(0, 31))).toBe(false);
      expect(backend.ed25519Verify(signature, message, new Uint8Array(32))).toBe(false);
    });
  }

  it('verifySignature with the wrong did fails', () => {
    const other = generateIdentity();
    expect(verifySignature(other.did, message, signature)).toBe(false);
    expect(verifySignature(didKeyFromPublicKey(publicKey), message, signature)).toBe(true);
  });
});

describe('identities keep their secret', () => {
  const seed = unhex(RFC8032_TEST1.secret);
  const forms = [
    RFC8032_TEST1.secret,
    RFC8032_TEST1.secret.toUpperCase(),
    Buffer.from(seed).toString('base64'),
    Buffer.from(seed).toString('base64url'),
    base58btc.encode(seed),
    Array.from(seed).join(','),
    Array.from(seed).join(', '),
  ];

  for (const [name, backend] of backends) {
    it(`the seed appears in no JSON, string or inspect output (${name})`, () => {
      useCryptoBackend(backend);
      const identity = identityFromSeed(seed);
      const outputs = [
        JSON.stringify(identity),
        JSON.stringify({ nested: [identity] }),
        String(identity),
        `${identity}`,
        inspect(identity),
        inspect(identity, { showHidden: true, depth: Infinity, getters: true }),
        Object.keys(identity).join(','),
        Object.getOwnPropertyNames(identity).join(','),
      ];
      for (const output of outputs) for (const form of forms) expect(output).not.toContain(form);
      expect(JSON.parse(JSON.stringify(identity))).toEqual({ did: RFC8032_TEST1.did });
      expect(Object.isFrozen(identity)).toBe(true);
    });
  }

  it('keeps its own copy of the seed: wiping the caller buffer changes nothing', () => {
    for (const [, backend] of backends) {
      useCryptoBackend(backend);
      const buffer = seed.slice();
      const identity = identityFromSeed(buffer);
      buffer.fill(0);
      expect(hex(identity.sign(new Uint8Array(0)))).toBe(RFC8032_TEST1.signature);
      expect(hex(exportSeed(identity))).toBe(RFC8032_TEST1.secret);
      // exportSeed hands out a copy too
      exportSeed(identity).fill(0);
      expect(hex(exportSeed(identity))).toBe(RFC8032_TEST1.secret);
      // ...even when the seed arrived in a Buffer
      const nodeBuffer = Buffer.from(seed);
      const fromBuffer = identityFromSeed(nodeBuffer);
      nodeBuffer.fill(0);
      expect(hex(fromBuffer.sign(new Uint8Array(0)))).toBe(RFC8032_TEST1.signature);
    }
  });

  it('refuses seeds that are not 32 bytes, and exporting foreign identities', () => {
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow('an Ed25519 secret key must be 32 bytes');
    expect(() => identityFromSeed('00'.repeat(32) as unknown as Uint8Array)).toThrow(RangeError);
    const foreign: SigningIdentity = { did: RFC8032_TEST1.did, publicKey: unhex(RFC8032_TEST1.public), sign: () => new Uint8Array(64) };
    expect(() => exportSeed(foreign)).toThrow('cannot be exported');
  });

  it('generateIdentity uses entropy when given and secure randomness otherwise', () => {
    expect(generateIdentity(unhex(RFC8032_TEST1.secret)).did).toBe(RFC8032_TEST1.did);
    const a = generateIdentity();
    const b = generateIdentity();
    expect(a.did).not.toBe(b.did);
    expect(isDidKey(a.did)).toBe(true);
  });
});

describe('MemoryKeyStore', () => {
  it('creates, gets and lists identities', async () => {
    const store = new MemoryKeyStore();
    const bob = await store.create('bob');
    const alice = await store.create('alice.laptop');
    expect((await store.get('bob'))?.did).toBe(bob.did);
    const message = new TextEncoder().encode('hello');
    const again = (await store.get('alice.laptop'))!;
    expect(hex(again.sign(message))).toBe(hex(alice.sign(message)));
    expect(verifySignature(alice.did, message, again.sign(message))).toBe(true);
    expect(await store.get('carol')).toBeUndefined();
    expect(await store.list()).toEqual([
      { name: 'alice.laptop', did: alice.did },
      { name: 'bob', did: bob.did },
    ]);
  });

  it('refuses duplicates and bad names', async () => {
    const store = new MemoryKeyStore();
    await store.create('me');
    await expect(store.create('me')).rejects.toThrow('identity "me" already exists');
    for (const name of ['', '.hidden', '../escape', 'a/b', 'x'.repeat(65), 'sp ace']) {
      await expect(store.create(name)).rejects.toThrow(RangeError);
    }
  });
});

describe('FileKeyStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'colophon-keys-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes key files of mode 0600 in a directory of mode 0700, and reads them back', async () => {
    const directory = join(root, 'config', 'colophon', 'keys');
    const store = new FileKeyStore(directory);
    const alice = await store.create('alice');
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const file = join(directory, 'alice.key.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ version: 1, name: 'alice', did: alice.did });
    expect(hex(Buffer.from(json.seed as string, 'base64'))).toBe(hex(exportSeed(alice)));

    const reopened = new FileKeyStore(directory);
    const again = (await reopened.get('alice'))!;
    expect(again.did).toBe(alice.did);
    const message = new TextEncoder().encode('file keys sign the same');
    expect(hex(again.sign(message))).toBe(hex(alice.sign(message)));
    expect(await reopened.get('nobody')).toBeUndefined();
    await expect(reopened.create('alice')).rejects.toThrow('identity "alice" already exists');
  });

  it('tightens a pre-existing key directory to 0700', async () => {
    const directory = join(root, 'keys');
    await mkdir(directory, { mode: 0o755 });
    await chmod(directory, 0o755);
    await new FileKeyStore(directory).create('me');
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
  });

  it('lists identities by name, ignoring other files', async () => {
    const directory = join(root, 'keys');
    const store = new FileKeyStore(directory);
    expect(await store.list()).toEqual([]);
    const b = await store.create('bob');
    const a = await store.create('alice');
    await writeFile(join(directory, 'notes.txt'), 'not a key');
    expect(await store.list()).toEqual([
      { name: 'alice', did: a.did },
      { name: 'bob', did: b.did },
    ]);
  });

  it('refuses a key directory inside the workspace', () => {
    const workspace = join(root, 'project');
    expect(() => new FileKeyStore(join(workspace, '.colophon', 'keys'), workspace)).toThrow(
      `refusing to keep private keys in ${join(workspace, '.colophon', 'keys')}: it is inside the workspace ${workspace}`,
    );
    expect(() => new FileKeyStore(workspace, workspace)).toThrow('inside the workspace');
    expect(() => new FileKeyStore(join(workspace, 'a', '..', 'keys'), workspace)).toThrow('inside the workspace');
    // A folder whose name merely starts with ".." is still inside.
    expect(() => new FileKeyStore(join(workspace, '..keys'), workspace)).toThrow('inside the workspace');
    // Siblings and parents are outside.
    expect(() => new FileKeyStore(join(root, 'project-keys'), workspace)).not.toThrow();
    expect(() => new FileKeyStore(join(root, 'keys'), workspace)).not.toThrow();
  });

  it('refuses a key file readable by others, saying to chmod 600', async () => {
    const directory = join(root, 'keys');
    const store = new FileKeyStore(directory);
    await store.create('loose');
    const file = join(directory, 'loose.key.json');
    await chmod(file, 0o644);
    await expect(store.get('loose')).rejects.toThrow(`key file ${file} is readable by others (mode 644); run: chmod 600 ${file}`);
    await expect(store.list()).rejects.toThrow('chmod 600');
    await chmod(file, 0o640);
    await expect(store.get('loose')).rejects.toThrow('chmod 600');
    await chmod(file, 0o600);
    expect((await store.get('loose'))?.did).toMatch(/^did:key:z6Mk/);
  });

  it('refuses damaged key files without printing the seed', async () => {
    const directory = join(root, 'keys');
    const store = new FileKeyStore(directory);
    const me = await store.create('me');
    const file = join(directory, 'me.key.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    const other = generateIdentity();
    await writeFile(file, JSON.stringify({ ...json, did: other.did }), { mode: 0o600 });
    const error = await store.get('me').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('is damaged: its key does not match its did');
    expect(error?.message).not.toContain(json.seed);
    expect(error?.message).not.toContain(hex(exportSeed(me)));
    await writeFile(file, '{ not json', { mode: 0o600 });
    await expect(store.get('me')).rejects.toThrow('is not valid JSON');
    await writeFile(file, JSON.stringify({ ...json, seed: 'AAAA' }), { mode: 0o600 });
    await expect(store.get('me')).rejects.toThrow('is not a Colophon v1 key file');
  });

  it('refuses bad identity names before touching the disk', async () => {
    const store = new FileKeyStore(join(root, 'keys'));
    await expect(store.create('../escape')).rejects.toThrow(RangeError);
    await expect(store.get('a/b')).rejects.toThrow(RangeError);
  });

  it('defaults to $COLOPHON_KEYS_DIR, then $XDG_CONFIG_HOME/colophon/keys, then ~/.config/colophon/keys', () => {
    expect(defaultKeyDirectory({ COLOPHON_KEYS_DIR: '/k', XDG_CONFIG_HOME: '/x' })).toBe('/k');
    expect(defaultKeyDirectory({ XDG_CONFIG_HOME: '/x' })).toBe(join('/x', 'colophon', 'keys'));
    expect(defaultKeyDirectory({})).toBe(join(homedir(), '.config', 'colophon', 'keys'));
  });
});
