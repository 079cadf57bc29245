// Side effect only; see text-codec-shim.ts.
import { removeTextCodecs } from './text-codec-shim.js';

removeTextCodecs();
