/**
 * Chooses the profile of a CLI: by name when one is given (--planner-profile), else by the program
 * the command runs (its last path component: `/opt/bin/claude --model x` → claude), else generic.
 */
import { ConfigError } from '../errors.ts';
import { programOf } from './command-check.ts';
import { aiderProfile } from './aider.ts';
import { genericProfile, mockProfile } from './basic.ts';
import { claudeProfile } from './claude.ts';
import { codexProfile } from './codex.ts';
import { geminiProfile } from './gemini.ts';
import { copilotProfile } from './copilot.ts';
import { opencodeProfile } from './opencode.ts';
import { piProfile } from './pi.ts';
import { qwenProfile } from './qwen.ts';
import type { CliProfile } from './types.ts';

/** Every profile poli knows, by name. Add a new one here (see docs/profiles.md). */
export const PROFILES: readonly CliProfile[] = [claudeProfile, codexProfile, aiderProfile, geminiProfile, qwenProfile, piProfile, opencodeProfile, copilotProfile, genericProfile, mockProfile];

/** The profile named `name`, or the one for the command's program, or the generic one. */
export function selectProfile(command: string, name?: string): CliProfile {
  if (name !== undefined) {
    const profile = PROFILES.find((p) => p.name === name);
    if (!profile) {
      throw new ConfigError(
        `unknown CLI profile "${name}"; known profiles: ${PROFILES.map((p) => p.name).join(', ')} (see docs/profiles.md)`,
      );
    }
    return profile;
  }
  const program = programOf(command)?.split('/').pop() ?? '';
  return PROFILES.find((p) => p.programs.includes(program)) ?? genericProfile;
}
