import { z } from 'zod';

/**
 * The agent as Chatwoot's page reported them to the panel (Frame.vue's `currentAgent`: id, name,
 * email). Chatwoot passes the frame no credential: anyone holding the app URL can claim any name, so
 * the bot only repeats it, saying whose word it is.
 */
export interface ReportedAgent {
  id: number | null;
  name: string;
  email: string | null;
}

const text = (max: number) =>
  z
    .string()
    // Control characters and line breaks would let a name forge extra lines of the note; backticks and
    // brackets would let it turn into code or a link.
    .transform((s) => s.replace(/[\u0000-\u001f\u007f`[\]<>]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max));

export const reportedAgentSchema = z.object({
  id: z.number().int().nonnegative().nullable().optional(),
  name: text(80).optional(),
  email: text(120).nullable().optional(),
});

export function toReportedAgent(input: z.infer<typeof reportedAgentSchema> | undefined): ReportedAgent {
  return { id: input?.id ?? null, name: input?.name || 'an unnamed agent', email: input?.email || null };
}

/** "Ana Lima (ana@acme.example, agent 3)". */
export function describeAgent(agent: ReportedAgent): string {
  const details = [agent.email, agent.id !== null ? `agent ${agent.id}` : null].filter(Boolean).join(', ');
  return details ? `${agent.name} (${details})` : agent.name;
}

/** The line every panel note ends with: who, as the frame said, and that the bot could not check it. */
export function attribution(agent: ReportedAgent): string {
  return `From the bot panel, by ${describeAgent(agent)}, as Chatwoot's page reported them to the panel: the bot cannot verify who pressed the button.`;
}
