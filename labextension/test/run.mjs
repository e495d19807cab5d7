// Unit tests of the extension's state and formatting code (no browser): src/*.ts and test/*.test.ts compiled
// in memory by the extension's own TypeScript to CommonJS in a temporary folder (inside labextension/, so
// node_modules resolves), then run by `node --test`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.dirname(here);
const ts = createRequire(import.meta.url)('typescript');
const out = fs.mkdtempSync(path.join(root, '.test-build-'));
const options = {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 }
};

try {
  for (const folder of ['src', 'test']) {
    fs.mkdirSync(path.join(out, folder));
    for (const name of fs.readdirSync(path.join(root, folder)).filter(n => n.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(root, folder, name), 'utf8');
      const js = ts.transpileModule(source, { ...options, fileName: name }).outputText;
      fs.writeFileSync(path.join(out, folder, name.replace(/\.ts$/, '.js')), js);
    }
  }
  const tests = fs.readdirSync(path.join(out, 'test')).map(n => path.join(out, 'test', n));
  const run = spawnSync(process.execPath, ['--test', ...tests], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
