import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled to envoy/dist/src/, two levels below the package folder. */
const gatewayDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const repoRoot = resolve(gatewayDir, '..');

/** The route table: the one file to edit to add, move or remove a route. */
export const routesJsonPath = resolve(gatewayDir, 'routes.json');

/** Generated from routes.json and checked in, for the Docker deployments. */
export const envoyYamlPath = resolve(gatewayDir, 'envoy.yaml');

/** Built by envoy/validate/build.sh (scripts/setup.sh runs it). */
export const envoyValidatorPath = resolve(repoRoot, '.tools/bin/envoy-validate');
