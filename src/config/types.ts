/**
 * The loaded form of `pyindex.yaml` (schema: schemas/config.schema.json).
 * Everything is validated and resolved: profiles are full Profile objects,
 * requirements are parsed, relative paths are absolute.
 */
import type { Requirement } from '../pep/requirement.js';
import type { Profile } from '../profile/types.js';
import type { ResolveOptions } from '../resolve/options.js';

export interface JobConfig {
  name: string;
  /** Requirements in the order written (inline `requires:` then those of `requires-file:`). */
  requirements: Requirement[];
  /** The same, as written (for the lockfile and messages). */
  requirementTexts: string[];
  /** `-c` constraint lines of the requirements file(s). */
  constraints: Requirement[];
  constraintTexts: string[];
  /** Profile names, in the order written. */
  profiles: string[];
}

/** One index of the config (`index:` gives one, `indexes:` several, in priority order). */
export interface IndexConfig {
  /** `name:` of an `indexes:` entry, when given (what `packages:` pins refer to). */
  name: string | undefined;
  /** Index URL, or an absolute directory path (the primary: lock URL hints are its). */
  url: string;
  /** http(s) URLs of mirrors serving the same index. */
  mirrors: string[];
  /** Used only for projects pinned to it (`explicit: true`). */
  explicit: boolean;
}

export interface Config {
  /** Absolute path of the config file. */
  file: string;
  /** Directory holding it (the lockfile goes next to it). */
  dir: string;
  /** Index URL, or an absolute directory path: the first index's (`indexes[0].url`). */
  index: string;
  /** Every index in priority order (one for `index:`). */
  indexes: IndexConfig[];
  /** `packages:` pins: PEP 503 name → position in `indexes`. */
  packages: Map<string, number>;
  /** Every profile a job names (built-in or inline), resolved. */
  profiles: Map<string, Profile>;
  jobs: Map<string, JobConfig>;
  options: ResolveOptions;
  /** Interpreter used to ask a build backend for an sdist's metadata (options.build-python). */
  buildPython: string | undefined;
  /**
   * sha256 over the meaning of the config (not its bytes): index, jobs with
   * their requirements and constraints, resolved profiles, options. A lock
   * records it; `pyindex lock --check` compares it.
   */
  digest: string;
}
