import { ConfigError, readConfig, type EnvSpec } from '@badam/pipeline';
import { isDeepStrictEqual } from 'node:util';

/** One `KEY=value` line of .env.example and the comment line right above it. */
interface ExampleEntry {
  value: string;
  comment: string | undefined;
}

function exampleEntries(text: string): { entries: Map<string, ExampleEntry>; duplicates: string[] } {
  const entries = new Map<string, ExampleEntry>();
  const duplicates: string[] = [];
  let previous: string | undefined;
  for (const line of text.split('\n').map((l) => l.trimEnd())) {
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment !== null) {
      const [, key = '', value = ''] = assignment;
      if (entries.has(key)) duplicates.push(key);
      entries.set(key, { value, comment: previous?.startsWith('# ') ? previous.slice(2) : undefined });
    }
    previous = line;
  }
  return { entries, duplicates };
}

/** What one variable parses to from the environment given, or the problems the service would report. */
function parsed(key: string, variable: EnvSpec[string], env: Record<string, string>): { value: unknown } | { problems: string[] } {
  try {
    return { value: readConfig({ [key]: variable }, env)[key] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems };
  }
}

/**
 * .env.example is the list of every variable the services read, each with its description (the `describe` of its
 * spec, on the line above) and its default: so it lists every variable of every spec, nothing else, and each value
 * is what the service would use with the variable unset (or, for a variable without default, a value it accepts).
 */
export function envExampleProblems(text: string, specs: Record<string, EnvSpec>): string[] {
  const { entries, duplicates } = exampleEntries(text);
  const problems = duplicates.map((key) => `.env.example: ${key} is listed twice`);
  const readers = new Map<string, { service: string; variable: EnvSpec[string] }[]>();
  for (const [service, spec] of Object.entries(specs)) {
    for (const [key, variable] of Object.entries(spec)) readers.set(key, [...(readers.get(key) ?? []), { service, variable }]);
  }
  for (const key of entries.keys()) {
    if (!readers.has(key)) problems.push(`.env.example: ${key} is not read by any service`);
  }
  for (const [key, uses] of [...readers].sort(([a], [b]) => a.localeCompare(b))) {
    const entry = entries.get(key);
    if (entry === undefined) {
      problems.push(`.env.example: ${key} is missing (read by ${uses.map(({ service }) => service).join(', ')})`);
      continue;
    }
    const descriptions = [...new Set(uses.map(({ variable }) => variable.describe))];
    if (entry.comment === undefined || !descriptions.includes(entry.comment)) {
      problems.push(`.env.example: ${key} is described as "${entry.comment ?? ''}", expected "${descriptions.join('" or "')}"`);
    }
    for (const { service, variable } of uses) {
      const given = parsed(key, variable, { [key]: entry.value });
      const unset = parsed(key, variable, {});
      if ('problems' in given) problems.push(...given.problems.map((problem) => `.env.example: ${problem} (as ${service} reads it)`));
      else if ('value' in unset && !isDeepStrictEqual(given.value, unset.value)) {
        problems.push(`.env.example: ${key}=${entry.value}, but ${service}'s default is ${JSON.stringify(unset.value)}`);
      }
    }
  }
  return [...new Set(problems)];
}
