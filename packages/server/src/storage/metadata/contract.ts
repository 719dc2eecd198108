/**
 * The contract every MetadataStore implementation passes: run `metadataStoreContract(name, open)`
 * from the implementation's test file with a factory for a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { isDeleteMarker, versionIdOf, type BucketRecord, type LifecycleRule, type MetadataStore, type ObjectRecord, type PartRecord, type UploadRecord } from './store.js';

const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e: unknown) => e instanceof CosError && e.code === code);

function bucket(name: string, ownerUin = '1'): BucketRecord {
  return { name, appid: name.slice(name.lastIndexOf('-') + 1), ownerUin, region: 'ap-guangzhou', createdAt: 1_700_000_000_000 };
}

function object(bucketName: string, key: string, blobId = `blob-${key}`): ObjectRecord {
  return {
    bucket: bucketName,
    key,
    size: 3,
    etag: '"e"',
    crc64: '1',
    lastModified: 1_700_000_000_000,
    storageClass: 'STANDARD',
    objectType: 'normal',
    contentHeaders: { 'content-type': 'text/plain' },
    meta: { 'x-cos-meta-a': 'b' },
    ownerUin: '1',
    blobs: [{ id: blobId, size: 3 }],
  };
}

function upload(bucketName: string, key: string, uploadId: string): UploadRecord {
  return {
    bucket: bucketName,
    key,
    uploadId,
    initiated: 1_700_000_000_000,
    ownerUin: '1',
    initiatorUin: '1',
    storageClass: 'STANDARD',
    contentHeaders: {},
    meta: {},
  };
}

function part(partNumber: number, blobId = `part-${partNumber}`): PartRecord {
  return { partNumber, size: 5, etag: `"etag${partNumber}"`, crc64: '7', lastModified: 1_700_000_000_000, blob: { id: blobId, size: 5 } };
}

function names(page: Awaited<ReturnType<MetadataStore['listObjects']>>): string[] {
  return page.entries.map((e) => ('commonPrefix' in e ? `[${e.commonPrefix}]` : e.object.key));
}

export function metadataStoreContract(name: string, open: () => Promise<MetadataStore>): void {
  const withStore = (fn: (s: MetadataStore) => Promise<void>) => async () => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  test(`${name}: buckets are created once, listed per owner, deleted when empty`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    await rejectsWith(s.createBucket(bucket('a-1'), 10), 'BucketAlreadyExists');
    await s.createBucket(bucket('b-1'), 10);
    await s.createBucket(bucket('c-2', '2'), 10);
    assert.deepEqual((await s.listBuckets('1')).map((b) => b.name), ['a-1', 'b-1']);
    assert.equal((await s.getBucket('c-2'))?.ownerUin, '2');
    await s.setBucketAcl('c-2', { canned: 'public-read', grants: [{ permission: 'READ', grantee: 'x' }] });
    assert.deepEqual((await s.getBucket('c-2'))?.acl, { canned: 'public-read', grants: [{ permission: 'READ', grantee: 'x' }] });
    await rejectsWith(s.setBucketAcl('none-1', { grants: [] }), 'NoSuchBucket');
    await rejectsWith(s.createBucket(bucket('d-1'), 2), 'TooManyBucket');
    await s.putObject(object('a-1', 'k'));
    await rejectsWith(s.deleteBucket('a-1'), 'BucketNotEmpty');
    await s.deleteObject('a-1', 'k');
    await s.deleteBucket('a-1');
    assert.equal(await s.getBucket('a-1'), undefined);
    await rejectsWith(s.deleteBucket('a-1'), 'NoSuchBucket');
  }));

  test(`${name}: objects round-trip; an overwrite hands back the replaced blobs`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    assert.deepEqual(await s.putObject(object('a-1', 'k', 'one')), { object: object('a-1', 'k', 'one'), replaced: [] });
    assert.deepEqual(await s.getObject('a-1', 'k'), object('a-1', 'k', 'one'));
    assert.deepEqual((await s.putObject(object('a-1', 'k', 'two'))).replaced, [{ id: 'one', size: 3 }]);
    assert.deepEqual(await s.deleteObject('a-1', 'k'), { blobs: [{ id: 'two', size: 3 }], deleteMarker: false });
    assert.deepEqual(await s.deleteObject('a-1', 'k'), { blobs: [], deleteMarker: false });
    assert.equal(await s.getObject('a-1', 'k'), undefined);
    await rejectsWith(s.putObject(object('gone-1', 'k')), 'NoSuchBucket');
  }));

  test(`${name}: tags round-trip in order on objects and uploads; an update replaces or removes them`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const tags = [{ key: 'z', value: '' }, { key: '1', value: 'one' }, { key: 'a b', value: '+-=._:/@' }];
    await s.putObject({ ...object('a-1', 'k'), tags });
    assert.deepEqual((await s.getObject('a-1', 'k'))?.tags, tags);
    const [listed] = (await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '', maxKeys: 10 })).entries;
    assert.deepEqual('object' in listed ? listed.object.tags : undefined, tags);
    const { object: updated, replaced } = await s.updateObject('a-1', 'k', (current) => ({ ...current!, tags: [{ key: 'only', value: 'v' }] }));
    assert.deepEqual(replaced, [], 'changing tags keeps the blobs');
    assert.deepEqual((await s.getObject('a-1', 'k'))?.tags, updated.tags);
    await s.updateObject('a-1', 'k', (current) => ({ ...current!, tags: undefined }));
    assert.deepEqual(await s.getObject('a-1', 'k'), object('a-1', 'k'), 'no tags: no tags member');

    await s.createUpload({ ...upload('a-1', 'm', 'u1'), tags });
    assert.deepEqual((await s.getUpload('a-1', 'm', 'u1'))?.tags, tags);
    const uploads = await s.listUploads({ bucket: 'a-1', prefix: '', delimiter: '', keyMarker: '', uploadIdMarker: '', maxUploads: 10 });
    assert.deepEqual(uploads.entries.map((e) => 'upload' in e && e.upload.tags), [tags]);
    await s.createUpload(upload('a-1', 'm', 'u2'));
    assert.equal((await s.getUpload('a-1', 'm', 'u2'))?.tags, undefined);
    await s.putPart('a-1', 'm', 'u1', part(1));
    const done = await s.completeUpload('a-1', 'm', 'u1', (u, parts) => ({
      object: { ...object('a-1', 'm'), tags: u.tags, blobs: parts.map((p) => p.blob) },
      used: new Set([1]),
    }));
    assert.deepEqual(done.object.tags, tags);
    assert.deepEqual((await s.getObject('a-1', 'm'))?.tags, tags);
  }));

  test(`${name}: encryption round-trips on objects, uploads and parts (blob IVs included)`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const encryption = { kind: 'SSE-COS' as const, sealedKey: 'c2VhbGVk' };
    const encrypted = { ...object('a-1', 'k'), encryption, blobs: [{ id: 'b1', size: 3, iv: 'aXYx' }] };
    await s.putObject(encrypted);
    assert.deepEqual(await s.getObject('a-1', 'k'), encrypted);
    const [listed] = (await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '', maxKeys: 10 })).entries;
    assert.deepEqual('object' in listed ? listed.object : undefined, encrypted);
    await s.updateObject('a-1', 'k', (current) => ({ ...current!, encryption: undefined, blobs: [{ id: 'b2', size: 3 }] }));
    assert.equal('encryption' in (await s.getObject('a-1', 'k'))!, false, 'unencrypted: no encryption member');

    const customer = { kind: 'SSE-C' as const, sealedKey: 'Y3VzdG9tZXI=' };
    await s.createUpload({ ...upload('a-1', 'm', 'u1'), encryption: customer });
    assert.deepEqual((await s.getUpload('a-1', 'm', 'u1'))?.encryption, customer);
    assert.equal((await s.getUpload('a-1', 'm', 'u1'))?.encryption?.kind, 'SSE-C');
    await s.putPart('a-1', 'm', 'u1', { ...part(1), blob: { id: 'p1', size: 5, iv: 'aXZw' } });
    assert.deepEqual((await s.listParts('a-1', 'm', 'u1', 0, 10)).parts[0].blob, { id: 'p1', size: 5, iv: 'aXZw' });
    const done = await s.completeUpload('a-1', 'm', 'u1', (u, parts) => ({
      object: { ...object('a-1', 'm'), encryption: u.encryption, blobs: parts.map((p) => p.blob) },
      used: new Set([1]),
    }));
    assert.deepEqual(await s.getObject('a-1', 'm'), done.object);
    assert.deepEqual(done.object.blobs, [{ id: 'p1', size: 5, iv: 'aXZw' }]);
    await s.createUpload(upload('a-1', 'm', 'u2'));
    await s.putPart('a-1', 'm', 'u2', part(1));
    assert.equal('encryption' in (await s.getUpload('a-1', 'm', 'u2'))!, false);
    assert.deepEqual((await s.listParts('a-1', 'm', 'u2', 0, 10)).parts[0].blob, { id: 'part-1', size: 5 });
  }));

  test(`${name}: bucket usage counts the current objects and their bytes of every bucket, empty ones included`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    await s.createBucket(bucket('b-2', '2'), 10);
    assert.deepEqual(await s.bucketUsage(), [
      { bucket: 'a-1', objects: 0, bytes: 0 },
      { bucket: 'b-2', objects: 0, bytes: 0 },
    ]);
    await s.putObject(object('a-1', 'x'));
    await s.putObject({ ...object('a-1', 'y'), size: 10, blobs: [{ id: 'y', size: 10 }] });
    await s.putObject(object('a-1', 'x', 'again'));
    await s.putObject(object('b-2', 'z'));
    assert.deepEqual(await s.bucketUsage(), [
      { bucket: 'a-1', objects: 2, bytes: 13 },
      { bucket: 'b-2', objects: 1, bytes: 3 },
    ]);
    await s.deleteObject('a-1', 'y');
    assert.deepEqual((await s.bucketUsage())[0], { bucket: 'a-1', objects: 1, bytes: 3 });
  }));

  test(`${name}: bucket lifecycle rules and tags round-trip, are replaced and removed; lifecycle buckets are listed`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    await s.createBucket(bucket('b-2', '2'), 10);
    const rules: LifecycleRule[] = [
      {
        id: 'r1',
        status: 'Enabled',
        filter: { prefix: 'logs/', tags: [{ key: 'k', value: 'v' }] },
        transitions: [{ days: 30, storageClass: 'STANDARD_IA' }, { date: '2030-01-01T00:00:00.000Z', storageClass: 'ARCHIVE' }],
        expiration: { days: 365 },
        noncurrentVersionTransitions: [{ noncurrentDays: 0, storageClass: 'ARCHIVE' }],
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
      },
    ];
    assert.deepEqual(await s.listLifecycleBuckets(), []);
    await s.setBucketLifecycle('b-2', rules);
    assert.deepEqual((await s.getBucket('b-2'))?.lifecycle, rules);
    assert.deepEqual((await s.listLifecycleBuckets()).map((b) => b.name), ['b-2'], 'of any owner, only those with rules');
    await s.setBucketTagging('a-1', [{ key: 't', value: '1' }]);
    assert.deepEqual((await s.getBucket('a-1'))?.tagging, [{ key: 't', value: '1' }]);
    await s.setBucketTagging('a-1', []);
    assert.equal('tagging' in (await s.getBucket('a-1'))!, false, 'an empty tag set is none');
    await s.setBucketLifecycle('b-2', undefined);
    assert.equal('lifecycle' in (await s.getBucket('b-2'))!, false);
    assert.deepEqual(await s.listLifecycleBuckets(), []);
    await rejectsWith(s.setBucketLifecycle('none-1', rules), 'NoSuchBucket');
    await rejectsWith(s.setBucketTagging('none-1', []), 'NoSuchBucket');
  }));

  test(`${name}: a bucket's configuration documents are set, replaced and removed one by one`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    assert.equal('configs' in (await s.getBucket('a-1'))!, false, 'none at first');
    await s.setBucketConfig('a-1', 'website', { index: 'index.html' });
    await s.setBucketConfig('a-1', 'referer', { status: 'Enabled', domains: ['*.example.com'] });
    assert.deepEqual((await s.getBucket('a-1'))?.configs, { website: { index: 'index.html' }, referer: { status: 'Enabled', domains: ['*.example.com'] } });
    await s.setBucketConfig('a-1', 'website', { index: 'home.html' });
    assert.deepEqual((await s.getBucket('a-1'))?.configs?.website, { index: 'home.html' }, 'replaced, the read after the write sees it');
    await s.setBucketConfig('a-1', 'website', undefined);
    await s.setBucketConfig('a-1', 'referer', undefined);
    assert.equal('configs' in (await s.getBucket('a-1'))!, false, 'none left');
    await rejectsWith(s.setBucketConfig('none-1', 'website', {}), 'NoSuchBucket');
  }));

  test(`${name}: an object's restore state round-trips; deleteObjectIf removes only what it accepts`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const restore = { tier: 'Bulk' as const, days: 2, requestedAt: 1, readyAt: 2, expiresAt: 3 };
    await s.putObject({ ...object('a-1', 'cold'), storageClass: 'ARCHIVE', restore });
    assert.deepEqual((await s.getObject('a-1', 'cold'))?.restore, restore);
    await s.updateObject('a-1', 'cold', (current) => ({ ...current!, restore: undefined }));
    assert.equal('restore' in (await s.getObject('a-1', 'cold'))!, false);

    assert.equal(await s.deleteObjectIf('a-1', 'cold', (current) => current.etag === '"other"'), undefined);
    assert.ok(await s.getObject('a-1', 'cold'), 'refused: still there');
    assert.deepEqual(await s.deleteObjectIf('a-1', 'cold', (current) => current.etag === '"e"'), { blobs: [{ id: 'blob-cold', size: 3 }], deleteMarker: false });
    assert.equal(await s.getObject('a-1', 'cold'), undefined);
    assert.equal(await s.deleteObjectIf('a-1', 'cold', () => true), undefined, 'nothing to remove');
  }));

  test(`${name}: a symlink's type and target round-trip, as the current object and as a noncurrent version`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const link: ObjectRecord = { ...object('a-1', 'link'), size: 0, blobs: [], objectType: 'symlink', symlinkTarget: 'dir/目标 +%' };
    await s.putObject(link);
    const got = await s.getObject('a-1', 'link');
    assert.deepEqual([got?.objectType, got?.symlinkTarget, got?.blobs], ['symlink', 'dir/目标 +%', []]);
    const listed = await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '', maxKeys: 10 });
    assert.deepEqual(listed.entries.map((e) => ('object' in e ? e.object.symlinkTarget : undefined)), ['dir/目标 +%']);

    await s.setBucketVersioning('a-1', 'Enabled');
    const { object: first } = await s.putObject({ ...link, symlinkTarget: 'one' });
    await s.putObject(object('a-1', 'link'));
    const current = await s.getObject('a-1', 'link');
    assert.deepEqual([current?.objectType, 'symlinkTarget' in current!], ['normal', false], 'an object over a link is no link');
    const old = await s.getObjectVersion('a-1', 'link', versionIdOf(first));
    assert.ok(old && !isDeleteMarker(old));
    assert.deepEqual([old.objectType, old.symlinkTarget], ['symlink', 'one']);
  }));

  test(`${name}: concurrent writes all commit; one failure does not undo its neighbours`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const writes = Array.from({ length: 50 }, (_, i) => s.putObject(object('a-1', `k${i}`)));
    // Checked from the start: a store without group commit may reject it before the others commit.
    const failing = rejectsWith(s.putObject(object('missing-1', 'x')), 'NoSuchBucket');
    await Promise.all(writes);
    await failing;
    assert.equal((await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '', maxKeys: 1000 })).entries.length, 50);
    assert.deepEqual([...(await s.referencedBlobIds())].sort(), Array.from({ length: 50 }, (_, i) => `blob-k${i}`).sort());
  }));

  test(`${name}: C178 listing is in UTF-8 byte order, strictly after the marker`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const keys = ['b', 'a', '\uFFFD', 'é', '中', '𝄞', 'a/', 'A', ' '];
    for (const k of keys) await s.putObject(object('a-1', k));
    const sorted = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const all = await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '', maxKeys: 1000 });
    assert.deepEqual(names(all), sorted);
    assert.deepEqual(sorted.slice(-2), ['\uFFFD', '𝄞']); // U+FFFD sorts before U+1D11E in UTF-8, unlike UTF-16
    const after = await s.listObjects({ bucket: 'a-1', prefix: '', marker: 'é', delimiter: '', maxKeys: 1000 });
    assert.deepEqual(names(after), sorted.slice(sorted.indexOf('é') + 1));
  }));

  test(`${name}: C179 C182 prefix, delimiter and paging with common prefixes`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    const keys = ['a/1', 'a/2', 'a/b/3', 'b', 'c/1', 'c/2', 'd', 'dir/x', 'dir/y/z', 'e'];
    for (const k of keys) await s.putObject(object('a-1', k));
    const list = (prefix: string, delimiter: string, marker = '', maxKeys = 1000) =>
      s.listObjects({ bucket: 'a-1', prefix, marker, delimiter, maxKeys });

    assert.deepEqual(names(await list('', '/')), ['[a/]', 'b', '[c/]', 'd', '[dir/]', 'e']);
    assert.deepEqual(names(await list('a/', '/')), ['a/1', 'a/2', '[a/b/]']);
    assert.deepEqual(names(await list('dir', '/')), ['[dir/]']);
    assert.deepEqual(names(await list('di', '')), ['dir/x', 'dir/y/z']);
    assert.deepEqual(names(await list('zzz', '/')), []);

    // Pages of two: common prefixes count toward max-keys, and a page never repeats one.
    const seen: string[] = [];
    let marker = '';
    for (let i = 0; i < 10; i++) {
      const page = await list('', '/', marker, 2);
      seen.push(...names(page));
      if (!page.isTruncated) break;
      assert.ok(page.nextMarker);
      marker = page.nextMarker;
    }
    assert.deepEqual(seen, ['[a/]', 'b', '[c/]', 'd', '[dir/]', 'e']);

    const first = await list('', '', '', 3);
    assert.equal(first.isTruncated, true);
    assert.equal(first.nextMarker, 'a/b/3');
    const exact = await list('', '', 'd', 3);
    assert.deepEqual(names(exact), ['dir/x', 'dir/y/z', 'e']);
    assert.equal(exact.isTruncated, false);
    assert.deepEqual(names(await list('', '/', 'a/1')), ['b', '[c/]', 'd', '[dir/]', 'e']);
    assert.deepEqual((await list('', '', '', 0)).entries, []);
  }));

  test(`${name}: multi-character delimiters and keys past the last code point`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    for (const k of ['x--1--2', 'x--3', 'y', '\u{10FFFF}a', '\u{10FFFF}b']) await s.putObject(object('a-1', k));
    const page = await s.listObjects({ bucket: 'a-1', prefix: '', marker: '', delimiter: '--', maxKeys: 1000 });
    assert.deepEqual(names(page), ['[x--]', 'y', '\u{10FFFF}a', '\u{10FFFF}b']);
    const high = await s.listObjects({ bucket: 'a-1', prefix: '\u{10FFFF}', marker: '', delimiter: '', maxKeys: 1000 });
    assert.deepEqual(names(high), ['\u{10FFFF}a', '\u{10FFFF}b']);
  }));

  test(`${name}: uploads hold parts, block bucket deletion, complete atomically or abort`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    await rejectsWith(s.createUpload(upload('gone-1', 'k', 'u1')), 'NoSuchBucket');
    await s.createUpload(upload('a-1', 'k', 'u1'));
    assert.equal((await s.getUpload('a-1', 'k', 'u1'))?.storageClass, 'STANDARD');
    await rejectsWith(s.deleteBucket('a-1'), 'BucketNotEmpty');
    assert.deepEqual(await s.putPart('a-1', 'k', 'u1', part(2)), []);
    assert.deepEqual(await s.putPart('a-1', 'k', 'u1', part(1, 'first')), []);
    assert.deepEqual(await s.putPart('a-1', 'k', 'u1', part(1)), [{ id: 'first', size: 5 }]);
    await s.putPart('a-1', 'k', 'u1', part(3));
    await rejectsWith(s.putPart('a-1', 'k', 'nope', part(1)), 'NoSuchUpload');

    const page = await s.listParts('a-1', 'k', 'u1', 0, 2);
    assert.deepEqual(page.parts.map((p) => p.partNumber), [1, 2]);
    assert.equal(page.isTruncated, true);
    assert.equal(page.nextPartNumberMarker, 2);
    assert.deepEqual((await s.listParts('a-1', 'k', 'u1', 2, 10)).parts.map((p) => p.partNumber), [3]);
    await rejectsWith(s.listParts('a-1', 'k', 'nope', 0, 10), 'NoSuchUpload');
    assert.ok((await s.referencedBlobIds()).has('part-2'));

    // A completion that throws changes nothing.
    await assert.rejects(s.completeUpload('a-1', 'k', 'u1', () => { throw new CosError('InvalidPart'); }), (e: unknown) => e instanceof CosError);
    assert.ok(await s.getUpload('a-1', 'k', 'u1'));

    await s.putObject(object('a-1', 'k', 'old'));
    const done = await s.completeUpload('a-1', 'k', 'u1', (u, parts) => {
      assert.equal(u.uploadId, 'u1');
      assert.deepEqual(parts.map((p) => p.partNumber), [1, 2, 3]);
      const used = parts.filter((p) => p.partNumber !== 2);
      return { object: { ...object('a-1', 'k'), blobs: used.map((p) => p.blob) }, used: new Set(used.map((p) => p.partNumber)) };
    });
    assert.deepEqual(done.object.blobs.map((b) => b.id), ['part-1', 'part-3']);
    assert.deepEqual(done.unneeded.map((b) => b.id).sort(), ['old', 'part-2']);
    assert.equal(await s.getUpload('a-1', 'k', 'u1'), undefined);
    await rejectsWith(s.completeUpload('a-1', 'k', 'u1', () => { throw new Error('not reached'); }), 'NoSuchUpload');
    assert.deepEqual((await s.getObject('a-1', 'k'))?.blobs.map((b) => b.id), ['part-1', 'part-3']);

    await s.createUpload(upload('a-1', 'k2', 'u2'));
    await s.putPart('a-1', 'k2', 'u2', part(1, 'x'));
    assert.deepEqual(await s.abortUpload('a-1', 'k2', 'u2'), [{ id: 'x', size: 5 }]);
    await rejectsWith(s.abortUpload('a-1', 'k2', 'u2'), 'NoSuchUpload');
    await s.deleteObject('a-1', 'k');
    await s.deleteBucket('a-1');
  }));

  test(`${name}: C198 C200 listing uploads: prefix, delimiter, key and upload-id markers`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    for (const [key, id] of [['a', '1'], ['a', '2'], ['a', '3'], ['b/x', '1'], ['b/y', '1'], ['c', '1']]) await s.createUpload(upload('a-1', key, id));
    const list = async (o: Partial<{ prefix: string; delimiter: string; keyMarker: string; uploadIdMarker: string; maxUploads: number }>) => {
      const page = await s.listUploads({ bucket: 'a-1', prefix: '', delimiter: '', keyMarker: '', uploadIdMarker: '', maxUploads: 1000, ...o });
      return { ...page, names: page.entries.map((e) => ('commonPrefix' in e ? `[${e.commonPrefix}]` : `${e.upload.key}#${e.upload.uploadId}`)) };
    };
    assert.deepEqual((await list({})).names, ['a#1', 'a#2', 'a#3', 'b/x#1', 'b/y#1', 'c#1']);
    assert.deepEqual((await list({ delimiter: '/' })).names, ['a#1', 'a#2', 'a#3', '[b/]', 'c#1']);
    assert.deepEqual((await list({ prefix: 'b/' })).names, ['b/x#1', 'b/y#1']);
    assert.deepEqual((await list({ keyMarker: 'a' })).names, ['b/x#1', 'b/y#1', 'c#1']);
    assert.deepEqual((await list({ keyMarker: 'a', uploadIdMarker: '1' })).names, ['a#2', 'a#3', 'b/x#1', 'b/y#1', 'c#1']);
    assert.deepEqual((await list({ uploadIdMarker: '1' })).names.length, 6, 'upload-id-marker without key-marker is ignored');
    const first = await list({ maxUploads: 2 });
    assert.deepEqual([first.isTruncated, first.nextKeyMarker, first.nextUploadIdMarker], [true, 'a', '2']);
    const second = await list({ maxUploads: 2, keyMarker: 'a', uploadIdMarker: '2' });
    assert.deepEqual(second.names, ['a#3', 'b/x#1']);
  }));

  test(`${name}: C147-C154 versioning: versions, delete markers, the null version`, withStore(async (s) => {
    await s.createBucket(bucket('v-1'), 10);
    await s.putObject(object('v-1', 'k', 'before'));
    await s.setBucketVersioning('v-1', 'Enabled');
    assert.equal((await s.getBucket('v-1'))?.versioning, 'Enabled');
    const one = await s.putObject(object('v-1', 'k', 'one'));
    const two = await s.putObject(object('v-1', 'k', 'two'));
    assert.deepEqual([one.replaced, two.replaced], [[], []], 'with versioning nothing is replaced');
    assert.ok(one.object.versionId && two.object.versionId && one.object.versionId !== two.object.versionId);
    assert.equal((await s.getObject('v-1', 'k'))?.blobs[0].id, 'two');
    assert.equal(((await s.getObjectVersion('v-1', 'k', one.object.versionId!)) as ObjectRecord).blobs[0].id, 'one');
    assert.equal(((await s.getObjectVersion('v-1', 'k', 'null')) as ObjectRecord).blobs[0].id, 'before', 'the object from before versioning is the null version');
    assert.equal(await s.getObjectVersion('v-1', 'k', 'nope'), undefined);

    const listed = async () =>
      (await s.listObjectVersions({ bucket: 'v-1', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000 })).entries.map((e) =>
        'commonPrefix' in e ? `[${e.commonPrefix}]` : `${versionIdOf(e.version)}${isDeleteMarker(e.version) ? '(dm)' : ''}${e.isLatest ? '*' : ''}`,
      );
    assert.deepEqual(await listed(), [`${two.object.versionId}*`, one.object.versionId, 'null']);

    // DELETE without a version: a delete marker; the key reads as missing; the marker is latest.
    const marker = await s.deleteObject('v-1', 'k');
    assert.equal(marker.deleteMarker, true);
    assert.deepEqual(marker.blobs, []);
    assert.equal(await s.getObject('v-1', 'k'), undefined);
    assert.equal((await s.latestDeleteMarker('v-1', 'k'))?.versionId, marker.versionId);
    assert.deepEqual(await listed(), [`${marker.versionId}(dm)*`, two.object.versionId, one.object.versionId, 'null']);
    await rejectsWith(s.deleteBucket('v-1'), 'BucketNotEmpty');

    // Removing the marker makes the newest version current again.
    assert.deepEqual(await s.deleteObject('v-1', 'k', marker.versionId), { blobs: [], versionId: marker.versionId, deleteMarker: true });
    assert.equal((await s.getObject('v-1', 'k'))?.versionId, two.object.versionId);
    // Removing the current version by id promotes the next.
    assert.deepEqual((await s.deleteObject('v-1', 'k', two.object.versionId)).blobs, [{ id: 'two', size: 3 }]);
    assert.equal((await s.getObject('v-1', 'k'))?.versionId, one.object.versionId);
    assert.deepEqual((await s.deleteObject('v-1', 'k', 'missing')).blobs, [], 'a missing version is a no-op');

    // Tags of a noncurrent version change in place.
    await s.updateObject('v-1', 'k', (v) => ({ ...v!, tags: [{ key: 'a', value: 'b' }] }), 'null');
    assert.deepEqual(((await s.getObjectVersion('v-1', 'k', 'null')) as ObjectRecord).tags, [{ key: 'a', value: 'b' }]);
    assert.equal((await s.getObject('v-1', 'k'))?.tags, undefined);
    await rejectsWith(s.updateObject('v-1', 'k', (v) => v!, 'missing'), 'NoSuchVersion');

    // Suspended: writes are the null version and replace the earlier null version.
    await s.setBucketVersioning('v-1', 'Suspended');
    const suspended = await s.putObject(object('v-1', 'k', 'three'));
    assert.equal(suspended.object.versionId, 'null');
    assert.deepEqual(suspended.replaced, [{ id: 'before', size: 3 }]);
    assert.deepEqual(await listed(), ['null*', one.object.versionId]);
    const again = await s.putObject(object('v-1', 'k', 'four'));
    assert.deepEqual(again.replaced, [{ id: 'three', size: 3 }]);
    const nullMarker = await s.deleteObject('v-1', 'k');
    assert.deepEqual([nullMarker.versionId, nullMarker.deleteMarker, nullMarker.blobs], ['null', true, [{ id: 'four', size: 3 }]]);
    assert.deepEqual(await listed(), ['null(dm)*', one.object.versionId]);
    const ids = await s.referencedBlobIds();
    assert.ok(ids.has('one') && !ids.has('four'));

    await s.deleteObject('v-1', 'k', 'null');
    assert.equal((await s.getObject('v-1', 'k'))?.versionId, one.object.versionId);
    await s.deleteObject('v-1', 'k', one.object.versionId);
    assert.deepEqual(await listed(), []);
    await s.deleteBucket('v-1');
  }));

  test(`${name}: C306 listing versions: prefix, delimiter, key and version-id markers, pages`, withStore(async (s) => {
    await s.createBucket(bucket('v-1'), 10);
    await s.setBucketVersioning('v-1', 'Enabled');
    const ids: Record<string, string[]> = {};
    for (const key of ['a', 'a', 'a', 'b/x', 'b/y', 'c', 'c']) {
      const { object: o } = await s.putObject(object('v-1', key));
      (ids[key] ??= []).unshift(o.versionId!);
    }
    const dm = await s.deleteObject('v-1', 'c');
    ids.c.unshift(dm.versionId!);
    const list = async (o: Partial<{ prefix: string; delimiter: string; keyMarker: string; versionIdMarker: string; maxKeys: number }>) => {
      const page = await s.listObjectVersions({ bucket: 'v-1', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 1000, ...o });
      return { ...page, names: page.entries.map((e) => ('commonPrefix' in e ? `[${e.commonPrefix}]` : `${e.version.key}#${ids[e.version.key].indexOf(versionIdOf(e.version))}${e.isLatest ? '*' : ''}`)) };
    };
    assert.deepEqual((await list({})).names, ['a#0*', 'a#1', 'a#2', 'b/x#0*', 'b/y#0*', 'c#0*', 'c#1', 'c#2']);
    assert.deepEqual((await list({ delimiter: '/' })).names, ['a#0*', 'a#1', 'a#2', '[b/]', 'c#0*', 'c#1', 'c#2']);
    assert.deepEqual((await list({ prefix: 'b/' })).names, ['b/x#0*', 'b/y#0*']);
    assert.deepEqual((await list({ keyMarker: 'a' })).names, ['b/x#0*', 'b/y#0*', 'c#0*', 'c#1', 'c#2']);
    assert.deepEqual((await list({ keyMarker: 'a', versionIdMarker: ids.a[0] })).names, ['a#1', 'a#2', 'b/x#0*', 'b/y#0*', 'c#0*', 'c#1', 'c#2']);
    assert.deepEqual((await list({ keyMarker: 'c', versionIdMarker: ids.c[0] })).names, ['c#1', 'c#2'], 'after a delete marker');
    // Paging through with the Next markers visits every version once.
    const seen: string[] = [];
    let keyMarker = '';
    let versionIdMarker = '';
    for (let i = 0; i < 10; i++) {
      const page = await list({ maxKeys: 3, keyMarker, versionIdMarker });
      seen.push(...page.names);
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker!;
      versionIdMarker = page.nextVersionIdMarker!;
    }
    assert.deepEqual(seen, ['a#0*', 'a#1', 'a#2', 'b/x#0*', 'b/y#0*', 'c#0*', 'c#1', 'c#2']);
    const noncurrent = (await list({ prefix: 'a' })).entries[1];
    assert.ok(!('commonPrefix' in noncurrent) && typeof noncurrent.noncurrentSince === 'number');
  }));

  test(`${name}: accounts with sub-users and key pairs`, withStore(async (s) => {
    await s.putAccount({ uin: '100', appid: '1250000000', rootUin: '100', createdAt: 1 });
    await s.putAccount({ uin: '101', appid: '1250000000', rootUin: '100', createdAt: 2 });
    await s.putAccount({ uin: '200', appid: '1250000001', rootUin: '200', createdAt: 3 });
    assert.deepEqual((await s.listAccounts()).map((a) => a.uin), ['100', '101', '200']);
    assert.deepEqual(await s.getAccount('101'), { uin: '101', appid: '1250000000', rootUin: '100', createdAt: 2 });
    await s.putAccessKey({ secretId: 'AKID1', secretKey: 'k1', uin: '100', createdAt: 1 });
    await s.putAccessKey({ secretId: 'AKID2', secretKey: 'k2', uin: '101', createdAt: 1 });
    await rejectsWith(s.putAccessKey({ secretId: 'AKID3', secretKey: 'k3', uin: '999', createdAt: 1 }), 'InvalidArgument');
    assert.equal((await s.getAccessKey('AKID2'))?.uin, '101');
    assert.equal(await s.getAccessKey('AKID3'), undefined);
    assert.equal(await s.deleteAccessKey('AKID1'), true);
    assert.equal(await s.deleteAccessKey('AKID1'), false);
    await s.createBucket(bucket('owned-1250000001', '200'), 10);
    await rejectsWith(s.deleteAccount('200'), 'InvalidArgument');
    await s.deleteAccount('100');
    assert.deepEqual((await s.listAccounts()).map((a) => a.uin), ['200'], 'a root account goes with its sub-users');
    assert.deepEqual(await s.listAccessKeys(), [], 'and their keys');
  }));

  test(`${name}: sub-users' policy statements are added once, listed in order, revoked, and go with their account`, withStore(async (s) => {
    await s.putAccount({ uin: '100', appid: '1250000000', rootUin: '100', createdAt: 1 });
    await s.putAccount({ uin: '101', appid: '1250000000', rootUin: '100', createdAt: 2 });
    const grant = (action: string, resource = '*', effect: 'allow' | 'deny' = 'allow', createdAt = 5) => ({ uin: '101', effect, action, resource, createdAt });
    await s.putGrant(grant('name/cos:PutBucket', '*', 'allow', 5));
    await s.putGrant(grant('name/cos:GetObject', 'qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*', 'deny', 6));
    await s.putGrant(grant('name/cos:PutBucket', '*', 'allow', 7));
    assert.deepEqual(
      (await s.listGrants('101')).map((g) => `${g.effect} ${g.action} ${g.resource} ${g.createdAt}`),
      ['allow name/cos:PutBucket * 5', 'deny name/cos:GetObject qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/* 6'],
    );
    await rejectsWith(s.putGrant({ ...grant('name/cos:*'), uin: '100' }), 'InvalidArgument');
    await rejectsWith(s.putGrant({ ...grant('name/cos:*'), uin: '999' }), 'InvalidArgument');
    assert.deepEqual(await s.listGrants('100'), []);
    assert.equal(await s.deleteGrant({ uin: '101', effect: 'allow', action: 'name/cos:PutBucket', resource: '*' }), true);
    assert.equal(await s.deleteGrant({ uin: '101', effect: 'allow', action: 'name/cos:PutBucket', resource: '*' }), false);
    assert.deepEqual((await s.listGrants('101')).map((g) => g.action), ['name/cos:GetObject']);
    await s.deleteAccount('100');
    assert.deepEqual(await s.listGrants('101'), [], 'statements go with their sub-user');
  }));

  test(`${name}: work queues keep items per kind, oldest first, until dequeued`, withStore(async (s) => {
    await s.enqueue('replication', [{ key: 'a' }, { key: 'b' }]);
    await s.enqueue('access-log', ['line 1']);
    await s.enqueue('replication', [{ key: 'c' }]);
    const first = await s.peekQueue('replication', 2);
    assert.deepEqual(first.map((q) => q.item), [{ key: 'a' }, { key: 'b' }]);
    assert.ok(first[0].seq < first[1].seq);
    await s.dequeue('replication', [first[0].seq, 999_999]);
    assert.deepEqual((await s.peekQueue('replication', 10)).map((q) => q.item), [{ key: 'b' }, { key: 'c' }]);
    await s.dequeue('access-log', [first[1].seq]);
    assert.deepEqual((await s.peekQueue('replication', 10)).length, 2, 'another kind\'s dequeue leaves these alone');
    assert.deepEqual((await s.peekQueue('access-log', 10)).map((q) => q.item), ['line 1']);
    assert.deepEqual(await s.peekQueue('none', 10), []);
  }));

  test(`${name}: last access per key keeps the latest time recorded`, withStore(async (s) => {
    assert.equal(await s.lastAccess('b-1', 'k'), undefined);
    await s.recordAccess([{ bucket: 'b-1', key: 'k', time: 5 }, { bucket: 'b-1', key: 'k', time: 9 }, { bucket: 'b-1', key: 'j', time: 1 }]);
    await s.recordAccess([{ bucket: 'b-1', key: 'k', time: 7 }]);
    assert.equal(await s.lastAccess('b-1', 'k'), 9, 'an older record does not move it back');
    assert.equal(await s.lastAccess('b-1', 'j'), 1);
    assert.equal(await s.lastAccess('b-2', 'k'), undefined);
  }));

  test(`${name}: a versioned write marked PENDING for replication is queued with it`, withStore(async (s) => {
    await s.createBucket(bucket('r-1'), 10);
    await s.putObject({ ...object('r-1', 'plain'), meta: { 'x-cos-replication-status': 'PENDING' } });
    assert.deepEqual(await s.peekQueue('replication', 10), [], 'no versioning, no version to replicate');
    await s.setBucketVersioning('r-1', 'Enabled');
    const { object: written } = await s.putObject({ ...object('r-1', 'k'), meta: { 'x-cos-replication-status': 'PENDING' } });
    await s.putObject(object('r-1', 'unmarked'));
    await s.updateObject('r-1', 'k', (current) => ({ ...current!, meta: { 'x-cos-replication-status': 'COMPLETED' } }), written.versionId);
    assert.deepEqual((await s.peekQueue('replication', 10)).map((q) => q.item), [{ bucket: 'r-1', key: 'k', versionId: written.versionId }]);
  }));

  test(`${name}: fsck scans every object version and part (pages included) and marks versions damaged`, withStore(async (s) => {
    await s.createBucket(bucket('a-1'), 10);
    await s.createBucket(bucket('v-1'), 10);
    for (let i = 0; i < 600; i++) await s.putObject(object('a-1', `k${String(i).padStart(3, '0')}`));
    await s.setBucketVersioning('v-1', 'Enabled');
    const { object: old } = await s.putObject(object('v-1', 'k', 'old'));
    const { object: current } = await s.putObject(object('v-1', 'k', 'new'));
    await s.deleteObject('v-1', 'gone');
    await s.createUpload(upload('a-1', 'u', 'u1'));
    await s.putPart('a-1', 'u', 'u1', part(1));
    await s.putPart('a-1', 'u', 'u1', part(2));

    const scanned: string[] = [];
    for await (const o of s.scanObjects()) scanned.push(o.blobs[0].id);
    assert.equal(scanned.length, 602);
    assert.deepEqual(new Set(scanned), new Set([...Array.from({ length: 600 }, (_, i) => `blob-k${String(i).padStart(3, '0')}`), 'old', 'new']));
    const parts: string[] = [];
    for await (const { upload: u, part: p } of s.scanParts()) parts.push(`${u.uploadId}/${p.partNumber}/${p.blob.id}`);
    assert.deepEqual(parts, ['u1/1/part-1', 'u1/2/part-2']);

    assert.equal(await s.markDamaged('a-1', 'k007', undefined, 'crc64'), true);
    assert.equal((await s.getObject('a-1', 'k007'))?.damaged, 'crc64');
    assert.equal((await s.getObject('a-1', 'k008'))?.damaged, undefined);
    assert.equal(await s.markDamaged('v-1', 'k', old.versionId, 'missing'), true);
    assert.equal(((await s.getObjectVersion('v-1', 'k', old.versionId!)) as ObjectRecord).damaged, 'missing');
    assert.equal((await s.getObject('v-1', 'k'))?.damaged, undefined, 'the current version is not marked');
    assert.equal(await s.markDamaged('v-1', 'k', current.versionId, 'size'), true);
    assert.equal((await s.getObject('v-1', 'k'))?.damaged, 'size');
    assert.equal(await s.markDamaged('v-1', 'k', 'no-such-version', 'size'), false);
    assert.equal(await s.markDamaged('a-1', 'nope', undefined, 'size'), false);
    // A new write over a damaged object is whole again.
    await s.putObject(object('a-1', 'k007'));
    assert.equal((await s.getObject('a-1', 'k007'))?.damaged, undefined);
  }));
}
