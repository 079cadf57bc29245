// The one place that imports @bufbuild/cel: the import order below matters (see text-codec-shim.ts).
import './text-codec-install.js';
import { celEnv, celFunc, celList, CelScalar, isCelError, isCelList, isCelMap, listType, parse, plan } from '@bufbuild/cel';
import './text-codec-remove.js';

export { celEnv, celFunc, celList, CelScalar, isCelError, isCelList, isCelMap, listType, parse, plan };
export type { CelEnv, CelError, CelValue, CelInput } from '@bufbuild/cel';
