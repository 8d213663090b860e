/**
 * Turns `openapi.yaml` into the TypeScript of `src/generated/openapi.ts` with openapi-typescript's
 * Node API, formatted by the repository's prettier settings, so the committed file and a fresh
 * generation compare byte for byte (the staleness test and `npm run generate` share this).
 */
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import prettier from 'prettier';

/** Where the contract lives. */
export const OPENAPI_FILE = new URL('../openapi.yaml', import.meta.url);
/** Where the generated types are committed. */
export const GENERATED_FILE = new URL('./generated/openapi.ts', import.meta.url);

const BANNER = [
  '/**',
  ' * Generated from packages/api-contract/openapi.yaml by openapi-typescript.',
  ' * Do not edit: change openapi.yaml and run `npm run generate -w @svpn/api-contract`.',
  ' */',
  '',
].join('\n');

/** The generated source for the document at `file` (default: the contract). */
export async function generateTypes(file: URL = OPENAPI_FILE): Promise<string> {
  const ast = await openapiTS(readFileSync(file, 'utf8'), { silent: true });
  const source = BANNER + astToString(ast);
  const config = (await prettier.resolveConfig(GENERATED_FILE.pathname)) ?? {};
  return prettier.format(source, { ...config, parser: 'typescript' });
}
