#!/usr/bin/env node
import { useNodeCrypto } from '@colophon/core/node';
import { run } from './program.js';
import { processIo } from './output.js';

useNodeCrypto();
process.exitCode = await run(process.argv.slice(2), process.cwd(), processIo);
