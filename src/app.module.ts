import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AccountsModule } from './accounts/accounts.module.js';
import { AdminApiKey } from './common/admin-api-key.js';
import { AdminKeyHook } from './common/admin-key-hook.js';
import { AuthGuard } from './common/auth.guard.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import { APP_CONFIG, type AppConfig, appConfigNamespace } from './config/app-config.js';
import { parseEnvironment } from './config/environment.js';
import { buildLoggerOptions } from './config/logger-options.js';
import { DataHandlerModule } from './data-handler/data-handler.module.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { DatabaseModule } from './database/database.module.js';
import { runMigrations } from './database/migrate.js';
import { createOwnerOnlySqliteFile } from './database/sqlite-file.js';
import { START_UP_CONNECTION } from './database/start-up-connection.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { DeliveryWorkerModule } from './delivery/delivery-worker.module.js';
import { DestinationsModule } from './destinations/destinations.module.js';
import { HealthModule } from './health/health.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OverviewModule } from './overview/overview.module.js';

/** The management API and ingest: served by ROLE=api and ROLE=all, not by workers. */
const API_MODULES = [AccountsModule, DestinationsModule, DataHandlerModule, MessagesModule, OverviewModule];

@Module({})
export class AppModule {
  /** `env` is the environment to configure from: process.env in production, a test's own record in tests. */
  static forRoot(env: Record<string, string | undefined>): DynamicModule {
    const config = parseEnvironment(env);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfigNamespace(env)] }),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) => buildLoggerOptions(appConfig),
        }),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) => ({ ...buildDataSourceOptions(appConfig.database), ...START_UP_CONNECTION }),
          dataSourceFactory: async (options) => {
            if (config.database.kind === 'sqlite') createOwnerOnlySqliteFile(config.database.path);
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            await runMigrations(dataSource);
            return dataSource;
          },
        }),
        // AdminKeyHook finds the controllers' routes with it.
        DiscoveryModule,
        DatabaseModule,
        MetricsModule,
        DeliveryModule,
        ...(config.role === 'api' ? [] : [DeliveryWorkerModule.forRoot(config, env)]),
        ...(config.role === 'worker' ? [] : API_MODULES),
        HealthModule,
      ],
      providers: [
        AdminApiKey,
        AdminKeyHook,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
