import { type ArgumentMetadata, Injectable, ParseUUIDPipe } from '@nestjs/common';

/**
 * UUIDs are case-insensitive, but SQLite compares the stored text (lower case, as generated): an id a
 * client sends in upper case would be "not found" on SQLite and found on Postgres. Every id that comes in
 * is therefore lower-cased, which also keeps keyset cursors in the order the ids are stored in.
 */
export function normalizeId(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** `ParseUUIDPipe` that hands the handler the id in the stored (lower) case. */
@Injectable()
export class ParseIdPipe extends ParseUUIDPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<string | undefined | null> {
    const id = await super.transform(value, metadata);
    return typeof id === 'string' ? id.toLowerCase() : id;
  }
}
