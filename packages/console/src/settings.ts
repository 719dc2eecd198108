/**
 * A bucket's settings: ACL, CORS, lifecycle, versioning and tagging, each as a form with
 * validation and as the raw XML the API takes (`GET/PUT/DELETE /<bucket>/?<sub-resource>`).
 */
import type { App } from './app.js';
import { bucketHash } from './app.js';
import { RequestError, signedFetch } from './session.js';
import { act, clear, h } from './ui.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, value: string | number) => `<${name}>${esc(String(value))}</${name}>`;
const texts = (parent: Element | Document, selector: string) => [...parent.querySelectorAll(selector)].map((e) => e.textContent ?? '');
const text = (parent: Element | Document, selector: string) => parent.querySelector(selector)?.textContent ?? '';
const list = (value: string) => value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);

interface Setting {
  name: string;
  query: string;
  /** What the server answers when the bucket has none: shown as an empty form. */
  absent?: string;
  deletable: boolean;
  /** The form for the current document (undefined: none yet); `toXml` reads it back, or throws a message. */
  form(doc: Document | undefined): { node: Node; toXml(): string; headers?(): Record<string, string> };
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'];
const STORAGE_CLASSES = ['STANDARD_IA', 'ARCHIVE', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING'];

function repeatable(build: (values?: Element) => HTMLElement, existing: Element[], label: string): { node: HTMLElement; items(): HTMLElement[] } {
  const box = h('div', { class: 'rules' });
  const add = (values?: Element) => {
    const item = build(values);
    item.classList.add('rule');
    item.appendChild(h('button', { type: 'button', class: 'link danger', onclick: () => item.remove() }, `Remove ${label}`));
    box.appendChild(item);
  };
  for (const e of existing) add(e);
  const node = h('div', {}, box, h('button', { type: 'button', onclick: () => add() }, `Add ${label}`));
  return { node, items: () => [...box.querySelectorAll<HTMLElement>('.rule')] };
}

const field = (item: HTMLElement, name: string) => item.querySelector<HTMLInputElement>(`[name="${name}"]`)!;

const SETTINGS: Setting[] = [
  {
    name: 'ACL',
    query: 'acl',
    deletable: false,
    form(doc) {
      const grants = doc ? [...doc.querySelectorAll('Grant')].map((g) => `${text(g, 'Grantee URI') || text(g, 'Grantee ID') || text(g, 'Grantee DisplayName')}: ${text(g, 'Permission')}`) : [];
      const publicRead = grants.some((g) => /AllUsers.*READ$/.test(g) || /AllUsers.*FULL_CONTROL/.test(g));
      const publicWrite = grants.some((g) => /AllUsers.*WRITE$/.test(g));
      const select = h('select', { name: 'acl', 'aria-label': 'Bucket ACL' }, ['private', 'public-read', 'public-read-write'].map((v) => h('option', { value: v }, v)));
      select.value = publicWrite ? 'public-read-write' : publicRead ? 'public-read' : 'private';
      return {
        node: h('div', {}, h('label', {}, 'Access', select), h('ul', { class: 'grants' }, grants.map((g) => h('li', {}, g)))),
        toXml: () => '',
        headers: () => ({ 'x-cos-acl': select.value }),
      };
    },
  },
  {
    name: 'CORS',
    query: 'cors',
    absent: 'NoSuchCORSConfiguration',
    deletable: true,
    form(doc) {
      const rules = repeatable(
        (r) =>
          h(
            'fieldset',
            {},
            h('legend', {}, 'Rule'),
            h('label', {}, 'Allowed origins', h('input', { name: 'origins', value: r ? texts(r, 'AllowedOrigin').join(', ') : '', placeholder: 'https://app.example.com, *' })),
            h('div', { class: 'methods', role: 'group', 'aria-label': 'Allowed methods' }, METHODS.map((m) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: `m-${m}`, checked: r ? texts(r, 'AllowedMethod').includes(m) : m === 'GET' }), m))),
            h('label', {}, 'Allowed headers', h('input', { name: 'headers', value: r ? texts(r, 'AllowedHeader').join(', ') : '*' })),
            h('label', {}, 'Exposed headers', h('input', { name: 'expose', value: r ? texts(r, 'ExposeHeader').join(', ') : 'ETag' })),
            h('label', {}, 'Max age (seconds)', h('input', { name: 'maxage', type: 'number', min: 0, value: r ? text(r, 'MaxAgeSeconds') : '600' })),
          ),
        doc ? [...doc.querySelectorAll('CORSRule')] : [],
        'CORS rule',
      );
      return {
        node: rules.node,
        toXml() {
          const out = rules.items().map((item, i) => {
            const origins = list(field(item, 'origins').value);
            const methods = METHODS.filter((m) => field(item, `m-${m}`).checked);
            const maxAge = field(item, 'maxage').value;
            if (origins.length === 0) throw new Error(`Rule ${i + 1}: name at least one allowed origin.`);
            if (methods.length === 0) throw new Error(`Rule ${i + 1}: allow at least one method.`);
            if (maxAge && !/^\d+$/.test(maxAge)) throw new Error(`Rule ${i + 1}: the max age is a whole number of seconds.`);
            return `<CORSRule>${origins.map((o) => el('AllowedOrigin', o)).join('')}${methods.map((m) => el('AllowedMethod', m)).join('')}${list(field(item, 'headers').value).map((x) => el('AllowedHeader', x)).join('')}${list(field(item, 'expose').value).map((x) => el('ExposeHeader', x)).join('')}${maxAge ? el('MaxAgeSeconds', maxAge) : ''}</CORSRule>`;
          });
          if (out.length === 0) throw new Error('Add a rule, or delete the CORS configuration.');
          return `<CORSConfiguration>${out.join('')}</CORSConfiguration>`;
        },
      };
    },
  },
  {
    name: 'Lifecycle',
    query: 'lifecycle',
    absent: 'NoSuchLifecycleConfiguration',
    deletable: true,
    form(doc) {
      const rules = repeatable(
        (r) => {
          const status = h('select', { name: 'status', 'aria-label': 'Status' }, h('option', { value: 'Enabled' }, 'Enabled'), h('option', { value: 'Disabled' }, 'Disabled'));
          status.value = r ? text(r, 'Status') || 'Enabled' : 'Enabled';
          const cls = h('select', { name: 'class', 'aria-label': 'Transition to' }, h('option', { value: '' }, '(no transition)'), STORAGE_CLASSES.map((c) => h('option', { value: c }, c)));
          cls.value = r ? text(r, 'Transition StorageClass') : '';
          return h(
            'fieldset',
            {},
            h('legend', {}, 'Rule'),
            h('label', {}, 'ID', h('input', { name: 'id', value: r ? text(r, 'ID') : '' })),
            h('label', {}, 'Prefix', h('input', { name: 'prefix', value: r ? text(r, 'Filter Prefix') || text(r, 'Prefix') : '' })),
            h('label', {}, 'Status', status),
            h('label', {}, 'Transition after (days)', h('input', { name: 'tdays', type: 'number', min: 0, value: r ? text(r, 'Transition Days') : '' })),
            h('label', {}, 'Transition to', cls),
            h('label', {}, 'Expire after (days)', h('input', { name: 'edays', type: 'number', min: 1, value: r ? text(r, 'Expiration Days') : '' })),
          );
        },
        doc ? [...doc.querySelectorAll('Rule')] : [],
        'lifecycle rule',
      );
      return {
        node: rules.node,
        toXml() {
          const out = rules.items().map((item, i) => {
            const tdays = field(item, 'tdays').value;
            const cls = item.querySelector<HTMLSelectElement>('[name="class"]')!.value;
            const edays = field(item, 'edays').value;
            if (!edays && !(tdays && cls)) throw new Error(`Rule ${i + 1}: give an expiration, or a transition with its days and class.`);
            if ((tdays && !/^\d+$/.test(tdays)) || (edays && !/^[1-9]\d*$/.test(edays))) throw new Error(`Rule ${i + 1}: days are whole numbers (expiration at least 1).`);
            if (tdays && edays && Number(edays) <= Number(tdays)) throw new Error(`Rule ${i + 1}: expire after the transition.`);
            const id = field(item, 'id').value || `rule-${i + 1}`;
            const status = item.querySelector<HTMLSelectElement>('[name="status"]')!.value;
            return `<Rule>${el('ID', id)}<Filter>${el('Prefix', field(item, 'prefix').value)}</Filter>${el('Status', status)}${tdays && cls ? `<Transition>${el('Days', tdays)}${el('StorageClass', cls)}</Transition>` : ''}${edays ? `<Expiration>${el('Days', edays)}</Expiration>` : ''}</Rule>`;
          });
          if (out.length === 0) throw new Error('Add a rule, or delete the lifecycle configuration.');
          return `<LifecycleConfiguration>${out.join('')}</LifecycleConfiguration>`;
        },
      };
    },
  },
  {
    name: 'Versioning',
    query: 'versioning',
    deletable: false,
    form(doc) {
      const current = doc ? text(doc, 'Status') : '';
      const radio = (value: string, label: string) => h('label', { class: 'inline' }, h('input', { type: 'radio', name: 'versioning', value, checked: current === value || (!current && value === 'Off') }), label);
      const box = h('div', { role: 'radiogroup', 'aria-label': 'Versioning' }, radio('Off', 'Off (never turned on)'), radio('Enabled', 'Enabled'), radio('Suspended', 'Suspended'));
      return {
        node: h('div', {}, box, h('p', { class: 'hint' }, 'Once enabled, versioning can be suspended but not turned off.')),
        toXml() {
          const value = box.querySelector<HTMLInputElement>('input:checked')?.value;
          if (!value || value === 'Off') throw new Error('Choose Enabled or Suspended.');
          return `<VersioningConfiguration>${el('Status', value)}</VersioningConfiguration>`;
        },
      };
    },
  },
  {
    name: 'Tagging',
    query: 'tagging',
    absent: 'NoSuchTagSet',
    deletable: true,
    form(doc) {
      const rows = repeatable(
        (t) => h('div', { class: 'row' }, h('input', { name: 'k', 'aria-label': 'Tag key', value: t ? text(t, 'Key') : '' }), h('input', { name: 'v', 'aria-label': 'Tag value', value: t ? text(t, 'Value') : '' })),
        doc ? [...doc.querySelectorAll('Tag')] : [],
        'tag',
      );
      return {
        node: rows.node,
        toXml() {
          const tags = rows.items().map((r) => [field(r, 'k').value.trim(), field(r, 'v').value] as const).filter(([k]) => k);
          if (tags.length === 0) throw new Error('Add a tag, or delete the tags.');
          if (tags.length > 50) throw new Error('At most 50 tags.');
          const keys = new Set(tags.map(([k]) => k));
          if (keys.size !== tags.length) throw new Error('Tag keys must differ.');
          const bad = tags.find(([k, v]) => k.length > 128 || v.length > 256);
          if (bad) throw new Error(`Tag ${bad[0].slice(0, 40)}: keys up to 128 characters, values up to 256.`);
          return `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`).join('')}</TagSet></Tagging>`;
        },
      };
    },
  },
];

export async function settingsView(app: App, main: HTMLElement, bucket: string, tab: string | undefined): Promise<void> {
  const current = SETTINGS.find((s) => s.query === tab) ?? SETTINGS[0];
  const panel = h('div', { class: 'setting', role: 'tabpanel' }, 'Loading…');
  clear(
    main,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/' }, 'Buckets'), ' / ', h('a', { href: bucketHash(bucket) }, bucket), ' / Settings'),
    h('h1', {}, `Settings of ${bucket}`),
    h('div', { class: 'tabs', role: 'tablist' }, SETTINGS.map((s) => h('a', { role: 'tab', href: `#/s/${encodeURIComponent(bucket)}/${s.query}`, 'aria-selected': s === current ? 'true' : 'false', class: s === current ? 'active' : '' }, s.name))),
    panel,
  );
  await renderSetting(app, bucket, current, panel);
}

async function renderSetting(app: App, bucket: string, s: Setting, panel: HTMLElement): Promise<void> {
  const path = `/${bucket}/`;
  let xml = '';
  try {
    xml = await (await signedFetch(app.credentials, 'GET', path, { query: { [s.query]: '' } })).text();
  } catch (error) {
    if (!(error instanceof RequestError && error.code === s.absent)) {
      panel.replaceChildren(h('p', { class: 'problem' }, `${(error as RequestError).code ?? ''}: ${(error as Error).message}`));
      return;
    }
  }
  const doc = xml ? new DOMParser().parseFromString(xml, 'application/xml') : undefined;
  const form = s.form(doc);
  const reload = () => renderSetting(app, bucket, s, panel);
  const put = (body: string, headers: Record<string, string> = {}) => signedFetch(app.credentials, 'PUT', path, { query: { [s.query]: '' }, body: body || undefined, headers: body ? { 'Content-Type': 'application/xml', ...headers } : headers });
  const problem = h('p', { class: 'problem', role: 'alert' });
  const save = h('button', { class: 'primary', type: 'submit' }, `Save ${s.name}`);
  const raw = h('textarea', { rows: 10, spellcheck: 'false', 'aria-label': `${s.name} as XML` });
  raw.value = xml;
  const saveRaw = h('button', { type: 'button' }, 'Save XML');
  saveRaw.addEventListener('click', async () => {
    if (!raw.value.trim()) return void (problem.textContent = 'The XML is empty.');
    const parsed = new DOMParser().parseFromString(raw.value, 'application/xml');
    if (parsed.querySelector('parsererror')) return void (problem.textContent = 'The XML is not well-formed.');
    problem.textContent = '';
    if (await act(saveRaw, () => put(raw.value), `${s.name} saved.`)) void reload();
  });
  panel.replaceChildren(
    h(
      'form',
      {
        class: 'editor',
        novalidate: true,
        onsubmit: async (e: Event) => {
          e.preventDefault();
          let body: string;
          try {
            body = form.toXml();
          } catch (error) {
            problem.textContent = (error as Error).message;
            return;
          }
          problem.textContent = '';
          if (await act(save, () => put(body, form.headers?.() ?? {}), `${s.name} saved.`)) void reload();
        },
      },
      form.node,
      problem,
      h(
        'div',
        { class: 'actions' },
        s.deletable && xml
          ? h('button', { type: 'button', class: 'danger', onclick: async (e: Event) => (await act(e.currentTarget as HTMLButtonElement, () => signedFetch(app.credentials, 'DELETE', path, { query: { [s.query]: '' } }), `${s.name} deleted.`)) && reload() }, `Delete ${s.name}`)
          : null,
        save,
      ),
    ),
    h('details', { class: 'raw' }, h('summary', {}, 'Raw XML'), raw, h('div', { class: 'actions' }, saveRaw)),
  );
  if (!xml && s.absent) panel.prepend(h('p', { class: 'hint' }, `${bucket} has no ${s.name.toLowerCase()} configuration yet.`));
}
