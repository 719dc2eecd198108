/**
 * Local checksums as COS computes them: CRC-64/ECMA-182 as `x-cos-hash-crc64ecma` prints it (an
 * unsigned decimal), the MD5 of a single PUT's ETag, and the ETag of an upload in parts of a given
 * size (`<md5 of the parts' MD5s>-<parts>`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Crc64 } from '@cosbox/protocol';

export interface FileHashes {
  crc64: string;
  md5: string;
  /** The ETag of an upload in parts of `partSize` (absent when not asked for). */
  multipartEtag?: string;
}

export async function crc64OfFile(path: string): Promise<string> {
  const crc = new Crc64();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) crc.update(chunk as Buffer);
  return crc.digest();
}

export async function hashFile(path: string, partSize?: number): Promise<FileHashes> {
  const crc = new Crc64();
  const md5 = createHash('md5');
  const partDigests: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const data of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const chunk = data as Buffer;
    crc.update(chunk);
    md5.update(chunk);
    if (!partSize) continue;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(partSize - inPart, chunk.length - offset);
      part.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === partSize) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  const hashes: FileHashes = { crc64: crc.digest(), md5: md5.digest('hex') };
  if (partSize) {
    if (inPart > 0 || partDigests.length === 0) partDigests.push(part.digest());
    hashes.multipartEtag = `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
  }
  return hashes;
}
