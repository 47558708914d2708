/** Rules about vacancies. Pure: `now` is passed in. */
import { ukDateString } from '../web/format.ts';

/** A vacancy takes applications while it is published and its closing date (a UK date) has not passed. */
export function vacancyIsOpen(vacancy: { status: string; closingDate: string }, now: Date): boolean {
  return vacancy.status === 'published' && vacancy.closingDate >= ukDateString(now);
}
