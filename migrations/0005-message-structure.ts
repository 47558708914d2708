import { sql, type Kysely } from 'kysely';
import { htmlToPlainText, sanitiseMessageHtml } from '../src/messaging/rich-text.ts';
import { searchableText } from '../src/messaging/search-text.ts';

/**
 * Every stored message body goes through today's sanitiser again, which repairs its structure (issue 9: a list item
 * outside a list let a message's words escape its place in the thread and pose as another message). Where the HTML
 * changes, its plain-text copy (search and previews) is made from it again, and the search document of its
 * conversation is rebuilt the way sending grows it: the heading at weight A, then each message's words in order.
 *
 * Idempotent: the sanitiser is (sanitising its own output changes nothing), so a second run finds nothing to change.
 * Bodies are read in pages by id, and only those that change are written.
 */
const pageSize = 500;

interface StoredMessage {
  id: string;
  conversation_id: string;
  body_html: string;
  body_text: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const changedConversations = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: StoredMessage[] } = await sql<StoredMessage>`
      select id, conversation_id, body_html, body_text from messages
      where ${after === null ? sql`true` : sql`id > ${after}`}
      order by id limit ${pageSize}
    `.execute(db);
    for (const message of rows) {
      const html = sanitiseMessageHtml(message.body_html);
      const text = htmlToPlainText(html);
      if (html === message.body_html && text === message.body_text) continue;
      await sql`update messages set body_html = ${html}, body_text = ${text} where id = ${message.id}`.execute(db);
      changedConversations.add(message.conversation_id);
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = last.id;
  }
  for (const conversationId of changedConversations) await rebuildSearchDocument(db, conversationId);
}

async function rebuildSearchDocument(db: Kysely<unknown>, conversationId: string): Promise<void> {
  const { rows: messages } = await sql<{ body_text: string; files: string[] | null }>`
    select m.body_text,
      (select array_agg(f.file_name order by f.created_at, f.id) from message_attachments f where f.message_id = m.id)
        as files
    from messages m where m.conversation_id = ${conversationId}
    order by m.sent_at, m.id
  `.execute(db);
  const words = messages.map(
    (message) => sql`to_tsvector('parley_search', ${searchableText([message.body_text, ...(message.files ?? [])])})`,
  );
  await sql`
    update conversations c
    set search_vector = setweight(to_tsvector('parley_search', a.candidate_name || ' ' || v.title || ' ' || o.name), 'A')
      ${sql.join(
        words.map((vector) => sql`|| ${vector}`),
        sql` `,
      )}
    from applications a
    join vacancies v on v.id = a.vacancy_id
    join organisations o on o.id = v.school_id
    where c.id = ${conversationId} and a.id = c.application_id
  `.execute(db);
}
