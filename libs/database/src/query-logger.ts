import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger, QueryRunner } from 'typeorm';

/** What may be said about a failed query: its SQLSTATE and the constraint, never values. */
export function describeQueryError(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    constraint?: unknown;
    driverError?: { code?: unknown; constraint?: unknown };
  };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return `SQLSTATE ${typeof code === 'string' ? code : 'unknown'}${typeof constraint === 'string' ? ` on ${constraint}` : ''}`;
}

/** The statement's verb and first table, which say where it failed without any data. */
export function describeStatement(query: string): string {
  const words = /^\s*(\w+)(?:[\s\S]*?\b(?:INTO|FROM|UPDATE|TABLE)\s+"?(\w+)"?)?/i.exec(query);
  return words ? `${words[1]!.toUpperCase()}${words[2] ? ` ${words[2]}` : ''}` : 'statement';
}

/**
 * TypeORM's logger for every service. TypeORM's own loggers print a failed query with its
 * parameters: password hashes, e-mails, company names. This one says which statement failed
 * and why (SQLSTATE, constraint) and nothing of the values; the caller logs the error itself
 * with the request id.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger: NestLogger;

  constructor(service: string) {
    this.logger = new NestLogger(`${service}:database`);
  }

  logQuery(): void {}

  logQueryError(error: string | Error, query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.logger.warn(`${describeStatement(query)} failed: ${describeQueryError(error)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`${describeStatement(query)} took ${time} ms`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
