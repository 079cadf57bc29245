#!/usr/bin/env node
import { useNodeCrypto } from '@colophon/core/node';
import { isBrokenPipe } from './errors.js';
import { run } from './program.js';
import { processIo } from './output.js';

// `colophon log | head -2`: once the reader has gone, writes fail with EPIPE; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (isBrokenPipe(error)) process.exit(process.exitCode ?? 0);
    throw error;
  });
}

useNodeCrypto();
process.exitCode = await run(process.argv.slice(2), process.cwd(), processIo);
