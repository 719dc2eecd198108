import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError, parseXml } from '@cosbox/protocol';
import { afterDays, REAL_DAY_MS } from './clock.js';
import { decideUploadAbort, decideVersion, lifecycleDocument, lifecycleFromXml, type LifecycleRule, type VersionDescription } from './lifecycle.js';

const config = (...rules: string[]) => `<LifecycleConfiguration>${rules.map((r) => `<Rule>${r}</Rule>`).join('')}</LifecycleConfiguration>`;
const refuses = (xml: string, code: string, message?: RegExp) =>
  assert.throws(() => lifecycleFromXml(xml), (e: unknown) => e instanceof CosError && e.code === code && (!message || message.test(e.message)), `${code}: ${xml}`);

function rule(partial: Partial<LifecycleRule>): LifecycleRule {
  return { status: 'Enabled', filter: { tags: [] }, transitions: [], noncurrentVersionTransitions: [], ...partial };
}

const DAY = REAL_DAY_MS;
/** 2024-01-10 10:30 UTC */
const T0 = Date.UTC(2024, 0, 10, 10, 30);

function current(partial: Partial<VersionDescription> = {}): VersionDescription {
  return { key: 'logs/a.txt', tags: [], storageClass: 'STANDARD', lastModified: T0, isLatest: true, isDeleteMarker: false, otherVersionsCount: 0, ...partial };
}

test('afterDays: N days later, rounded up to the next midnight UTC; shorter days at a time scale', () => {
  assert.equal(afterDays(T0, 1, 1), Date.UTC(2024, 0, 12));
  assert.equal(afterDays(T0, 0, 1), Date.UTC(2024, 0, 11));
  assert.equal(afterDays(Date.UTC(2024, 0, 10), 1, 1), Date.UTC(2024, 0, 11), 'a midnight stays');
  assert.equal(afterDays(1_000_500, 2, 86_400), 1_003_000, 'a day is a second at 86400: 2 s after, up to the whole second');
});

test('C287 C291 the 004 example parses, and GET answers the same tree', () => {
  const xml = config(
    '<ID>id1</ID><Filter><Prefix>documents/</Prefix></Filter><Status>Enabled</Status><Transition><Days>100</Days><StorageClass>ARCHIVE</StorageClass></Transition>',
    '<ID>id2</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>10</Days></Expiration>',
  );
  const rules = lifecycleFromXml(xml);
  assert.deepEqual(rules, [
    rule({ id: 'id1', filter: { prefix: 'documents/', tags: [] }, transitions: [{ days: 100, storageClass: 'ARCHIVE' }] }),
    rule({ id: 'id2', filter: { prefix: 'logs/', tags: [] }, expiration: { days: 10 } }),
  ]);
  const again = lifecycleDocument(rules);
  assert.equal(again, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  assert.deepEqual(lifecycleFromXml(again), rules);
});

test('C287 every element round-trips: Tag and And filters, Dates, delete markers, noncurrent actions, uploads', () => {
  const xml = config(
    '<ID>all</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>x</Key><Value></Value></Tag></And></Filter><Status>Disabled</Status>' +
      '<Transition><Date>2030-01-01T00:00:00+08:00</Date><StorageClass>standard_ia</StorageClass></Transition>' +
      '<Expiration><Date>2031-01-01T00:00:00.000Z</Date></Expiration>' +
      '<NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays></NoncurrentVersionExpiration>' +
      '<NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition>',
    '<Filter><Tag><Key>only</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status><Transition><Days>0</Days><StorageClass>DEEP_ARCHIVE</StorageClass></Transition>',
    '<ID>markers</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>',
  );
  const rules = lifecycleFromXml(xml);
  assert.deepEqual(rules[0].filter, { prefix: 'a/', tags: [{ key: 'k', value: 'v' }, { key: 'x', value: '' }] });
  assert.deepEqual(rules[0].transitions, [{ date: '2030-01-01T00:00:00+08:00', storageClass: 'STANDARD_IA' }]);
  assert.equal(rules[1].id, undefined);
  assert.deepEqual(rules[2].expiration, { expiredObjectDeleteMarker: true });
  const doc = lifecycleDocument(rules);
  assert.deepEqual(lifecycleFromXml(doc), rules);
  const tree = parseXml(doc);
  assert.ok(doc.includes('<Filter><Tag><Key>only</Key><Value>1</Value></Tag></Filter>'), doc);
  assert.ok(doc.includes('<Filter/>'), doc);
  assert.ok(tree.LifecycleConfiguration);
});

test('C288 C289 C290 C293-C296 validation: MalformedXML, InvalidArgument, InvalidRequest with what is wrong', () => {
  const ok = '<Filter/><Status>Enabled</Status>';
  const expire = '<Expiration><Days>1</Days></Expiration>';
  refuses('not xml', 'MalformedXML');
  refuses('<Other/>', 'MalformedXML');
  refuses('<LifecycleConfiguration/>', 'MalformedXML', /no Rule/);
  refuses(config(`<Status>Enabled</Status>${expire}`), 'MalformedXML', /needs a Filter/);
  refuses(config(`<Filter/>${expire}`), 'MalformedXML', /Status/);
  refuses(config(`<Filter/><Status>On</Status>${expire}`), 'MalformedXML', /Status/);
  refuses(config(`<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>${expire}`), 'MalformedXML', /And/);
  refuses(config(`<Filter><Prefix>a</Prefix><Prefix>b</Prefix></Filter><Status>Enabled</Status>${expire}`), 'MalformedXML', /more than one Prefix/);
  refuses(config(`${ok}${expire}${expire}`), 'MalformedXML', /more than one Expiration/);
  refuses(config(`${ok}<Transition><Days>1</Days></Transition>`), 'MalformedXML', /StorageClass/);
  refuses(config(ok), 'InvalidRequest', /no action/);
  refuses(config(`${ok}<Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>`), 'InvalidRequest', /exactly one of Days, Date/);
  refuses(config(`${ok}<Transition><Days>1</Days><Date>2030-01-01</Date><StorageClass>ARCHIVE</StorageClass></Transition>`), 'InvalidRequest', /exactly one of Days and Date/);
  refuses(config(`${ok}<Expiration><Days>5</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`), 'InvalidRequest');
  refuses(config(`${ok}<Expiration><Days>0</Days></Expiration>`), 'InvalidArgument', /positive integer/);
  refuses(config(`${ok}<Expiration><Days>1.5</Days></Expiration>`), 'InvalidArgument', /positive integer/);
  refuses(config(`${ok}<Transition><Days>-1</Days><StorageClass>ARCHIVE</StorageClass></Transition>`), 'InvalidArgument', /non-negative/);
  refuses(config(`${ok}<Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration>`), 'InvalidArgument', /midnight/);
  refuses(config(`${ok}<Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>`), 'InvalidArgument', /do not transition to STANDARD/);
  refuses(config(`${ok}<Transition><Days>1</Days><StorageClass>GOLD</StorageClass></Transition>`), 'InvalidArgument', /GOLD is not a storage class/);
  refuses(config(`${ok}<Transition><Days>10</Days><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><Days>10</Days></Expiration>`), 'InvalidArgument', /greater than Transition/);
  refuses(config(`${ok}<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>`), 'InvalidArgument');
  refuses(config(`${ok}<NoncurrentVersionExpiration></NoncurrentVersionExpiration>`), 'MalformedXML', /NoncurrentDays/);
  refuses(config(`${ok}<AbortIncompleteMultipartUpload/>`), 'MalformedXML', /DaysAfterInitiation/);
  refuses(config(`<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`), 'InvalidRequest', /tag filter/);
  refuses(config(`<Filter><Tag><Key>cos:x</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>${expire}`), 'InvalidArgument', /cos:/);
  refuses(config(`<Filter><Tag><Key>${'k'.repeat(129)}</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>${expire}`), 'InvalidArgument', /128/);
  refuses(config(`<Filter><Tag><Key>a#b</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>${expire}`), 'InvalidArgument', /letters/);
  refuses(config(`<ID>${'i'.repeat(256)}</ID>${ok}${expire}`), 'InvalidArgument', /255/);
  refuses(config(`<ID>same</ID><Filter><Prefix>a/</Prefix></Filter><Status>Enabled</Status>${expire}`, `<ID>same</ID><Filter><Prefix>b/</Prefix></Filter><Status>Enabled</Status>${expire}`), 'InvalidArgument', /Rule ID must be unique/);
  refuses(config(`<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>${expire}`, `<Filter><Prefix>logs/old/</Prefix></Filter><Status>Enabled</Status>${expire}`), 'InvalidRequest', /Conflict lifecycle rule/);
  refuses(config(...Array.from({ length: 1001 }, (_, i) => `<Filter><Prefix>p${i}/</Prefix></Filter><Status>Enabled</Status>${expire}`)), 'InvalidArgument', /at most 1000/);
  // Overlapping prefixes with different kinds of action do not conflict; neither do tag rules.
  lifecycleFromXml(config(`<Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`, `<Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>${expire}`));
  lifecycleFromXml(config(`<Filter><Tag><Key>a</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status>${expire}`, `<Filter/><Status>Enabled</Status>${expire}`));
  assert.equal(lifecycleFromXml(config(...Array.from({ length: 1000 }, (_, i) => `<ID>r${i}</ID><Filter><Prefix>p${i}/</Prefix></Filter><Status>Enabled</Status>${expire}`))).length, 1000);
});

test('as lenient as COS: unknown elements in a rule are ignored; a Date may be midnight in China written in UTC', () => {
  const ok = '<ID>r</ID><Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status>';
  // The JS SDK's misspelt Transation beside a real action: the action stands, the misspelling is ignored.
  const [both] = lifecycleFromXml(config(`${ok}<Transation><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transation><Expiration><Days>3</Days></Expiration>`));
  assert.deepEqual(both, rule({ id: 'r', filter: { prefix: 'p/', tags: [] }, expiration: { days: 3 } }));
  // Alone it makes a rule with no action cosbox knows: accepted, and it does nothing.
  const [alone] = lifecycleFromXml(config(`${ok}<Transation><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transation>`));
  assert.deepEqual(alone, rule({ id: 'r', filter: { prefix: 'p/', tags: [] } }));
  assert.deepEqual(decideVersion([alone], current({ key: 'p/x' }), Date.UTC(2030, 0, 1)), { kind: 'none' });
  // Known elements are still checked in full, and a rule of nothing but ID, Filter and Status is still refused.
  refuses(config(`${ok}<Whatever/><Expiration><Days>0</Days></Expiration>`), 'InvalidArgument', /positive integer/);
  refuses(config(ok), 'InvalidRequest', /no action/);

  const dated = (d: string) => lifecycleFromXml(config(`${ok}<Transition><Date>${d}</Date><StorageClass>STANDARD_IA</StorageClass></Transition>`))[0].transitions[0].date;
  assert.equal(dated('2018-07-29T16:00:00.000Z'), '2018-07-29T16:00:00.000Z', 'midnight in China, as the Node SDK\'s tests send it');
  assert.equal(dated('2018-07-29T16:00:00Z'), '2018-07-29T16:00:00Z');
  assert.equal(dated('2018-07-30T00:00:00+08:00'), '2018-07-30T00:00:00+08:00');
  assert.equal(dated('2018-07-30T00:00:00.000Z'), '2018-07-30T00:00:00.000Z');
  for (const notMidnight of ['2018-07-29T16:00:01.000Z', '2018-07-29T16:30:00Z', '2018-07-29T16:00:00+08:00', '2018-07-29T16:00:00.500Z', '2018-07-29T16:00']) {
    refuses(config(`${ok}<Transition><Date>${notMidnight}</Date><StorageClass>STANDARD_IA</StorageClass></Transition>`), 'InvalidArgument', /midnight/);
  }
  // Such a Date applies from midnight in China on.
  const [china] = lifecycleFromXml(config(`${ok}<Expiration><Date>2024-01-31T16:00:00.000Z</Date></Expiration>`));
  assert.equal(decideVersion([china], current({ key: 'p/x' }), Date.UTC(2024, 0, 31, 15, 59)).kind, 'none');
  assert.equal(decideVersion([china], current({ key: 'p/x' }), Date.UTC(2024, 0, 31, 16)).kind, 'expire');
});

test('C297 C298 current objects: Expiration in Days or at a Date, transitions only to colder classes, removal first', () => {
  const rules = [
    rule({ id: 'ia', filter: { prefix: 'logs/', tags: [] }, transitions: [{ days: 1, storageClass: 'STANDARD_IA' }, { days: 3, storageClass: 'ARCHIVE' }] }),
    rule({ id: 'gone', filter: { prefix: 'logs/', tags: [{ key: 'tmp', value: 'yes' }] }, expiration: { days: 2 } }),
  ];
  assert.deepEqual(decideVersion(rules, current(), Date.UTC(2024, 0, 11, 23, 59)), { kind: 'none' }, 'not a day after rounding yet');
  assert.deepEqual(decideVersion(rules, current(), Date.UTC(2024, 0, 12)), { kind: 'transition', storageClass: 'STANDARD_IA', ruleId: 'ia' });
  assert.deepEqual(decideVersion(rules, current({ storageClass: 'STANDARD_IA' }), Date.UTC(2024, 0, 12)), { kind: 'none' }, 'already there');
  assert.deepEqual(decideVersion(rules, current(), Date.UTC(2024, 0, 14)), { kind: 'transition', storageClass: 'ARCHIVE', ruleId: 'ia' }, 'the coldest due class');
  assert.deepEqual(decideVersion(rules, current({ storageClass: 'DEEP_ARCHIVE' }), Date.UTC(2024, 0, 14)), { kind: 'none' }, 'never warmer');
  const tagged = current({ tags: [{ key: 'other', value: '1' }, { key: 'tmp', value: 'yes' }] });
  assert.deepEqual(decideVersion(rules, tagged, Date.UTC(2024, 0, 13)), { kind: 'expire', ruleId: 'gone' }, 'expiration beats transition');
  assert.equal(decideVersion(rules, current({ tags: [{ key: 'tmp', value: 'no' }] }), Date.UTC(2024, 0, 13)).kind, 'transition', 'a tag value must match');
  assert.equal(decideVersion(rules, current({ key: 'other/a.txt' }), Date.UTC(2030, 0, 1)).kind, 'none', 'prefix');
  assert.equal(decideVersion([{ ...rules[0], status: 'Disabled' }], current(), Date.UTC(2030, 0, 1)).kind, 'none', 'disabled rules do nothing');

  const dated = [rule({ expiration: { date: '2024-02-01T00:00:00+08:00' } })];
  assert.equal(decideVersion(dated, current(), Date.UTC(2024, 0, 31, 15, 59)).kind, 'none');
  assert.equal(decideVersion(dated, current(), Date.UTC(2024, 0, 31, 16, 0)).kind, 'expire', 'midnight in +08:00');
});

test('a time scale shortens the days: 86400 makes a day one second', () => {
  const rules = [rule({ expiration: { days: 3 } })];
  const written = 1_700_000_000_250;
  assert.equal(decideVersion(rules, current({ lastModified: written }), written + 3_500, 86_400).kind, 'none', '3 s later is 1_700_000_003_250, rounded up to ..._004_000');
  assert.equal(decideVersion(rules, current({ lastModified: written }), written + 3_750, 86_400).kind, 'expire');
  assert.equal(decideVersion(rules, current({ lastModified: written }), written + 3 * DAY - 1, 1).kind, 'none');
});

test('C300 versions: noncurrent expiration and transition count from becoming noncurrent; delete markers', () => {
  const rules = [
    rule({ id: 'nc', noncurrentVersionTransitions: [{ noncurrentDays: 0, storageClass: 'ARCHIVE' }], noncurrentVersionExpiration: { noncurrentDays: 5 } }),
    rule({ id: 'dm', filter: { prefix: 'logs/', tags: [] }, expiration: { expiredObjectDeleteMarker: true } }),
  ];
  const old = current({ isLatest: false, noncurrentSince: Date.UTC(2024, 1, 1, 12), otherVersionsCount: 1 });
  assert.equal(decideVersion(rules, old, Date.UTC(2024, 1, 1, 23)).kind, 'none', 'Days 0 still waits for midnight');
  assert.deepEqual(decideVersion(rules, old, Date.UTC(2024, 1, 2)), { kind: 'transition', storageClass: 'ARCHIVE', ruleId: 'nc' });
  assert.deepEqual(decideVersion(rules, old, Date.UTC(2024, 1, 7)), { kind: 'delete-version', ruleId: 'nc' }, 'counted from noncurrentSince, not lastModified');
  assert.equal(decideVersion(rules, { ...old, isDeleteMarker: true }, Date.UTC(2024, 1, 3)).kind, 'none', 'a delete marker does not transition');
  assert.equal(decideVersion(rules, { ...old, isDeleteMarker: true }, Date.UTC(2024, 1, 7)).kind, 'delete-version', 'a noncurrent delete marker expires too');

  const marker = current({ isDeleteMarker: true, otherVersionsCount: 0 });
  assert.deepEqual(decideVersion(rules, marker, T0), { kind: 'remove-delete-marker', ruleId: 'dm' });
  assert.equal(decideVersion(rules, { ...marker, otherVersionsCount: 2 }, T0).kind, 'none', 'versions are left behind it');
  assert.equal(decideVersion(rules, { ...marker, key: 'x' }, T0).kind, 'none');
  const byDays = [rule({ expiration: { days: 2 } })];
  assert.equal(decideVersion(byDays, marker, Date.UTC(2024, 0, 12)).kind, 'none');
  assert.equal(decideVersion(byDays, marker, Date.UTC(2024, 0, 13)).kind, 'remove-delete-marker', 'an Expiration in Days also clears an old expired delete marker');
  const tagRule = [rule({ filter: { tags: [{ key: 'a', value: '1' }] }, expiration: { days: 1 } })];
  assert.equal(decideVersion(tagRule, { ...marker, tags: [{ key: 'a', value: '1' }] }, Date.UTC(2030, 0, 1)).kind, 'none', 'delete markers have no tags');
});

test('C299 uploads: aborted DaysAfterInitiation days after they began, by prefix', () => {
  const rules = [rule({ filter: { prefix: 'big/', tags: [] }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } })];
  assert.equal(decideUploadAbort(rules, { key: 'big/x', initiated: T0 }, Date.UTC(2024, 0, 11, 23)), false);
  assert.equal(decideUploadAbort(rules, { key: 'big/x', initiated: T0 }, Date.UTC(2024, 0, 12)), true);
  assert.equal(decideUploadAbort(rules, { key: 'small/x', initiated: T0 }, Date.UTC(2030, 0, 1)), false);
  assert.equal(decideUploadAbort([{ ...rules[0], status: 'Disabled' }], { key: 'big/x', initiated: T0 }, Date.UTC(2030, 0, 1)), false);
  assert.equal(decideUploadAbort([rule({ expiration: { days: 1 } })], { key: 'big/x', initiated: T0 }, Date.UTC(2030, 0, 1)), false, 'expiration does not abort uploads');
});
