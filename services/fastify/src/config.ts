import { readAppSettings, readConfig } from '@badam/pipeline';

export function loadReadAppConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(readAppSettings, env);
}
