import pg from 'pg';
import type { Sql } from 'sql-template-tag';
import request from 'supertest';
import { type AfterQueryEvent, DataSource } from 'typeorm';
import { countRecoverableStep, purgeStep } from '../src/delivery/delivery-history.sql.js';
import { expectEventually } from './support/expect-eventually.js';
import { createAccount, createDestination } from './support/factories.js';
import { createTestSchema, type TestSchema } from './support/postgres-schema.js';
import { requirePostgres } from './support/require-service.js';
import { startSink, type Sink } from './support/sink.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A statement the app ran, as it ran it. */
interface Statement {
  query: string;
  parameters: unknown[];
}

const HISTORY_TABLES = ['messages', 'deliveries', 'delivery_attempts', 'accounts', 'destinations'];

/**
 * The one filter allowed after the index: the status of one message's deliveries. It reads that message's
 * deliveries (as many as its account has destinations), however many messages are stored.
 */
function oneMessagesDeliveries(column: string, indexCondition: string): boolean {
  return column === 'status' && /message_id ?= ?(\?|'[\w-]+'::uuid)/.test(indexCondition);
}

/**
 * The lists must cost a page whatever the history: every statement they run finds its rows through an index
 * (no scan of a table or of a whole index) in the order asked for (no sort of all matching rows). The
 * statements are the app's own, recorded while the lists answer over HTTP, then explained by the database.
 */
function queryPlanTests(context: () => { t: TestApp; sink: Sink; explain: (statement: Statement) => Promise<string[]> }) {
  it('every list, with every filter and a cursor, the retention purge and recover\'s dry-run count read through indexes in order', async () => {
    const { t, sink, explain } = context();
    const account = await createAccount(t);
    await createDestination(t, account.account_id, { url: `${sink.url}/ok` });
    await createDestination(t, account.account_id, { url: `${sink.url}/other`, event_types: ['order.*'] });
    const messageIds: string[] = [];
    for (const eventType of ['order.created', 'order.paid', null, 'user.created']) {
      const req = request(t.server).post('/server/incoming_data').set('CL-X-TOKEN', account.app_secret_token);
      if (eventType) req.set('CL-X-EVENT-TYPE', eventType);
      messageIds.push((await req.send({ eventType }).expect(202)).body.message_id);
    }
    const messageList = async () => (await request(t.server).get(`/accounts/${account.account_id}/messages`).set(t.admin).expect(200)).body.data;
    await expectEventually(async () => expect((await messageList()).map((m: { status: string }) => m.status)).toEqual(Array(4).fill('succeeded')));
    const [message] = messageIds;
    const deliveries = (await request(t.server).get(`/messages/${message}/deliveries`).set(t.admin).expect(200)).body.data;
    const lists = [
      `/accounts/${account.account_id}/messages?limit=2`,
      `/accounts/${account.account_id}/messages?status=succeeded&limit=2`,
      `/accounts/${account.account_id}/messages?status=failed`,
      `/accounts/${account.account_id}/messages?event_type=order.paid`,
      `/accounts/${account.account_id}/messages?event_type=order.paid&status=pending`,
      `/accounts/${account.account_id}/messages?status=succeeded&cursor=${messageIds[2]}`,
      `/accounts/${account.account_id}/messages?event_type=order.created&status=succeeded&cursor=${messageIds[3]}`,
      `/messages/${message}`,
      `/messages/${message}/deliveries?limit=1`,
      `/messages/${message}/deliveries?status=failed`,
      `/messages/${message}/deliveries?cursor=${deliveries[0].delivery_id}`,
      `/accounts?limit=10`,
      `/accounts?email=${encodeURIComponent(account.email)}`,
      `/accounts?cursor=${account.account_id}`,
      `/destinations?account_id=${account.account_id}&limit=1`,
      `/accounts/${account.account_id}/destinations`,
      '/deliveries',
      ...['failed', 'pending', 'succeeded'].flatMap((status) => [
        `/deliveries?status=${status}&limit=1`,
        `/deliveries?status=${status}&cursor=${deliveries[deliveries.length - 1].delivery_id}`,
      ]),
    ];

    const dataSource = t.app.get(DataSource);
    const recorded: Statement[] = [];
    const subscriber = {
      afterQuery: (event: AfterQueryEvent) => {
        if (/^\s*SELECT/i.test(event.query) && HISTORY_TABLES.some((table) => event.query.includes(table))) {
          recorded.push({ query: event.query, parameters: (event.parameters ?? []) as unknown[] });
        }
      },
    };
    dataSource.subscribers.push(subscriber);
    try {
      for (const path of lists) await request(t.server).get(path).set(t.admin).expect(200);
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
    }
    // The purge's search for expired finished messages (on Postgres, the statement after taking its lock).
    const dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const purge = purgeStep(Date.now(), dialect);
    let purgeSelect = purge.next().value as Sql;
    if (dialect === 'postgres') purgeSelect = purge.next({ rows: [{ purging: 1 }], changes: 0 }).value as Sql;
    recorded.push({ query: dialect === 'postgres' ? purgeSelect.text : purgeSelect.sql, parameters: purgeSelect.values });

    // Recover's dry run reads the destination's failed deliveries, with a cursor, and each one's message.
    const count = countRecoverableStep(deliveries[0].destination_id, 0, deliveries[0].delivery_id).next().value as Sql;
    recorded.push({ query: dialect === 'postgres' ? count.text : count.sql, parameters: count.values });

    expect(recorded.length).toBeGreaterThan(lists.length);
    const problems: string[] = [];
    for (const statement of recorded) {
      for (const problem of await explain(statement)) problems.push(`${problem}\n  in: ${statement.query.replace(/\s+/g, ' ')}`);
    }
    expect(problems).toEqual([]);
  }, 30_000);
}

describe('query plans of the lists on SQLite', () => {
  let t: TestApp;
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink();
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  queryPlanTests(() => ({
    t,
    sink,
    explain: async ({ query, parameters }) => {
      const plan = (await t.app.get(DataSource).query(`EXPLAIN QUERY PLAN ${query}`, parameters)) as Array<{ detail: string }>;
      // A scan in index order is one page only when nothing filters the rows it reads (the accounts list).
      // TypeORM's exists() scans a one-row constant (dummy_table).
      const onePageScan = !/\bWHERE\b/i.test(query) && /\bLIMIT\b/i.test(query);
      const details = plan.map((row) => row.detail);
      const problems = details.filter(
        (detail) => /USE TEMP B-TREE/.test(detail) || (/^SCAN (?!CONSTANT ROW|dummy_table|\()/.test(detail) && !(onePageScan && /USING (COVERING )?INDEX/.test(detail))),
      );
      // Every column compared for equality is a condition of the index search, not a filter of what it read.
      const searched = details.join(' ');
      for (const [, column] of query.matchAll(/"\w+"\."(\w+)" = \?/g)) {
        if (!searched.includes(`${column}=?`) && !oneMessagesDeliveries(column, searched)) problems.push(`${column} filtered, not searched`);
      }
      return problems;
    },
  }));
});

const describeWithPostgres = await requirePostgres();

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function* planNodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* planNodes(child);
}

describeWithPostgres('query plans of the lists on PostgreSQL', () => {
  let schema: TestSchema;
  let t: TestApp;
  let sink: Sink;
  let client: pg.Client;
  /** Partial indexes by name, with their predicates as Postgres prints them. */
  const partialIndexes = new Map<string, string>();
  beforeAll(async () => {
    schema = await createTestSchema('plans');
    sink = await startSink();
    t = await startTestApp({ DATABASE_URL: schema.url });
    client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    // A table scan, a bitmap scan or a sort is then only chosen where no index can serve the statement in
    // order: on these few rows they would otherwise be the cheapest plan, and tell nothing about a large history.
    await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
    const { rows } = await client.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1', [schema.name]);
    for (const { indexname, indexdef } of rows) {
      const predicate = / WHERE (.*)$/.exec(indexdef)?.[1];
      if (predicate) partialIndexes.set(indexname, predicate);
    }
  });
  afterAll(async () => {
    await client.end();
    await t.close();
    await sink.close();
    await schema.drop();
  });

  queryPlanTests(() => ({
    t,
    sink,
    explain: async ({ query, parameters }) => {
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${query}`, parameters);
      const problems: string[] = [];
      for (const node of planNodes(rows[0]['QUERY PLAN'][0].Plan)) {
        if (node['Node Type'] === 'Seq Scan' && HISTORY_TABLES.includes(node['Relation Name'] ?? '')) problems.push(`Seq Scan on ${node['Relation Name']}`);
        if (node['Node Type'] === 'Sort') problems.push('Sort');
        // With FOR UPDATE, Postgres checks a partial index's own predicate again on each row it locks.
        const predicateOfIndex = node.Filter !== undefined && partialIndexes.get(node['Index Name'] ?? '') === node.Filter;
        const filtered = node.Filter && !predicateOfIndex && HISTORY_TABLES.includes(node['Relation Name'] ?? '');
        if (filtered && !oneMessagesDeliveries('status', node['Index Cond'] ?? '')) problems.push(`${node['Node Type']} filtered by ${node.Filter}`);
      }
      return problems;
    },
  }));
});
