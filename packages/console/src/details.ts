/**
 * One object: its details (size, ETag, CRC-64, class, content headers, metadata, tags, ACL) with
 * editors, a preview, download, share link, rename/move, restore of archived objects, and its
 * versions when the bucket keeps them.
 */
import type { App } from './app.js';
import { regionOf } from './app.js';
import { renderMarkdown } from './markdown.js';
import { act, confirmAction, dialog, describeError, formatBytes, formatDate, h, promptFields, toast } from './ui.js';

const PREVIEW_BYTES = 256 * 1024;
const CONTENT_HEADERS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'expires'] as const;
const ARCHIVE_CLASSES = new Set(['ARCHIVE', 'DEEP_ARCHIVE']);

/**
 * The copy source of a key (and version) in the form the SDK accepts, `<bucket>.cos.<region>.myqcloud.com/<key>`:
 * cosbox reads the bucket and region from it (the name is never resolved).
 */
function copySource(bucket: string, region: string, key: string, versionId?: string): string {
  const encoded = key.split('/').map(encodeURIComponent).join('/');
  return `${bucket}.cos.${region}.myqcloud.com/${encoded}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}

export function objectDetails(app: App, bucket: string, key: string, changed: () => void): Promise<unknown> {
  const Region = regionOf(app, bucket);
  const target = { Bucket: bucket, Region, Key: key };
  const url = (extra: { Expires?: number; VersionId?: string } = {}) =>
    app.cos.getObjectUrl({ ...target, Sign: true, Expires: extra.Expires ?? 600, Query: extra.VersionId ? { versionId: extra.VersionId } : undefined });
  const fileName = key.split('/').pop() || key;

  return dialog('Object', (done) => {
    const root = h('div', { class: 'details' }, h('p', {}, 'Loading…'));
    const close = () => (done(undefined), changed());

    async function load(): Promise<void> {
      let head;
      try {
        head = await app.cos.headObject(target);
      } catch (error) {
        return void root.replaceChildren(h('p', { class: 'problem' }, describeError(error)));
      }
      const headers = (head.headers ?? {}) as Record<string, string>;
      const size = Number(headers['content-length'] ?? 0);
      const storageClass = headers['x-cos-storage-class'] ?? 'STANDARD';
      const meta = Object.entries(headers).filter(([k]) => k.startsWith('x-cos-meta-')).map(([k, v]) => [k.slice('x-cos-meta-'.length), v] as [string, string]);
      const [tags, acl, versioning] = await Promise.all([
        app.cos.getObjectTagging(target).then((r) => r.Tags ?? [], () => undefined),
        app.cos.getObjectAcl(target).then((r) => r, () => undefined),
        app.cos.getBucketVersioning({ Bucket: bucket, Region }).then((r) => r.VersioningConfiguration?.Status ?? '', () => ''),
      ]);
      const info: Array<[string, string]> = [
        ['Key', key],
        ['Size', `${formatBytes(size)} (${size} bytes)`],
        ['Last modified', formatDate(headers['last-modified'])],
        ['ETag', headers.etag ?? ''],
        ['CRC-64', headers['x-cos-hash-crc64ecma'] ?? ''],
        ['Storage class', storageClass],
        ...(headers['x-cos-version-id'] ? [['Version', headers['x-cos-version-id']] as [string, string]] : []),
        ...(headers['x-cos-restore'] ? [['Restore', headers['x-cos-restore']] as [string, string]] : []),
        ...CONTENT_HEADERS.filter((n) => headers[n]).map((n) => [n, headers[n]] as [string, string]),
      ];
      root.replaceChildren(
        h('dl', { class: 'info' }, info.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h(
          'div',
          { class: 'toolbar' },
          h('a', { class: 'button primary', href: url(), download: fileName }, 'Download'),
          h('button', { onclick: () => shareLink() }, 'Share link'),
          h('button', { onclick: () => rename() }, 'Rename / move'),
          ARCHIVE_CLASSES.has(storageClass) ? h('button', { onclick: (e: Event) => restore(e.currentTarget as HTMLButtonElement) }, 'Restore') : null,
          h('button', { class: 'danger', onclick: () => remove() }, 'Delete'),
        ),
        h('section', {}, h('h3', {}, 'Preview'), preview(headers['content-type'] ?? '', size)),
        metadataEditor(headers, meta),
        tagsEditor(tags),
        aclEditor(acl),
        versioning === 'Enabled' || versioning === 'Suspended' ? versionsSection() : h('p', { class: 'hint' }, 'Versions: versioning is off for this bucket (turn it on in the bucket settings).'),
      );
    }

    function preview(type: string, size: number): Node {
      const src = url();
      const lower = key.toLowerCase();
      if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|svg|bmp|ico)$/.test(lower)) return h('img', { class: 'preview', src, alt: `Preview of ${fileName}` });
      if (type.startsWith('video/') || /\.(mp4|webm|ogv|mov)$/.test(lower)) return h('video', { class: 'preview', src, controls: true, preload: 'metadata' });
      if (type.startsWith('audio/') || /\.(mp3|ogg|wav|m4a|flac)$/.test(lower)) return h('audio', { src, controls: true, preload: 'metadata' });
      if (type === 'application/pdf' || lower.endsWith('.pdf')) return h('iframe', { class: 'preview pdf', src, title: `PDF ${fileName}` });
      if (type === 'text/markdown' || /\.(md|markdown)$/.test(lower)) {
        const box = h('div', {}, h('p', { class: 'hint' }, 'Loading…'));
        fetch(src, { headers: { Range: `bytes=0-${PREVIEW_BYTES - 1}` }, credentials: 'omit' })
          .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then((text) => box.replaceChildren(renderMarkdown(text)))
          .catch((e: Error) => box.replaceChildren(h('p', { class: 'problem' }, `No preview: ${e.message}`)));
        return box;
      }
      if (type.startsWith('text/') || /json|xml|javascript|yaml/.test(type) || /\.(txt|md|markdown|json|csv|log|xml|ya?ml|js|ts|html|css)$/.test(lower)) {
        const pre = h('pre', { class: 'preview text' }, 'Loading…');
        fetch(src, { headers: { Range: `bytes=0-${PREVIEW_BYTES - 1}` }, credentials: 'omit' })
          .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then((text) => {
            let shown = text;
            if (type.includes('json') || lower.endsWith('.json')) {
              try {
                shown = JSON.stringify(JSON.parse(text), null, 2);
              } catch {
                /* not whole JSON (cut at the preview size): shown as it is */
              }
            }
            pre.textContent = shown + (size > PREVIEW_BYTES ? `\n… (first ${formatBytes(PREVIEW_BYTES)} of ${formatBytes(size)})` : '');
          })
          .catch((e: Error) => (pre.textContent = `No preview: ${e.message}`));
        return pre;
      }
      return h('p', { class: 'hint' }, 'No preview for this type: download it.');
    }

    function rowsEditor(title: string, rows: Array<[string, string]>, save: (rows: Array<[string, string]>, button: HTMLButtonElement) => Promise<void>, extra?: Node): Node {
      const list = h('div', { class: 'rows' });
      const addRow = (k = '', v = '') => {
        const row = h('div', { class: 'row' }, h('input', { value: k, 'aria-label': `${title} name`, class: 'k' }), h('input', { value: v, 'aria-label': `${title} value`, class: 'v' }));
        row.appendChild(h('button', { class: 'link', type: 'button', 'aria-label': 'Remove row', onclick: () => row.remove() }, '×'));
        list.appendChild(row);
      };
      for (const [k, v] of rows) addRow(k, v);
      const button = h('button', { class: 'primary', type: 'submit' }, `Save ${title.toLowerCase()}`);
      return h(
        'form',
        {
          class: 'editor',
          'data-editor': title.toLowerCase(),
          onsubmit: (e: Event) => {
            e.preventDefault();
            const values = [...list.querySelectorAll('.row')].map((r) => [(r.querySelector('.k') as HTMLInputElement).value.trim(), (r.querySelector('.v') as HTMLInputElement).value] as [string, string]).filter(([k]) => k);
            void save(values, button);
          },
        },
        h('h3', {}, title),
        extra,
        list,
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => addRow() }, 'Add'), button),
      );
    }

    function metadataEditor(headers: Record<string, string>, meta: Array<[string, string]>): Node {
      const contentType = h('input', { value: headers['content-type'] ?? '', 'aria-label': 'Content-Type' });
      const cacheControl = h('input', { value: headers['cache-control'] ?? '', 'aria-label': 'Cache-Control' });
      const extra = h('div', { class: 'grid2' }, h('label', {}, 'Content-Type', contentType), h('label', {}, 'Cache-Control', cacheControl));
      return rowsEditor(
        'Metadata',
        meta,
        async (rows, button) => {
          const bad = rows.find(([k]) => !/^[A-Za-z0-9-_]+$/.test(k));
          if (bad) return toast(`Metadata names use letters, digits, - and _ only: ${bad[0]}`, 'error');
          const metaHeaders = Object.fromEntries(rows.map(([k, v]) => [`x-cos-meta-${k.toLowerCase()}`, v]));
          const ok = await act(
            button,
            () => app.cos.putObjectCopy({ ...target, CopySource: copySource(bucket, Region, key), MetadataDirective: 'Replaced', ContentType: contentType.value || undefined, CacheControl: cacheControl.value || undefined, ...metaHeaders }),
            'Metadata saved.',
          );
          if (ok) void load();
        },
        extra,
      );
    }

    function tagsEditor(tags: Array<{ Key: string; Value: string }> | undefined): Node {
      if (!tags) return h('p', { class: 'hint' }, 'Tags: not readable with this key.');
      return rowsEditor('Tags', tags.map((t) => [t.Key, t.Value]), async (rows, button) => {
        await act(button, () => (rows.length ? app.cos.putObjectTagging({ ...target, Tags: rows.map(([Key, Value]) => ({ Key, Value })) }) : app.cos.deleteObjectTagging(target)), 'Tags saved.');
      });
    }

    function aclEditor(acl: { ACL?: string; AccessControlPolicy?: unknown } | undefined): Node {
      if (!acl) return h('p', { class: 'hint' }, 'ACL: not readable with this key.');
      const select = h('select', { 'aria-label': 'Object ACL' }, ['default', 'private', 'public-read'].map((v) => h('option', { value: v }, v)));
      select.value = acl.ACL && ['private', 'public-read', 'default'].includes(acl.ACL) ? acl.ACL : 'default';
      const button = h('button', { class: 'primary', type: 'submit' }, 'Save ACL');
      return h(
        'form',
        { class: 'editor', onsubmit: (e: Event) => (e.preventDefault(), void act(button, () => app.cos.putObjectAcl({ ...target, ACL: select.value as 'private' }), 'ACL saved.')) },
        h('h3', {}, 'Access (ACL)'),
        h('p', { class: 'hint' }, '“default” follows the bucket’s ACL.'),
        h('div', { class: 'actions' }, select, button),
      );
    }

    function versionsSection(): Node {
      const list = h('tbody', {}, h('tr', {}, h('td', { colspan: 4 }, 'Loading…')));
      const reload = async () => {
        const page = await act(undefined, () => app.cos.listObjectVersions({ Bucket: bucket, Region, Prefix: key, MaxKeys: 1000 }));
        if (!page) return;
        const versions = [...(page.Versions ?? []).map((v) => ({ ...v, marker: false })), ...(page.DeleteMarkers ?? []).map((v) => ({ ...v, Size: '0', marker: true }))]
          .filter((v) => v.Key === key)
          .sort((a, b) => b.LastModified.localeCompare(a.LastModified));
        list.replaceChildren(
          ...versions.map((v) =>
            h(
              'tr',
              { 'data-version': v.VersionId },
              h('td', {}, h('code', {}, v.VersionId), v.IsLatest === 'true' ? h('span', { class: 'badge' }, 'current') : null, v.marker ? h('span', { class: 'badge' }, 'delete marker') : null),
              h('td', { class: 'wide' }, formatDate(v.LastModified)),
              h('td', { class: 'num' }, v.marker ? '' : formatBytes(Number(v.Size))),
              h(
                'td',
                { class: 'row-actions' },
                v.marker ? null : h('a', { class: 'button', href: url({ VersionId: v.VersionId }), download: fileName }, 'Download'),
                v.marker || v.IsLatest === 'true'
                  ? null
                  : h('button', { onclick: (e: Event) => void act(e.currentTarget as HTMLButtonElement, () => app.cos.putObjectCopy({ ...target, CopySource: copySource(bucket, Region, key, v.VersionId) }), 'Version restored as current.').then((r) => r && load()) }, 'Restore'),
                h('button', { class: 'danger', onclick: (e: Event) => void deleteVersion(v.VersionId, e.currentTarget as HTMLButtonElement).then(reload) }, 'Delete'),
              ),
            ),
          ),
        );
      };
      void reload();
      return h('section', { class: 'versions' }, h('h3', {}, 'Versions'), h('div', { class: 'table-wrap' }, h('table', { class: 'list' }, h('thead', {}, h('tr', {}, h('th', {}, 'Version'), h('th', { class: 'wide' }, 'Modified'), h('th', {}, 'Size'), h('th', {}, ''))), list)));
    }

    async function deleteVersion(versionId: string, button: HTMLButtonElement): Promise<void> {
      if (!(await confirmAction('Delete version', `Delete version ${versionId} of ${key} for good?`, 'Delete version'))) return;
      await act(button, () => app.cos.deleteObject({ ...target, VersionId: versionId }), 'Version deleted.');
    }

    async function shareLink(): Promise<void> {
      await dialog('Share link', (finish) => {
        const expiry = h('select', { 'aria-label': 'Link expires after', autofocus: true }, [
          h('option', { value: '900' }, '15 minutes'),
          h('option', { value: '3600', selected: true }, '1 hour'),
          h('option', { value: '86400' }, '1 day'),
          h('option', { value: '604800' }, '7 days'),
        ]);
        const output = h('input', { readonly: true, 'aria-label': 'Share link', class: 'share-url' });
        const make = async () => {
          const link = new URL(url({ Expires: Number(expiry.value) }), location.href).href;
          output.value = link;
          try {
            await navigator.clipboard.writeText(link);
            toast('Link copied to the clipboard.');
          } catch {
            output.select();
            toast('Copy the selected link (the clipboard is not available here).');
          }
        };
        return h(
          'form',
          { onsubmit: (e: Event) => (e.preventDefault(), void make()) },
          h('p', {}, 'Anyone with the link can download ', h('code', {}, key), ' until it expires.'),
          h('label', {}, 'Expires after', expiry),
          output,
          h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => finish(undefined) }, 'Close'), h('button', { class: 'primary', type: 'submit' }, 'Create and copy link')),
        );
      });
    }

    async function rename(): Promise<void> {
      const v = await promptFields('Rename or move', [{ name: 'key', label: 'New key', value: key, hint: 'A key in this bucket: use slashes to move it to another folder.' }], 'Move');
      if (!v || v.key === key) return;
      const ok = await act(undefined, async () => {
        await app.cos.putObjectCopy({ Bucket: bucket, Region, Key: v.key, CopySource: copySource(bucket, Region, key) });
        await app.cos.deleteObject(target);
        return true;
      }, `Moved to ${v.key}.`);
      if (ok) close();
    }

    async function restore(button: HTMLButtonElement): Promise<void> {
      await act(button, () => app.cos.restoreObject({ ...target, RestoreRequest: { Days: 1, CASJobParameters: { Tier: 'Standard' } } }), 'Restore requested: the object is readable once it is done.');
      void load();
    }

    async function remove(): Promise<void> {
      if (!(await confirmAction('Delete object', `Delete ${key}?`, 'Delete'))) return;
      const ok = await act(undefined, () => app.cos.deleteObject(target), `Deleted ${key}.`);
      if (ok) close();
    }

    void load();
    return root;
  });
}
