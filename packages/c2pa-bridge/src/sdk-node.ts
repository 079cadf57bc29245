/** Node's source of the SDK's wasm: the file in the installed @contentauth/c2pa-wasm package. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setSdkSource } from './sdk.js';

setSdkSource(() => readFileSync(createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm')));
