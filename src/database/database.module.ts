import { Global, Module } from '@nestjs/common';
import { SqlRunner } from './sql.js';

/** The hand-written SQL of the hot paths (ingest, claim, record) runs through the one SqlRunner. */
@Global()
@Module({ providers: [SqlRunner], exports: [SqlRunner] })
export class DatabaseModule {}
