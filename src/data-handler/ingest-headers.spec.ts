import { BadRequestException } from '@nestjs/common';
import { InvalidBodyException } from '../common/json-body.js';
import { EVENT_TYPE_PROBLEM, readIngestHeaders } from './ingest-headers.js';

const json = { 'content-type': 'application/json' };

describe('readIngestHeaders', () => {
  it('takes the idempotency key from Idempotency-Key, else CL-X-EVENT-ID, and the event type, trimmed', () => {
    expect(readIngestHeaders({ ...json, 'idempotency-key': ' k1 ', 'cl-x-event-id': 'k2', 'cl-x-event-type': ' order.created ' })).toEqual({
      idempotencyKey: 'k1',
      eventType: 'order.created',
    });
    expect(readIngestHeaders({ 'content-type': 'application/json; charset=utf-8', 'cl-x-event-id': 'k2' })).toEqual({ idempotencyKey: 'k2', eventType: null });
  });

  it('counts blank headers as absent', () => {
    expect(readIngestHeaders({ ...json, 'idempotency-key': '  ', 'cl-x-event-type': '' })).toEqual({ idempotencyKey: null, eventType: null });
  });

  it('takes the first of a repeated header', () => {
    expect(readIngestHeaders({ ...json, 'cl-x-event-type': ['a.b', 'c'] as unknown as string }).eventType).toBe('a.b');
  });

  it.each(['has space', 'x'.repeat(129), 'order/created', 'é'])('refuses the event type %p', (eventType) => {
    const read = () => readIngestHeaders({ ...json, 'cl-x-event-type': eventType });
    expect(read).toThrow(BadRequestException);
    expect(read).toThrow(EVENT_TYPE_PROBLEM);
  });

  it('accepts every allowed character, up to 128 of them', () => {
    expect(readIngestHeaders({ ...json, 'cl-x-event-type': 'Az09._-:' }).eventType).toBe('Az09._-:');
    expect(readIngestHeaders({ ...json, 'cl-x-event-type': 'a'.repeat(128) }).eventType).toHaveLength(128);
  });

  it('refuses a body that is not declared JSON, and a key over 255 characters', () => {
    expect(() => readIngestHeaders({ 'content-type': 'text/plain' })).toThrow(InvalidBodyException);
    expect(() => readIngestHeaders({})).toThrow(InvalidBodyException);
    expect(() => readIngestHeaders({ ...json, 'idempotency-key': 'k'.repeat(256) })).toThrow('Idempotency-Key must be at most 255 characters');
  });
});
