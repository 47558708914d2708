import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDatabase } from '../../src/platform/db.ts';
import { loadDemoDataOnFirstStart } from '../../src/demo/seed.ts';
import { isolatedDatabase } from '../support/context.ts';

test('the demo data has one administrator per organisation, a draft vacancy and a closed one', async () => {
  const { db } = createDatabase(await isolatedDatabase('demo_front_doors'), 2);
  try {
    assert.ok(await loadDemoDataOnFirstStart(db));
    const admins = await db
      .selectFrom('organisations as o')
      .leftJoin('staff_memberships as m', (join) =>
        join.onRef('m.organisation_id', '=', 'o.id').on('m.role', '=', 'admin'),
      )
      .select(['o.name', (eb) => eb.fn.count<string>('m.user_id').as('administrators')])
      .groupBy('o.name')
      .orderBy('o.name')
      .execute();
    assert.deepEqual(
      admins.map((row) => [row.name, Number(row.administrators)]),
      [
        ['Oakfield Academy Trust', 1],
        ['Oakfield Primary School', 1],
        ['Riverside Academy', 1],
        ["St Mary's Primary School", 1],
      ],
    );
    const vacancies = await db
      .selectFrom('vacancies')
      .select(['title', 'status'])
      .where('status', 'in', ['draft', 'closed'])
      .orderBy('title')
      .execute();
    assert.deepEqual(vacancies, [
      { title: 'Midday supervisor', status: 'closed' },
      { title: 'Year 1 class teacher', status: 'draft' },
    ]);
  } finally {
    await db.destroy();
  }
});
