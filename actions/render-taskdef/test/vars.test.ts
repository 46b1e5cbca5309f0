import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { mergeVars, readVarsFile, substituteVars } from '../src/vars.js';

const vars = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('substituteVars', () => {
  it('replaces placeholders in every string, nested in objects and lists', () => {
    const template = {
      family: 'web-${ENVIRONMENT}',
      containerDefinitions: [{ image: '${IMAGE}', environment: [{ name: 'REGION', value: '${REGION}' }] }],
    };
    const { document } = substituteVars(
      template,
      vars({ ENVIRONMENT: 'prod', IMAGE: 'web@sha256:abc', REGION: 'eu-west-1' }),
      'template t.json',
    );
    expect(document).toEqual({
      family: 'web-prod',
      containerDefinitions: [{ image: 'web@sha256:abc', environment: [{ name: 'REGION', value: 'eu-west-1' }] }],
    });
  });

  it('keeps values holding quotes, colons and newlines intact (substitution happens after parsing)', () => {
    const { document } = substituteVars({ value: 'x ${V} y' }, vars({ V: '"a": b\nc' }), 't');
    expect(document).toEqual({ value: 'x "a": b\nc y' });
  });

  it('replaces placeholders in object keys, such as docker label names', () => {
    const { document } = substituteVars({ dockerLabels: { 'team.${TEAM}': 'yes' } }, vars({ TEAM: 'payments' }), 't');
    expect(document).toEqual({ dockerLabels: { 'team.payments': 'yes' } });
  });

  it('leaves numbers and booleans alone', () => {
    const { document } = substituteVars({ containerPort: 3000, essential: true, none: null }, vars({}), 't');
    expect(document).toEqual({ containerPort: 3000, essential: true, none: null });
  });

  it('turns $${NAME} into a literal ${NAME} without needing the var', () => {
    const { document } = substituteVars({ command: ['CMD-SHELL', 'echo $${HOME} ${X}'] }, vars({ X: '1' }), 't');
    expect(document).toEqual({ command: ['CMD-SHELL', 'echo ${HOME} 1'] });
  });

  it('leaves shell forms that are not placeholders, such as $HOME and ${X:-default}', () => {
    const { document } = substituteVars({ c: 'echo $HOME ${X:-default}' }, vars({}), 't');
    expect(document).toEqual({ c: 'echo $HOME ${X:-default}' });
  });

  it('names an unresolved placeholder and the path where it is', () => {
    const template = {
      containerDefinitions: [{ name: 'web', logConfiguration: { options: { 'awslogs-region': '${REGION}' } } }],
    };
    expect(() => substituteVars(template, vars({}), 'template deploy/taskdef.json')).toThrow(
      'template deploy/taskdef.json: unresolved placeholder ${REGION} at containerDefinitions[0].logConfiguration.options.awslogs-region. ' +
        "Set REGION=... in the input 'vars' (or 'vars-file'), or write $${NAME} for a literal ${NAME}.",
    );
  });

  it('lists every unresolved placeholder at once', () => {
    expect(() => substituteVars({ a: '${A}', b: ['${B}', '${A}'] }, vars({}), 't')).toThrow(
      "t: unresolved placeholders ${A} at a, ${B} at b[0], ${A} at b[1]. Set A=..., B=... in the input 'vars'",
    );
  });

  it('reports the vars that no placeholder used', () => {
    const { unusedVars } = substituteVars({ a: '${A}' }, vars({ A: '1', ENVIROMENT: 'typo' }), 't');
    expect(unusedVars).toEqual(['ENVIROMENT']);
  });
});

describe('readVarsFile', () => {
  const directory = mkdtempSync(join(tmpdir(), 'render-taskdef-vars-'));

  it('reads NAME=VALUE lines, skipping comments and blank lines, keeping = in values', async () => {
    const path = join(directory, 'ok.env');
    writeFileSync(path, '# dev\nENVIRONMENT=dev\n\nCORS_ORIGIN=https://a.example.com?x=1\n');
    expect(await readVarsFile(path)).toEqual(vars({ ENVIRONMENT: 'dev', CORS_ORIGIN: 'https://a.example.com?x=1' }));
  });

  it('rejects a line without =, naming the input and the line', async () => {
    const path = join(directory, 'bad.env');
    writeFileSync(path, 'ENVIRONMENT=dev\nREGION\n');
    await expect(readVarsFile(path)).rejects.toThrow(
      `Input 'vars-file': line 2 "REGION" has no "="; expected NAME=VALUE`,
    );
  });

  it('rejects a name a placeholder could not use', async () => {
    const path = join(directory, 'name.env');
    writeFileSync(path, 'AWS-REGION=eu-west-1\n');
    await expect(readVarsFile(path)).rejects.toThrow(
      `Input 'vars-file': line 1: NAME "AWS-REGION" must be letters, digits and underscores, not starting with a digit`,
    );
  });

  it('rejects a missing file naming the input and the path', async () => {
    const path = join(directory, 'missing.env');
    await expect(readVarsFile(path)).rejects.toThrow(
      `Input 'vars-file': cannot read ${path} (no such file); expected a file of NAME=VALUE lines`,
    );
  });
});

describe('mergeVars', () => {
  it('lets the vars input override the vars file', () => {
    expect(mergeVars(vars({ A: 'file', B: 'file' }), vars({ B: 'input' }))).toEqual(vars({ A: 'file', B: 'input' }));
  });
});
