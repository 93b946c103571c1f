/** The scripted WhatsApp exchange: two customers writing at the same time, in two conversations. */

export interface Customer {
  name: string;
  phone: string;
  contactId: number;
  conversationId: number;
}

export const ACCOUNT_ID = 1;
export const INBOX = { id: 7, name: 'WhatsApp Bakery' };

export const MARIA: Customer = { name: 'Maria Souza', phone: '+5511987654321', contactId: 3120, conversationId: 1042 };
export const JOAO: Customer = { name: 'João Lima', phone: '+5521976543210', contactId: 3121, conversationId: 1043 };

export const SCRIPT: Array<{ from: Customer; text: string }> = [
  { from: MARIA, text: 'Hi! My name is Maria. Are you open on Saturday?' },
  { from: JOAO, text: 'Good morning, this is João. Do you deliver?' },
  { from: MARIA, text: 'Great. Do you deliver too?' },
  { from: JOAO, text: 'Do you remember my name?' },
  { from: MARIA, text: 'And do you remember my name?' },
];
