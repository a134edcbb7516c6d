/**
 * What the lock benchmark's pyindex runners exchange: the job to resolve and
 * the pins that came out, plus the profile that matches the bench's pip.
 */
import type { ProfileSpec } from '../src/profile/types.js';

export interface LockChildInput {
  index: string;
  cacheDir: string;
  profiles: string[];
  requirements: string[];
  /** Run in this directory and keep it (and the lockfile written there); default: a fresh one, removed after. */
  workDir?: string;
}

export interface LockChildOutput {
  /** Per profile: canonical name → version. */
  pins: Record<string, Record<string, string>>;
  stats: Record<string, { decisions: number; conflicts: number; backtracks: number; candidatesTried: number }>;
  requests: number;
  /** process.resourceUsage().maxRSS, KiB (cross-check of /usr/bin/time); NaN from the CLI. */
  maxRssKb: number;
}

/**
 * The target pip resolves for in the bench: pip runs on pyenv's CPython
 * 3.13.0 on linux x86_64, so pyindex gets the same platform, Python and
 * python_full_version, and both must pick the same versions.
 */
export const PIP_PROFILE = 'pip-3.13';
export const PIP_PROFILE_SPEC: ProfileSpec = { platform: 'linux-x86_64', python: '3.13', markers: { python_full_version: '3.13.0' } };
