import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const source = ts.createSourceFile('events.ts', readFileSync(join(root, 'src/output/events.ts'), 'utf8'), ts.ScriptTarget.ES2022, true);
const doc = readFileSync(join(root, 'docs/json-events.md'), 'utf8');

const propNames = (members: ts.NodeArray<ts.TypeElement>) => members.filter(ts.isPropertySignature).map((m) => m.name.getText(source));

/** Every member of the DeployEvent union: its `type` literal and its other fields. */
function eventTypes(): { type: string; fields: string[] }[] {
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'DeployEvent');
  if (!alias || !ts.isUnionTypeNode(alias.type)) throw new Error('DeployEvent is not a union in src/output/events.ts');
  return alias.type.types.map((t) => {
    if (!ts.isTypeLiteralNode(t)) throw new Error(`DeployEvent member is not a type literal: ${t.getText(source)}`);
    const type = t.members.filter(ts.isPropertySignature).find((m) => m.name.getText(source) === 'type')!;
    const literal = type.type && ts.isLiteralTypeNode(type.type) && ts.isStringLiteral(type.type.literal) ? type.type.literal.text : '';
    return { type: literal, fields: propNames(t.members).filter((f) => f !== 'type') };
  });
}

function interfaceFields(name: string): string[] {
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!decl) throw new Error(`no interface ${name}`);
  return propNames(decl.members);
}

/** The text of a `### heading` section, up to the next heading of level 2 or 3. */
function section(heading: string): string | undefined {
  const start = doc.indexOf(`\n### ${heading}\n`);
  if (start < 0) return undefined;
  const rest = doc.slice(start + 1);
  const next = rest.slice(4).search(/\n#{2,3} /);
  return next < 0 ? rest : rest.slice(0, next + 4);
}

describe('docs/json-events.md', () => {
  const events = eventTypes();

  it('finds the events', () => {
    expect(events.length).toBeGreaterThan(15);
    expect(events.map((e) => e.type)).toContain('run:end');
  });

  it.each(eventTypes().map((e) => [e.type, e.fields] as const))('documents `%s` and each of its fields', (type, fields) => {
    const text = section(`\`${type}\``);
    expect(text, `no "### \`${type}\`" section`).toBeDefined();
    for (const f of fields) expect(text, `field ${f} of ${type}`).toContain(`| \`${f}\``);
  });

  it.each(['RunSummary', 'HostSummary'])('documents every field of %s', (name) => {
    const text = section(name);
    expect(text, `no "### ${name}" section`).toBeDefined();
    for (const f of interfaceFields(name)) expect(text, `field ${f} of ${name}`).toContain(`| \`${f}\``);
  });

  it('documents no event that does not exist', () => {
    const documented = [...doc.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(events.map((e) => e.type).sort());
  });
});
