/**
 * One option parser for both mock CLIs. Every option is a flag and an environment variable; the flag wins.
 * poli passes every MOCK_* variable to both panes, so each variable also has a per-role form that wins over it
 * (`MOCK_EXECUTER_CRASH_AT` over `MOCK_CRASH_AT`): a fault can hit one mock only.
 * Pure: the entry points pass `process.argv` and `process.env` in.
 */
import type { Role } from '../../src/protocol/types.ts';
import { DEFAULT_MOCK_OPTIONS, NOISE_KINDS, OPTION_SPECS, type MockOptions, type NoiseKind, type OptionSpec } from './option-table.ts';

export {
  DEFAULT_MOCK_OPTIONS,
  DRAW_MODES,
  NOISE_KINDS,
  OPTION_SPECS,
  QUOTE_EXAMPLES,
  type DrawMode,
  type MockOptions,
  type NoiseKind,
  type QuoteExample,
} from './option-table.ts';

/** A flag or environment value the mock cannot use. */
export class MockOptionsError extends Error {
  readonly code = 'MOCK_BAD_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'MockOptionsError';
  }
}

/**
 * Parses `argv` (without node and script) and `env` into options: defaults, then environment, then flags.
 * With a `role`, `MOCK_<ROLE>_<NAME>` wins over `MOCK_<NAME>` (e.g. `MOCK_PLANNER_SILENT_AT`).
 * Flags take `--name value` or `--name=value`; boolean flags also take `--name=false` and `--no-name`.
 * @throws MockOptionsError naming the option, what it expects and what it got.
 */
export function parseMockOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: Partial<MockOptions> = {},
  role?: Role,
): MockOptions {
  const options: MockOptions = { ...DEFAULT_MOCK_OPTIONS, ...defaults, noise: [...(defaults.noise ?? [])] };
  for (const spec of OPTION_SPECS) {
    const roleEnv = role === undefined ? undefined : roleEnvName(spec.env, role);
    const roleRaw = roleEnv === undefined ? undefined : env[roleEnv];
    if (roleEnv !== undefined && roleRaw !== undefined && roleRaw !== '') {
      setOption(options, spec, roleRaw, roleEnv);
      continue;
    }
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') setOption(options, spec, raw, spec.env);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      throw new MockOptionsError(`unexpected argument "${arg}": the mock takes only --flags (try --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const negated = eq < 0 && name.startsWith('no-') ? findSpec(name.slice(3)) : undefined;
    if (negated?.kind === 'flag') {
      setOption(options, negated, 'false', arg);
      continue;
    }
    const spec = findSpec(name);
    if (spec === undefined) {
      const known = OPTION_SPECS.map((s) => `--${s.flag}`).join(', ');
      throw new MockOptionsError(`unknown option --${name} (known: ${known})`);
    }
    if (eq >= 0) {
      setOption(options, spec, arg.slice(eq + 1), `--${name}`);
    } else if (spec.kind === 'flag') {
      setOption(options, spec, 'true', `--${name}`);
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new MockOptionsError(`--${name} needs a value (${example(spec)})`);
      setOption(options, spec, value, `--${name}`);
      i++;
    }
  }
  return options;
}

/** The `--help` text. */
export function formatMockUsage(command: string): string {
  const rows = OPTION_SPECS.map((s) => {
    const arg = { flag: '', path: ' PATH', noise: ' KINDS', count: ' N', positive: ' N', choice: ` ${(s.choices ?? []).join('|')}` }[s.kind];
    const left = `  --${s.flag}${arg}`;
    return `${left.padEnd(Math.max(28, left.length + 2))}${s.help} [env ${s.env}]`;
  });
  const roles = 'Every MOCK_<NAME> also has per-role forms MOCK_PLANNER_<NAME> and MOCK_EXECUTER_<NAME>, which win over it.';
  return `usage: ${command} [options]\n${rows.join('\n')}\n${roles}\n`;
}

/** `MOCK_CRASH_AT` → `MOCK_EXECUTER_CRASH_AT`. */
export function roleEnvName(env: string, role: Role): string {
  return env.replace(/^MOCK_/, `MOCK_${role}_`);
}

function findSpec(flag: string): OptionSpec | undefined {
  return OPTION_SPECS.find((s) => s.flag === flag);
}

function example(spec: OptionSpec): string {
  if (spec.kind === 'path') return `e.g. --${spec.flag} /tmp/project`;
  if (spec.kind === 'flag') return `e.g. --${spec.flag} or --${spec.flag}=false`;
  if (spec.kind === 'noise') return `e.g. --${spec.flag} torn,duplicate`;
  if (spec.kind === 'choice') return `one of ${(spec.choices ?? []).join(', ')}`;
  return `e.g. --${spec.flag} ${spec.kind === 'count' ? 300 : 2}`;
}

function setOption(options: MockOptions, spec: OptionSpec, raw: string, source: string): void {
  const set = options as unknown as Record<string, unknown>;
  switch (spec.kind) {
    case 'flag': {
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) set[spec.key] = true;
      else if (['0', 'false', 'no', 'off'].includes(value)) set[spec.key] = false;
      else throw new MockOptionsError(`${source} expects true or false, got "${raw}" (${example(spec)})`);
      return;
    }
    case 'count':
    case 'positive': {
      const min = spec.kind === 'count' ? 0 : 1;
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) {
        throw new MockOptionsError(`${source} expects a whole number >= ${min}, got "${raw}" (${example(spec)})`);
      }
      set[spec.key] = Number(raw);
      return;
    }
    case 'noise': {
      const kinds = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
      const unknown = kinds.find((k) => !NOISE_KINDS.includes(k as NoiseKind));
      if (unknown !== undefined) {
        throw new MockOptionsError(`${source}: unknown noise kind "${unknown}" (known: ${NOISE_KINDS.join(', ')})`);
      }
      set[spec.key] = [...new Set(kinds)];
      return;
    }
    case 'choice': {
      const value = raw.trim();
      if (!(spec.choices ?? []).includes(value)) throw new MockOptionsError(`${source} expects ${example(spec)}, got "${raw}"`);
      set[spec.key] = value;
      return;
    }
    case 'path':
      if (raw === '') throw new MockOptionsError(`${source} expects a directory, got "" (${example(spec)})`);
      set[spec.key] = raw;
      return;
  }
}
