import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Destination } from '../destinations/entities/destination.entity.js';
import { DeliveryAttempt } from '../messages/entities/delivery-attempt.entity.js';
import { Delivery } from '../messages/entities/delivery.entity.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Delivery, DeliveryAttempt, Destination])],
  controllers: [OverviewController],
  providers: [OverviewService],
})
export class OverviewModule {}
