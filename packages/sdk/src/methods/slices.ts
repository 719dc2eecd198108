/**
 * What the transfers in parts share (sliceUploadFile, sliceCopyFile, downloadFile): how large the
 * parts are, and how many run at once.
 */

export const MiB = 1024 * 1024;
/** Part sizes tried, in MiB, until the parts fit in MaxPartNumber (advance.js). */
const PART_SIZE_LADDER = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 5120];

/** The requested part size, or the first of the ladder that keeps the parts within the limit. */
export function partSizeFor(size: number, requested: number, maxParts: number): number {
  let auto = MiB;
  for (const mib of PART_SIZE_LADDER) {
    auto = mib * MiB;
    if (size / auto <= maxParts) break;
  }
  return Math.max(requested, auto);
}

/** Runs `task` on every item, `limit` at a time; on the first failure starts no more and rethrows it once the running ones end. */
export async function eachLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
