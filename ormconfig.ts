import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnvironment } from './src/config/environment.js';
import { buildDataSourceOptions } from './src/data-source-options.js';
import { createOwnerOnlySqliteFile } from './src/database/sqlite-file.js';

// The TypeORM CLI's data source (npm run migration:*): the same options object the app uses.
const { database } = parseEnvironment(process.env);
if (database.kind === 'sqlite') createOwnerOnlySqliteFile(database.path);
export default new DataSource(buildDataSourceOptions(database));
