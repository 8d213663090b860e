/** `npm run generate -w @svpn/api-contract`: regenerates src/generated/openapi.ts from openapi.yaml. */
import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, generateTypes } from '../src/generate-types.js';

writeFileSync(GENERATED_FILE, await generateTypes());
process.stdout.write(`wrote ${GENERATED_FILE.pathname}\n`);
