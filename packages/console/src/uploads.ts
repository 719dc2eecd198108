/**
 * The upload panel: every file its own row with a progress bar, speed, cancel and retry. Small files
 * go in one PUT; large ones in parts (sliceUploadFile), which after a reload continue the upload the
 * server still has for that key when the same file is picked again (its parts' MD5s are checked).
 */
import type { App } from './app.js';
import { regionOf } from './app.js';
import { describeError, formatBytes, h } from './ui.js';

/** Files larger than this go in parts. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;

type State = 'waiting' | 'uploading' | 'done' | 'failed' | 'canceled';

interface Upload {
  id: number;
  file: File;
  bucket: string;
  key: string;
  state: State;
  loaded: number;
  speed: number;
  error?: string;
  controller?: AbortController;
  row: HTMLElement;
}

let nextId = 1;

export class Uploads {
  private readonly items: Upload[] = [];
  readonly panel: HTMLElement;
  private readonly list: HTMLElement;
  private readonly summary: HTMLElement;
  private toggle!: HTMLButtonElement;
  /** Called when an upload finishes, to refresh the folder it went to. */
  onFinished: (bucket: string) => void = () => {};

  constructor(private readonly app: App) {
    this.list = h('ul', { class: 'uploads' });
    this.summary = h('span', {}, '');
    this.panel = h(
      'section',
      { class: 'upload-panel', hidden: true, 'aria-label': 'Uploads' },
      h(
        'header',
        {},
        h('h2', {}, 'Uploads'),
        this.summary,
        h('span', { class: 'spacer' }),
        h('button', { class: 'link', onclick: () => this.clearFinished() }, 'Clear finished'),
        (this.toggle = h('button', { class: 'link', 'aria-expanded': 'true', onclick: () => this.collapse(!this.list.hidden) }, 'Hide')),
      ),
      this.list,
    );
  }

  /** Queues files under `prefix` of a bucket; `relativePath` keeps a dropped folder's structure. */
  add(bucket: string, prefix: string, files: Array<{ file: File; path: string }>): void {
    for (const { file, path } of files) {
      const upload: Upload = { id: nextId++, file, bucket, key: prefix + path, state: 'waiting', loaded: 0, speed: 0, row: h('li') };
      this.items.push(upload);
      this.list.appendChild(upload.row);
      void this.start(upload);
    }
    this.panel.hidden = false;
    this.collapse(false);
    this.render();
  }

  /** Folds the list away (the panel then covers only its header line). */
  private collapse(folded: boolean): void {
    this.list.hidden = folded;
    this.toggle.textContent = folded ? 'Show' : 'Hide';
    this.toggle.setAttribute('aria-expanded', String(!folded));
  }

  private async start(u: Upload): Promise<void> {
    u.controller = new AbortController();
    u.state = 'uploading';
    u.error = undefined;
    u.loaded = 0;
    this.render(u);
    const params = {
      Bucket: u.bucket,
      Region: regionOf(this.app, u.bucket),
      Key: u.key,
      Body: u.file,
      ContentType: u.file.type || undefined,
      Signal: u.controller.signal,
      onProgress: (info: { loaded: number; speed: number }) => {
        u.loaded = info.loaded;
        u.speed = info.speed;
        this.render(u);
      },
    };
    try {
      if (u.file.size > MULTIPART_THRESHOLD) await this.app.cos.sliceUploadFile(params);
      else await this.app.cos.putObject(params);
      u.state = 'done';
      u.loaded = u.file.size;
      this.onFinished(u.bucket);
      this.foldWhenAllDone();
    } catch (error) {
      if ((u.state as State) !== 'canceled') {
        u.state = 'failed';
        u.error = describeError(error);
      }
    }
    this.render(u);
  }

  private foldWhenAllDone(): void {
    if (this.items.every((x) => x.state === 'done')) setTimeout(() => this.items.every((x) => x.state === 'done') && this.collapse(true), 1500);
  }

  private cancel(u: Upload): void {
    u.state = 'canceled';
    u.controller?.abort();
    this.render(u);
  }

  private clearFinished(): void {
    for (const u of this.items.filter((x) => x.state === 'done')) {
      u.row.remove();
      this.items.splice(this.items.indexOf(u), 1);
    }
    this.panel.hidden = this.items.length === 0;
    this.render();
  }

  private render(only?: Upload): void {
    for (const u of only ? [only] : this.items) this.renderRow(u);
    const active = this.items.filter((u) => u.state === 'uploading' || u.state === 'waiting').length;
    const done = this.items.filter((u) => u.state === 'done').length;
    this.summary.textContent = `${done} of ${this.items.length} done${active ? `, ${active} in progress` : ''}`;
    // Once nothing runs and nothing failed, the list folds away so that it hides no button of the page.
    if (!only && active === 0 && this.items.every((u) => u.state === 'done')) this.collapse(true);
  }

  /** Updates a row in place: its buttons stay the same elements while the bar moves (focus and clicks stay on them). */
  private renderRow(u: Upload): void {
    const total = u.file.size;
    const percent = total === 0 ? (u.state === 'done' ? 100 : 0) : Math.floor((u.loaded / total) * 100);
    const status =
      u.state === 'uploading' ? `${percent}% · ${formatBytes(u.speed)}/s` : u.state === 'done' ? 'Done' : u.state === 'failed' ? `Failed: ${u.error}` : u.state === 'canceled' ? 'Canceled' : 'Waiting';
    const running = u.state === 'uploading' || u.state === 'waiting';
    if (!u.row.firstChild) {
      u.row.dataset.key = u.key;
      u.row.append(
        h('span', { class: 'name', title: u.key }, u.key),
        h('span', { class: 'size' }, formatBytes(total), total > MULTIPART_THRESHOLD ? ' · in parts' : ''),
        h('progress', { max: 100, value: 0, 'aria-label': `Progress of ${u.key}` }),
        h('span', { class: 'status' }),
        h('span', { class: 'buttons' },
          h('button', { class: 'link cancel', onclick: () => this.cancel(u), 'aria-label': `Cancel ${u.key}` }, 'Cancel'),
          h('button', { class: 'link retry', onclick: () => void this.start(u), 'aria-label': `Retry ${u.key}` }, 'Retry')),
      );
    }
    u.row.className = `upload ${u.state}`;
    (u.row.querySelector('progress') as HTMLProgressElement).value = percent;
    u.row.querySelector('.status')!.textContent = status;
    (u.row.querySelector('.cancel') as HTMLElement).hidden = !running;
    (u.row.querySelector('.retry') as HTMLElement).hidden = !(u.state === 'failed' || u.state === 'canceled');
  }
}

/** The files of a drop, folders walked (their paths kept), or of a file input (webkitRelativePath for a folder). */
export async function droppedFiles(data: DataTransfer): Promise<Array<{ file: File; path: string }>> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => Boolean(e));
  if (entries.length === 0) return [...data.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  const out: Array<{ file: File; path: string }> = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ file, path: path + entry.name });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${path}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

export function inputFiles(input: HTMLInputElement): Array<{ file: File; path: string }> {
  return [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}
