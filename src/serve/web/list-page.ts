/**
 * `/`: every project, with a search box. The search is a plain GET form
 * (`/?q=…`), answered by the server, so it works without scripts; the list
 * always holds every project and the ones that do not match carry the
 * `hidden` attribute, so the script (assets.ts) can widen or narrow the
 * filter as one types without asking the server again.
 */
import type { ListedProject } from './data.js';
import { escapeHtml, renderPage, searchKey } from './layout.js';

export function matchesQuery(p: ListedProject, query: string): boolean {
  const q = searchKey(query);
  return q === '' || `${searchKey(p.name)} ${p.project}`.includes(q);
}

export function renderProjectList(projects: readonly ListedProject[], query: string): string {
  let shown = 0;
  const items = projects.map((p) => {
    const match = matchesQuery(p, query);
    if (match) shown++;
    return `<li data-search="${escapeHtml(`${searchKey(p.name)} ${p.project}`)}"${match ? '' : ' hidden'}><a href="project/${encodeURIComponent(p.project)}/">${escapeHtml(p.name)}</a></li>`;
  });
  const count = searchKey(query) === '' ? `${projects.length} projects` : `${shown} of ${projects.length} projects match`;
  const body = `<h1>Projects</h1>
<form class="search" method="get" action="./" role="search">
<input type="search" id="search-q" name="q" value="${escapeHtml(query)}" placeholder="Search projects" aria-label="Search projects" autocomplete="off">
<button type="submit">Search</button>
</form>
<p class="count" id="project-count">${count}</p>
<p class="muted" id="no-match"${shown === 0 ? '' : ' hidden'}>${projects.length === 0 ? 'No project has been uploaded yet.' : 'No project matches.'}</p>
<ul class="projects" id="projects">
${items.join('\n')}
</ul>`;
  return renderPage({ title: 'Projects', base: '', current: 'projects', body });
}
