import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderNativeConfig, type ExtraScrapeJob } from '@badam/observability';
import { ManagedProcess } from '../process/managed-process.js';
import { httpOk } from '../process/wait.js';

export interface PrometheusOptions {
  dataDir: string;
  port: number;
  /** Ports of every replica by service (fleet.ports). */
  services: ReadonlyMap<string, readonly number[]>;
  /** Other targets, e.g. the gateway's exporter. */
  extraJobs?: readonly ExtraScrapeJob[];
}

/** The gateway's HAProxy exporter as a scrape job, when it has one. */
export function gatewayScrapeJobs(gateway: { metricsUrl: string | undefined }): ExtraScrapeJob[] {
  if (gateway.metricsUrl === undefined) return [];
  const url = new URL(gateway.metricsUrl);
  return [{ job: 'gateway', address: url.host, metricsPath: url.pathname }];
}

export interface Prometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's prometheus as a private instance: its config (rendered by @badam/observability, with the project's
 * rules) and its TSDB live under the stack's data folder, on a loopback port; the machine-wide service is never used.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = join(options.dataDir, 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, renderNativeConfig({ services: options.services, extraJobs: options.extraJobs }));
  const url = `http://127.0.0.1:${options.port}`;
  const server = new ManagedProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      // POST /-/reload re-reads the config and the rules after an edit, without losing the data.
      '--web.enable-lifecycle',
      '--storage.tsdb.retention.time=7d',
    ],
    cwd: dir,
    logFile: join(options.dataDir, 'logs/prometheus.log'),
  }).start();
  await server.ready(`Prometheus on port ${options.port}`, () => httpOk(`${url}/-/ready`));
  return { url, stop: () => server.stop() };
}
