import { z } from 'zod';

/**
 * The parts of Chatwoot's AgentBot webhook bodies that the bot reads (chatwoot.md §3–§4).
 * Unknown fields are accepted, never rejected: Chatwoot adds fields between versions and we must not
 * refuse an authentic event because of a field we do not use. They are dropped (`z.object` strips)
 * rather than copied (`looseObject`): a webhook body carries dozens we never read, and copying them
 * was most of what validating cost on every webhook. Attachments alone stay loose: they are stored
 * as Chatwoot sent them.
 */
const id = z.number().int();

export const attachmentSchema = z.looseObject({
  id: id.optional(),
  file_type: z.string().optional(),
  data_url: z.string().nullish(),
  thumb_url: z.string().nullish(),
  extension: z.string().nullish(),
  content_type: z.string().nullish(),
  file_size: z.number().nullish(),
  transcribed_text: z.string().nullish(),
  fallback_title: z.string().nullish(),
  coordinates_lat: z.number().nullish(),
  coordinates_long: z.number().nullish(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

const conversationCore = {
  id,
  status: z.string().optional(),
  inbox_id: id.optional(),
  labels: z.array(z.string()).optional(),
  can_reply: z.boolean().optional(),
  contact_inbox: z.object({ contact_id: id.optional() }).nullish(),
  meta: z
    .object({
      sender: z.object({ id: id.optional(), name: z.string().nullish() }).nullish(),
      assignee: z.object({ id: id.optional(), type: z.string().optional() }).nullish(),
      assignee_type: z.string().nullish(),
    })
    .nullish(),
};

export const messageEventSchema = z.object({
  event: z.enum(['message_created', 'message_updated']),
  id,
  message_type: z.union([z.string(), z.number()]),
  private: z.boolean().nullish(),
  content: z.string().nullish(),
  content_type: z.string().nullish(),
  // Read the way Chatwoot's Message#human_response? reads them (`.present?`/`.blank?`): any value counts,
  // so they are not typed more narrowly than Chatwoot itself checks them.
  content_attributes: z.object({ external_echo: z.unknown().optional(), automation_rule_id: z.unknown().optional(), external_error: z.unknown().optional() }).nullish(),
  additional_attributes: z.object({ campaign_id: z.unknown().optional() }).nullish(),
  created_at: z.union([z.string(), z.number()]).nullish(),
  sender: z.object({ id: id.optional(), type: z.string().optional(), name: z.string().nullish() }).nullish(),
  account: z.object({ id }),
  inbox: z.object({ id }).nullish(),
  conversation: z.object(conversationCore),
  attachments: z.array(attachmentSchema).nullish(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export const conversationEventSchema = z.object({
  event: z.enum(['conversation_opened', 'conversation_resolved', 'conversation_status_changed', 'conversation_updated']),
  ...conversationCore,
  account: z.object({ id }).nullish(),
  account_id: id.optional(),
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;
