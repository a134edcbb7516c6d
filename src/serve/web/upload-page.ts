/**
 * `/upload/`: a form that posts one distribution file to `POST /upload/`,
 * which runs the very upload handler twine's requests go through
 * (upload/handler.ts: HTTP Basic credentials first, then the same checks,
 * the same tree write, the same audit log), and answers with a page
 * instead of text. The browser sends only the file: the other fields of
 * the legacy API follow from its filename (`completeFormFromFilename`).
 *
 * Credentials are HTTP Basic, as for twine: the 401 carries the challenge,
 * so the browser asks for the user and password (or `__token__` and a
 * token) and sends the form again with them. A page refused for want of
 * them says so, with the status, in the page itself.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { SendReason } from '../upload/respond.js';
import { escapeHtml, renderPage, sendHtml } from './layout.js';

export function renderUploadForm(): string {
  const body = `<h1>Upload a distribution</h1>
<form class="upload" method="post" action="./" enctype="multipart/form-data">
<label for="upload-content">Wheel (.whl) or sdist (.tar.gz, .zip)</label>
<input type="file" id="upload-content" name="content" accept=".whl,.tar.gz,.zip" required>
<button type="submit" id="upload-submit">Upload</button>
</form>
<p class="muted">Uploading needs an account on this index: your browser asks for its user name and password (HTTP Basic), or <code>__token__</code> and an API token. The file is checked as a <code>twine upload</code> is — its name, its metadata — and a filename already on the index is never replaced by different bytes.</p>
<p class="muted">From a shell: <code>twine upload --repository-url URL-OF-THIS-INDEX dist/*</code></p>`;
  return renderPage({ title: 'Upload', base: '../', current: 'upload', body });
}

/** The answer page of a form upload: what happened, with the status, and where to go next. */
export const sendUploadResult: SendReason = (res: ServerResponse, status: number, reason: string, headers = {}, context = {}): void => {
  const ok = status === 200;
  const title = ok ? 'Uploaded' : `Upload refused: ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const projectLink = context.project !== undefined ? `<a href="../project/${encodeURIComponent(context.project)}/">${escapeHtml(context.project)}</a> · ` : '';
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="result ${ok ? 'ok' : 'failed'}" id="upload-result" data-status="${status}">${escapeHtml(reason)}</p>
<p>${projectLink}<a href="./">Upload another file</a> · <a href="../">All projects</a></p>`;
  sendHtml(res, status, renderPage({ title, base: '../', current: 'upload', body }), { ...headers, 'Cache-Control': 'no-store' });
};
