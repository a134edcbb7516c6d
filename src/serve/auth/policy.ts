/**
 * Who may change a project (upload to it, yank, unyank, remove).
 *
 * Deliberately simple, like PyPI without its owner invitations:
 * - `reader`: nobody's uploader (it exists for `--read-auth`);
 * - `admin`: every project;
 * - `uploader`: a project that has no recorded uploader yet (new, or filled
 *   by other means), or one to which it uploaded a file before — the first
 *   uploader of a project owns it. Owners are the users recorded as the
 *   `uploader` of the project's files, so removing every file of a user
 *   also removes its ownership. Two users racing to create one project can
 *   both end up owners; an admin settles that.
 */
import type { Principal } from './authenticator.js';

export interface ProjectFiles {
  files: readonly { uploader?: string }[];
}

export type Permission = { ok: true } | { ok: false; reason: string };

export function projectOwners(state: ProjectFiles | undefined): string[] {
  const owners = new Set<string>();
  for (const f of state?.files ?? []) if (f.uploader !== undefined) owners.add(f.uploader);
  return [...owners].sort();
}

export function mayChangeProject(principal: Principal, project: string, state: ProjectFiles | undefined): Permission {
  if (principal.role === 'admin') return { ok: true };
  if (principal.role === 'reader') return { ok: false, reason: `user ${JSON.stringify(principal.user)} has the reader role and may not change projects` };
  const owners = projectOwners(state);
  if (owners.length === 0 || owners.includes(principal.user)) return { ok: true };
  return { ok: false, reason: `project ${project} belongs to ${owners.join(', ')}; user ${JSON.stringify(principal.user)} may not change it` };
}
