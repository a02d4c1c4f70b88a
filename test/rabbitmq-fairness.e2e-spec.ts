import { fairnessCases, scaleOutDeployment } from './support/fairness.js';
import { createTestVhost, requireRabbitMQ } from './support/rabbitmq.js';
import { requirePostgres } from './support/require-service.js';

const describeWithPostgres = await requirePostgres();
const describeWithBoth = (await requireRabbitMQ()) === describe.skip ? describe.skip : describeWithPostgres;

// The contract's fairness cases (test/support/fairness.ts), here with RabbitMQ between api and workers.
fairnessCases(describeWithBoth, 'scale-out: 1 api + 2 workers on PostgreSQL and RabbitMQ', () =>
  scaleOutDeployment(async () => {
    const vhost = await createTestVhost();
    return { env: { QUEUE_URL: vhost.url }, cleanUp: () => vhost.drop() };
  }),
);
