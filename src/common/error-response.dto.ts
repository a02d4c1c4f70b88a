import { ApiProperty } from '@nestjs/swagger';

/** The one error shape of the API, NestJS's own. Each documented answer carries its own example (ApiErrorResponse). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['email must be a valid email address'],
  })
  message: string | string[];
}
