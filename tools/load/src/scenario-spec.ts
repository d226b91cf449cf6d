import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@badam/stack/paths';

/** k6/scenario.json as both runners read it (k6/lib/settings.js, k6/locust/settings.py). */
export type ScenarioSettingsValues = Record<string, number | string>;

export interface ScenarioSpec {
  defaults: ScenarioSettingsValues;
  read_apis: string[];
  send_text_prefix: string;
  profiles: Record<string, ScenarioSettingsValues>;
  env: Record<string, string>;
}

/** One threshold of a run, as thresholdsOf (JavaScript) and thresholds_of (Python) list them. */
export interface ScenarioThreshold {
  api: string;
  stat: string;
  op: string;
  limit: number;
  name: string;
}

const SCENARIO_DIR = join(repoRoot, 'k6');

export function loadScenarioSpec(): ScenarioSpec {
  return JSON.parse(readFileSync(join(SCENARIO_DIR, 'scenario.json'), 'utf8')) as ScenarioSpec;
}
