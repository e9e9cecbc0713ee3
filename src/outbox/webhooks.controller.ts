import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator.js';
import type { RequestContext } from '../auth/request-context.js';
import { IdParam } from '../common/id-param.js';
import { ApiRoute } from '../common/openapi-docs.js';
import {
  CreateWebhookSubscriptionDto,
  CreatedWebhookSubscriptionView,
  DeadDeliveriesQuery,
  DeadDeliveryPage,
  WebhookDeliveryView,
  WebhookSubscriptionView,
} from './dto/webhooks.dto.js';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service.js';

/** Webhook subscriptions, for national administrators (webhook:manage). */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('webhook-subscriptions')
export class WebhookSubscriptionsController {
  constructor(private readonly webhooks: WebhookSubscriptionsService) {}

  @Post()
  @ApiRoute('Subscribe a partner system to events; the signing secret is shown once', [403, 409])
  @ApiCreatedResponse({ type: CreatedWebhookSubscriptionView })
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateWebhookSubscriptionDto,
  ): Promise<CreatedWebhookSubscriptionView> {
    return this.webhooks.create(ctx, body);
  }

  @Get()
  @ApiRoute('Every webhook subscription, without secrets', [403])
  @ApiOkResponse({ type: [WebhookSubscriptionView] })
  list(@Ctx() ctx: RequestContext): Promise<WebhookSubscriptionView[]> {
    return this.webhooks.list(ctx);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiRoute('Stop delivering to a subscription', [403, 404])
  @ApiOkResponse({ type: WebhookSubscriptionView })
  deactivate(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<WebhookSubscriptionView> {
    return this.webhooks.deactivate(ctx, id);
  }
}

/** Dead letters: deliveries that failed every attempt, and putting one back in line. */
@ApiTags('webhooks')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly webhooks: WebhookSubscriptionsService) {}

  @Get('dead')
  @ApiRoute('Dead deliveries (every attempt failed), most recent first', [403])
  @ApiOkResponse({ type: DeadDeliveryPage })
  dead(@Ctx() ctx: RequestContext, @Query() query: DeadDeliveriesQuery): Promise<DeadDeliveryPage> {
    return this.webhooks.deadDeliveries(ctx, query.limit, query.cursor);
  }

  @Post(':id/requeue')
  @HttpCode(200)
  @ApiRoute('Put a dead delivery back in line, its attempts counted afresh', [403, 404, 409])
  @ApiOkResponse({ type: WebhookDeliveryView })
  requeue(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<WebhookDeliveryView> {
    return this.webhooks.requeue(ctx, id);
  }
}
