import { ApiProperty } from '@nestjs/swagger';

export class IngestAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Look the message up with GET /messages/{message_id}' })
  message_id: string;

  @ApiProperty({ enum: ['accepted'], example: 'accepted' })
  status: 'accepted';

  @ApiProperty({ example: 2, description: 'How many destinations the message will be delivered to' })
  destinations: number;
}
