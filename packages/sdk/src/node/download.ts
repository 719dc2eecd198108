/** downloadFile's files in Node: one file handle, written at offsets by concurrent ranges, each hashed as it passes. */
import { open, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Crc64 } from '@cosbox/protocol';
import type { DownloadFiles } from '../methods/download.js';
import type { OutputSink } from '../transport.js';

export const nodeDownloadFiles: DownloadFiles = {
  async open(path) {
    const handle = await open(path, 'w');
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      writerAt(offset) {
        const crc = new Crc64();
        let position = offset;
        const sink = new Writable({
          write(chunk: Buffer, _encoding, done) {
            crc.update(chunk);
            const at = position;
            position += chunk.length;
            handle.write(chunk, 0, chunk.length, at).then(() => done(), done);
          },
        });
        return { sink: sink as unknown as OutputSink, crc64: () => crc.digest() };
      },
      close,
      async remove() {
        await close().catch(() => {});
        await rm(path, { force: true });
      },
    };
  },
};
