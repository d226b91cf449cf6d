import type { ClickHouseClient } from '@clickhouse/client';
import { quoteIdentifier } from '../table/identifiers.js';
import { keysTable, migrations } from '../table/schema.js';

// The table's statements are the domain's (table/schema.ts); running them on a server is the runtime's.

export async function migrate(client: ClickHouseClient, table: string): Promise<void> {
  const name = quoteIdentifier(table);
  for (const step of migrations(table)) {
    if ('statement' in step) {
      await client.command({ query: step.statement });
    } else if (!(await columnNames(client, name)).includes(step.addColumn)) {
      await client.command({ query: `ALTER TABLE ${name} ADD COLUMN ${quoteIdentifier(step.addColumn)} ${step.definition}` });
    }
  }
}

async function columnNames(client: ClickHouseClient, quotedTable: string): Promise<string[]> {
  const result = await client.query({ query: `DESCRIBE TABLE ${quotedTable}`, format: 'JSONEachRow' });
  return (await result.json<{ name: string }>()).map((column) => column.name);
}

/** Drops the table with its keys index: a keys index without its rows would refuse their resends as duplicates. */
export async function dropTable(client: ClickHouseClient, table: string): Promise<void> {
  await client.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(table)}` });
  await client.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(keysTable(table))}` });
}
