import type { DataSourceOptions } from 'typeorm';
import { Account } from './accounts/entities/account.entity.js';
import type { DatabaseConfig } from './config/environment.js';
import { dataSourceOptionsFor } from './database/data-source-options.js';
import { Destination } from './destinations/entities/destination.entity.js';
import { DeliveryAttempt } from './messages/entities/delivery-attempt.entity.js';
import { Delivery } from './messages/entities/delivery.entity.js';
import { Message } from './messages/entities/message.entity.js';

/** Every entity of the application: the features' tables, put together here at the composition root. */
export const ENTITIES = [Account, Destination, Message, Delivery, DeliveryAttempt];

/** The one options object for Nest (app.module.ts), the TypeORM CLI (ormconfig.ts) and the tests. */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  return dataSourceOptionsFor(database, ENTITIES);
}
