/** The bucket list: region, creation date, object count (when cheap); create and delete. */
import type { App } from './app.js';
import { bucketHash, go, regionOf } from './app.js';
import { act, clear, confirmAction, describeError, dialog, formatDate, h, toast } from './ui.js';

/** The server's rule (PUT Bucket): `<name>-<appid>`, lower-case letters, digits and inner hyphens, 60 characters at most. */
export const BUCKET_NAME = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)-(\d+)$/;

export function bucketNameProblem(name: string): string | undefined {
  if (name.length > 60) return 'At most 60 characters, the -appid included.';
  if (!BUCKET_NAME.test(name)) return 'Use <name>-<appid>: lower-case letters, digits and hyphens, not starting or ending with a hyphen, then the APPID.';
  return undefined;
}

/** Objects are counted (one listing request each) only when there are this few buckets. */
const MAX_COUNTED = 50;

interface BucketRow {
  Name: string;
  Location: string;
  CreationDate: string;
}

export async function bucketsView(app: App, main: HTMLElement): Promise<void> {
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 5 }, 'Loading…')));
  clear(
    main,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Buckets'), h('span', { class: 'spacer' }), h('button', { class: 'primary', onclick: () => createBucket(app) }, 'Create bucket')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Region'), h('th', { class: 'wide' }, 'Created'), h('th', {}, 'Objects'), h('th', {}, ''))), body)),
  );
  let result;
  try {
    result = await app.cos.getService({});
  } catch (error) {
    // A sub-user may use buckets it cannot list: let it open one by name.
    const name = h('input', { 'aria-label': 'Bucket name', placeholder: `name-${app.appid ?? 'appid'}`, required: true });
    clear(
      body,
      h('tr', {}, h('td', { colspan: 5 },
        h('p', { class: 'problem', role: 'alert' }, `The bucket list could not be read. ${describeError(error)}`),
        h('form', { class: 'toolbar', onsubmit: (e: Event) => (e.preventDefault(), go(bucketHash(name.value.trim()))) }, name, h('button', { type: 'submit' }, 'Open bucket')))),
    );
    return;
  }
  const buckets = (result.Buckets ?? []) as BucketRow[];
  for (const b of buckets) app.regions.set(b.Name, b.Location);
  if (!app.appid && buckets[0]) app.appid = BUCKET_NAME.exec(buckets[0].Name)?.[2];
  if (buckets.length === 0) return clear(body, h('tr', {}, h('td', { colspan: 5 }, 'No buckets yet: create one.')));
  clear(
    body,
    buckets.map((b) => {
      const count = h('td', { class: 'num' }, buckets.length <= MAX_COUNTED ? '…' : '');
      if (buckets.length <= MAX_COUNTED) void countObjects(app, b.Name).then((n) => (count.textContent = n));
      return h(
        'tr',
        {},
        h('td', {}, h('a', { href: bucketHash(b.Name) }, b.Name)),
        h('td', {}, b.Location),
        h('td', { class: 'wide' }, formatDate(b.CreationDate)),
        count,
        h(
          'td',
          { class: 'row-actions' },
          h('a', { href: `#/s/${encodeURIComponent(b.Name)}`, class: 'button' }, 'Settings'),
          h('button', { class: 'danger', onclick: (e: Event) => deleteBucket(app, b.Name, e.currentTarget as HTMLButtonElement) }, 'Delete'),
        ),
      );
    }),
  );
}

/** One page of up to 1000 keys: a count when the bucket is small, `1000+` otherwise. */
async function countObjects(app: App, bucket: string): Promise<string> {
  try {
    const page = await app.cos.getBucket({ Bucket: bucket, Region: regionOf(app, bucket), MaxKeys: 1000 });
    return `${page.Contents?.length ?? 0}${page.IsTruncated === 'true' ? '+' : ''}`;
  } catch {
    return '—';
  }
}

async function createBucket(app: App): Promise<void> {
  const created = await dialog<string>('Create bucket', (done) => {
    const name = h('input', { name: 'name', required: true, autofocus: true, autocomplete: 'off', value: app.appid ? `-${app.appid}` : '', 'aria-describedby': 'bucket-rules' });
    const region = h('input', { name: 'region', required: true, value: app.defaultRegion, pattern: '[a-z]+-[a-z0-9\\-]+' });
    const acl = h('select', { name: 'acl' }, h('option', { value: 'private' }, 'private'), h('option', { value: 'public-read' }, 'public-read'), h('option', { value: 'public-read-write' }, 'public-read-write'));
    const problem = h('p', { class: 'problem', id: 'bucket-rules' }, 'Lower-case letters, digits and hyphens, then -<appid>.');
    name.addEventListener('input', () => {
      const p = bucketNameProblem(name.value);
      name.setCustomValidity(p ?? '');
      problem.textContent = p ?? 'Looks good.';
    });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Create');
    if (name.value) name.setSelectionRange(0, 0);
    return h(
      'form',
      {
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const p = bucketNameProblem(name.value);
          if (p) return void (problem.textContent = p);
          const ok = await act(submit, () => app.cos.putBucket({ Bucket: name.value, Region: region.value, ACL: acl.value as 'private' }), `Bucket ${name.value} created.`);
          if (ok) done(name.value);
        },
      },
      h('label', {}, 'Name', name),
      problem,
      h('label', {}, 'Region', region),
      h('label', {}, 'Access (ACL)', acl),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => done(undefined) }, 'Cancel'), submit),
    );
  });
  if (created) {
    app.regions.set(created, app.defaultRegion);
    go('#/');
  }
}

async function deleteBucket(app: App, bucket: string, button: HTMLButtonElement): Promise<void> {
  const ok = await confirmAction('Delete bucket', `Delete bucket ${bucket}? Every object, every version and every unfinished upload in it is deleted first. This cannot be undone.`, 'Delete bucket', bucket);
  if (!ok) return;
  const done = await act(button, async () => {
    await emptyBucket(app, bucket, (n) => (button.textContent = `Deleting… ${n}`));
    await app.cos.deleteBucket({ Bucket: bucket, Region: regionOf(app, bucket) });
    return true;
  }, `Bucket ${bucket} deleted.`);
  button.textContent = 'Delete';
  if (done) app.refresh();
}

/** Deletes every version, delete marker and unfinished upload of a bucket. */
export async function emptyBucket(app: App, bucket: string, onCount: (n: number) => void): Promise<void> {
  const Region = regionOf(app, bucket);
  let deleted = 0;
  for (;;) {
    const page = await app.cos.listObjectVersions({ Bucket: bucket, Region, MaxKeys: 1000 });
    const items = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (items.length === 0) break;
    for (let i = 0; i < items.length; i += 1000) {
      const result = await app.cos.deleteMultipleObject({ Bucket: bucket, Region, Objects: items.slice(i, i + 1000) });
      if (result.Error?.length) throw Object.assign(new Error(result.Error[0].Message ?? 'delete failed'), { code: result.Error[0].Code });
    }
    onCount((deleted += items.length));
  }
  for (;;) {
    const uploads = await app.cos.multipartList({ Bucket: bucket, Region });
    if (!uploads.Upload?.length) break;
    for (const u of uploads.Upload) await app.cos.multipartAbort({ Bucket: bucket, Region, Key: u.Key, UploadId: u.UploadId });
  }
  toast(`Emptied ${bucket}: ${deleted} versions removed.`);
}
