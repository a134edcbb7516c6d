/**
 * The precompiled validators (src/util/generated/schema-validators.ts) must
 * be what scripts/compile-schemas.ts makes from today's schemas/; otherwise
 * start-up silently falls back to compiling. Run `npm run schemas` to refresh.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { generate } from '../../scripts/compile-schemas.js';
import { schemaValidator } from '../../src/util/schema-error.js';
import * as precompiled from '../../src/util/generated/schema-validators.js';
import { projectRoot } from '../helpers/mkindex.js';

t.test('generated validators are current', async (t) => {
  const committed = readFileSync(join(projectRoot, 'src', 'util', 'generated', 'schema-validators.ts'), 'utf8');
  t.equal(committed, generate(), 'run `npm run schemas` after editing schemas/*.json');
});

t.test('schemaValidator uses the precompiled validator for current schemas', async (t) => {
  t.equal(schemaValidator('config.schema.json'), precompiled.config);
  t.equal(schemaValidator('profile.schema.json', '#/definitions/builtin'), precompiled.profileBuiltin);
  const v = schemaValidator('lock.schema.json');
  t.notOk(v({ version: 1 }), 'an incomplete lock is rejected');
  t.ok(v.errors?.length, 'with errors');
});
