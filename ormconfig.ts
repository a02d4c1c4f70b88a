import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnvironment } from './src/config/environment.js';
import { buildDataSourceOptions } from './src/database/data-source-options.js';

// The TypeORM CLI's data source (npm run migration:*): the same options object the app uses.
export default new DataSource(buildDataSourceOptions(parseEnvironment(process.env).database));
