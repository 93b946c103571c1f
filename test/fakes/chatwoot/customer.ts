/**
 * What happens in Chatwoot when a WhatsApp customer writes (app/services/whatsapp/incoming_message_*):
 * an incoming message from the contact, with a `wamid` source_id; a voice note is `content: null` with
 * one audio attachment whose transcribed_text is "" (Attachment#audio_metadata).
 */
import type { ChatwootState } from './state.js';
import type { ConversationState, StoredMessage } from './types.js';

export function createCustomerMessage(state: ChatwootState, conv: ConversationState, message: { content?: string | null; audio?: boolean }): StoredMessage {
  const stored = state.addMessage(conv, {
    content: message.audio ? null : (message.content ?? 'Olá!'),
    private: false,
    message_type: 'incoming',
    content_type: 'text',
    content_attributes: {},
    sender: { kind: 'none', id: conv.contact.id, name: conv.contact.name },
    source_id: null,
    echo_id: null,
    template_params: null,
  });
  stored.source_id = `wamid.fake-${stored.id}`;
  if (message.audio) {
    stored.attachments = [
      {
        id: stored.id + 700000,
        message_id: stored.id,
        file_type: 'audio',
        account_id: conv.accountId,
        extension: null,
        data_url: `https://chat.acme.example/rails/active_storage/blobs/redirect/voice-${stored.id}/audio.ogg?disposition=inline`,
        thumb_url: '',
        file_size: 9152,
        width: null,
        height: null,
        transcribed_text: '',
      },
    ];
  }
  return stored;
}

/** Sets the transcript on a voice note's audio attachment (meta['transcribed_text']). */
export function setTranscript(message: StoredMessage, text: string): void {
  message.attachments = (message.attachments ?? []).map((a) => (a.file_type === 'audio' ? { ...a, transcribed_text: text } : a));
}
