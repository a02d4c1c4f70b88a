import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { Destination } from '../destinations/entities/destination.entity.js';
import { DeliveryAttempt } from './entities/delivery-attempt.entity.js';
import { Delivery } from './entities/delivery.entity.js';
import { Message } from './entities/message.entity.js';
import { DestinationRecoveryController, MessagesController } from './messages.controller.js';
import { MessagesService } from './messages.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Message, Delivery, DeliveryAttempt, Destination]), AccountsModule, DeliveryModule],
  controllers: [MessagesController, DestinationRecoveryController],
  providers: [MessagesService],
})
export class MessagesModule {}
