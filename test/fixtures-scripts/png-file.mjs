// A PNG written to disk chunk by chunk (lengths and CRCs right), for tests and benches that need a
// large image without holding it in memory.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk as its pieces: length and type, data, CRC over type and data. */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))));
  return [head, data, crc];
}

/**
 * Writes an 8-bit RGB PNG of `width` x `height` whose image data is one IDAT chunk per piece
 * `idat` yields (not checked against the size: C2PA does not decode pixels). Returns the file's
 * SHA-256.
 */
export async function writePng(path, width, height, idat) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  const write = async (pieces) => {
    for (const piece of pieces) hash.update(piece);
    await file.writev(pieces);
  };
  try {
    await write([SIGNATURE, ...chunk('IHDR', ihdr)]);
    for (const data of idat) await write(chunk('IDAT', data));
    await write(chunk('IEND', Buffer.alloc(0)));
  } finally {
    await file.close();
  }
  return new Uint8Array(hash.digest());
}
