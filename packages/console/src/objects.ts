/**
 * A bucket's folder view: the keys under a prefix by delimiter, with breadcrumbs, paging, prefix
 * search, sort, multi-select delete, new folder, uploads (pickers and drag-and-drop) and the
 * multipart uploads left unfinished here.
 */
import type { App } from './app.js';
import { bucketHash, regionOf } from './app.js';
import { objectDetails } from './details.js';
import { droppedFiles, inputFiles, type Uploads } from './uploads.js';
import { act, clear, confirmAction, formatBytes, formatDate, h, promptFields, toast } from './ui.js';

export const PAGE_SIZE = 100;

interface Row {
  key: string;
  folder: boolean;
  size: number;
  modified: string;
  storageClass: string;
}

type Sort = 'name' | 'size' | 'modified';

export async function objectsView(app: App, main: HTMLElement, uploads: Uploads, bucket: string, prefix: string): Promise<void> {
  const Region = regionOf(app, bucket);
  /** Markers of the pages before the current one. */
  const markers: string[] = [];
  let marker = '';
  let search = '';
  let sort: Sort = 'name';
  let rows: Row[] = [];
  const selected = new Set<string>();

  const body = h('tbody');
  const pager = h('div', { class: 'pager' });
  const unfinished = h('div', { class: 'unfinished' });
  const deleteButton = h('button', { class: 'danger', disabled: true, onclick: () => deleteSelected() }, 'Delete selected');
  const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all' });
  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, 'data-role': 'upload-files' });
  const folderInput = h('input', { type: 'file', multiple: true, hidden: true, webkitdirectory: true, 'data-role': 'upload-folder' });
  const searchInput = h('input', { type: 'search', placeholder: 'Filter by prefix', 'aria-label': 'Filter by prefix' });
  const sortSelect = h('select', { 'aria-label': 'Sort by' }, h('option', { value: 'name' }, 'Sort by name'), h('option', { value: 'size' }, 'Sort by size'), h('option', { value: 'modified' }, 'Sort by date'));

  fileInput.addEventListener('change', () => (uploads.add(bucket, prefix, inputFiles(fileInput)), (fileInput.value = '')));
  folderInput.addEventListener('change', () => (uploads.add(bucket, prefix, inputFiles(folderInput)), (folderInput.value = '')));
  searchInput.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    search = searchInput.value;
    markers.length = 0;
    marker = '';
    void load();
  });
  sortSelect.addEventListener('change', () => ((sort = sortSelect.value as Sort), render()));
  selectAll.addEventListener('change', () => {
    for (const r of rows) if (!r.folder) (selectAll.checked ? selected.add(r.key) : selected.delete(r.key));
    render();
  });

  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Folder' }, h('a', { href: '#/' }, 'Buckets'), ' / ', h('a', { href: bucketHash(bucket) }, bucket));
  let path = '';
  for (const part of prefix.split('/').filter(Boolean)) {
    path += part + '/';
    crumbs.append(' / ', h('a', { href: bucketHash(bucket, path) }, part));
  }

  const drop = h(
    'div',
    { class: 'drop-zone' },
    h('div', { class: 'table-wrap' }, h('table', { class: 'list objects' }, h('thead', {}, h('tr', {}, h('th', { class: 'check' }, selectAll), h('th', {}, 'Name'), h('th', {}, 'Size'), h('th', { class: 'wide' }, 'Modified'), h('th', { class: 'wide' }, 'Class'))), body)),
    h('p', { class: 'hint' }, 'Drop files or folders here to upload them to this folder.'),
  );
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer) void droppedFiles(e.dataTransfer).then((files) => uploads.add(bucket, prefix, files));
  });

  clear(
    main,
    crumbs,
    h(
      'div',
      { class: 'toolbar' },
      h('button', { class: 'primary', onclick: () => fileInput.click() }, 'Upload files'),
      h('button', { onclick: () => folderInput.click() }, 'Upload folder'),
      h('button', { onclick: () => newFolder() }, 'New folder'),
      deleteButton,
      h('button', { onclick: () => load(), 'aria-label': 'Refresh' }, 'Refresh'),
      h('a', { class: 'button', href: `#/s/${encodeURIComponent(bucket)}` }, 'Bucket settings'),
      fileInput,
      folderInput,
    ),
    h('div', { class: 'toolbar' }, searchInput, sortSelect),
    unfinished,
    drop,
    pager,
  );
  uploads.onFinished = (b) => {
    if (b === bucket) scheduleReload();
  };

  let reloadTimer: number | undefined;
  const scheduleReload = () => {
    clearTimeout(reloadTimer);
    reloadTimer = window.setTimeout(() => void load(), 300);
  };

  async function load(): Promise<void> {
    body.replaceChildren(h('tr', {}, h('td', { colspan: 5 }, 'Loading…')));
    const page = await act(undefined, () => app.cos.getBucket({ Bucket: bucket, Region, Prefix: prefix + search, Delimiter: '/', Marker: marker, MaxKeys: PAGE_SIZE }));
    if (!page) return void body.replaceChildren(h('tr', {}, h('td', { colspan: 5 }, 'This folder could not be read.')));
    rows = [
      ...(page.CommonPrefixes ?? []).map((p) => ({ key: p.Prefix, folder: true, size: 0, modified: '', storageClass: '' })),
      ...(page.Contents ?? []).filter((c) => c.Key !== prefix).map((c) => ({ key: c.Key, folder: false, size: Number(c.Size), modified: c.LastModified, storageClass: c.StorageClass })),
    ];
    selected.clear();
    render();
    pager.replaceChildren(
      h('button', { disabled: markers.length === 0, onclick: () => ((marker = markers.pop() ?? ''), load()) }, '‹ Previous'),
      h('span', {}, `Page ${markers.length + 1}`),
      h('button', { disabled: page.IsTruncated !== 'true', onclick: () => (markers.push(marker), (marker = page.NextMarker ?? ''), load()) }, 'Next ›'),
    );
    void loadUnfinished();
  }

  function render(): void {
    const sorted = [...rows].sort((a, b) => Number(b.folder) - Number(a.folder) || (sort === 'size' ? b.size - a.size : sort === 'modified' ? b.modified.localeCompare(a.modified) : a.key < b.key ? -1 : 1));
    deleteButton.disabled = selected.size === 0;
    deleteButton.textContent = selected.size ? `Delete selected (${selected.size})` : 'Delete selected';
    if (sorted.length === 0) return void body.replaceChildren(h('tr', {}, h('td', { colspan: 5 }, search ? 'Nothing matches this prefix.' : 'This folder is empty: upload files or drop them here.')));
    body.replaceChildren(
      ...sorted.map((r) => {
        const name = r.key.slice(prefix.length);
        const check = h('input', { type: 'checkbox', 'aria-label': `Select ${name}`, disabled: r.folder, checked: selected.has(r.key) });
        check.addEventListener('change', () => ((check.checked ? selected.add(r.key) : selected.delete(r.key)), render()));
        const link = r.folder
          ? h('a', { href: bucketHash(bucket, r.key), class: 'folder' }, h('span', { class: 'folder-icon', 'aria-hidden': 'true' }), name)
          : h('button', { class: 'link object', onclick: () => void objectDetails(app, bucket, r.key, () => load()) }, name);
        return h('tr', { 'data-key': r.key }, h('td', { class: 'check' }, check), h('td', { class: 'name' }, link), h('td', { class: 'num' }, r.folder ? '' : formatBytes(r.size)), h('td', { class: 'wide' }, formatDate(r.modified)), h('td', { class: 'wide' }, r.storageClass));
      }),
    );
  }

  async function loadUnfinished(): Promise<void> {
    let list;
    try {
      list = await app.cos.multipartList({ Bucket: bucket, Region, Prefix: prefix, Delimiter: '/' });
    } catch {
      return void unfinished.replaceChildren();
    }
    const items = list.Upload ?? [];
    if (items.length === 0) return void unfinished.replaceChildren();
    unfinished.replaceChildren(
      h('h2', {}, `Unfinished uploads (${items.length})`),
      h('p', { class: 'hint' }, 'Pick the same file again to continue where it stopped, or abort to free the space.'),
      h(
        'ul',
        {},
        items.map((u) => {
          const picker = h('input', { type: 'file', hidden: true });
          picker.addEventListener('change', () => {
            const file = picker.files?.[0];
            if (file) uploads.add(bucket, '', [{ file, path: u.Key }]);
          });
          return h(
            'li',
            {},
            h('span', { class: 'name' }, u.Key.slice(prefix.length)),
            h('small', {}, ` started ${formatDate(u.Initiated)}`),
            h('button', { class: 'link', onclick: () => picker.click() }, 'Resume…'),
            h('button', { class: 'link danger', onclick: (e: Event) => void act(e.currentTarget as HTMLButtonElement, () => app.cos.multipartAbort({ Bucket: bucket, Region, Key: u.Key, UploadId: u.UploadId }), 'Upload aborted.').then(loadUnfinished) }, 'Abort'),
            picker,
          );
        }),
      ),
    );
  }

  async function newFolder(): Promise<void> {
    const v = await promptFields('New folder', [{ name: 'name', label: 'Folder name', hint: 'Letters, digits and most punctuation; no leading slash.', pattern: '[^/].*' }], 'Create');
    if (!v) return;
    const key = prefix + v.name.replace(/\/+$/, '') + '/';
    await act(undefined, () => app.cos.putObject({ Bucket: bucket, Region, Key: key, Body: '' }), `Folder ${key} created.`);
    void load();
  }

  async function deleteSelected(): Promise<void> {
    const keys = [...selected];
    if (!(await confirmAction('Delete objects', `Delete ${keys.length} object${keys.length > 1 ? 's' : ''}? ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? '…' : ''}`, 'Delete'))) return;
    const result = await act(deleteButton, () => app.cos.deleteMultipleObject({ Bucket: bucket, Region, Objects: keys.map((Key) => ({ Key })) }));
    if (result) {
      if (result.Error?.length) toast(`${result.Error.length} not deleted: ${result.Error[0].Code} ${result.Error[0].Message ?? ''}`, 'error');
      else toast(`Deleted ${keys.length} object${keys.length > 1 ? 's' : ''}.`);
    }
    void load();
  }

  await load();
}
