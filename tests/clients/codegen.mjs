// GraphQL Code Generator with its TypeScript plugins over the committed schema.graphql and
// every operation in graph/examples/, as a frontend project would run it; then the
// TypeScript compiler checks what it wrote (strict). Any validation error (an example
// that no longer fits the schema), generation error or type error fails.
//
// Prints {"operations": [...], "documents": n, "lines": {"schema": n, "operations": n}}.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import ts from 'typescript';
import { check, env, fail, report } from './lib.mjs';

const SCHEMA = env('SCHEMA');
const EXAMPLES = env('EXAMPLES');

const documents = readdirSync(EXAMPLES)
  .filter((name) => name.endsWith('.graphql'))
  .map((name) => join(EXAMPLES, name));
check(documents.length > 0, `no operations in ${EXAMPLES}`);

const out = mkdtempSync(join(tmpdir(), 'kg-codegen-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
const schemaTypes = join(out, 'schema.ts');
const operationTypes = join(out, 'operations.ts');
// The service's own scalars, as a frontend would map them.
const config = {
  scalars: { Date: 'string', DateTime: 'string', JSON: 'unknown' },
  strictScalars: true,
};
try {
  await generate(
    {
      schema: SCHEMA,
      documents,
      silent: true,
      errorsOnly: true,
      // typescript-operations 6 writes the enums and inputs its operations use itself
      // (beside the typescript plugin's, in one file, they clash); with
      // `importSchemaTypesFrom` (relative to the working directory) it takes them from
      // the typescript plugin's file instead.
      generates: {
        [schemaTypes]: { plugins: ['typescript'], config },
        [operationTypes]: {
          plugins: ['typescript-operations'],
          config: {
            ...config,
            importSchemaTypesFrom: relative(process.cwd(), schemaTypes),
            namespacedImportName: 'Types',
          },
        },
      },
    },
    true,
  );
} catch (error) {
  // Codegen gathers its errors (an invalid document names its file and line) in
  // `errors`, the same one once per output file.
  const messages = new Set((error.errors || [error]).map((e) => e.message.trim()));
  fail(`codegen failed: ${[...messages].join('\n')}`);
}

const program = ts.createProgram([schemaTypes, operationTypes], {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  skipLibCheck: true,
});
const diagnostics = ts.getPreEmitDiagnostics(program);
check(
  diagnostics.length === 0,
  'the generated types do not compile',
  diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
);

const generated = readFileSync(operationTypes, 'utf8');
const operations = [...generated.matchAll(/^export type (\w+)Query = /gm)].map((m) => m[1]);
const lines = (file) => readFileSync(file, 'utf8').split('\n').length;
report({
  operations,
  documents: documents.length,
  lines: { schema: lines(schemaTypes), operations: lines(operationTypes) },
});
