import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled to observability/dist/src/, two levels below the package root. */
export const observabilityRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const rulesDir = resolve(observabilityRoot, 'prometheus/rules');

/** The Docker deployments' Prometheus config; its rule_files are relative to it (rules/*.yml). */
export const swarmConfigPath = resolve(observabilityRoot, 'prometheus/prometheus.swarm.yml');

/** Where the generated dashboards are checked in; Grafana's file provider reads them from here in Docker. */
export const dashboardsDir = resolve(observabilityRoot, 'grafana/dashboards');
