/**
 * Keeps README.md true: every setting is documented with its flag, variable and default, and the
 * set-up commands it gives are the ones the project defines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from './config.ts';
import { PACKAGE_ROOT } from './host.ts';

const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('README.md', () => {
  it.each(SETTINGS.map((s) => [s.flag, s] as const))('documents --%s', (_flag, s) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`--${s.flag}\` |`));
    expect(row, `a table row for --${s.flag}`).toBeDefined();
    expect(row).toContain(`\`${s.env}\``);
    if (s.default !== undefined) expect(row).toContain(`\`${String(s.default)}\``);
    else expect(row?.split(' | ')[2]?.trim(), `the default of --${s.flag}`).not.toBe('');
  });

  it('gives the default state directory of a checkout and of an installed poli', () => {
    const row = readme.split('\n').find((l) => l.startsWith('| `--state-dir` |'));
    expect(row).toContain('`logs/` of the poli checkout');
    expect(row).toContain('`$XDG_STATE_HOME/poli` (`~/.local/state/poli`)');
  });

  it('packs the tarball outside the checkout, and git ignores one packed inside it', () => {
    expect(readme).not.toContain('npm pack && npm install -g ./poli-*.tgz');
    expect(readme).toContain('npm pack --silent --pack-destination /tmp');
    expect(readFileSync(path.join(PACKAGE_ROOT, '.gitignore'), 'utf8').split('\n')).toContain('/poli-*.tgz');
  });

  it('gives the install-and-run and test commands that exist', () => {
    expect(readme).toContain('npm ci && mkdir -p /tmp/poli-demo && npm run poli -- --mock --task "Create hello.txt containing Hello"');
    expect(readme).toContain('npm test');
    for (const script of ['poli', 'test', 'check', 'bench', 'test:real-cli']) expect(pkg.scripts[script], script).toBeDefined();
    const ci = readFileSync(path.join(PACKAGE_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });
});
