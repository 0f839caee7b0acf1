/* The bounded reader->writer queue (src/ingest/queue.c): order, wrap,
 * out-of-line messages, drop and block modes, close, two threads. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/queue.h"
#include "tap.h"

struct prod {
	struct rti_queue *q;
	unsigned n;
	unsigned dropped;
};

/* message i: 8-byte sequence number then (i % 3000) filler bytes */
static size_t fill(uint8_t *b, unsigned i)
{
	size_t n = 8 + i % 3000;

	memcpy(b, &i, sizeof(i));
	memset(b + 8, (int)(i & 0xff), n - 8);
	return n;
}

static void *producer(void *arg)
{
	struct prod *p = arg;
	static uint8_t b[8192];

	for (unsigned i = 0; i < p->n; i++) {
		size_t n = fill(b, i);
		int r = rti_queue_push(p->q, 1, i, b, n);

		if (r == -ENOBUFS)
			p->dropped++;
	}
	rti_queue_close(p->q);
	return NULL;
}

/* Consumes until closed; checks sequence order and content. */
static int consume(struct rti_queue *q, unsigned *got, unsigned *last)
{
	struct rti_queue_item it;
	int bad = 0;
	int k;

	*got = 0;
	*last = 0;
	while ((k = rti_queue_peek(q, &it, 100)) != -EPIPE) {
		unsigned seq;

		if (k == 0)
			continue;
		memcpy(&seq, it.data, sizeof(seq));
		if ((*got && seq <= *last) || it.len != 8 + seq % 3000 || it.time_ns != seq ||
		    (it.len > 8 && it.data[it.len - 1] != (uint8_t)(seq & 0xff)))
			bad++;
		*last = seq;
		(*got)++;
		rti_queue_release(q);
	}
	return bad;
}

int main(void)
{
	struct rti_queue_opts o = { sizeof(o), 64 * 1024, false };
	struct rti_queue *q = rti_queue_new(&o);
	struct rti_queue_item it;
	struct rti_queue_stats st;
	static uint8_t b[1 << 20];
	unsigned pushed = 0;
	int r;

	/* drop mode: fill up, then drops are counted */
	while ((r = rti_queue_push(q, 1, pushed, b, fill(b, pushed))) == 0)
		pushed++;
	ok(r == -ENOBUFS && pushed > 10, "full after %u messages: -ENOBUFS", pushed);
	rti_queue_get_stats(q, &st);
	ok(st.dropped == 1 && st.dropped_bytes == fill(b, pushed) && st.pushed == pushed,
	   "drop counted");
	ok(st.high_water <= st.capacity, "high water within capacity");
	/* drain in order */
	{
		unsigned i = 0;
		int bad = 0;

		while (rti_queue_peek(q, &it, 0) == 1) {
			unsigned seq;

			memcpy(&seq, it.data, 4);
			bad |= seq != i++;
			rti_queue_release(q);
		}
		ok(!bad && i == pushed, "FIFO order");
	}
	ok(rti_queue_peek(q, &it, 10) == 0, "empty: timeout");

	rti_queue_free(q);
	q = rti_queue_new(&o);

	/* wrap around many times with varied sizes */
	{
		int bad = 0;

		for (unsigned i = 0; i < 20000; i++) {
			size_t n = fill(b, i);
			unsigned seq;

			if (rti_queue_push(q, 2, i, b, n) || rti_queue_peek(q, &it, 0) != 1) {
				bad = 1;
				break;
			}
			memcpy(&seq, it.data, 4);
			bad |= seq != i || it.len != n || it.type != 2;
			rti_queue_release(q);
		}
		ok(!bad, "20000 messages through a 64 KiB ring");
	}

	rti_queue_get_stats(q, &st);
	ok(st.high_water < 16 * 1024, "consumed at once: high water %llu stays near one message",
	   (unsigned long long)st.high_water);
	rti_queue_free(q);
	q = rti_queue_new(&o);

	/* restarting at the start of an empty ring never costs room: a burst
	 * right after the restart, and a message longer than the space before
	 * the old position, both fit */
	for (int pos = 1; pos <= 60; pos++) {
		int bad = 0;

		for (int i = 0; i < pos; i++) {
			rti_queue_push(q, 1, 0, b, 1000);
			rti_queue_peek(q, &it, 0);
			rti_queue_release(q);
		}
		for (int i = 0; i < 40 && !bad; i++)
			bad = rti_queue_push(q, 1, 0, b, 1000) != 0;
		while (rti_queue_peek(q, &it, 0) == 1)
			rti_queue_release(q);
		bad |= rti_queue_push(q, 1, 0, b, 15000) != 0;
		while (rti_queue_peek(q, &it, 0) == 1)
			rti_queue_release(q);
		if (bad) {
			ok(0, "no drop in a nearly empty queue (after %d KB)", pos);
			break;
		}
		if (pos == 60)
			ok(1, "no drop in a nearly empty queue, wherever the ring position is");
	}
	rti_queue_get_stats(q, &st);
	ok(st.dropped == 0, "nothing dropped");

	/* out-of-line messages: one always fits, more only within capacity */
	memset(b, 'x', sizeof(b));
	ok(rti_queue_push(q, 1, 0, b, sizeof(b)) == 0, "1 MiB message into a 64 KiB queue");
	ok(rti_queue_push(q, 1, 0, b, 40000) == -ENOBUFS, "a second large one is dropped");
	ok(rti_queue_push(q, 1, 0, b, 100) == 0, "small ones still fit");
	ok(rti_queue_peek(q, &it, 0) == 1 && it.len == sizeof(b) && it.data[12345] == 'x',
	   "large message intact");
	rti_queue_release(q);
	ok(rti_queue_push(q, 1, 0, b, 40000) == 0, "room again once it left");
	rti_queue_close(q);
	ok(rti_queue_push(q, 1, 0, b, 1) == -EPIPE, "push after close: -EPIPE");
	ok(rti_queue_peek(q, &it, 0) == 1 && it.len == 100, "queued items survive close");
	rti_queue_release(q);
	ok(rti_queue_peek(q, &it, 0) == 1 && it.len == 40000, "in order");
	rti_queue_release(q);
	ok(rti_queue_peek(q, &it, 0) == -EPIPE, "then -EPIPE");
	rti_queue_free(q);

	/* two threads, block mode: nothing lost, order kept */
	{
		struct rti_queue_opts bo = { sizeof(bo), 64 * 1024, true };
		struct prod p = { rti_queue_new(&bo), 200000, 0 };
		pthread_t th;
		unsigned got, last;
		int bad;

		pthread_create(&th, NULL, producer, &p);
		bad = consume(p.q, &got, &last);
		pthread_join(th, NULL);
		ok(!bad && got == 200000 && p.dropped == 0, "block mode: 200000 in order, none lost");
		rti_queue_free(p.q);
	}
	/* two threads, drop mode: order kept, every message accounted for */
	{
		struct rti_queue_opts dq = { sizeof(dq), 64 * 1024, false };
		struct prod p = { rti_queue_new(&dq), 200000, 0 };
		pthread_t th;
		unsigned got, last;
		int bad;

		pthread_create(&th, NULL, producer, &p);
		bad = consume(p.q, &got, &last);
		pthread_join(th, NULL);
		rti_queue_get_stats(p.q, &st);
		ok(!bad && got + p.dropped == 200000 && st.dropped == p.dropped,
		   "drop mode: %u delivered + %u dropped", got, p.dropped);
		rti_queue_free(p.q);
	}
	/* abort wakes a blocked producer */
	{
		struct rti_queue_opts bo = { sizeof(bo), 64 * 1024, true };
		struct prod p = { rti_queue_new(&bo), 1000000, 0 };
		pthread_t th;

		pthread_create(&th, NULL, producer, &p);
		while (rti_queue_peek(p.q, &it, 100) == 0)
			;
		rti_queue_abort(p.q);
		pthread_join(th, NULL);
		ok(1, "abort: blocked producer returned");
		rti_queue_free(p.q);
	}
	return done_testing();
}
