/**
 * The help text, rendered from the option table (options.ts) in two columns that fit a terminal of 80 columns.
 * Pure: the output is a contract (args.test.ts and the end-to-end tests check it), so it never depends on the terminal.
 */
import { SETTINGS } from '../config.ts';
import { COMMANDS, OPTION_OWNER, OPTIONS, SUBCOMMANDS, settingOption, type OptionSpec, type Subcommand } from './options.ts';

const USAGE = `poli — a PLANNER and an EXECUTER AI coding CLI working on one task, in tmux

Usage:
  poli --task "TEXT" [options]     run one task; exit 0 when it completed
  poli --task-file FILE            the same, the task read from FILE (-: stdin)
  poli [options]                   a poli> prompt that takes task after task
  poli --state [ID] [--json]       list tasks, or show one task's messages
  poli --resume ID                 continue a task that stopped before the end
  poli COMMAND [options]           one of the commands below

From another terminal, while a task runs: say, pause, resume, stop, status,
watch and attach. Inside a CLI that poli started: reply and mcp.`;

/** The help fits a terminal of 80 columns. */
const HELP_WIDTH = 80;

/** `poli --help`: the usage, the commands, the main command's options and every setting. */
export function mainHelp(): string {
  const commands: [string, string][] = [
    ...SUBCOMMANDS.map((c): [string, string] => [`poli ${c}`, COMMANDS[c].describe]),
    ['poli help [command]', 'show this help, or a command\'s (also: poli COMMAND --help)'],
  ];
  const own = OPTIONS.filter((o) => OPTION_OWNER[o.flag] === 'main' || OPTION_OWNER[o.flag] === 'any');
  return [
    USAGE,
    '',
    'Commands:',
    ...columns(commands),
    '',
    'Options:',
    ...columns(own.map(optionRow)),
    '',
    'Settings (every command takes them; the first found wins: flag, environment,',
    '.env, config/shared_workspace.env, default):',
    ...columns(SETTINGS.map(settingOption).map(optionRow)),
  ].join('\n');
}

/** `poli help COMMAND`: the command's usage, what it does, its options and the settings that matter to it. */
export function commandHelp(sub: Subcommand): string {
  const spec = COMMANDS[sub];
  const own = OPTIONS.filter((o) => {
    const owner = OPTION_OWNER[o.flag];
    return owner === sub || (Array.isArray(owner) && owner.includes(sub)) || o.flag === 'help';
  });
  const settings = SETTINGS.filter((s) => spec.settings === 'all' || spec.settings.includes(s.flag)).map(settingOption);
  const shown = sub === 'reply' ? own.map((o) => (o.flag === 'to' ? { ...o, choices: undefined, describe: 'The addressee: PLANNER, EXECUTER or ORCHESTRATOR' } : o)) : own;
  const usage = wrap(spec.usage, HELP_WIDTH - 'Usage: '.length).map((line, i) => `${i === 0 ? 'Usage: ' : '       '}${line}`);
  const about = wrap(`${spec.describe[0]!.toUpperCase()}${spec.describe.slice(1)}.`, HELP_WIDTH);
  const lines = [...usage, '', ...about, '', 'Options:', ...columns(shown.map(optionRow))];
  if (settings.length > 0) lines.push('', 'Settings:', ...columns(settings.map(optionRow)));
  if (spec.settings !== 'all') lines.push('', 'Every setting of `poli --help` is accepted too.');
  return lines.join('\n');
}

function optionRow(o: OptionSpec): [string, string] {
  const name = o.short === undefined ? `    --${o.flag}` : `-${o.short}, --${o.flag}`;
  const type = o.choices !== undefined ? `[choices:\u00a0${o.choices.join(',\u00a0')}]` : `[${o.type}]`;
  return [name, `${o.describe} ${type}`];
}

/** Two columns, indented by two spaces, the right one word-wrapped to HELP_WIDTH. */
function columns(rows: readonly [string, string][]): string[] {
  const left = Math.min(Math.max(...rows.map(([l]) => l.length)) + 2, 40);
  const right = HELP_WIDTH - 2 - left;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const wrapped = wrap(r, right);
    out.push(l.length + 2 > left ? `  ${l}` : `  ${l.padEnd(left)}${wrapped.shift() ?? ''}`);
    for (const line of wrapped) out.push(`  ${' '.repeat(left)}${line}`);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  // A no-break space keeps `[env POLI_X]` and `[choices: a, b]` on one line.
  return lines.map((l) => l.replace(/\u00a0/g, ' '));
}
