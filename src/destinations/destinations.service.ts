import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, MoreThan, type Repository } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import { newId } from '../common/ids.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { SqlRunner } from '../database/sql.js';
import { DeliveryHistory } from '../delivery/delivery-history.js';
import { generateSigningSecret } from '../delivery/signer.js';
import { refusedDestinationAddress } from './destination-url.js';
import { controlChanges } from './destination-controls.js';
import type { CreateDestinationDto, UpdateDestinationDto } from './dto/destination-input.dto.js';
import { Destination } from './entities/destination.entity.js';
import { rotateSigningSecret } from './secret-rotation.sql.js';

export interface DestinationListQuery {
  accountId?: string;
  limit?: number;
  cursor?: string;
}

@Injectable()
export class DestinationsService {
  constructor(
    @InjectRepository(Destination) private readonly destinations: Repository<Destination>,
    private readonly accounts: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly history: DeliveryHistory,
    private readonly sql: SqlRunner,
  ) {}

  async create(input: CreateDestinationDto): Promise<Destination> {
    this.assertDeliverable(input.url);
    await this.accounts.assertExists(input.account_id);
    const now = Date.now();
    const destination = this.destinations.create({
      id: newId(),
      accountId: input.account_id,
      url: input.url,
      httpMethod: input.http_method,
      headers: input.headers,
      signingSecret: generateSigningSecret(),
      previousSigningSecret: null,
      previousSecretExpiresAt: null,
      olderSigningSecret: null,
      olderSecretExpiresAt: null,
      eventTypes: null,
      enabled: true,
      disabledReason: null,
      disabledAt: null,
      rateLimit: null,
      maxInFlight: null,
      retrySchedule: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    Object.assign(destination, controlChanges(destination, input, now));
    await this.destinations.insert(destination);
    return destination;
  }

  /** Fetches `limit + 1` rows so the caller can tell whether another page follows. */
  async list(query: DestinationListQuery): Promise<Destination[]> {
    const where: FindOptionsWhere<Destination> = {};
    if (query.accountId) where.accountId = query.accountId;
    if (query.cursor) where.id = MoreThan(query.cursor);
    return this.destinations.find({ where, order: { id: 'ASC' }, take: (query.limit ?? DEFAULT_PAGE_SIZE) + 1 });
  }

  async listForAccount(accountId: string, query: Omit<DestinationListQuery, 'accountId'>): Promise<Destination[]> {
    await this.accounts.assertExists(accountId);
    return this.list({ ...query, accountId });
  }

  async get(id: string): Promise<Destination> {
    const destination = await this.destinations.findOneBy({ id });
    if (!destination) throw new NotFoundException(`Destination ${id} not found`);
    return destination;
  }

  async update(id: string, input: UpdateDestinationDto): Promise<Destination> {
    if (input.url !== undefined) this.assertDeliverable(input.url);
    const destination = await this.get(id);
    if (input.account_id !== undefined && input.account_id !== destination.accountId) {
      throw new BadRequestException(['account_id cannot change: a destination stays with its account']);
    }
    if (input.url !== undefined) destination.url = input.url;
    if (input.http_method !== undefined) destination.httpMethod = input.http_method;
    if (input.headers !== undefined) destination.headers = input.headers;
    const now = Date.now();
    const controls = controlChanges(destination, input, now);
    Object.assign(destination, controls);
    destination.updatedAt = Math.max(now, destination.updatedAt);
    await this.destinations.update(
      { id },
      {
        url: destination.url,
        httpMethod: destination.httpMethod,
        headers: destination.headers,
        ...controls,
        updatedAt: destination.updatedAt,
      },
    );
    return destination;
  }

  /**
   * A new signing secret (the given one, or a generated one). For SECRET_ROTATION_OVERLAP the replaced one
   * signs too, so receivers can switch at their own pace; see rotatedSecrets for rotations within an overlap.
   */
  async rotateSecret(id: string, secret: string | undefined): Promise<Destination> {
    const destination = await this.get(id);
    const next = secret ?? generateSigningSecret();
    const outcome = await this.sql.transaction(() =>
      rotateSigningSecret(id, next, Date.now(), this.config.secretRotationOverlapMs, this.sql.dialect),
    );
    if (outcome === 'not found') throw new NotFoundException(`Destination ${id} not found`);
    if (outcome === 'same secret') throw new BadRequestException(['signing_secret must differ from the current one']);
    return Object.assign(destination, outcome.rotated, { updatedAt: outcome.updatedAt });
  }

  /**
   * A URL whose IP address deliveries would refuse is a 400 now, not a failed delivery later. This depends on
   * the deployment (ALLOW_PRIVATE_DESTINATIONS), so it is checked here rather than with the DTO's fixed rules.
   */
  private assertDeliverable(url: string): void {
    if (this.config.allowPrivateDestinations) return;
    const refusal = refusedDestinationAddress(url);
    if (refusal) throw new BadRequestException([refusal]);
  }

  /** Disabled at once, its deliveries deleted in short steps, then the destination. */
  async remove(id: string): Promise<void> {
    if (!(await this.history.deleteDestination(id))) throw new NotFoundException(`Destination ${id} not found`);
  }
}
