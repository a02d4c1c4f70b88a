import { Module } from '@nestjs/common';

/** Ingest (`POST /server/incoming_data`): built on top of accounts and destinations. */
@Module({})
export class DataHandlerModule {}
