/** A few DOM helpers: elements, toasts, dialogs. No framework: the console is a handful of views. */

type Child = Node | string | number | false | null | undefined | Child[];
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

/** `h('button', { class: 'primary', onclick }, 'Save')`; `on*` attributes become listeners, booleans toggle. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A message in the corner: what an action did, or the server's error. */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const box = document.getElementById('toasts')!;
  if (kind === 'error') console.warn(message);
  const item = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  const close = h('button', { class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×');
  item.appendChild(close);
  box.appendChild(item);
  setTimeout(() => item.remove(), kind === 'error' ? 12_000 : 5_000);
}

/** A modal dialog; resolves with what `body` decides, or undefined when closed. */
export function dialog<T>(title: string, build: (done: (value: T | undefined) => void) => Node): Promise<T | undefined> {
  return new Promise((resolve) => {
    const el = h('dialog', { class: 'dialog', 'aria-label': title });
    const done = (value: T | undefined) => {
      el.close();
      el.remove();
      resolve(value);
    };
    el.append(h('header', {}, h('h2', {}, title), h('button', { class: 'link close', 'aria-label': 'Close dialog', onclick: () => done(undefined) }, '×')), build(done));
    el.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(undefined);
    });
    document.body.appendChild(el);
    el.showModal();
    (el.querySelector('[autofocus]') as HTMLElement | null)?.focus();
  });
}

/** Asks for a confirmation; with `typed`, the user must type that text (a bucket's name) first. */
export function confirmAction(title: string, message: string, action: string, typed?: string): Promise<boolean> {
  return dialog<boolean>(title, (done) => {
    const input = typed ? h('input', { 'aria-label': `Type ${typed} to confirm`, autocomplete: 'off', autofocus: true }) : undefined;
    const ok = h('button', { class: 'danger', type: 'submit', disabled: Boolean(typed) }, action);
    input?.addEventListener('input', () => (ok.disabled = input.value !== typed));
    return h(
      'form',
      { onsubmit: (e: Event) => (e.preventDefault(), done(true)) },
      h('p', {}, message),
      typed ? h('label', {}, 'Type ', h('code', {}, typed), ' to confirm', input) : null,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => done(false) }, 'Cancel'), ok),
    );
  }).then(Boolean);
}

/** A small form in a dialog; resolves with the field values, or undefined. */
export function promptFields(title: string, fields: Array<{ name: string; label: string; value?: string; hint?: string; pattern?: string }>, action = 'OK'): Promise<Record<string, string> | undefined> {
  return dialog<Record<string, string>>(title, (done) => {
    const inputs = fields.map((f, i) => h('input', { name: f.name, value: f.value ?? '', required: true, pattern: f.pattern, autofocus: i === 0, autocomplete: 'off' }));
    return h(
      'form',
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          done(Object.fromEntries(inputs.map((input) => [input.name, input.value])));
        },
      },
      fields.map((f, i) => h('label', {}, f.label, inputs[i], f.hint ? h('small', {}, f.hint) : null)),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => done(undefined) }, 'Cancel'), h('button', { class: 'primary', type: 'submit' }, action)),
    );
  });
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Runs an action with its button disabled; reports success or the error; resolves with the result. */
export async function act<T>(button: HTMLButtonElement | undefined, run: () => Promise<T>, success?: string): Promise<T | undefined> {
  if (button) button.disabled = true;
  try {
    const result = await run();
    if (success) toast(success);
    return result;
  } catch (error) {
    toast(describeError(error), 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** The server's error code and message, in words a person reads. */
export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; error?: { Code?: string; Message?: string } };
  const code = e?.error?.Code ?? e?.code ?? '';
  const message = e?.error?.Message ?? e?.message ?? String(error);
  if (code === 'AccessDenied') return `Access denied: the signed-in key may not do this. (${message})`;
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
