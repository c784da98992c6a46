/**
 * Hop latency through the tool channel next to the screen channel, with the real Claude Code (PLANNER) and Codex
 * (EXECUTER) offline against the fake model servers of the real-CLI tests (test/real-cli/). The same dialogue runs
 * twice through poli (node bin/poli.js): once the models print their blocks in ``` fences (poli reads them from the
 * screen, or from the CLI's transcript, whichever has the block complete first), once they hand them to poli's
 * poli_reply / poli_status tools (src/mcp/).
 *
 * A hop starts when one fake model server has finished writing the response that carries a reply (the printed block,
 * or the poli_reply call) and ends when the other side's model server receives the request carrying the message poli
 * forwarded. Both clocks are this process's (both fake servers run here). The real CLIs are not installed by the
 * benchmark: without them in the real-CLI cache (`npm run test:real-cli` installs them) the figure is skipped.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findLastHeader, type FakeServer, type RecordedRequest, type ReplyScript, type ScriptedReply } from '../../test/real-cli/fake-server.ts';
import { startFakeAnthropic } from '../../test/real-cli/fake-anthropic.ts';
import { startFakeOpenAi } from '../../test/real-cli/fake-openai.ts';
import { createTestDirs, seedClaudeHome, seedCodexHome } from '../../test/real-cli/home.ts';
import { CLAUDE_CODE_VERSION, CODEX_VERSION, defaultCacheDir } from '../../test/real-cli/install.ts';
import { poliTool } from '../../test/real-cli/mcp-tools.ts';
import { dialogueScript, newScriptLog, type ScriptedTurn } from '../../test/real-cli/scripts.ts';
import { killServer, runPoli, startPoli } from '../../test/helpers/poli-process.ts';
import { median, percentile, round } from './stats.ts';

export type HopChannel = 'screen' | 'tool';

export interface HopRun {
  channel: HopChannel;
  rounds: number;
  /** PLANNER's model finished a plan/continue → EXECUTER's model received it (ms). */
  plannerToExecuter: number[];
  /** EXECUTER's model finished a result → PLANNER's model received the review (ms). */
  executerToPlanner: number[];
  /** The channels poli recorded for the CLIs' messages, with counts (e.g. {"transcript": 7, "screen": 4}). */
  recorded: Record<string, number>;
  wallMs: number;
}

export type HopResults = { skipped: string } | { claude: string; codex: string; runs: HopRun[] };

const TASK = 'Count to the number of rounds, one step per round';

/** The real claude and codex of the real-CLI tests' cache, or why they are not there. */
function installedClis(): { claude: string; codex: string; cacheDir: string } | string {
  const cacheDir = defaultCacheDir();
  const claude = join(cacheDir, 'node_modules', '.bin', 'claude');
  const codex = join(cacheDir, 'node_modules', '.bin', 'codex');
  if (!existsSync(claude) || !existsSync(codex)) {
    return `the real claude and codex are not installed in ${cacheDir} (npm run test:real-cli installs Claude Code ${CLAUDE_CODE_VERSION} and Codex ${CODEX_VERSION} there)`;
  }
  return { claude, codex, cacheDir };
}

/** Wraps a script to note which requests were answered with a reply (a printed block or a poli_reply call). */
function noting(script: ReplyScript, answered: Set<RecordedRequest>): ReplyScript {
  return (text, request) => {
    const reply: ScriptedReply = typeof script === 'function' ? script(text, request) : 'fake model: no script';
    const body = typeof reply === 'string' ? reply : (reply.text ?? '');
    const tool = typeof reply === 'string' ? undefined : reply.toolCall;
    if (body.includes('[[POLI:MSG') || (tool && tool.name.endsWith('poli_reply'))) answered.add(request);
    return reply;
  };
}

/** For each message the receiving side's model got (first request with a new block for `role`): its hop in ms. */
function hopsInto(receiver: FakeServer, role: 'PLANNER' | 'EXECUTER', sender: FakeServer, answered: Set<RecordedRequest>): number[] {
  const sent = sender.requests.filter((r) => answered.has(r) && r.finishedAt !== undefined).map((r) => r.finishedAt as number);
  const seen = new Set<string>();
  const hops: number[] = [];
  for (const request of receiver.turns()) {
    const header = findLastHeader(request.userText, role);
    if (!header || seen.has(header.id) || header.type === 'task') continue;
    seen.add(header.id);
    const start = sent.filter((t) => t <= request.receivedAt).pop();
    if (start !== undefined) hops.push(request.receivedAt - start);
  }
  return hops;
}

async function runChannel(channel: HopChannel, rounds: number, clis: { claude: string; codex: string; cacheDir: string }, claudeVersion: string): Promise<HopRun> {
  const dirs = await createTestDirs(join(clis.cacheDir, 'runs'));
  const plannerTool = channel === 'tool' ? poliTool('claude') : undefined;
  const executerTool = channel === 'tool' ? poliTool('codex') : undefined;
  const plannerTurns: ScriptedTurn[] = [
    { blocks: [{ to: 'EXECUTER', type: 'plan', body: '<PLAN>\n1. Say 1.\n</PLAN>', viaTool: plannerTool }] },
    ...Array.from({ length: rounds - 1 }, (_, i): ScriptedTurn => ({ blocks: [{ to: 'EXECUTER', type: 'continue', body: `<PLAN>\n1. Say ${i + 2}.\n</PLAN>`, viaTool: plannerTool }] })),
    { blocks: [{ to: 'ORCHESTRATOR', type: 'complete', body: `Counted to ${rounds}.`, viaTool: plannerTool }] },
  ];
  const executerTurns: ScriptedTurn[] = Array.from({ length: rounds }, (_, i) => ({ blocks: [{ to: 'PLANNER', type: 'result', body: `Said ${i + 1}.`, viaTool: executerTool }] }));
  const answeredPlanner = new Set<RecordedRequest>();
  const answeredExecuter = new Set<RecordedRequest>();
  const planner = await startFakeAnthropic(noting(dialogueScript('PLANNER', dirs.project, plannerTurns, newScriptLog()), answeredPlanner));
  const executer = await startFakeOpenAi(noting(dialogueScript('EXECUTER', dirs.project, executerTurns, newScriptLog()), answeredExecuter));
  const socket = `poli-bench-${randomBytes(6).toString('hex')}`;
  const stateDir = join(dirs.root, 'state');
  try {
    const claude = await seedClaudeHome({ home: dirs.home, project: dirs.project, baseUrl: planner.url, version: claudeVersion });
    const codex = await seedCodexHome({ home: dirs.home, project: dirs.project, baseUrl: executer.url });
    const leaks = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CONFIG_DIR'].filter((name) => process.env[name] !== undefined);
    const env = { ...Object.fromEntries(leaks.map((name) => [name, ''])), ...claude, ...codex, LANG: 'C.UTF-8' };
    const started = Date.now();
    const poli = startPoli(
      ['--planner-cmd', clis.claude, '--executer-cmd', clis.codex, '--project-dir', dirs.project, '--state-dir', stateDir, '--socket', socket,
        '--kill-on-exit', '--plan-timeout', '120', '--exec-timeout', '120', '--max-rounds', String(rounds + 2), '--task', TASK],
      { env },
    );
    const code = await poli.exited;
    const wallMs = Date.now() - started;
    if (code !== 0) throw new Error(`poli exited ${code} in the ${channel} run:\n${poli.stderr().slice(-3000)}`);
    const state = await runPoli(['--state', '--json', '--state-dir', stateDir]);
    const messages = (JSON.parse(state.stdout) as { tasks: { messages: { from: string; channel?: string }[] }[] }).tasks[0]?.messages ?? [];
    const recorded: Record<string, number> = {};
    for (const m of messages.filter((m) => m.from === 'PLANNER' || m.from === 'EXECUTER')) recorded[m.channel ?? '?'] = (recorded[m.channel ?? '?'] ?? 0) + 1;
    return {
      channel,
      rounds,
      plannerToExecuter: hopsInto(executer, 'EXECUTER', planner, answeredPlanner),
      executerToPlanner: hopsInto(planner, 'PLANNER', executer, answeredExecuter),
      recorded,
      wallMs,
    };
  } finally {
    killServer(socket);
    await Promise.all([planner.close(), executer.close()]);
    await dirs.cleanup();
  }
}

/** Both channels, one dialogue of `rounds` rounds each (2 × rounds − 1 hops per channel). */
export async function measureHops(rounds = 6, log: (line: string) => void = () => undefined): Promise<HopResults> {
  const clis = installedClis();
  if (typeof clis === 'string') return { skipped: clis };
  const runs: HopRun[] = [];
  for (const channel of ['screen', 'tool'] as const) {
    log(`bench: real-CLI hops through the ${channel} channel (claude plans, codex executes, ${rounds} rounds) …`);
    runs.push(await runChannel(channel, rounds, clis, CLAUDE_CODE_VERSION));
  }
  return { claude: CLAUDE_CODE_VERSION, codex: CODEX_VERSION, runs };
}

function summary(values: readonly number[]): string {
  if (values.length === 0) return 'none measured';
  return `${round(median(values), 0)} / ${round(percentile(values, 95), 0)} ms (min ${Math.min(...values)}, max ${Math.max(...values)}, n ${values.length})`;
}

export function formatHops(results: HopResults): string {
  if ('skipped' in results) return `\nHop latency with the real CLIs: skipped: ${results.skipped}.\n`;
  const rows = results.runs.flatMap((run) => [
    `| ${run.channel} | claude → codex (plan, continue) | ${summary(run.plannerToExecuter)} | ${JSON.stringify(run.recorded)} |`,
    `| ${run.channel} | codex → claude (result) | ${summary(run.executerToPlanner)} | |`,
  ]);
  return [
    '',
    `Hop latency with the real CLIs (Claude Code ${results.claude} plans, Codex ${results.codex} executes; fake model servers):`,
    '| channel | hop | median / p95 | recorded through |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
