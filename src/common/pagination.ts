import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsOptional, IsUUID } from 'class-validator';
import { normalizeId } from './id.pipe.js';
import { IsIntegerInRange } from './is-integer-in-range.js';

export const DEFAULT_PAGE_SIZE = 50;

/** Keyset pagination: the cursor is the id of the last item of the previous page (ids are time-ordered). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsIntegerInRange(1, 100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeId(value))
  @IsUUID('all', { message: 'cursor must be a next_cursor returned by a previous page' })
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Turns `limit + 1` fetched rows into a page: the extra row only tells that another page exists. */
export function toPage<Row extends { id: string }, Item>(rows: Row[], limit: number, map: (row: Row) => Item): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    next_cursor: hasMore ? pageRows[pageRows.length - 1].id : null,
  };
}
