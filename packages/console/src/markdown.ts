/**
 * A small Markdown preview: headings, paragraphs, lists, quotes, fenced code, and inline code,
 * bold, italics and links. It builds DOM nodes from text, never HTML, so an object cannot inject
 * markup or script into the console; links open only http(s) URLs.
 */
import { h } from './ui.js';

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*]+\*|_[^_]+_)|(\[[^\]]+\]\([^)\s]+\))/;

function inline(text: string): Node[] {
  const out: Node[] = [];
  let rest = text;
  for (let m = INLINE.exec(rest); m; m = INLINE.exec(rest)) {
    if (m.index > 0) out.push(document.createTextNode(rest.slice(0, m.index)));
    const token = m[0];
    if (m[1]) out.push(h('code', {}, token.slice(1, -1)));
    else if (m[2]) out.push(h('strong', {}, ...inline(token.slice(2, -2))));
    else if (m[3]) out.push(h('em', {}, ...inline(token.slice(1, -1))));
    else {
      const [, label, href] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token)!;
      out.push(/^https?:\/\//i.test(href) ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label) : document.createTextNode(label));
    }
    rest = rest.slice(m.index + token.length);
  }
  if (rest) out.push(document.createTextNode(rest));
  return out;
}

export function renderMarkdown(text: string): HTMLElement {
  const root = h('div', { class: 'preview markdown' });
  const lines = text.split(/\r?\n/);
  let paragraph: string[] = [];
  let list: HTMLElement | undefined;
  const flush = () => {
    if (paragraph.length) root.appendChild(h('p', {}, ...inline(paragraph.join(' '))));
    paragraph = [];
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !/^```/.test(lines[i])) code.push(lines[i]);
      root.appendChild(h('pre', {}, h('code', {}, code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:[-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      root.appendChild(h(`h${Math.min(heading[1].length + 2, 6)}` as 'h3', {}, ...inline(heading[2])));
    } else if (item) {
      if (paragraph.length) flush();
      if (!list) root.appendChild((list = h(/^\s*\d+\./.test(line) ? 'ol' : 'ul')));
      list.appendChild(h('li', {}, ...inline(item[1])));
    } else if (/^>\s?/.test(line)) {
      flush();
      root.appendChild(h('blockquote', {}, ...inline(line.replace(/^>\s?/, ''))));
    } else if (line.trim() === '') {
      flush();
    } else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return root;
}
