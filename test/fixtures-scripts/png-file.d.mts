export function writePng(path: string, width: number, height: number, idat: Iterable<Uint8Array>): Promise<Uint8Array>;
