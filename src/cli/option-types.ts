/** The shapes of poli's command-line table (options.ts, queue-options.ts). */

export interface OptionSpec {
  flag: string;
  short?: string;
  type: 'string' | 'boolean' | 'number';
  choices?: readonly string[];
  describe: string;
}

export interface CommandSpec {
  usage: string;
  describe: string;
  /** Settings that matter to this command (all of them are accepted). */
  settings: 'all' | readonly string[];
}
