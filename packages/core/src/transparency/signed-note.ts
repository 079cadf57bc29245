/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01), the
 * envelope of tlog checkpoints and their witness cosignatures. Compatible with Go's
 * golang.org/x/mod/sumdb/note key strings and notes.
 *
 * Every failure here throws NoteError. Messages never quote signer key strings: they hold the
 * private key.
 */
import { cryptoBackend, sha256 } from '../crypto/backend.js';
import { ColophonError } from '../errors.js';
import { publicKeyFromDidKey } from '../identity/did-key.js';
import type { SigningIdentity } from '../identity/identity.js';
import { base64Decode, base64Encode } from '../text/base64.js';
import { loneSurrogateAt, utf8Decode, utf8Encode, utf8Length } from '../text/utf8.js';

/** Largest note accepted or produced, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1 << 20;
/** Most signature lines accepted or produced (the spec requires accepting at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const ALG_ED25519 = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const PRIVATE_KEY_PREFIX = 'PRIVATE+KEY+';

/** A malformed key string, note or text, or a note that does not verify. */
export class NoteError extends ColophonError {}

/** Checks signatures by one key. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), big-endian. */
  readonly keyHash: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs with one key; holds no readable copy of the private key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyHash: number;
  /** The matching "<name>+<hash>+<key data>" string to hand to verifiers. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

/** A signature line as found in a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyHash: number;
  /** The line's base64 field: key hash and signature bytes. */
  readonly base64: string;
}

export interface OpenedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  /** Names of the known keys whose signatures verified, in note order, each once. */
  readonly verifiedBy: readonly string[];
  /** Signatures by keys not among the verifiers (ignored, as the spec requires), duplicates dropped. */
  readonly unverified: readonly NoteSignature[];
}

/** The key ID of an Ed25519 public key under a key name. */
export function noteKeyHash(name: string, publicKey: Uint8Array): number {
  checkKeyName(name, 'key hash');
  if (publicKey.length !== ED25519_KEY_SIZE) {
    throw new NoteError(`key hash ${name}: Ed25519 public key must be ${ED25519_KEY_SIZE} bytes, got ${publicKey.length}`);
  }
  const nameBytes = utf8Encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = ALG_ED25519;
  input.set(publicKey, nameBytes.length + 2);
  const h = sha256(input);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** A signer for an Ed25519 key given by its 32-byte seed (RFC 8032 private key). */
export function noteSignerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  checkKeyName(name, 'signer');
  if (seed.length !== ED25519_KEY_SIZE) {
    throw new NoteError(`signer ${name}: Ed25519 seed must be ${ED25519_KEY_SIZE} bytes, got ${seed.length}`);
  }
  const backend = cryptoBackend();
  const publicKey = backend.ed25519PublicKey(seed);
  const keyHash = noteKeyHash(name, publicKey);
  const sign = backend.ed25519Signer(seed);
  return { name, keyHash, verifierKey: formatVerifierKey(name, publicKey), sign };
}

/** "PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>". Secret: anyone holding it can sign. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const signer = noteSignerFromSeed(name, seed);
  return `${PRIVATE_KEY_PREFIX}${name}+${hex32(signer.keyHash)}+${base64Encode(withAlgorithm(seed))}`;
}

/** Parses a signer key string; checks that its key hash matches the key. */
export function parseSignerKey(signerKey: string): NoteSigner {
  if (!signerKey.startsWith(PRIVATE_KEY_PREFIX)) {
    throw new NoteError(`signer key must start with ${PRIVATE_KEY_PREFIX}`);
  }
  const { name, keyHash, key } = parseKeyString(signerKey.slice(PRIVATE_KEY_PREFIX.length), 'signer key', true);
  const signer = noteSignerFromSeed(name, key);
  if (signer.keyHash !== keyHash) {
    throw new NoteError(`signer key ${name}: key hash ${hex32(keyHash)} does not match the key's ${hex32(signer.keyHash)}`);
  }
  return signer;
}

/** "<name>+<hash>+<base64(0x01 || public key)>". */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  checkKeyName(name, 'verifier key');
  if (publicKey.length !== ED25519_KEY_SIZE) {
    throw new NoteError(`verifier key ${name}: Ed25519 public key must be ${ED25519_KEY_SIZE} bytes, got ${publicKey.length}`);
  }
  return `${name}+${hex32(noteKeyHash(name, publicKey))}+${base64Encode(withAlgorithm(publicKey))}`;
}

/** Parses a verifier key string; checks that its key hash matches the key. */
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  const { name, keyHash, key } = parseKeyString(verifierKey, 'verifier key', false);
  const computed = noteKeyHash(name, key);
  if (computed !== keyHash) {
    throw new NoteError(`verifier key ${name}: key hash ${hex32(keyHash)} does not match the key's ${hex32(computed)}`);
  }
  return ed25519Verifier(name, keyHash, key);
}

/**
 * A signer that signs through a SigningIdentity, so its seed never leaves the key store that made
 * the identity.
 */
export function noteSignerFromIdentity(name: string, identity: Pick<SigningIdentity, 'publicKey' | 'sign'>): NoteSigner {
  checkKeyName(name, 'signer');
  return {
    name,
    keyHash: noteKeyHash(name, identity.publicKey),
    verifierKey: formatVerifierKey(name, identity.publicKey),
    sign: (message) => identity.sign(message),
  };
}

/** A verifier for the Ed25519 key inside a did:key, under the given key name. */
export function noteVerifierFromDid(name: string, did: string): NoteVerifier {
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyFromDidKey(did);
  } catch (error) {
    throw new NoteError(`verifier ${name}: ${(error as Error).message}`);
  }
  return ed25519Verifier(name, noteKeyHash(name, publicKey), publicKey);
}

function ed25519Verifier(name: string, keyHash: number, key: Uint8Array): NoteVerifier {
  return {
    name,
    keyHash,
    verify: (message, signature) =>
      signature.length === ED25519_SIGNATURE_SIZE && cryptoBackend().ed25519Verify(signature, message, key),
  };
}

/**
 * Signs a text. The text must end with a newline, and like the whole note be free of ASCII control
 * characters other than newline. Signature lines appear in signer order.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  checkNoteCharacters(text, 'note text');
  if (signers.length === 0) throw new NoteError('signNote needs at least one signer');
  return assembleNote(text, [], signatureLines(utf8Encode(text), signers));
}

/**
 * Adds a signature (a witness's cosignature, say) to a note that first has to open with the given
 * verifiers, so nothing gets cosigned unchecked. Existing lines keep their order, the new one comes
 * last; an existing line by the same key is replaced and repeated lines are dropped.
 */
export function cosignNote(note: string | Uint8Array, signer: NoteSigner, verifiers: readonly NoteVerifier[]): string {
  const parsed = parseNote(note);
  verifyNote(parsed, verifiers);
  return assembleNote(parsed.text, parsed.signatures, signatureLines(utf8Encode(parsed.text), [signer]));
}

/**
 * Opens a note: parses it strictly, verifies every signature by a known key, and returns the text.
 * Throws if the note is malformed or too large, if any known key's signature fails, or if no
 * known key signed it.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  return verifyNote(parsed, verifiers);
}

/**
 * The text of a well-formed note WITHOUT verifying any signature: only for learning which key
 * should have signed it (say, the log named in a checkpoint's origin) before opening it for real.
 */
export function unverifiedNoteText(note: string | Uint8Array): string {
  return parseNote(note).text;
}

interface ParsedSignature extends NoteSignature {
  readonly signature: Uint8Array;
  /** The whole line, without its newline. */
  readonly line: string;
  /** 1-based line number in the note, for error messages. */
  readonly lineNumber: number;
}

interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly ParsedSignature[];
}

function parseNote(input: string | Uint8Array): ParsedNote {
  const note = typeof input === 'string' ? input : decodeNoteBytes(input);
  if (note.length > MAX_NOTE_BYTES) throw new NoteError(`note has ${note.length} characters, over the ${MAX_NOTE_BYTES} bytes allowed`);
  checkNoteCharacters(note, 'note');
  const size = utf8Length(note);
  if (size > MAX_NOTE_BYTES) throw new NoteError(`note is ${size} bytes, over the ${MAX_NOTE_BYTES} allowed`);

  // The spec lets the text hold blank lines: the last one separates text from signatures.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line before its signature lines');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw new NoteError('note has no signature lines after its last blank line');
  if (!block.endsWith('\n')) throw new NoteError('note does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError(`note has ${lines.length} signature lines, over the ${MAX_NOTE_SIGNATURES} allowed`);
  }
  const firstLineNumber = countNewlines(text) + 2;
  return { text, signatures: lines.map((line, i) => parseSignatureLine(line, firstLineNumber + i)) };
}

function decodeNoteBytes(bytes: Uint8Array): string {
  if (bytes.length > MAX_NOTE_BYTES) {
    throw new NoteError(`note is ${bytes.length} bytes, over the ${MAX_NOTE_BYTES} allowed`);
  }
  try {
    return utf8Decode(bytes);
  } catch (error) {
    throw new NoteError(`note is not valid UTF-8: ${(error as Error).message}`);
  }
}

function parseSignatureLine(line: string, lineNumber: number): ParsedSignature {
  const where = `note line ${lineNumber}`;
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new NoteError(`${where}: signature lines must start with an em dash (U+2014) and a space`, `line ${lineNumber}`);
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new NoteError(`${where}: expected "<key name> <base64 signature>"`, `line ${lineNumber}`);
  const name = rest.slice(0, space);
  const base64 = rest.slice(space + 1);
  checkKeyName(name, where);
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(base64);
  } catch (error) {
    throw new NoteError(`${where}: signature is not canonical base64 (${(error as Error).message})`, `line ${lineNumber}`);
  }
  if (bytes.length < 5) {
    throw new NoteError(`${where}: signature is ${bytes.length} bytes, needs a 4-byte key hash and a signature`, `line ${lineNumber}`);
  }
  const keyHash = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return { name, keyHash, base64, signature: bytes.subarray(4), line, lineNumber };
}

function verifyNote(note: ParsedNote, verifiers: readonly NoteVerifier[]): OpenedNote {
  const known = new Map<string, { verifier: NoteVerifier; position: number }>();
  verifiers.forEach((verifier, position) => {
    const id = keyId(verifier.name, verifier.keyHash);
    const earlier = known.get(id);
    // Two keys behind one name and hash would make "which key signed" ambiguous.
    if (earlier) throw new NoteError(`verifiers[${position}] and verifiers[${earlier.position}] are both ${id}`);
    known.set(id, { verifier, position });
  });

  const message = utf8Encode(note.text);
  const verifiedBy: string[] = [];
  const unverified: NoteSignature[] = [];
  const unverifiedLines = new Set<string>();
  for (const sig of note.signatures) {
    const entry = known.get(keyId(sig.name, sig.keyHash));
    if (!entry) {
      if (!unverifiedLines.has(sig.line)) {
        unverifiedLines.add(sig.line);
        unverified.push({ name: sig.name, keyHash: sig.keyHash, base64: sig.base64 });
      }
      continue;
    }
    // A bad signature by a known key means tampering or a broken signer: reject the whole note
    // even when another signature verifies.
    if (!entry.verifier.verify(message, sig.signature)) {
      throw new NoteError(
        `note line ${sig.lineNumber}: signature by ${keyId(sig.name, sig.keyHash)} does not verify`,
        `line ${sig.lineNumber}`,
      );
    }
    if (!verifiedBy.includes(sig.name)) verifiedBy.push(sig.name);
  }
  if (verifiedBy.length === 0) {
    const signedBy = note.signatures.map((sig) => keyId(sig.name, sig.keyHash)).join(', ');
    throw new NoteError(`note has no signature by a known key (signed by ${signedBy})`);
  }
  return { text: note.text, verifiedBy, unverified };
}

interface NewSignature {
  readonly name: string;
  readonly keyHash: number;
  readonly line: string;
}

function signatureLines(message: Uint8Array, signers: readonly NoteSigner[]): NewSignature[] {
  const seen = new Set<string>();
  return signers.map((signer, i) => {
    checkKeyName(signer.name, `signers[${i}]`);
    const id = keyId(signer.name, signer.keyHash);
    if (seen.has(id)) throw new NoteError(`signers[${i}] repeats key ${id}`);
    seen.add(id);
    const signature = signer.sign(message);
    const bytes = new Uint8Array(4 + signature.length);
    bytes[0] = signer.keyHash >>> 24;
    bytes[1] = (signer.keyHash >>> 16) & 255;
    bytes[2] = (signer.keyHash >>> 8) & 255;
    bytes[3] = signer.keyHash & 255;
    bytes.set(signature, 4);
    return { name: signer.name, keyHash: signer.keyHash, line: `${SIGNATURE_PREFIX}${signer.name} ${base64Encode(bytes)}` };
  });
}

function assembleNote(text: string, existing: readonly ParsedSignature[], added: readonly NewSignature[]): string {
  const replaced = new Set(added.map((sig) => keyId(sig.name, sig.keyHash)));
  const lines: string[] = [];
  for (const sig of existing) {
    if (!replaced.has(keyId(sig.name, sig.keyHash)) && !lines.includes(sig.line)) lines.push(sig.line);
  }
  for (const sig of added) lines.push(sig.line);
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError(`note would have ${lines.length} signatures, over the ${MAX_NOTE_SIGNATURES} allowed`);
  }
  const note = `${text}\n${lines.join('\n')}\n`;
  const size = utf8Length(note);
  if (size > MAX_NOTE_BYTES) throw new NoteError(`note would be ${size} bytes, over the ${MAX_NOTE_BYTES} allowed`);
  return note;
}

/** `secret` keeps the key data, even a malformed one, out of error messages. */
function parseKeyString(text: string, what: string, secret: boolean): { name: string; keyHash: number; key: Uint8Array } {
  // The key data is base64 and may itself contain '+', so only the first two '+' separate fields.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new NoteError(`${what} must have the form <name>+<hash>+<key data>`);
  const name = text.slice(0, first);
  const hash = text.slice(first + 1, second);
  checkKeyName(name, what);
  if (!/^[0-9a-fA-F]{8}$/.test(hash)) throw new NoteError(`${what} ${name}: key hash must be 8 hex digits`);
  let data: Uint8Array;
  try {
    data = base64Decode(text.slice(second + 1));
  } catch (error) {
    const detail = secret ? '' : ` (${(error as Error).message})`;
    throw new NoteError(`${what} ${name}: key data is not canonical base64${detail}`);
  }
  if (data.length === 0 || data[0] !== ALG_ED25519) {
    const type = data.length === 0 ? 'none' : `0x${data[0]!.toString(16).padStart(2, '0')}`;
    throw new NoteError(`${what} ${name}: key type is ${type}, only Ed25519 (0x01) is supported`);
  }
  if (data.length !== 1 + ED25519_KEY_SIZE) {
    throw new NoteError(`${what} ${name}: Ed25519 key data must be 1 + ${ED25519_KEY_SIZE} bytes, got ${data.length}`);
  }
  return { name, keyHash: parseInt(hash, 16), key: data.subarray(1) };
}

/**
 * Key names appear in "name+hash" key strings and space-separated signature lines, hence the
 * spec's ban on '+' and Unicode spaces; control characters could never appear in a note at all.
 */
function checkKeyName(name: string, where: string): void {
  if (name === '') throw new NoteError(`${where}: key name is empty`);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x2b) throw new NoteError(`${where}: key name ${JSON.stringify(name)} contains '+'`);
    if (isUnicodeSpace(code)) {
      throw new NoteError(`${where}: key name ${JSON.stringify(name)} contains a space (U+${hex4(code)})`);
    }
    if (code < 0x20) throw new NoteError(`${where}: key name contains control character U+${hex4(code)}`);
  }
  if (loneSurrogateAt(name) >= 0) throw new NoteError(`${where}: key name is not valid UTF-8 (lone surrogate)`);
}

/** Unicode White_Space, the set Go's unicode.IsSpace (used by the reference code) tests. */
function isUnicodeSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function checkNoteCharacters(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) {
      const line = countNewlines(text.slice(0, i)) + 1;
      throw new NoteError(`${what} line ${line} contains control character U+${hex4(code)}`, `line ${line}`);
    }
  }
  const bad = loneSurrogateAt(text);
  if (bad >= 0) {
    const line = countNewlines(text.slice(0, bad)) + 1;
    throw new NoteError(`${what} line ${line} is not valid UTF-8 (lone surrogate)`, `line ${line}`);
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function withAlgorithm(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = ALG_ED25519;
  out.set(key, 1);
  return out;
}

function keyId(name: string, keyHash: number): string {
  return `${name}+${hex32(keyHash)}`;
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
