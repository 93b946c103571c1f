/**
 * The simulated Hermes agent of the demo: a few rules for a bakery, and a memory that is nothing but
 * the session history Hermes hands it. It can name the customer only if that customer said their name
 * earlier in THE SAME Hermes session, which is what makes the stable session per conversation visible.
 */
import type { ReplyFn } from '../test/fakes/fake-hermes.js';

const NAME = /\b(?:my name is|this is|i'm|i am)\s+([A-ZÀ-Ý][\p{L}-]+)/iu;

export const bakeryAgent: ReplyFn = ({ userText, history }) => {
  const said = [...history.filter((e) => e.role === 'user').map((e) => text(e.content)), userText];
  const name = said.map((t) => NAME.exec(t)?.[1]).find(Boolean);
  const hi = name ? `Hi ${name}! ` : 'Hi! ';
  const t = userText.toLowerCase();
  if (/\b(open|hours)\b/.test(t)) return `${hi}On Saturdays we're open from 8 am to 1 pm, and on weekdays from 7 am to 7 pm.`;
  if (/\bdeliver/.test(t)) return `Yes${name ? `, ${name}` : ''}: we deliver across the city within two hours, free for orders above $30.`;
  if (/\b(my name|who am i|remember me)\b/.test(t)) {
    return name ? `Of course: you're ${name}, you told me at the start of this conversation.` : "I don't know your name yet. What should I call you?";
  }
  if (/\bthank/.test(t)) return `You're welcome${name ? `, ${name}` : ''}. Enjoy your bread!`;
  return `${hi}How can I help you today?`;
};

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : '')).join(' ');
  return '';
}
