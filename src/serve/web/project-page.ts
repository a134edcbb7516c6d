/**
 * `/project/<name>/`: a project's versions, newest first, each with its
 * files — size, upload time (UTC) and uploader, Requires-Python, sha256 —
 * and PEP 592 yank marks with their reasons, per file and, when every file
 * of a version is yanked, on the version. File links are the tree's own
 * (`../../files/<project>/<file>`), so downloads from the page are the
 * same downloads pip makes, and are counted the same way.
 */
import { Version } from '../../pep/version.js';
import type { FileState, ProjectState } from '../tree/state.js';
import { canonicalizeName } from '../../pep/names.js';
import { escapeHtml, formatSize, formatTime, renderPage } from './layout.js';

function byVersionNewestFirst(files: readonly FileState[]): [string, FileState[]][] {
  const groups = new Map<string, FileState[]>();
  for (const f of files) groups.set(f.version, [...(groups.get(f.version) ?? []), f]);
  const parsed = new Map([...groups.keys()].map((v) => [v, Version.tryParse(v)]));
  return [...groups.entries()].sort(([a], [b]) => {
    const va = parsed.get(a);
    const vb = parsed.get(b);
    return va && vb ? vb.compare(va) : a < b ? 1 : a > b ? -1 : 0;
  });
}

function yankReason(f: FileState): string | undefined {
  return typeof f.yanked === 'string' && f.yanked !== '' ? f.yanked : undefined;
}

function yankMark(f: FileState): string {
  if (f.yanked === undefined) return '';
  const reason = yankReason(f);
  return ` <span class="yanked-mark"${reason !== undefined ? ` title="${escapeHtml(reason)}"` : ''}>yanked</span>${reason !== undefined ? ` <span class="yank-reason">${escapeHtml(reason)}</span>` : ''}`;
}

function fileRow(project: string, f: FileState): string {
  const href = `../../files/${project}/${encodeURIComponent(f.filename)}`;
  const by = f.uploader !== undefined ? ` <span class="muted">by ${escapeHtml(f.uploader)}</span>` : '';
  return `<tr class="file${f.yanked !== undefined ? ' yanked' : ''}" data-filename="${escapeHtml(f.filename)}">
<td class="filename"><a href="${escapeHtml(href)}">${escapeHtml(f.filename)}</a>${yankMark(f)}</td>
<td class="size" title="${f.size} bytes">${formatSize(f.size)}</td>
<td class="uploaded"><time datetime="${escapeHtml(f.uploadTime)}">${escapeHtml(formatTime(f.uploadTime))}</time>${by}</td>
<td class="requires-python">${escapeHtml(f.requiresPython ?? '')}</td>
<td><code class="sha256">${escapeHtml(f.sha256)}</code></td>
</tr>`;
}

function versionSection(project: string, version: string, files: FileState[]): string {
  const allYanked = files.every((f) => f.yanked !== undefined);
  const reasons = [...new Set(files.map(yankReason).filter((r): r is string => r !== undefined))];
  const heading = `<h2>${escapeHtml(version)}${allYanked ? ' <span class="yanked-mark">yanked</span>' : ''}</h2>`;
  const reasonLine = allYanked && reasons.length > 0 ? `\n<p class="yank-reason">Yanked: ${reasons.map(escapeHtml).join('; ')}</p>` : '';
  return `<section class="version" id="v-${escapeHtml(version)}" data-version="${escapeHtml(version)}"${allYanked ? ' data-yanked=""' : ''}>
${heading}${reasonLine}
<table class="files">
<thead><tr><th>File</th><th>Size</th><th>Uploaded (UTC)</th><th>Requires-Python</th><th>SHA256</th></tr></thead>
<tbody>
${files.map((f) => fileRow(project, f)).join('\n')}
</tbody>
</table>
</section>`;
}

/** A Host header fit to print in the install command, or a placeholder. */
function displayHost(host: string | undefined): string {
  return host !== undefined && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host) ? host : 'HOST';
}

export function renderProjectPage(state: ProjectState, host: string | undefined): string {
  const project = canonicalizeName(state.name);
  const versions = byVersionNewestFirst(state.files);
  const latest = versions.find(([, files]) => files.some((f) => f.yanked === undefined))?.[0];
  const summary = `${versions.length} version${versions.length === 1 ? '' : 's'}, ${state.files.length} file${state.files.length === 1 ? '' : 's'}${latest !== undefined ? `; latest not yanked: ${escapeHtml(latest)}` : ''}`;
  const body = `<h1>${escapeHtml(state.name)}</h1>
<p class="muted" id="project-summary">${summary}</p>
<pre><code>pip install --index-url http://${escapeHtml(displayHost(host))}/simple/ ${escapeHtml(project)}</code></pre>
<p>Simple API: <a href="../../simple/${project}/">/simple/${project}/</a></p>
${versions.map(([version, files]) => versionSection(project, version, files)).join('\n')}`;
  return renderPage({ title: state.name, base: '../../', current: 'projects', body });
}

export function renderNotFound(what: string, base: string): string {
  return renderPage({ title: 'Not found', base, body: `<h1>Not found</h1>\n<p>${escapeHtml(what)}</p>\n<p><a href="${base === '' ? './' : base}">All projects</a></p>` });
}
