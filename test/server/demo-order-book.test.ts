import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderBook } from '../../demo/order-book.js';

/** The demo's record of streamed orders, which the event console lists and checks events against. */

const order = (id: string, number: number, status = 'pending') => ({
  id,
  number,
  status,
  customer: { name: 'Pat Doe' },
  totalAmount: 4200,
  currency: 'USD',
});

test('orders are kept per user, newest first; the id finds one, the number explains the mistake', () => {
  const book = new OrderBook();
  book.record('user-a', order('ord_a1', 1001), '2026-01-01T00:00:00.000Z');
  book.record('user-a', order('ord_a2', 1002), '2026-01-01T00:00:01.000Z');
  book.record('user-b', order('ord_b1', 1003), '2026-01-01T00:00:02.000Z');
  book.record('user-a', { not: 'an order' }, '2026-01-01T00:00:03.000Z');

  assert.deepEqual(
    book.list('user-a').map((o) => [o.id, o.number, o.customerName]),
    [
      ['ord_a2', 1002, 'Pat Doe'],
      ['ord_a1', 1001, 'Pat Doe'],
    ],
  );
  assert.deepEqual(book.lookup('user-a', 'ord_a1'), { order: book.list('user-a')[1] });
  const byNumber = book.lookup('user-a', '#1001');
  assert.ok('problem' in byNumber);
  assert.match(byNumber.problem, /number of order #1001; the event needs the order's id, ord_a1/);
  const otherUsers = book.lookup('user-a', 'ord_b1');
  assert.ok('problem' in otherUsers, "another user's order is not this user's");
  assert.match(otherUsers.problem, /no order "ord_b1".*2 orders in the list/);

  book.setStatus('user-a', 'ord_a1', 'fulfilled');
  assert.equal(book.list('user-a')[1]!.status, 'fulfilled');
});

test('the book is bounded per user and in users', () => {
  const book = new OrderBook(2, 2);
  for (let i = 0; i < 3; i++) book.record('u1', order(`ord_${i}`, 1000 + i), '2026-01-01T00:00:00.000Z');
  assert.deepEqual(
    book.list('u1').map((o) => o.id),
    ['ord_2', 'ord_1'],
  );
  book.record('u2', order('ord_x', 1), '2026-01-01T00:00:00.000Z');
  book.record('u3', order('ord_y', 1), '2026-01-01T00:00:00.000Z');
  assert.deepEqual(book.list('u1'), [], 'the least recently written user is dropped');
});
