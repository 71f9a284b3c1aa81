import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../tokens';
import { registerSubgraphInfrastructureMetrics } from './infrastructure-metrics';
import { Metrics } from './metrics';

/** Registers the pool, Redis, outbox and dead-letter series of a subgraph. */
@Injectable()
export class SubgraphMetrics implements OnModuleInit {
  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    registerSubgraphInfrastructureMetrics(this.metrics, this.dataSource, this.redis);
  }
}
