/**
 * `ROOT/.pyindex/admin.log`: one JSON object per line for every change made
 * through the server or the admin commands (upload, yank, unyank, remove):
 * who (user, and whether by password or token), from where, what, outcome.
 * Appended with O_APPEND, so concurrent writers never interleave within a
 * line (each line is one small write). Never holds a secret.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export interface AuditEntry {
  action: 'upload' | 'yank' | 'unyank' | 'remove';
  user: string;
  via: 'password' | 'token' | 'local';
  /** Client address, or "local" for commands run on the root directly. */
  address: string;
  project: string;
  version?: string;
  filename?: string;
  reason?: string;
  /** What happened: "added", "identical", "3 files", … */
  result: string;
}

export function auditLogPath(root: string): string {
  return join(root, '.pyindex', 'admin.log');
}

export async function appendAudit(root: string, entry: AuditEntry, now = new Date()): Promise<void> {
  const path = auditLogPath(root);
  await fsp.mkdir(join(root, '.pyindex'), { recursive: true });
  await fsp.appendFile(path, `${JSON.stringify({ time: now.toISOString(), ...entry })}\n`, { flag: 'a' });
}

export async function readAuditLog(root: string): Promise<(AuditEntry & { time: string })[]> {
  let text: string;
  try {
    text = await fsp.readFile(auditLogPath(root), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry & { time: string });
}
