/** Local files in Node: size, MD5 of a slice (streamed), MIME type by extension. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FileSlice, LocalFiles } from '../transport.js';

// mime-types is CommonJS without bundled types; it gives uploads of files the Content-Type the
// official SDK gives them (its HTTP client looks the file's extension up the same way).
const mime = createRequire(import.meta.url)('mime-types') as { lookup(path: string): string | false };

export const nodeFiles: LocalFiles = {
  async stat(path) {
    const s = await stat(path);
    return { size: s.isDirectory() ? 0 : s.size, isDirectory: s.isDirectory() };
  },
  async md5Hex(slice: FileSlice) {
    const hash = createHash('md5');
    if (slice.end > slice.start) {
      for await (const chunk of createReadStream(slice.path, { start: slice.start, end: slice.end - 1 })) hash.update(chunk as Buffer);
    }
    return hash.digest('hex');
  },
  contentType: (path) => mime.lookup(path) || undefined,
};
