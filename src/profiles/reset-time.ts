/**
 * Reset times as the CLIs (and the providers' messages they show) print them, read into instants: `7:30am (UTC)`,
 * `7:27 AM`, `Dec 1, 5:08am (UTC)`, `Dec 1st, 2026 5:11 AM`, `7:39 AM UTC`, and ISO 8601 (`2026-11-28T10:42:55Z`).
 * Pure: an injected "now" and time zone.
 */

export interface LimitClock {
  /** Now, ms since the epoch. */
  now: number;
  /** The IANA time zone the CLI formats its times in (the machine's); default: this process's. */
  timeZone?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The offset (ms) of `timeZone` from UTC at the instant `at`. */
function zoneOffset(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant a wall-clock time in `timeZone` names. */
function wallTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month, day, hour, minute);
  const first = guess - zoneOffset(guess, timeZone);
  return guess - zoneOffset(first, timeZone);
}

/** Today's date in `timeZone` at `now`. */
function zonedDate(now: number, timeZone: string): { year: number; month: number; day: number } {
  const d = new Date(now + zoneOffset(now, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate() };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A zone the screen names (`UTC`, `GMT+1`, `Europe/Berlin`), or the machine's when it names none or one we cannot map. */
function resolveZone(shown: string | undefined, fallback: string): string {
  if (!shown) return fallback;
  const z = shown.trim();
  if (/^(?:UTC|GMT|Z)$/i.test(z)) return 'UTC';
  const offset = /^(?:UTC|GMT)([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (offset && !offset[3]) return `Etc/GMT${offset[1] === '+' ? '-' : '+'}${Number(offset[2])}`;
  return z.includes('/') && validZone(z) ? z : fallback;
}

/** An ISO 8601 instant with seconds and a zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** How far in the past a time without a date may be and still be today's (a reset that just passed). */
const PAST_SLACK_MS = 2 * 3600_000;

/**
 * Parses a reset time as the CLIs print it: `7:30am`, `7:27 AM`, `Dec 1, 5:08am`, `Dec 1st, 2026 5:11 AM`, each
 * optionally followed by a zone (`(UTC)`, `UTC`), or an ISO 8601 instant. A time without a date is the next such time (or one that passed
 * less than two hours ago); a date without a year is this year's, or next year's when it would be months ago.
 */
export function parseResetTime(text: string, clock: LimitClock): number | undefined {
  // ISO 8601 with a zone, as providers write it in their messages (`2026-11-28T10:42:55Z`, `…+08:00`).
  if (ISO_INSTANT.test(text.trim())) {
    const at = Date.parse(text.trim());
    return Number.isNaN(at) ? undefined : at;
  }
  const fallback = clock.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const m =
    /^(?:([A-Z][a-z]{2})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (?:(\d{4}),? )?)?(\d{1,2}):(\d{2}) ?([ap])\.?m\.?(?: ?\(?([A-Za-z_/+\-:0-9]+)\)?)?$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, monthName, dayText, yearText, hourText, minuteText, ampm, zoneText] = m;
  let hour = Number(hourText) % 12;
  if (ampm?.toLowerCase() === 'p') hour += 12;
  const minute = Number(minuteText);
  const zone = resolveZone(zoneText, fallback);
  const today = zonedDate(clock.now, zone);
  if (monthName) {
    const month = MONTHS.indexOf(monthName.toLowerCase());
    if (month < 0) return undefined;
    const day = Number(dayText);
    if (yearText) return wallTime(Number(yearText), month, day, hour, minute, zone);
    const at = wallTime(today.year, month, day, hour, minute, zone);
    return at < clock.now - 60 * 86_400_000 ? wallTime(today.year + 1, month, day, hour, minute, zone) : at;
  }
  const at = wallTime(today.year, today.month, today.day, hour, minute, zone);
  return at < clock.now - PAST_SLACK_MS ? wallTime(today.year, today.month, today.day + 1, hour, minute, zone) : at;
}

