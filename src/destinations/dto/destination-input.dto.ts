import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsUUID,
  registerDecorator,
  type ValidationArguments,
  ValidateIf,
} from 'class-validator';
import { normalizeId } from '../../common/id.pipe.js';
import { asReceived } from '../../common/own-keys-validation-pipe.js';
import { IsIntegerInRange } from '../../common/is-integer-in-range.js';
import { HTTP_METHODS, type HttpMethod } from '../entities/destination.entity.js';
import { destinationUrlProblem, MAX_URL_LENGTH } from '../destination-url.js';
import { headerProblems, MAX_HEADER_NAME_LENGTH, MAX_HEADER_VALUE_LENGTH, MAX_HEADERS } from '../header-rules.js';
import { eventTypesProblems, MAX_EVENT_TYPE_PATTERNS } from '../../common/event-types.js';
import { signingSecretProblem } from '../../delivery/signer.js';
import { MAX_IN_FLIGHT_LIMIT, RATE_LIMIT_MAX } from '../destination-controls.js';
import { MAX_RETRY_SCHEDULE_LENGTH, retryScheduleProblem } from '../../config/retry-schedule.js';

/**
 * A validation decorator from a function that lists what is wrong with a value (nothing: valid). Several
 * problems become one message joined with "; ", which the validation pipe splits again (MULTI_PROBLEM_CONSTRAINTS).
 */
function ValidatedBy(name: string, problems: (value: unknown) => string[]): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => problems(value).length === 0,
        defaultMessage: (args?: ValidationArguments) => problems(args?.value).join('; '),
      },
    });
  };
}

const problemList = (problem: string | null): string[] => (problem === null ? [] : [problem]);
const IsDestinationUrl = () => ValidatedBy('isDestinationUrl', (value) => problemList(destinationUrlProblem(value)));
const IsHeaderMap = () => ValidatedBy('isHeaderMap', headerProblems);
const IsEventTypePatterns = () => ValidatedBy('isEventTypePatterns', eventTypesProblems);
const IsRetrySchedule = () => ValidatedBy('isRetrySchedule', (value) => problemList(retryScheduleProblem(value)));
const IsSigningSecret = () => ValidatedBy('isSigningSecret', (value) => problemList(signingSecretProblem(value)));

const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** The headers as sent, names that objects inherit (`constructor`, `toString`, `__proto__`) included. */
const headerMap = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => asReceived(obj[key]);
const id = ({ value }: { value: unknown }) => normalizeId(value);

export class DestinationFieldsDto {
  @ApiProperty({
    example: 'https://hooks.example.com/data-pusher',
    maxLength: MAX_URL_LENGTH,
    description:
      'Absolute http(s) URL, without a user name or password (send credentials in `headers`). Unless the server runs ' +
      'with ALLOW_PRIVATE_DESTINATIONS=true, an IP address in it must be a public (global unicast) one: loopback, ' +
      'private, link-local, CGNAT, documentation, benchmarking, multicast and reserved addresses, and their ' +
      'IPv4-mapped, NAT64, 6to4 and Teredo forms, get 400. Host names are checked each time they are resolved.',
  })
  @IsDestinationUrl()
  url: string;

  @ApiProperty({ enum: HTTP_METHODS, example: 'POST', description: 'Any case in, upper case out' })
  @Transform(upperCase)
  @IsIn(HTTP_METHODS, { message: `http_method must be one of ${HTTP_METHODS.join(', ')}` })
  http_method: HttpMethod;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { APP_ID: '1234APPID1234', 'Content-Type': 'application/json', Accept: '*' },
    description:
      `Sent with every delivery, as stored. At most ${MAX_HEADERS} entries; names are HTTP tokens of 1–${MAX_HEADER_NAME_LENGTH} ` +
      'characters, unique regardless of case, and not Host, Content-Length, Expect or a hop-by-hop header (Connection, ' +
      'Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Connection, Proxy-Authorization, …) in any case; ' +
      `values are strings of at most ${MAX_HEADER_VALUE_LENGTH} characters without line breaks or control characters.`,
  })
  @Transform(headerMap)
  @IsHeaderMap()
  headers: Record<string, string>;

  @ApiPropertyOptional({
    type: Boolean,
    default: true,
    example: true,
    description:
      'false: new messages create no delivery for it and its pending deliveries wait; true again: they go on. ' +
      'Setting false records disabled_reason "manual" and disabled_at; setting true clears both. Omitted: unchanged.',
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: RATE_LIMIT_MAX,
    example: 50,
    description: 'At most this many attempts per second to this destination, across all worker processes. null: no limit. Omitted: unchanged.',
  })
  @IsOptional()
  @IsIntegerInRange(1, RATE_LIMIT_MAX, { message: `rate_limit must be an integer from 1 to ${RATE_LIMIT_MAX}, or null` })
  rate_limit?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_IN_FLIGHT_LIMIT,
    example: 8,
    description:
      'At most this many attempts in flight to this destination at once, per worker process. ' +
      'null: the server default DESTINATION_MAX_IN_FLIGHT (16 unless configured), and it stays null in answers. Omitted: unchanged.',
  })
  @IsOptional()
  @IsIntegerInRange(1, MAX_IN_FLIGHT_LIMIT, { message: `max_in_flight must be an integer from 1 to ${MAX_IN_FLIGHT_LIMIT}, or null` })
  max_in_flight?: number | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    maxItems: MAX_EVENT_TYPE_PATTERNS,
    example: ['order.created', 'invoice.*'],
    description:
      'Which messages it gets, by their event type (the CL-X-EVENT-TYPE they were sent with): null (the default) takes every ' +
      `message; otherwise 1 to ${MAX_EVENT_TYPE_PATTERNS} patterns, each an exact type (\`order.created\`), a prefix ending in ` +
      '`.*` (`invoice.*` takes `invoice.paid` and `invoice.line.added`, not `invoice`), or `*` (every typed message). A message ' +
      'without a type goes only to destinations with null. Decided when the message arrives. Omitted: unchanged.',
  })
  @IsOptional()
  @IsEventTypePatterns()
  event_types?: string[] | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_RETRY_SCHEDULE_LENGTH,
    example: '1s,10s,1m',
    description:
      "Its own delays before each retry, in RETRY_SCHEDULE's syntax: comma-separated durations (units ms, s, m, h, d), " +
      'at most 50 of them and each at most 30d; its length is the number of retries, and "" means no retry. ' +
      "null (the default): the server's RETRY_SCHEDULE. Jitter (±20 %) and a longer Retry-After apply as with the " +
      'server schedule. Used from each delivery\'s next attempt on: attempts already made and a retry already ' +
      'scheduled stay as they are. Omitted: unchanged.',
  })
  @IsOptional()
  @IsRetrySchedule()
  retry_schedule?: string | null;
}

export class CreateDestinationDto extends DestinationFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The account this destination belongs to, for good' })
  @Transform(id)
  @IsUUID('all', { message: 'account_id must be a UUID' })
  account_id: string;
}

/**
 * PUT: url, http_method and headers required; account_id may be given but must be the current one. The controls
 * (enabled, rate_limit, max_in_flight, event_types, retry_schedule) stay optional and, when omitted, unchanged: a client that only knows the
 * three fields must not re-enable or unthrottle a destination by replacing its URL.
 */
export class ReplaceDestinationDto extends DestinationFieldsDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'If given, must be the current account: a destination never moves' })
  @IsOptional()
  @Transform(id)
  @IsUUID('all', { message: 'account_id must be a UUID' })
  account_id?: string;
}

/**
 * PATCH: any subset. An omitted field is left alone, but a given one is validated even when null
 * (`skipNullProperties: false`): `"url": null` is a 400, not a NOT NULL failure in the database.
 */
export class UpdateDestinationDto extends PartialType(ReplaceDestinationDto, { skipNullProperties: false }) {}

export class RotateSecretDto {
  // No example: Swagger UI's "Try it out" would send it, and a value printed in the public docs would become
  // the destination's live secret (the operation's body example is `{}`: the server generates one).
  @ApiPropertyOptional({
    description: 'The new secret: `whsec_` + base64 of 24 to 64 random bytes. Omitted: the server generates one.',
  })
  @IsOptional()
  @IsSigningSecret()
  signing_secret?: string;
}
