/**
 * Samples a tree of Linux processes from /proc: every process below some roots, with its CPU time and resident
 * memory, sorted into kinds by its command line. The throughput figure (scripts/bench/throughput.ts) uses it for
 * `poli work`'s tree (the work process, each pair's poli, their git and tmux client processes) and the tmux server's
 * (the mock CLIs in its panes), which are apart: the server daemonizes, so it is nobody's child here.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** What a process is, by its command line. */
export type ProcKind = 'poli-work' | 'poli-pair' | 'mock' | 'tmux' | 'other';

export interface ProcSample {
  pid: number;
  ppid: number;
  /** utime + stime, ms (USER_HZ is 100 on Linux). */
  cpuMs: number;
  /** cutime + cstime: the children it waited for (git, tmux clients), ms. */
  childrenCpuMs: number;
  rssKb: number;
  /** VmHWM: the largest resident set the kernel saw for it. */
  peakRssKb: number;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** pid → ppid of every process on the machine. */
export function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = statFields(readFileSync(`/proc/${name}/stat`, 'utf8'));
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

/** The roots and every process below them. */
export function descendants(parents: ReadonlyMap<number, number>, roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const todo = roots.filter((pid) => parents.has(pid));
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    found.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** One process's CPU and memory now; undefined when it is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    // Fields counted from 3 (state): ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
    const at = (n: number): number => Number(fields[n - 3]);
    return {
      pid,
      ppid: at(4),
      cpuMs: (at(14) + at(15)) * 10,
      childrenCpuMs: (at(16) + at(17)) * 10,
      rssKb: kb('VmRSS'),
      peakRssKb: kb('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

/** The command line of a process ('' when it is gone or a kernel thread). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Sorts a process by its command line; `workPid` is the `poli work` process. */
export function classify(pid: number, command: string, workPid: number): ProcKind {
  if (pid === workPid) return 'poli-work';
  if (/\bmocks\/mock-[a-z-]+\.ts\b/.test(command)) return 'mock';
  if (/(^|\/)tmux(\s|:|$)/.test(command)) return 'tmux';
  // A pair is the work process's own command again (node [loader flags] bin/poli.js … --resume T7 …).
  if (/\bpoli(\.js)?\b|\/main\.(js|ts)\b/.test(command) && /--resume\s/.test(command)) return 'poli-pair';
  return 'other';
}
