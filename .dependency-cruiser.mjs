/**
 * The import rules `npm run lint` checks with dependency-cruiser (issue 19, item 4): no import circles in src/ and
 * mocks/, and src/'s layers point one way. Type-only imports count (tsPreCompilationDeps): a type taken from the
 * layer above is as much a tie upwards as a value (workspace.ts once took `AppIO` from the CLI layer that loads it).
 *
 * The layers, top to bottom. Each may import the layers below it, never one above. docs/architecture.md explains
 * them; where two layers are unrelated their order here is only the one the imports allow.
 */
const LAYERS = [
  { name: 'entry', path: '^src/main\\.ts$' },
  // The composition root, and the settings loader only it calls (dotenv, flags, environment).
  { name: 'cli', path: '^src/(cli/|config\\.ts$)' },
  // `poli serve` (issue 21): the dashboard's HTTP server over the queue, the state and the running dialogues.
  { name: 'serve', path: '^src/serve/' },
  // The task queue (issue 20): `poli work`'s worker and the merge queue; each pair runs in a poli process of its own.
  { name: 'queue', path: '^src/queue/' },
  { name: 'session', path: '^src/session/' },
  { name: 'terminal', path: '^src/terminal/' },
  { name: 'mcp', path: '^src/mcp/' },
  { name: 'dialogue', path: '^src/dialogue/' },
  { name: 'human', path: '^src/human/' },
  { name: 'records', path: '^src/records/' },
  { name: 'reading', path: '^src/reading/' },
  { name: 'profiles', path: '^src/profiles/' },
  // What several layers share: the settings table and its types, host facts and `AppIO`.
  { name: 'shared', path: '^src/(settings|host)\\.ts$' },
  { name: 'state', path: '^src/state/' },
  // Token usage and cost (issue 22): the shapes, prices and sums; the ledger that reads transcripts is in reading/.
  { name: 'usage', path: '^src/usage/' },
  { name: 'tmux', path: '^src/tmux/' },
  { name: 'protocol', path: '^src/protocol/' },
  // Task worktrees and the merge queue's git steps (issue 20): only errors below it, so any layer may drive it.
  { name: 'git', path: '^src/git/' },
  { name: 'errors', path: '^src/errors\\.ts$' },
];

// Tests sit beside the code they test but may wire in the layers above it (a parser test that builds its input with
// the CLI's argument parser): the layer rules are about the code that ships, the circle rule covers tests too.
const TEST_FILE = '\\.test\\.ts$';

const layerRules = LAYERS.slice(1).map((layer, index) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.name} imports only the layers below it: ${LAYERS.slice(0, index + 1)
    .map((above) => above.name)
    .join(', ')} are above it`,
  severity: 'error',
  from: { path: layer.path, pathNot: TEST_FILE },
  to: { path: LAYERS.slice(0, index + 1).map((above) => above.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle: move the shared part into a module both can import (issue 19).',
      severity: 'error',
      from: { path: '^(src|mocks)/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'mocks-speak-protocol-only',
      comment: 'The mock CLIs stand in for real ones: of poli they know only the message protocol.',
      severity: 'error',
      from: { path: '^mocks/', pathNot: TEST_FILE },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
