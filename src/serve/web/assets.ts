/**
 * The web UI's two static files, `/static/pyindex.css` and
 * `/static/pyindex.js`, kept in memory. Scripts and styles are files, not
 * inline, so the pages' CSP can forbid inline code altogether.
 *
 * The script is an enhancement only: the search box filters the project
 * list as one types (the same match as the server's `?q=`, which works
 * without it), and keeps `?q=` in the address bar so the filtered list can
 * be linked. Everything else works with scripts off.
 */
import { createHash } from 'node:crypto';

const CSS = `:root { color-scheme: light dark; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0; --accent: #0b5cad; --bad: #b42318; --bg-soft: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --accent: #6cb6ff; --bad: #ff7b72; --bg-soft: #151b23; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); }
header { display: flex; gap: 2rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: inherit; }
nav a { margin-right: 1rem; }
nav a[aria-current="page"] { font-weight: 600; }
main { max-width: 72rem; padding: 1rem 1.5rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; }
form.search { display: flex; gap: .5rem; margin-bottom: .75rem; }
form.search input { flex: 1; max-width: 32rem; padding: .4rem .6rem; font: inherit; }
button { font: inherit; padding: .35rem .9rem; }
.muted, .count { color: var(--muted); }
ul.projects { columns: 16rem; padding: 0; list-style: none; }
ul.projects li { padding: .1rem 0; break-inside: avoid; }
[hidden] { display: none !important; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-soft); }
td.size { white-space: nowrap; text-align: right; }
code.sha256 { font-size: .8rem; word-break: break-all; }
pre { background: var(--bg-soft); padding: .6rem .8rem; overflow-x: auto; }
.yanked-mark { display: inline-block; margin-left: .5rem; padding: 0 .4rem; border: 1px solid var(--bad); border-radius: .25rem; color: var(--bad); font-size: .8rem; font-weight: 600; text-transform: uppercase; }
tr.yanked td { color: var(--muted); }
.yank-reason { color: var(--bad); }
.result { padding: .75rem 1rem; border: 1px solid var(--line); border-left-width: .35rem; }
.result.ok { border-left-color: #1a7f37; }
.result.failed { border-left-color: var(--bad); }
form.upload { display: grid; gap: .75rem; max-width: 36rem; }
`;

const JS = `'use strict';
(function () {
  var input = document.getElementById('search-q');
  var list = document.getElementById('projects');
  if (!input || !list) return;
  var items = Array.prototype.slice.call(list.querySelectorAll('li'));
  var count = document.getElementById('project-count');
  var none = document.getElementById('no-match');
  var key = function (text) { return text.toLowerCase().replace(/[-_.]+/g, '-').trim(); };
  function apply() {
    var q = key(input.value);
    var shown = 0;
    items.forEach(function (li) {
      var match = q === '' || (li.getAttribute('data-search') || '').indexOf(q) !== -1;
      li.hidden = !match;
      if (match) shown++;
    });
    if (count) count.textContent = q === '' ? items.length + ' projects' : shown + ' of ' + items.length + ' projects match';
    if (none) none.hidden = shown !== 0;
    var url = new URL(window.location.href);
    if (input.value === '') url.searchParams.delete('q'); else url.searchParams.set('q', input.value);
    window.history.replaceState(null, '', url.pathname + url.search);
  }
  input.addEventListener('input', apply);
})();
`;

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(text: string, type: string): Asset {
  const body = Buffer.from(text, 'utf8');
  return { body, type, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['pyindex.css', asset(CSS, 'text/css; charset=utf-8')],
  ['pyindex.js', asset(JS, 'text/javascript; charset=utf-8')],
]);
