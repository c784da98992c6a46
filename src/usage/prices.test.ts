import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../host.ts';
import { findPrice, loadPrices, parsePriceFile, type PriceFile } from './prices.ts';
import type { UsageCall } from './types.ts';

const BASE: PriceFile = {
  version: 1,
  date: '2026-12-07',
  models: {
    'claude-fake': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6, tiers: [{ abovePromptTokens: 200_000, input: 6, output: 22.5 }] },
    'gpt-fake': { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: null },
    'gemini-3.8-flash': { input: 0.75, output: 3.75, cacheRead: 0.075, cacheWrite: 0 },
  },
  aliases: { 'claude-fake-*': 'claude-fake' },
};

function files(map: Record<string, unknown>) {
  return { readText: (f: string) => JSON.stringify(map[f]), exists: (f: string) => f in map };
}

function call(model: string | null, input: number | null, output: number | null, cacheRead: number | null, cacheWrite: number | null): UsageCall {
  return { callId: 'c1', model, counts: { input, output, cacheRead, cacheWrite } };
}

describe('costOf', () => {
  const table = loadPrices({ configDir: '/pkg/config', env: {}, ...files({ '/pkg/config/prices.json': BASE }) });

  it('prices every part in integer micro-dollars', () => {
    // 1000×3 + 200×15 + 10000×0.3 + 500×3.75 = 3000 + 3000 + 3000 + 1875
    expect(table.costOf(call('claude-fake', 1000, 200, 10_000, 500))).toEqual({ micros: 10_875, complete: true });
  });

  it('finds a model by alias glob and without its provider prefix', () => {
    expect(table.costOf(call('claude-fake-20261201', 1000, 0, 0, 0))).toEqual({ micros: 3000, complete: true });
    expect(table.costOf(call('fake/gpt-fake', 1000, 0, 0, 0))).toEqual({ micros: 1250, complete: true });
    expect(findPrice(BASE, 'other/claude-fake-1')).toBe(BASE.models['claude-fake']);
  });

  it('says which model has no price, and never prices it at 0', () => {
    expect(table.costOf(call('fake-model', 1000, 10, 0, 0))).toEqual({ micros: null, complete: false, missing: 'no price for fake-model' });
    expect(table.costOf(call(null, 1000, 10, 0, 0))).toEqual({ micros: null, complete: false, missing: 'no price: the CLI names no model' });
  });

  it('prices what is known and flags the rest: an unknown count, or a price the table does not give', () => {
    expect(table.costOf(call('claude-fake', 1000, 200, 0, null))).toEqual({ micros: 6000, complete: false, missing: 'cacheWrite tokens unknown' });
    expect(table.costOf(call('gpt-fake', 1000, 0, 0, 300))).toEqual({ micros: 1250, complete: false, missing: 'no cacheWrite price for gpt-fake' });
    expect(table.costOf(call('gpt-fake', null, null, null, null))).toMatchObject({ micros: null, complete: false });
  });

  it('an unknown count priced at 0 costs nothing and leaves the cost complete (Gemini writes no cache-write count)', () => {
    expect(table.costOf(call('gemini-3.8-flash', 1000, 1000, 1000, null))).toEqual({ micros: 750 + 3750 + 75, complete: true });
  });

  it('prices a prompt above a tier threshold at the tier, keeping the base prices the tier leaves out', () => {
    // prompt 150k + 60k + 0 = 210k > 200k: input 6, output 22.5, cache read stays 0.3
    expect(table.costOf(call('claude-fake', 150_000, 1000, 60_000, 0))).toEqual({ micros: 900_000 + 22_500 + 18_000, complete: true });
  });

  it('prices 1-hour cache writes at their own price when the parser counts them', () => {
    const c = call('claude-fake', 0, 0, 0, 1000);
    expect(table.costOf({ ...c, counts: { ...c.counts, cacheWrite1h: 400 } as typeof c.counts })).toEqual({ micros: 600 * 3.75 + 400 * 6, complete: true });
  });
});

describe('loadPrices', () => {
  const userFile = { version: 1, date: '2026-12-01', models: { 'gpt-fake': { input: 2, output: 8, cacheRead: 0.2, cacheWrite: 2.5 } } };
  const named = { models: { 'fake-model': { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 } } };

  it('merges ~/.config/poli/prices.json and then --prices over config/prices.json, model by model, and names the files', () => {
    const table = loadPrices({
      configDir: '/pkg/config',
      env: { HOME: '/home/me' },
      override: '/tmp/mine.json',
      ...files({ '/pkg/config/prices.json': BASE, '/home/me/.config/poli/prices.json': userFile, '/tmp/mine.json': named }),
    });
    expect(table.file).toBe('/pkg/config/prices.json + /home/me/.config/poli/prices.json + /tmp/mine.json');
    expect(table.date).toBe('2026-12-01');
    expect(table.costOf(call('gpt-fake', 1000, 0, 0, 1000))).toEqual({ micros: 2000 + 2500, complete: true });
    expect(table.costOf(call('fake-model', 1000, 1000, 0, 0))).toEqual({ micros: 3000, complete: true });
    expect(table.costOf(call('claude-fake', 1000, 0, 0, 0))).toEqual({ micros: 3000, complete: true });
  });

  it('takes POLI_PRICES when there is no --prices, and $XDG_CONFIG_HOME before ~/.config', () => {
    const table = loadPrices({
      configDir: '/pkg/config',
      env: { HOME: '/home/me', XDG_CONFIG_HOME: '/xdg', POLI_PRICES: '/tmp/mine.json' },
      ...files({ '/pkg/config/prices.json': BASE, '/xdg/poli/prices.json': userFile, '/tmp/mine.json': named }),
    });
    expect(table.file).toBe('/pkg/config/prices.json + /xdg/poli/prices.json + /tmp/mine.json');
  });

  it('refuses a --prices file that does not exist, and a malformed price, naming the file and the field', () => {
    const base = files({ '/pkg/config/prices.json': BASE });
    expect(() => loadPrices({ configDir: '/pkg/config', env: {}, override: '/nope.json', ...base })).toThrow('price file /nope.json: no such file (given by --prices)');
    expect(() => parsePriceFile('{"models":{"m":{"input":"3","output":1,"cacheRead":0,"cacheWrite":0}}}', 'x.json')).toThrow(
      'price file x.json: models.m.input is "3": give US dollars per 1,000,000 tokens, or null when not known',
    );
    expect(() => parsePriceFile('{"date":"7 Dec","models":{}}', 'x.json')).toThrow('price file x.json: date "7 Dec" is not YYYY-MM-DD');
  });

  it('reads the shipped config/prices.json: dated, every price with a source the file names', () => {
    const file = path.join(PACKAGE_ROOT, 'config', 'prices.json');
    const prices = parsePriceFile(readFileSync(file, 'utf8'), file);
    expect(prices.date).toMatch(/^2026-\d\d-\d\d$/);
    for (const [name, row] of Object.entries(prices.models)) {
      expect(row.source && (prices.sources?.[row.source] ?? row.source), `source of ${name}`).toMatch(/^https:\/\//);
    }
    for (const [glob, target] of Object.entries(prices.aliases ?? {})) expect(prices.models[target], `${glob} → ${target}`).toBeDefined();
  });
});
