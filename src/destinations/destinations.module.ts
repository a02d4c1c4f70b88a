import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { AccountDestinationsController, DestinationsController } from './destinations.controller.js';
import { DestinationsService } from './destinations.service.js';
import { Destination } from './entities/destination.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([Destination]), AccountsModule, DeliveryModule],
  controllers: [DestinationsController, AccountDestinationsController],
  providers: [DestinationsService],
  exports: [DestinationsService],
})
export class DestinationsModule {}
