// Fails when modules inside packages/*/src import each other in a cycle at run time
// (type-only imports are erased and do not count). Prints every cycle found.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) files.push(resolve(path));
  }
};
for (const pkg of readdirSync('packages')) if (existsSync(`packages/${pkg}/src`)) walk(`packages/${pkg}/src`);

const graph = new Map();
for (const file of files) {
  const deps = [];
  for (const match of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)(?! type)[^'";]*?from\s+'(\.[^']+)'/g)) {
    const base = resolve(dirname(file), match[1]);
    const target = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    if (target) deps.push(target);
  }
  graph.set(file, deps);
}

const cycles = [];
const done = new Set();
const path = [];
const visit = (file) => {
  path.push(file);
  for (const dep of graph.get(file) ?? []) {
    const at = path.indexOf(dep);
    if (at >= 0) cycles.push([...path.slice(at), dep].map((f) => relative(process.cwd(), f)).join(' -> '));
    else if (!done.has(dep)) visit(dep);
  }
  path.pop();
  done.add(file);
};
for (const file of files) if (!done.has(file)) visit(file);

for (const cycle of cycles) console.error(`import cycle: ${cycle}`);
console.log(`${files.length} modules, ${cycles.length} import cycles`);
process.exit(cycles.length > 0 ? 1 : 0);
