import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

/** The error answers a route can give besides 401, documented in the API's one error shape. */
export function ApiErrors(...statuses: Array<400 | 404 | 409>): MethodDecorator {
  const decorators = statuses.map((status) => {
    switch (status) {
      case 400:
        return ApiBadRequestResponse({ description: 'Invalid input: `message` lists every problem', type: ErrorResponseDto });
      case 404:
        return ApiNotFoundResponse({ description: 'No such id', type: ErrorResponseDto });
      case 409:
        return ApiConflictResponse({ description: 'The email is already used by another account', type: ErrorResponseDto });
    }
  });
  return applyDecorators(...decorators);
}
