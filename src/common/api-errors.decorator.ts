import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponseDto } from './error-response.dto.js';

type Resource = 'Account' | 'Destination' | 'Message';

/** A realistic 400 per resource: what Swagger UI shows as the example answer. */
const INVALID_INPUT: Record<Resource, string[]> = {
  Account: ['email must be a valid email address', 'account_name is required'],
  Destination: ['url must be an absolute http(s) URL', 'http_method is required'],
  Message: ['status must be one of pending, succeeded, failed'],
};

const EXAMPLE_ID = '0196b3c2-7f4e-7a51-9c3d-5e6f7a8b9c0d';

/** The body of an error answer, in the API's one error shape: for Swagger examples. */
export function errorExample(statusCode: number, message: string | string[]): ErrorResponseDto {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** One documented error answer with its own example (the schema's example alone would show a 400 everywhere). */
export function ApiErrorResponse(statusCode: number, description: string, message: string | string[]): MethodDecorator & ClassDecorator {
  return ApiResponse({ status: statusCode, description, type: ErrorResponseDto, example: errorExample(statusCode, message) });
}

/**
 * The 400 and 404 answers of a route, each with an example of its real body (a 409 is documented by the
 * route that gives it, with ApiErrorResponse). `notFound` names what a 404 is about when it is not the
 * controller's own resource (e.g. the account of a new destination); by default it is the controller's
 * (`DestinationsController` → "Destination").
 */
export function ApiErrors(...args: Array<400 | 404 | { notFound: Resource }>): MethodDecorator {
  return (target, key, descriptor) => {
    const override = args.find((arg) => typeof arg === 'object');
    const resource = override?.notFound ?? resourceOf(target.constructor.name);
    const decorators = args
      .filter((arg) => typeof arg === 'number')
      .map((status) => {
        switch (status) {
          case 400:
            return ApiErrorResponse(400, 'Invalid input: `message` lists every problem', INVALID_INPUT[resourceOf(target.constructor.name)]);
          case 404:
            return ApiErrorResponse(404, `No ${resource.toLowerCase()} with this id`, `${resource} ${EXAMPLE_ID} not found`);
        }
      });
    applyDecorators(...decorators)(target, key, descriptor);
  };
}

function resourceOf(controllerName: string): Resource {
  if (controllerName.startsWith('Destination')) return 'Destination';
  if (controllerName.startsWith('Message')) return 'Message';
  return 'Account';
}
