import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import type { ObjectRecord } from '../storage/metadata/store.js';
import { applyRestore, requireReadable, restoreHeader, restorePhase, restoreRequestFromXml, RESTORE_DURATION_MS } from './restore.js';

const NOW = Date.UTC(2024, 2, 1, 9, 0);
const HOUR = 3_600_000;

function archived(storageClass = 'ARCHIVE'): ObjectRecord {
  return {
    bucket: 'b-1', key: 'k', size: 1, etag: '"e"', crc64: '0', lastModified: 0, storageClass, objectType: 'normal',
    contentHeaders: {}, meta: {}, ownerUin: '1', blobs: [],
  };
}

const throwsCode = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof CosError && e.code === code);

test('restoreRequestFromXml: Days and an optional tier (Standard by default); 004 rootless bodies too', () => {
  assert.deepEqual(restoreRequestFromXml('<RestoreRequest><Days>3</Days><CASJobParameters><Tier>expedited</Tier></CASJobParameters></RestoreRequest>'), { days: 3, tier: 'Expedited' });
  assert.deepEqual(restoreRequestFromXml('<RestoreRequest><Days> 1 </Days></RestoreRequest>'), { days: 1, tier: 'Standard' });
  assert.deepEqual(restoreRequestFromXml('<Days>2</Days>'), { days: 2, tier: 'Standard' });
  throwsCode(() => restoreRequestFromXml('<RestoreRequest/>'), 'MalformedXML');
  throwsCode(() => restoreRequestFromXml('<RestoreRequest><Days>0</Days></RestoreRequest>'), 'InvalidArgument');
  throwsCode(() => restoreRequestFromXml('<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Now</Tier></CASJobParameters></RestoreRequest>'), 'InvalidArgument');
});

test('applyRestore: 202 under way for the tier\'s time, then readable until Days after it is ready (to midnight UTC), 200 extends', () => {
  const { object, status } = applyRestore(archived(), { days: 2, tier: 'Standard' }, NOW, 1);
  assert.equal(status, 202);
  assert.deepEqual(object.restore, { tier: 'Standard', days: 2, requestedAt: NOW, readyAt: NOW + 5 * HOUR, expiresAt: Date.UTC(2024, 2, 4) });
  assert.equal(restorePhase(object, NOW + 5 * HOUR - 1), 'ongoing');
  assert.equal(restoreHeader(object, NOW), 'ongoing-request="true"');
  throwsCode(() => requireReadable(object, NOW), 'InvalidObjectState');
  throwsCode(() => applyRestore(object, { days: 1, tier: 'Expedited' }, NOW + HOUR, 1), 'RestoreAlreadyInProgress');

  const ready = NOW + 5 * HOUR;
  assert.equal(restoreHeader(object, ready), 'ongoing-request="false", expiry-date="Mon, 04 Mar 2024 00:00:00 GMT"');
  requireReadable(object, ready);
  const extended = applyRestore(object, { days: 7, tier: 'Bulk' }, ready, 1);
  assert.equal(extended.status, 200);
  assert.equal(extended.object.restore?.expiresAt, Date.UTC(2024, 2, 9));
  assert.equal(extended.object.restore?.readyAt, ready, 'an extension does not restore anew');

  assert.equal(restorePhase(object, Date.UTC(2024, 2, 4)), 'none', 'expired');
  assert.equal(restoreHeader(object, Date.UTC(2024, 2, 4)), undefined);
  assert.equal(applyRestore(object, { days: 1, tier: 'Expedited' }, Date.UTC(2024, 2, 4), 1).status, 202, 'an expired copy is restored anew');
});

test('applyRestore: durations per class and tier, shortened by the time scale; refusals', () => {
  assert.equal(applyRestore(archived(), { days: 1, tier: 'Expedited' }, NOW, 1).object.restore?.readyAt, NOW + 15 * 60_000);
  assert.equal(applyRestore(archived('DEEP_ARCHIVE'), { days: 1, tier: 'Bulk' }, NOW, 1).object.restore?.readyAt, NOW + 48 * HOUR);
  assert.equal(applyRestore(archived('DEEP_ARCHIVE'), { days: 1, tier: 'Bulk' }, NOW, 3600).object.restore?.readyAt, NOW + 48_000, 'an hour a second');
  assert.equal(RESTORE_DURATION_MS.DEEP_ARCHIVE.Expedited, undefined);
  throwsCode(() => applyRestore(archived('DEEP_ARCHIVE'), { days: 1, tier: 'Expedited' }, NOW, 1), 'InvalidArgument');
  throwsCode(() => applyRestore(archived('STANDARD_IA'), { days: 1, tier: 'Standard' }, NOW, 1), 'InvalidObjectState');
  requireReadable(archived('STANDARD'), NOW);
  throwsCode(() => requireReadable(archived('DEEP_ARCHIVE'), NOW), 'InvalidObjectState');
});
