/**
 * Prices per model and the cost of one API call (issue 22). The table is `config/prices.json` (dated, each price's
 * source named), with the person's own file merged over it model by model: `~/.config/poli/prices.json`, then
 * `--prices FILE` (or `POLI_PRICES`). Costs are integer micro-dollars so sums stay exact; a price the table lacks
 * makes the cost unknown (naming the model), never 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PriceFileError } from '../errors.ts';
import type { TokenCounts, UsageCall } from './types.ts';

/** The environment, as the composition root passes it (this layer never reads `process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** US dollars per 1,000,000 tokens of each kind; null: not charged separately or not known (then that part is unknown). */
export interface PartPrices {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  cacheWrite: number | null;
  /** Claude's 1-hour cache writes, when a parser tells them apart (`cacheWrite1h` in the counts); else `cacheWrite`. */
  cacheWrite1h?: number | null;
}

/** Prices of a call whose prompt (input + cache read + cache write) is above `abovePromptTokens`: they replace the base ones. */
export type PriceTier = Partial<PartPrices> & { abovePromptTokens: number };

/** One model's row. */
export interface ModelPrice extends PartPrices {
  /** A key of the file's `sources`, or a URL. */
  source?: string;
  tiers?: PriceTier[];
  note?: string;
}

/** The file's shape (config/prices.json). */
export interface PriceFile {
  version: 1;
  /** The day the prices were copied from their sources (YYYY-MM-DD). */
  date: string;
  sources?: Record<string, string>;
  models: Record<string, ModelPrice>;
  /** Glob (`*`, `?`) → model name: dated ids and provider names that bill as a listed model. */
  aliases?: Record<string, string>;
}

/** The cost of one call: micro-dollars, whether every part was priced, and what was not. */
export interface CallCost {
  /** Null: nothing of the call could be priced (no price for its model). */
  micros: number | null;
  complete: boolean;
  /** In words: "no price for gpt-fake", "cacheWrite tokens unknown". */
  missing?: string;
}

/** The table poli prices calls with, and which files it came from. */
export interface PriceTable {
  /** The file(s) merged, base first: `…/config/prices.json + /home/me/.config/poli/prices.json`. */
  file: string;
  /** The date of the last file merged that gives one. */
  date: string;
  costOf(call: UsageCall): CallCost;
}

/** Where the table comes from: the package's `config/` directory, the environment, and `--prices FILE`. */
export interface LoadPricesOptions {
  configDir: string;
  env: Env;
  /** `--prices FILE`; without it `POLI_PRICES`. Must exist when given. */
  override?: string;
  readText?: (file: string) => string;
  exists?: (file: string) => boolean;
}

/** The package's price table, in `config/`. */
export const PRICES_FILE = 'prices.json';
const PARTS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
/** Prices are given to at most six decimals ($0.000001 per million tokens): an integer of pico-dollars per token. */
const PICO_PER_MICRO = 1_000_000;

/**
 * Loads `config/prices.json`, then merges the person's `~/.config/poli/prices.json` (`$XDG_CONFIG_HOME/poli/…`) when
 * present, then `--prices FILE` or `POLI_PRICES`.
 * @throws PriceFileError when a file is malformed, or the one named by --prices/POLI_PRICES does not exist.
 */
export function loadPrices(opts: LoadPricesOptions): PriceTable {
  const read = opts.readText ?? ((f: string) => readFileSync(f, 'utf8'));
  const exists = opts.exists ?? existsSync;
  const files = [path.join(opts.configDir, PRICES_FILE)];
  const userDir = opts.env.XDG_CONFIG_HOME || (opts.env.HOME ? path.join(opts.env.HOME, '.config') : undefined);
  const userFile = userDir ? path.join(userDir, 'poli', PRICES_FILE) : undefined;
  if (userFile && exists(userFile)) files.push(userFile);
  const named = opts.override || opts.env.POLI_PRICES;
  if (named) {
    if (!exists(named)) throw new PriceFileError(named, `no such file (given by ${opts.override ? '--prices' : 'POLI_PRICES'})`);
    files.push(named);
  }
  const layers = files.map((f) => {
    let text: string;
    try {
      text = read(f);
    } catch (error) {
      throw new PriceFileError(f, `cannot be read (${(error as Error).message})`, { cause: error });
    }
    return parsePriceFile(text, f);
  });
  const merged = layers.reduce((base, over) => mergePrices(base, over));
  return priceTable(merged, files.join(' + '));
}

/**
 * Parses and checks a price file; an override may leave out `date` and `version` (it inherits them).
 * @throws PriceFileError naming the file and the field.
 */
export function parsePriceFile(text: string, file: string): PriceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PriceFileError(file, `not JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(raw)) throw new PriceFileError(file, 'not a JSON object');
  if (raw.version !== undefined && raw.version !== 1) throw new PriceFileError(file, `version ${JSON.stringify(raw.version)}, poli reads version 1`);
  if (raw.date !== undefined && (typeof raw.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw.date))) {
    throw new PriceFileError(file, `date ${JSON.stringify(raw.date)} is not YYYY-MM-DD`);
  }
  if (!isObject(raw.models)) throw new PriceFileError(file, 'no "models" object');
  const models: Record<string, ModelPrice> = {};
  for (const [name, row] of Object.entries(raw.models)) models[name] = checkModel(row, `models.${name}`, file);
  const aliases: Record<string, string> = {};
  if (raw.aliases !== undefined) {
    if (!isObject(raw.aliases)) throw new PriceFileError(file, '"aliases" is not an object');
    for (const [glob, target] of Object.entries(raw.aliases)) {
      if (typeof target !== 'string') throw new PriceFileError(file, `aliases.${glob} is not a model name`);
      aliases[glob] = target;
    }
  }
  const sources = isObject(raw.sources) ? (raw.sources as Record<string, string>) : undefined;
  return { version: 1, date: typeof raw.date === 'string' ? raw.date : '', ...(sources ? { sources } : {}), models, aliases };
}

/** `over`'s models replace `base`'s one by one (a whole row each), its aliases are added; its date wins when it has one. */
export function mergePrices(base: PriceFile, over: PriceFile): PriceFile {
  return {
    version: 1,
    date: over.date || base.date,
    sources: { ...base.sources, ...over.sources },
    models: { ...base.models, ...over.models },
    aliases: { ...base.aliases, ...over.aliases },
  };
}

/** A table over a (merged) file; `file` names where it came from. */
export function priceTable(prices: PriceFile, file: string): PriceTable {
  return {
    file,
    date: prices.date,
    costOf: (call) => {
      if (call.model === null) return { micros: null, complete: false, missing: 'no price: the CLI names no model' };
      const price = findPrice(prices, call.model);
      if (!price) return { micros: null, complete: false, missing: `no price for ${call.model}` };
      return costOfCall(price, call.counts, call.model);
    },
  };
}

/** The row for a model: its exact name, else the first alias glob it matches, else the same without a `provider/` prefix. */
export function findPrice(prices: PriceFile, model: string): ModelPrice | undefined {
  const direct = prices.models[model];
  if (direct) return direct;
  for (const [glob, target] of Object.entries(prices.aliases ?? {})) {
    if (globRegExp(glob).test(model) && prices.models[target]) return prices.models[target];
  }
  const slash = model.indexOf('/');
  return slash >= 0 ? findPrice(prices, model.slice(slash + 1)) : undefined;
}

/**
 * What a call with these counts costs at this row: each part's tokens × its price, in the tier its prompt size
 * falls in, rounded to the micro-dollar once per call. A part is unknown when its count is null (the CLI does not
 * record it) or its price is null while the count is not 0; a price of 0 makes an unknown count harmless.
 */
export function costOfCall(price: ModelPrice, counts: TokenCounts, model: string): CallCost {
  const prices = tierPrices(price, (counts.input ?? 0) + (counts.cacheRead ?? 0) + (counts.cacheWrite ?? 0));
  let pico = 0;
  const missing: string[] = [];
  for (const part of PARTS) {
    const tokens = counts[part];
    const perMillion = prices[part];
    if (tokens === 0 || perMillion === 0) continue;
    if (tokens === null) {
      missing.push(`${part} tokens unknown`);
      continue;
    }
    if (perMillion === null) {
      missing.push(`no ${part} price for ${model}`);
      continue;
    }
    pico += part === 'cacheWrite' ? cacheWritePico(tokens, counts.cacheWrite1h, perMillion, prices.cacheWrite1h) : tokens * toPico(perMillion);
  }
  const micros = Math.round(pico / PICO_PER_MICRO);
  if (missing.length === 0) return { micros, complete: true };
  // Some part known: its cost is a lower bound. None known: no cost at all.
  return { micros: missing.length < PARTS.length ? micros : null, complete: false, missing: missing.join('; ') };
}

/** Cache writes, the 1-hour ones at their own price when the parser counted them and the table has one. */
function cacheWritePico(tokens: number, oneHour: number | null | undefined, perMillion: number, perMillion1h: number | null | undefined): number {
  if (typeof oneHour !== 'number' || oneHour <= 0 || perMillion1h === undefined || perMillion1h === null) return tokens * toPico(perMillion);
  const hour = Math.min(oneHour, tokens);
  return (tokens - hour) * toPico(perMillion) + hour * toPico(perMillion1h);
}

/** The base prices with the highest tier the prompt is above laid over them. */
function tierPrices(price: ModelPrice, prompt: number): PartPrices {
  const tier = (price.tiers ?? []).filter((t) => prompt > t.abovePromptTokens).sort((a, b) => b.abovePromptTokens - a.abovePromptTokens)[0];
  const base: PartPrices = { input: price.input, output: price.output, cacheRead: price.cacheRead, cacheWrite: price.cacheWrite, cacheWrite1h: price.cacheWrite1h };
  if (!tier) return base;
  const { abovePromptTokens: _threshold, ...over } = tier;
  return { ...base, ...over };
}

/** $/1M tokens → integer pico-dollars per token ($1/1M = 1 µ$/token = 1,000,000 p$/token). */
function toPico(perMillion: number): number {
  return Math.round(perMillion * PICO_PER_MICRO);
}

function checkModel(row: unknown, where: string, file: string): ModelPrice {
  if (!isObject(row)) throw new PriceFileError(file, `${where} is not an object`);
  const out: ModelPrice = { input: null, output: null, cacheRead: null, cacheWrite: null };
  for (const part of PARTS) out[part] = checkPrice(row[part], `${where}.${part}`, file, true);
  if (row.cacheWrite1h !== undefined) out.cacheWrite1h = checkPrice(row.cacheWrite1h, `${where}.cacheWrite1h`, file, true);
  if (typeof row.source === 'string') out.source = row.source;
  if (typeof row.note === 'string') out.note = row.note;
  if (row.tiers !== undefined) {
    if (!Array.isArray(row.tiers)) throw new PriceFileError(file, `${where}.tiers is not a list`);
    out.tiers = row.tiers.map((t: unknown, i: number) => {
      if (!isObject(t) || typeof t.abovePromptTokens !== 'number') throw new PriceFileError(file, `${where}.tiers[${i}] has no abovePromptTokens`);
      const tier: PriceTier = { abovePromptTokens: t.abovePromptTokens };
      for (const part of [...PARTS, 'cacheWrite1h'] as const) {
        if (t[part] !== undefined) tier[part] = checkPrice(t[part], `${where}.tiers[${i}].${part}`, file, true);
      }
      return tier;
    });
  }
  return out;
}

function checkPrice(value: unknown, where: string, file: string, required: boolean): number | null {
  if (value === null || (value === undefined && !required)) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PriceFileError(file, `${where} is ${JSON.stringify(value)}: give US dollars per 1,000,000 tokens, or null when not known`);
  }
  return value;
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
