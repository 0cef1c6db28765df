import { z } from 'zod';

/** The shapes environment variables are read in, shared by config.ts and config-cloud.ts. */

export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

export const integer = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `set it to ${what}`)
    .transform(Number);

/** A whole number above zero. */
export const count = (what: string) => integer(what).pipe(z.number().int().min(1, `set it to ${what}`));

/** Seconds (decimals allowed, for tests) as milliseconds. */
export const seconds = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `set it to ${what}`)
    .transform((value) => Math.round(Number(value) * 1000));

/** Text that must not be blank when given. */
export const required = (hint: string) => optionalText.pipe(z.string().regex(/\S/, hint).optional());
