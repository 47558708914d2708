import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../../src/config.ts';

/**
 * The boundaries of src/, checked on the source itself: no import cycle, and the shared plumbing (web/, platform/)
 * imports no feature. Type-only imports count too: a cycle of types still ties the modules together.
 */

const sourceRoot = path.join(projectRoot, 'src');
/** Folders every feature may use, which must therefore know none of them. */
const sharedFolders = ['web', 'platform'];

/** Every relative module specifier in a file: imports, `export ... from`, and dynamic `import('...')`. */
function importedSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((specifier) => specifier.startsWith('.'));
}

/** src-relative file name -> the src files it imports. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for await (const file of glob('**/*.ts', { cwd: sourceRoot })) {
    const text = await readFile(path.join(sourceRoot, file), 'utf8');
    const imports = importedSpecifiers(file, text)
      .map((specifier) => path.relative(sourceRoot, path.resolve(sourceRoot, path.dirname(file), specifier)))
      .filter((target) => !target.startsWith('..'));
    graph.set(file.split(path.sep).join('/'), [...new Set(imports.map((target) => target.split(path.sep).join('/')))]);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];

  const connect = (file: string): void => {
    index.set(file, counter);
    lowLink.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(target)!));
      }
    }
    if (lowLink.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return found;
}

/** One shortest path of imports from `from` back to itself inside a component, to show how the cycle closes. */
function loopThrough(graph: Map<string, string[]>, component: readonly string[], from: string): string[] {
  const inside = new Set(component);
  const previous = new Map<string, string>();
  const queue = [from];
  while (queue.length) {
    const file = queue.shift()!;
    for (const target of graph.get(file) ?? []) {
      if (!inside.has(target)) continue;
      if (target === from) {
        const path = [from];
        for (let step: string | undefined = file; step !== undefined && step !== from; step = previous.get(step)) {
          path.splice(1, 0, step);
        }
        return [...path, from];
      }
      if (!previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return [from];
}

function featureOf(file: string): string | undefined {
  const [folder, ...rest] = file.split('/');
  return rest.length > 0 ? folder : undefined;
}

const graph = await importGraph();

test('the import graph covers src/', () => {
  assert.ok(graph.size > 50, `expected the files of src/, found ${graph.size}`);
  assert.ok(graph.get('main.ts')?.includes('config.ts'), 'main.ts imports config.ts');
});

test('the cycle finder finds cycles, and only cycles', () => {
  const small = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts', 'd.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
    ['e.ts', ['e.ts']],
  ]);
  assert.deepEqual(cycles(small), [['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  assert.deepEqual(loopThrough(small, ['a.ts', 'b.ts', 'c.ts'], 'a.ts'), ['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  assert.deepEqual(
    cycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
    [],
  );
});

test('src/ has no import cycle', () => {
  const found = cycles(graph);
  const report = found.map((component, number) => {
    const loop = loopThrough(graph, component, component[0]!);
    return [
      `cycle ${number + 1}: ${component.length} files: ${component.join(', ')}`,
      `  for example: ${loop.join(' -> ')}`,
    ].join('\n');
  });
  assert.equal(found.length, 0, `src/ has ${found.length} import cycle(s):\n${report.join('\n')}`);
});

test('src/web/ and src/platform/ import no feature', () => {
  const features = new Set(
    [...graph.keys()].map(featureOf).filter((folder) => folder !== undefined && !sharedFolders.includes(folder)),
  );
  const crossings: string[] = [];
  for (const [file, imports] of graph) {
    const folder = featureOf(file);
    if (folder === undefined || !sharedFolders.includes(folder)) continue;
    for (const target of imports) {
      const targetFolder = featureOf(target);
      if (targetFolder !== undefined && features.has(targetFolder)) crossings.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(crossings, [], `src/web/ and src/platform/ must not import a feature:\n${crossings.join('\n')}`);
});
