import type { ClickHouseClient } from '@clickhouse/client';
import { addColumnStatement, describeQuery, dropStatements, migrations } from '@badam/domain/table/schema';

// The table's statements are the domain's (table/schema.ts); running them on a server is the runtime's.

export async function migrate(client: ClickHouseClient, table: string): Promise<void> {
  for (const step of migrations(table)) {
    if ('statement' in step) {
      await client.command({ query: step.statement });
    } else if (!(await columnNames(client, table)).includes(step.addColumn)) {
      await client.command({ query: addColumnStatement(table, step) });
    }
  }
}

async function columnNames(client: ClickHouseClient, table: string): Promise<string[]> {
  const result = await client.query({ query: describeQuery(table), format: 'JSONEachRow' });
  return (await result.json<{ name: string }>()).map((column) => column.name);
}

/** Drops the table with its keys index (see dropStatements). */
export async function dropTable(client: ClickHouseClient, table: string): Promise<void> {
  for (const query of dropStatements(table)) await client.command({ query });
}
