// Side effect only; see text-codec-shim.ts for why and for the import order it relies on.
import { installTextCodecs } from './text-codec-shim.js';

installTextCodecs();
