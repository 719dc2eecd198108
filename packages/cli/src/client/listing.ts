/**
 * The things a command works on: remote objects (every page of a listing), versions, incomplete
 * uploads, and local files, each as an Entry with a path relative to the root it was listed from.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type COS from '@cosbox/sdk';
import type { CosObject, DeleteMarker, MultipartUpload, ObjectVersion } from '@cosbox/sdk';
import picomatch from 'picomatch';
import { isPartialDownload } from './download.js';

export interface Entry {
  /** Relative to the listed root, '/'-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
  /** Remote objects only. */
  key?: string;
  etag?: string;
  storageClass?: string;
  /** Local files only. */
  path?: string;
}

/** `--include` / `--exclude` globs on the relative path; a pattern without '/' matches the file name. */
export function pathFilter(include: string[] = [], exclude: string[] = []): (rel: string) => boolean {
  const included = include.length ? globs(include) : () => true;
  const excluded = exclude.length ? globs(exclude) : () => false;
  return (rel) => included(rel) && !excluded(rel);
}

function globs(patterns: string[]): (rel: string) => boolean {
  const options = { dot: true };
  const onName = patterns.filter((p) => !p.includes('/'));
  const onPath = patterns.filter((p) => p.includes('/'));
  const name = onName.length ? picomatch(onName, options) : () => false;
  const path = onPath.length ? picomatch(onPath, options) : () => false;
  return (rel) => name(rel.slice(rel.lastIndexOf('/') + 1)) || path(rel);
}

/** Every object under `prefix`, page by page; with a delimiter, the common prefixes too. */
export async function* listObjects(
  cos: COS,
  bucket: string,
  region: string,
  prefix: string,
  delimiter?: string,
): AsyncGenerator<{ object?: CosObject; prefix?: string }> {
  let marker: string | undefined;
  for (;;) {
    const page = await cos.getBucket({ Bucket: bucket, Region: region, Prefix: prefix, Delimiter: delimiter, Marker: marker, MaxKeys: 1000 });
    for (const p of page.CommonPrefixes ?? []) yield { prefix: p.Prefix };
    for (const object of page.Contents ?? []) yield { object };
    if (page.IsTruncated !== 'true') return;
    marker = page.NextMarker ?? page.Contents?.at(-1)?.Key;
    if (!marker) return;
  }
}

export async function* listVersions(
  cos: COS,
  bucket: string,
  region: string,
  prefix: string,
): AsyncGenerator<{ version?: ObjectVersion; marker?: DeleteMarker }> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await cos.listObjectVersions({ Bucket: bucket, Region: region, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, MaxKeys: 1000 });
    const all = [
      ...(page.Versions ?? []).map((version) => ({ version, key: version.Key })),
      ...(page.DeleteMarkers ?? []).map((marker) => ({ marker, key: marker.Key })),
    ];
    for (const item of all) yield item;
    if (page.IsTruncated !== 'true' || !page.NextKeyMarker) return;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

export async function* listUploads(cos: COS, bucket: string, region: string, prefix: string): AsyncGenerator<MultipartUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await cos.multipartList({ Bucket: bucket, Region: region, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker, MaxUploads: 1000 });
    for (const upload of page.Upload ?? []) yield upload;
    if (page.IsTruncated !== 'true' || !page.NextKeyMarker) return;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/**
 * The objects under a "directory" prefix, as entries relative to it. Keys ending in '/' are folder
 * markers, not files.
 */
export async function remoteEntries(cos: COS, bucket: string, region: string, prefix: string, keep: (rel: string) => boolean): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const { object } of listObjects(cos, bucket, region, prefix)) {
    if (!object || object.Key.endsWith('/')) continue;
    const rel = object.Key.slice(prefix.length);
    if (!keep(rel)) continue;
    entries.push({
      rel,
      key: object.Key,
      size: Number(object.Size),
      mtimeMs: Date.parse(object.LastModified),
      etag: object.ETag,
      storageClass: object.StorageClass,
    });
  }
  return entries;
}

/** The files under a local directory (symbolic links followed to files, not into directories). */
export async function localEntries(root: string, keep: (rel: string) => boolean): Promise<Entry[]> {
  const entries: Entry[] = [];
  const walk = async (dir: string, relDir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const link = await lstat(path);
      if (link.isDirectory()) {
        await walk(path, rel);
        continue;
      }
      if (isPartialDownload(name)) continue;
      const info = link.isSymbolicLink() ? await stat(path).catch(() => undefined) : link;
      if (!info?.isFile() || !keep(rel)) continue;
      entries.push({ rel, path, size: info.size, mtimeMs: info.mtimeMs });
    }
  };
  await walk(root, '');
  return entries;
}

/** A relative remote path as a local one, or undefined when it would leave the root (`..`, absolute). */
export function safeLocalRel(rel: string): string | undefined {
  const parts = rel.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '') || rel.includes('\0')) return undefined;
  if (sep === '\\' && parts.some((p) => /[\\:]/.test(p))) return undefined;
  return parts.join(sep);
}
