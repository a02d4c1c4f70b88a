import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, type Repository } from 'typeorm';
import { newId } from '../common/ids.js';
import { MicroBatcher } from '../common/micro-batcher.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination.js';
import { generateAppSecretToken, sha256Hex } from '../common/secrets.js';
import { chunks, inList } from '../database/in-list.js';
import { sql, SqlRunner } from '../database/sql.js';
import { DeliveryHistory } from '../delivery/delivery-history.js';
import { violatesUniqueIndex } from '../database/unique-violation.js';
import type { AccountQueryDto } from './dto/account-query.dto.js';
import type { CreateAccountDto, UpdateAccountDto } from './dto/account-input.dto.js';
import { Account } from './entities/account.entity.js';

export const EMAIL_TAKEN = 'An account with this email already exists';

const EMAIL_INDEX = { name: 'UQ_accounts_email', table: 'accounts', columns: ['email'] };

/** The unique email index is the check (no read-then-write race): a write that runs into it is a 409. */
async function conflictOnTakenEmail<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (violatesUniqueIndex(error, EMAIL_INDEX)) throw new ConflictException(EMAIL_TAKEN);
    throw error;
  }
}

/** What ingest needs of the account a token belongs to. */
export interface TokenAccount {
  id: string;
  /** Requests per second; null: the server's INGEST_RATE_LIMIT. */
  ingestRateLimit: number | null;
}

export interface AccountWithToken {
  account: Account;
  token: string;
}

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly runner: SqlRunner,
    private readonly history: DeliveryHistory,
  ) {}

  async create(input: CreateAccountDto): Promise<AccountWithToken> {
    const token = generateAppSecretToken();
    const now = Date.now();
    const account = this.accounts.create({
      id: newId(),
      email: input.email.toLowerCase(),
      accountName: input.account_name,
      website: input.website ?? null,
      ingestRateLimit: input.ingest_rate_limit ?? null,
      tokenHash: sha256Hex(token),
      createdAt: now,
      updatedAt: now,
    });
    await conflictOnTakenEmail(this.accounts.insert(account));
    return { account, token };
  }

  /** Fetches `limit + 1` rows so the caller can tell whether another page follows. */
  async list(query: AccountQueryDto): Promise<Account[]> {
    return this.accounts.find({
      where: {
        ...(query.cursor ? { id: MoreThan(query.cursor) } : {}),
        ...(query.email ? { email: query.email.toLowerCase() } : {}),
      },
      // An email matches at most one account (unique index): found through that index, with nothing to order.
      order: query.email ? undefined : { id: 'ASC' },
      take: (query.limit ?? DEFAULT_PAGE_SIZE) + 1,
    });
  }

  async get(id: string): Promise<Account> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw new NotFoundException(`Account ${id} not found`);
    return account;
  }

  async assertExists(id: string): Promise<void> {
    if (!(await this.accounts.existsBy({ id }))) throw new NotFoundException(`Account ${id} not found`);
  }

  /** PUT and PATCH both land here; PUT's DTO simply requires every field (and website defaults to null). */
  async update(id: string, input: UpdateAccountDto, replace: boolean): Promise<Account> {
    const account = await this.get(id);
    if (input.email !== undefined) account.email = input.email.toLowerCase();
    if (input.account_name !== undefined) account.accountName = input.account_name;
    if (input.website !== undefined || replace) account.website = input.website ?? null;
    if (input.ingest_rate_limit !== undefined || replace) account.ingestRateLimit = input.ingest_rate_limit ?? null;
    account.updatedAt = Math.max(Date.now(), account.updatedAt);
    await conflictOnTakenEmail(
      this.accounts.update(
        { id },
        {
          email: account.email,
          accountName: account.accountName,
          website: account.website,
          ingestRateLimit: account.ingestRateLimit,
          updatedAt: account.updatedAt,
        },
      ),
    );
    return account;
  }

  /** With its token revoked at once, its history deleted in short steps, then its destinations. */
  async remove(id: string): Promise<void> {
    if (!(await this.history.deleteAccount(id))) throw new NotFoundException(`Account ${id} not found`);
  }

  async rotateToken(id: string): Promise<string> {
    const token = generateAppSecretToken();
    const result = await this.accounts.update({ id }, { tokenHash: sha256Hex(token), updatedAt: Date.now() });
    if (!result.affected) throw new NotFoundException(`Account ${id} not found`);
    return token;
  }

  /**
   * The hot path of every ingest: an indexed lookup by the token's hash. The lookups of concurrent requests
   * share one statement; each still reads the database after its request arrived, so a rotated token stops
   * working at once; a changed ingest_rate_limit applies to the next request.
   */
  findByToken(token: string): Promise<TokenAccount | null> {
    return this.tokenLookups.submit(sha256Hex(token));
  }

  private readonly tokenLookups = new MicroBatcher<string, TokenAccount | null>(async (hashes) => {
    const byHash = new Map<string, TokenAccount>();
    for (const chunk of chunks([...new Set(hashes)])) {
      const { rows } = await this.runner.execute(sql`SELECT id, token_hash, ingest_rate_limit FROM accounts WHERE token_hash IN ${inList(chunk)}`);
      for (const row of rows) {
        byHash.set(String(row.token_hash), { id: String(row.id), ingestRateLimit: row.ingest_rate_limit === null ? null : Number(row.ingest_rate_limit) });
      }
    }
    return hashes.map((hash) => byHash.get(hash) ?? null);
  });
}
