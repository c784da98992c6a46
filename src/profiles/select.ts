/**
 * Chooses the screen profile of a CLI: by name when one is given (--planner-profile), else by the
 * program the command runs.
 */
import { ConfigError } from '../errors.ts';
import { programOf } from '../command-check.ts';
import type { SendProfile } from '../tmux/types.ts';
import { genericProfile, mockProfile } from './basic.ts';

const PROFILES: Record<string, SendProfile> = {
  generic: genericProfile,
  mock: mockProfile,
};

/** The profile named `name`, or the one for the command's program, or the generic one. */
export function selectProfile(command: string, name?: string): SendProfile {
  if (name !== undefined) {
    const profile = PROFILES[name];
    if (!profile) {
      throw new ConfigError(`unknown CLI profile "${name}"; known profiles: ${Object.keys(PROFILES).join(', ')}`);
    }
    return profile;
  }
  const program = programOf(command)?.split('/').pop() ?? '';
  return PROFILES[program] ?? genericProfile;
}
