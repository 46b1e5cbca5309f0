import { BadRequestException, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Field name to what is wrong with it, as the client sent it. */
export type FieldErrors = Record<string, string[]>;

export function validationFailed(fields: FieldErrors): BadRequestException {
  return new BadRequestException({ message: 'Validation failed', fields });
}

/** Bodies and query strings are checked against their DTO class; unknown fields are rejected, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => validationFailed(fieldErrors(errors)),
  });
}

export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => validationFailed({ id: ['id must be a UUID'] }),
});

function fieldErrors(errors: ValidationError[], prefix = ''): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    const path = `${prefix}${error.property}`;
    if (error.constraints) fields[path] = Object.values(error.constraints);
    Object.assign(fields, fieldErrors(error.children ?? [], `${path}.`));
  }
  return fields;
}
