import { describe, expect, it } from 'vitest';
import { mcpRegistration, type RegistrationOptions } from './register.ts';

const server = { command: '/usr/bin/node', args: ['/opt/poli/bin/poli.js', 'mcp'] };
const identity = { POLI_ROLE: 'EXECUTER', POLI_SOCKET_PATH: '/tmp/poli-0/intake-poli.sock' };
const options: RegistrationOptions = { role: 'EXECUTER', socketPath: '/tmp/poli-0/intake-poli.sock', server };
const paneEnv = { ...identity, POLI_BIN: expect.stringMatching(/bin\/poli\.js$/) as unknown as string };

describe('registering poli mcp with each CLI, for its session only', () => {
  it('claude: --mcp-config with a JSON string and the three tools allowed', () => {
    const { args, env } = mcpRegistration('claude', options);
    expect(args[0]).toBe('--mcp-config');
    expect(JSON.parse(args[1] ?? '')).toEqual({ mcpServers: { poli: { type: 'stdio', ...server, env: identity } } });
    expect(args.slice(2)).toEqual(['--allowedTools', 'mcp__poli__poli_reply,mcp__poli__poli_status,mcp__poli__poli_read']);
    expect(env).toEqual(paneEnv);
  });

  it('codex: -c mcp_servers.poli.* overrides, the role and socket in its env, tools approved', () => {
    expect(mcpRegistration('codex', options).args).toEqual([
      '-c', 'mcp_servers.poli.command="/usr/bin/node"',
      '-c', 'mcp_servers.poli.args=["/opt/poli/bin/poli.js","mcp"]',
      '-c', 'mcp_servers.poli.env={POLI_ROLE="EXECUTER",POLI_SOCKET_PATH="/tmp/poli-0/intake-poli.sock"}',
      '-c', 'mcp_servers.poli.default_tools_approval_mode="approve"',
    ]);
  });

  it('qwen: --mcp-config with the tools loaded up front, and exactly the three tools allowed', () => {
    const { args, env, files } = mcpRegistration('qwen', options);
    expect(args[0]).toBe('--mcp-config');
    expect(JSON.parse(args[1] ?? '')).toEqual({ mcpServers: { poli: { ...server, env: identity, alwaysLoadTools: true } } });
    expect(args.slice(2)).toEqual(['--allowed-tools=mcp__poli__poli_reply,mcp__poli__poli_status,mcp__poli__poli_read']);
    expect(env).toEqual(paneEnv);
    expect(files).toBeUndefined();
  });

  it('copilot: --additional-mcp-config and one --allow-tool rule per tool', () => {
    const { args, env } = mcpRegistration('copilot', options);
    expect(args[0]).toBe('--additional-mcp-config');
    expect(JSON.parse(args[1] ?? '')).toEqual({ mcpServers: { poli: { type: 'local', ...server, env: identity, tools: ['*'] } } });
    expect(args.slice(2)).toEqual(['--allow-tool=poli(poli_reply)', '--allow-tool=poli(poli_status)', '--allow-tool=poli(poli_read)']);
    expect(env).toEqual(paneEnv);
  });

  it('opencode: OPENCODE_CONFIG_CONTENT with a local server and an allow rule per tool', () => {
    const { args, env } = mcpRegistration('opencode', options);
    expect(args).toEqual([]);
    const { OPENCODE_CONFIG_CONTENT: content, ...rest } = env;
    expect(rest).toEqual(paneEnv);
    expect(JSON.parse(content ?? '')).toEqual({
      mcp: { poli: { type: 'local', command: ['/usr/bin/node', '/opt/poli/bin/poli.js', 'mcp'], environment: identity, enabled: true } },
      permission: { poli_poli_reply: 'allow', poli_poli_status: 'allow', poli_poli_read: 'allow' },
    });
  });

  it("opencode: a value the user gave OPENCODE_CONFIG_CONTENT is kept, poli's rules after the user's", () => {
    const own = { theme: 'tokyonight', mcp: { mine: { type: 'local', command: ['mine'] } }, permission: { '*': 'ask', bash: 'deny' } };
    const { env } = mcpRegistration('opencode', { ...options, env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(own) } });
    const config = JSON.parse(env.OPENCODE_CONFIG_CONTENT ?? '') as { theme: string; mcp: Record<string, unknown>; permission: Record<string, string> };
    expect(config.theme).toBe('tokyonight');
    expect(Object.keys(config.mcp)).toEqual(['mine', 'poli']);
    expect(Object.entries(config.permission)).toEqual([
      ['*', 'ask'], ['bash', 'deny'], ['poli_poli_reply', 'allow'], ['poli_poli_status', 'allow'], ['poli_poli_read', 'allow'],
    ]);
    // A permission given as one word for every tool becomes the rule for "*".
    const word = mcpRegistration('opencode', { ...options, env: { OPENCODE_CONFIG_CONTENT: '{"permission":"ask"}' } });
    expect(JSON.parse(word.env.OPENCODE_CONFIG_CONTENT ?? '').permission).toEqual({ '*': 'ask', poli_poli_reply: 'allow', poli_poli_status: 'allow', poli_poli_read: 'allow' });
  });

  describe('gemini: a session home whose settings are the user\'s plus poli\'s server', () => {
    const userSettings = { security: { auth: { selectedType: 'gemini-api-key' } }, ui: { showLineNumbers: false }, mcpServers: { mine: { command: 'mine' } } };
    const read = (files: Record<string, string>) => (file: string) => files[file];

    it('keeps the user\'s settings and servers, trusts exactly poli\'s three tools, links the rest of ~/.gemini', () => {
      const registration = mcpRegistration('gemini', {
        ...options,
        env: { HOME: '/home/ann' },
        readText: read({ '/home/ann/.gemini/settings.json': JSON.stringify(userSettings) }),
      });
      const { args, env, files, links } = registration;
      expect(args).toEqual([]);
      const home = '/tmp/poli-0/intake-poli-executer-gemini-home';
      expect(env).toEqual({ ...paneEnv, GEMINI_CLI_HOME: home });
      expect(registration.sessionDir).toBe(home);
      expect(files?.map((f) => f.path)).toEqual([`${home}/.gemini/settings.json`]);
      expect(JSON.parse(files?.[0]?.text ?? '')).toEqual({
        ...userSettings,
        mcpServers: {
          mine: { command: 'mine' },
          poli: { ...server, env: identity, trust: true, includeTools: ['poli_reply', 'poli_status', 'poli_read'] },
        },
      });
      expect(links).toEqual([{ dir: `${home}/.gemini`, target: '/home/ann/.gemini', except: ['settings.json'], always: expect.objectContaining({ dirs: ['tmp', 'history'] }) }]);
      expect(links?.[0]?.always.files).toContain('oauth_creds.json');
    });

    it('starts from the user\'s GEMINI_CLI_HOME when set, and adds poli to an allow-list of servers', () => {
      const { files, links } = mcpRegistration('gemini', {
        ...options,
        env: { HOME: '/home/ann', GEMINI_CLI_HOME: '/srv/gemini' },
        readText: read({ '/srv/gemini/.gemini/settings.json': '// mine\n{"mcp": {"allowed": ["mine"]}}' }),
      });
      expect(links?.[0]?.target).toBe('/srv/gemini/.gemini');
      expect(JSON.parse(files?.[0]?.text ?? '').mcp).toEqual({ allowed: ['mine', 'poli'] });
    });

    it('a user who has no settings yet gets poli\'s server alone', () => {
      const { files } = mcpRegistration('gemini', { ...options, env: { HOME: '/home/ann' }, readText: read({}) });
      expect(Object.keys(JSON.parse(files?.[0]?.text ?? '').mcpServers as object)).toEqual(['poli']);
    });

    it('settings poli cannot parse: Gemini CLI is left alone (poli reply still works)', () => {
      const registration = mcpRegistration('gemini', { ...options, env: { HOME: '/home/ann' }, readText: read({ '/home/ann/.gemini/settings.json': '{"a": 1, /* c */}' }) });
      expect(registration).toEqual({ args: [], env: paneEnv });
    });
  });

  it('pi and other CLIs: only the pane environment, for poli reply', () => {
    expect(mcpRegistration('pi', options)).toEqual({ args: [], env: paneEnv });
    expect(mcpRegistration('aider', options)).toEqual({ args: [], env: paneEnv });
  });
});
