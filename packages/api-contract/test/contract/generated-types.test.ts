import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GENERATED_FILE, generateTypes } from '../../src/generate-types.js';
import { loadOpenApiDocument } from '../../src/index.js';

test('the committed src/generated/openapi.ts is what openapi-typescript makes of openapi.yaml now', async () => {
  const fresh = await generateTypes();
  const committed = readFileSync(GENERATED_FILE, 'utf8');
  assert.ok(
    committed === fresh,
    'src/generated/openapi.ts is stale: run `npm run generate -w @svpn/api-contract` and commit it',
  );
});

test('the contract is an OpenAPI 3.1 document whose operations each have a unique operationId', () => {
  const doc = loadOpenApiDocument();
  assert.match(doc.openapi, /^3\.1\./);
  const ids: string[] = [];
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const id = (op as { operationId?: string }).operationId;
      assert.ok(id, `an operation under ${method} has no operationId`);
      ids.push(id);
    }
  }
  assert.equal(new Set(ids).size, ids.length, 'operationIds repeat');
  for (const op of [
    'reserve',
    'reserveCommit',
    'reserveAbort',
    'provision',
    'release',
    'terminate',
    'modify',
  ]) {
    assert.ok(ids.includes(op), `${op} missing`);
  }
});

test('a changed document generates different types (the staleness check can fail)', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const text = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8').replace(
    'ProvisionState:\n      type: string\n      enum: [Released,',
    'ProvisionState:\n      type: string\n      enum: [Unknown, Released,',
  );
  const file = join(mkdtempSync(join(tmpdir(), 'svpn-contract-')), 'openapi.yaml');
  writeFileSync(file, text);
  const changed = await generateTypes(pathToFileURL(file));
  assert.notEqual(changed, readFileSync(GENERATED_FILE, 'utf8'));
  assert.match(changed, /"Unknown"|'Unknown'/);
});
