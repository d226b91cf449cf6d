import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dashboardsDir } from '../paths.js';
import { renderDashboardFiles } from './dashboards.js';

/**
 * `npm run dashboards -w @badam/observability`: rewrites grafana/dashboards/*.json from the TypeScript definitions.
 * Commit the result; a unit test fails while the files and the definitions differ.
 */
for (const [name, content] of renderDashboardFiles()) {
  const path = join(dashboardsDir, name);
  writeFileSync(path, content);
  console.log(`[dashboards] wrote ${relative(process.cwd(), path)}`);
}
