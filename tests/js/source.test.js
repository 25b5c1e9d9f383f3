// The core's shape, checked on its source: no function over 150 lines (issue 9: split the monoliths along
// their seams). Functions are found as clang-format (Google style, column limit 120) lays them out: a
// signature starting in column 0, its body closed by a "}" alone in column 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_LINES = 150;

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(cpp|hpp)$/.test(name)) out.push(p);
  }
  return out;
}

/** [{name, file, line, lines}] for every function definition in a C++ source text. */
export function functionLengths(text, file) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i += 1) {
    const l = lines[i];
    if (!/^[A-Za-z_]/.test(l) || !l.includes('(') || /^(namespace|using|typedef|#|template\s*<[^>]*>\s*$)/.test(l)) continue;
    const paren = l.indexOf('(');
    if (l.slice(0, paren).includes('=') || l.trimEnd().endsWith(';')) continue;
    let open = i;
    while (open < lines.length && !lines[open].trimEnd().endsWith('{') && !lines[open].trimEnd().endsWith(';')) open += 1;
    if (open >= lines.length || lines[open].trimEnd().endsWith(';')) continue;
    if (lines[open].trimEnd().endsWith('}')) continue; // a one-line body
    let close = open + 1;
    while (close < lines.length && lines[close] !== '}') close += 1;
    const name = (l.slice(0, paren).match(/([A-Za-z_][\w:~]*)\s*$/) || [l])[1];
    out.push({ name, file, line: i + 1, lines: close - i + 1 });
    i = close;
  }
  return out;
}

test('the function finder sees a known function and its length', () => {
  const text = 'namespace x {\nint f(int a,\n      int b) {\n  return a;\n}\n}  // namespace x\n';
  assert.deepEqual(functionLengths(text, 't.cpp').map((f) => [f.name, f.lines]), [['f', 4]]);
});

test(`no core function is over ${MAX_LINES} lines`, () => {
  const all = sources(path.join(root, 'core', 'src')).flatMap((f) =>
    functionLengths(readFileSync(f, 'utf8'), path.relative(root, f)));
  assert.ok(all.length > 100, `only ${all.length} functions found: the finder is broken`);
  const long = all.filter((f) => f.lines > MAX_LINES).map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
  assert.deepEqual(long, []);
});

// ctest registers each Catch2 test case by name through CMake, where ';' separates list items: a name with a ';'
// was registered cut short, matched no test case and "passed" without running (found when one such test had
// been failing unseen).
test('no Catch2 test case name holds a ";" (ctest would run nothing under it)', () => {
  const dir = path.join(root, 'tests');
  const bad = [];
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.cpp'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/TEST_CASE\(\s*"((?:[^"\\]|\\.)*)"/g)) if (m[1].includes(';')) bad.push(`${file}: ${m[1]}`);
  }
  assert.deepEqual(bad, []);
});
